/**
 * iOS keeps a Home Screen app's storage apart from Safari's (src/kiosk/install-context.ts):
 * in an iPad's Safari tab the enrollment screen says to add the app to the Home Screen first
 * and offers no form, so the one-time code is never spent there; the Home Screen app then
 * enrolls with that same code. Real Chromium dressed as an iPad: Safari's user agent (iPadOS
 * says "Macintosh"), a touch screen, and navigator.standalone as iOS sets it.
 */
import { describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { enrollmentCode } from '../helpers/app-process.ts';
import { appAndChromium } from '../helpers/fixtures.ts';
import { screenshot, tr } from '../helpers/kiosk-extra.ts';
import { enroll } from '../helpers/kiosk.ts';

const IPAD_SAFARI = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';
const t = tr('en');

const fixture = appAndChromium();

/** A new iPad: in a Safari tab (`standalone` false) or opened from the Home Screen (true). */
async function ipad(standalone: boolean): Promise<BrowserContext> {
  const context = await fixture.browser.newContext({ viewport: { width: 820, height: 1000 }, userAgent: IPAD_SAFARI, hasTouch: true });
  await context.addInitScript((homeScreen: boolean) => {
    Object.defineProperty(Navigator.prototype, 'standalone', { get: () => homeScreen, configurable: true });
    Object.defineProperty(Navigator.prototype, 'maxTouchPoints', { get: () => 5, configurable: true });
  }, standalone);
  return context;
}

describe('enrolling an iPad', () => {
  it('in a Safari tab: says to add to the Home Screen first, offers no form and never spends the code; the Home Screen app enrolls with it', async () => {
    const code = enrollmentCode(fixture.app.dbPath, 'iPad rally');
    const tab = await ipad(false);
    const page = await tab.newPage();
    const enrollRequests: string[] = [];
    page.on('request', (r) => r.url().includes('/api/v1/enroll') && enrollRequests.push(r.url()));
    // As the console's QR code opens it: the code in the address.
    await page.goto(`${fixture.app.url}/?enroll=${code}`);
    await expect.poll(() => page.getByRole('heading', { name: t('iosTabHeading') }).count()).toBe(1);
    expect(await page.getByText(t('iosTabBody')).count()).toBe(1);
    expect(await page.getByRole('listitem').allInnerTexts()).toEqual([t('iosStepShare'), t('iosStepAdd'), t('iosStepOpen')]);
    expect(await page.getByText(t('iosTabCode', { code })).count()).toBe(1);
    expect(await page.getByRole('button', { name: t('enrollSubmit') }).count()).toBe(0);
    expect(await page.getByLabel(t('enrollCode')).count()).toBe(0);
    await screenshot(page, 'enroll-ios-safari-tab.png');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    expect(enrollRequests).toEqual([]);
    await tab.close();

    // The app opened from the Home Screen: the usual form, no advice, and the same code works.
    const homeScreen = await ipad(true);
    const app2 = await homeScreen.newPage();
    await app2.goto(fixture.app.url);
    await expect.poll(() => app2.getByRole('heading', { name: t('enrollHeading') }).count()).toBe(1);
    expect(await app2.getByRole('heading', { name: t('iosTabHeading') }).count()).toBe(0);
    expect(await app2.getByText(t('enrollInstallFirst')).count()).toBe(0);
    await enroll(app2, code);
    await expect.poll(() => app2.getByRole('button', { name: 'Continue', exact: true }).count(), { timeout: 15_000 }).toBe(1);
    await homeScreen.close();
  }, 90_000);

  it('elsewhere (a desktop or Android browser): the form, with the advice for iPads beside it', async () => {
    const context = await fixture.browser.newContext({ viewport: { width: 1000, height: 900 } });
    const page = await context.newPage();
    await page.goto(fixture.app.url);
    await expect.poll(() => page.getByRole('heading', { name: t('enrollHeading') }).count()).toBe(1);
    expect(await page.getByText(t('enrollInstallFirst')).count()).toBe(1);
    expect(await page.getByRole('button', { name: t('enrollSubmit') }).count()).toBe(1);
    expect(await page.getByRole('heading', { name: t('iosTabHeading') }).count()).toBe(0);
    await screenshot(page, 'enroll.png');
    await context.close();
  }, 60_000);
});
