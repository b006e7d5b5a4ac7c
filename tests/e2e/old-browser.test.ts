/**
 * A browser below the supported ones (src/browser-check) gets a clear page in its language,
 * saying it is too old and that nothing was stored, never a blank one; and the kiosk does not
 * start there: no database, no web storage, no service worker. Real Chromium, with a required
 * API removed before the app loads, or with a kiosk bundle it cannot parse.
 */
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { SUPPORTED_SUMMARY } from '../../src/browser-check/supported-browsers.ts';
import { appAndChromium } from '../helpers/fixtures.ts';
import { screenshot, tabletStorage, tr } from '../helpers/kiosk-extra.ts';
import { seriousAxeViolations } from '../helpers/axe.ts';

const fixture = appAndChromium();

/** A new tablet whose browser lacks what `removeApi` removes, before any page script runs. */
async function oldTablet(removeApi: () => void, locale = 'en-GB'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await fixture.browser.newContext({ viewport: { width: 1000, height: 700 }, locale });
  await context.addInitScript(removeApi);
  return { context, page: await context.newPage() };
}

/** Nothing of the kiosk started: no database, nothing in web storage, no service worker. */
async function expectNothingStored(page: Page): Promise<void> {
  const storage = await tabletStorage(page);
  expect(storage).toEqual({ idb: {}, local: {}, session: {}, cache: {} });
  expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length)).toBe(0);
}

describe('a browser too old for the kiosk', () => {
  it('without Array.prototype.findLast (JavaScript before 2023): the too-old page, in English, and nothing stored', async () => {
    const { context, page } = await oldTablet(() => {
      delete (Array.prototype as { findLast?: unknown }).findLast;
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(fixture.app.url);
    const t = tr('en');
    const alert = page.getByRole('alert');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(t('browserTooOldTitle'));
    expect(await alert.textContent()).toContain('Nothing was stored on this tablet.');
    expect(await alert.textContent()).toContain(SUPPORTED_SUMMARY);
    expect(await alert.textContent()).toContain('Array.prototype.findLast');
    expect(await page.title()).toBe(t('browserTooOldTitle'));
    // The kiosk never started: no enrollment screen, nothing stored, no service worker.
    await page.waitForTimeout(500);
    expect(await page.getByRole('heading', { name: t('enrollHeading') }).count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.hasAttribute('data-kiosk-started'))).toBe(false);
    await expectNothingStored(page);
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await screenshot(page, 'old-browser.png');
    await context.close();
  }, 60_000);

  it('without IndexedDB: the page in the browser’s language, French, or Arabic right to left', async () => {
    const { context, page } = await oldTablet(() => {
      Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true });
    }, 'fr-FR');
    await page.goto(fixture.app.url);
    const fr = tr('fr');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(fr('browserTooOldTitle'));
    expect(await page.getByRole('alert').textContent()).toContain(fr('browserTooOldBody', { browsers: SUPPORTED_SUMMARY }));
    expect(await page.getByRole('alert').textContent()).toContain('IndexedDB');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('fr');
    await context.close();

    const arabic = await oldTablet(() => {
      Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true });
    }, 'ar-EG');
    await arabic.page.goto(fixture.app.url);
    await expect.poll(() => arabic.page.getByRole('heading', { level: 1 }).textContent()).toBe(tr('ar')('browserTooOldTitle'));
    expect(await arabic.page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(['ar', 'rtl']);
    await arabic.context.close();
  }, 60_000);

  it('whose JavaScript cannot parse the kiosk bundle: the same page, not a blank one', async () => {
    // Blocked service workers, so that the request for the bundle reaches the route below.
    const context = await fixture.browser.newContext({ viewport: { width: 1000, height: 700 }, serviceWorkers: 'block' });
    const page = await context.newPage();
    // Stands for syntax newer than the browser knows: the entry module fails to parse.
    await page.route(/\/assets\/index-[\w-]+\.js$/, (route) =>
      route.fulfill({ status: 200, contentType: 'text/javascript', body: 'export const ready = class { static { this.x = ; } };' }),
    );
    await page.goto(fixture.app.url);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(tr('en')('browserTooOldTitle'));
    expect(await page.getByRole('alert').textContent()).toContain('Nothing was stored on this tablet.');
    await expectNothingStored(page);
    await context.close();
  }, 60_000);

  it('a supported browser passes the check: the kiosk starts as usual', async () => {
    const context = await fixture.browser.newContext({ viewport: { width: 1000, height: 700 } });
    const page = await context.newPage();
    await page.goto(fixture.app.url);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(tr('en')('enrollHeading'));
    expect(await page.evaluate(() => [document.documentElement.hasAttribute('data-unsupported-browser'), document.documentElement.hasAttribute('data-kiosk-started')])).toEqual([false, true]);
    await context.close();
  }, 60_000);
});
