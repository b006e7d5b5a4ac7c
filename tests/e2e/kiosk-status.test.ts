/**
 * What a newcomer saw on the kiosk and must not see again, in real Chromium: the volunteer
 * screen's last sync and "Sync now" telling what they did, one message per outage, and a
 * phone that opens on the petition, keeps the language switcher in place and wraps an
 * email address only where it can be read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { startApp, type AppProcess } from '../helpers/app-process.ts';
import { drawSignature, launchChromium } from '../helpers/browser.ts';
import { closeVolunteer, fillAndDraw, openVolunteer, signOnce } from '../helpers/kiosk.ts';
import { definitionOf, enrolledKiosk, focused, screenshot, serverRecordOf, statusLine, tr, waitingText } from '../helpers/kiosk-extra.ts';

const t = tr('en');
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
let app: AppProcess;
let browser: Browser;

beforeAll(async () => {
  app = await startApp();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

/** The "Sync now" report on the volunteer screen. */
const syncReport = (page: Page) => page.getByRole('status').filter({ hasText: /^(Sent|Nothing)/ }).innerText();
/** Requests to the batch endpoint that the page made. */
const batchRequests = (page: Page) => {
  let n = 0;
  page.on('request', (r) => void (r.url().endsWith('/api/v1/batches') && n++));
  return () => n;
};

describe('the volunteer screen tells the truth about sync', () => {
  it('shows the time of the last answered batch, also after a reload, and "Sync now" always says what it did', async () => {
    const { context, page } = await enrolledKiosk(browser, app, 'Status rally');
    try {
      await signOnce(page, { name: 'Synced Signer', email: 'synced@example.org', country: 'KE' });
      await serverRecordOf(app, 'Synced Signer');
      await expect.poll(() => waitingText(page)).toBe('0 waiting to sync');

      await openVolunteer(page);
      await expect.poll(() => definitionOf(page, t('lastSyncLabel'))).not.toBe(t('neverSynced'));
      await page.getByRole('button', { name: t('syncNow'), exact: true }).click();
      await expect.poll(() => syncReport(page)).toBe('Nothing to send: all signatures are on the server.');
      const lastSync = await definitionOf(page, t('lastSyncLabel'));
      expect(lastSync).toMatch(/\d{1,2}:\d{2}/);

      // A reload (an app update, a tab closed): the last sync is still known.
      await page.reload();
      await page.getByRole('button', { name: 'Continue', exact: true }).waitFor();
      await openVolunteer(page);
      expect(await definitionOf(page, t('lastSyncLabel'))).toBe(lastSync);
      await closeVolunteer(page);

      // Three signed while the server cannot be reached, then the volunteer syncs them.
      const sent = batchRequests(page);
      await page.route('**/api/v1/batches', (route) => route.abort('internetdisconnected'));
      for (let i = 1; i <= 3; i++) await signOnce(page, { name: `Held Signer ${i}`, email: `held${i}@example.org`, country: 'FR' }, i);
      await expect.poll(sent).toBeGreaterThanOrEqual(3);
      await openVolunteer(page);
      await page.getByRole('button', { name: t('syncNow'), exact: true }).click();
      await expect.poll(() => page.getByRole('status').filter({ hasText: /^Nothing was sent/ }).innerText()).toBe(
        'Nothing was sent: The server could not be reached.',
      );
      await page.unroute('**/api/v1/batches');
      await page.getByRole('button', { name: t('syncNow'), exact: true }).click();
      await expect.poll(() => syncReport(page)).toBe('Sent 3 signatures.');
      await serverRecordOf(app, 'Held Signer 3');
      await screenshot(page, 'volunteer-sync-now.png');
    } finally {
      await context.close();
    }
  }, 120_000);

  it('an outage reads "No network connection" at every retry, and clears when the network is back', async () => {
    const { context, page } = await enrolledKiosk(browser, app, 'Offline rally');
    try {
      await context.setOffline(true);
      await signOnce(page, { name: 'Offline Signer', email: 'offline@example.org', country: 'SN' });
      const offline = `1 waiting to sync · ${t('problemOffline')} ${t('retrying')}`;
      // Every status the bar shows, as it shows them, over three retries (1 s, 2 s, 4 s apart).
      const seen = await page.evaluate(async () => {
        const line = document.querySelector('footer [role=status]')!;
        const texts = new Set<string>([line.textContent!]);
        const watch = new MutationObserver(() => texts.add(line.textContent!));
        watch.observe(line, { childList: true, subtree: true, characterData: true });
        await new Promise((r) => setTimeout(r, 8_000));
        watch.disconnect();
        return [...texts];
      });
      expect(seen.filter((text) => !text.includes(t('syncing')))).toEqual([offline]);
      await context.setOffline(false);
      await expect.poll(() => statusLine(page), { timeout: 20_000 }).toBe('0 waiting to sync');
      await serverRecordOf(app, 'Offline Signer');
    } finally {
      await context.close();
    }
  }, 60_000);
});

describe('on a phone (390 × 844)', () => {
  it('opens on the petition’s title and opening text, after enrolling and after a reload', async () => {
    const { context, page } = await enrolledKiosk(browser, app, 'Phone rally', PHONE);
    try {
      const title = page.getByRole('heading', { level: 1, name: DEFAULT_CAMPAIGN.text.en!.title });
      for (const moment of ['after enrolling', 'after a reload']) {
        if (moment === 'after a reload') {
          await page.reload();
          await page.getByRole('button', { name: 'Continue', exact: true }).waitFor();
        }
        await page.waitForTimeout(300); // anything that would scroll (focus, effects) has run
        expect(await page.evaluate(() => scrollY), moment).toBe(0);
        const box = (await title.boundingBox())!;
        expect(box.y, moment).toBeGreaterThanOrEqual(0);
        expect(box.y + box.height, moment).toBeLessThan(844);
        const intro = page.getByText(DEFAULT_CAMPAIGN.text.en!.intro[0]);
        expect((await intro.boundingBox())!.y, moment).toBeLessThan(844);
        expect(await title.evaluate((el) => el === document.activeElement), moment).toBe(true);
      }
      await screenshot(page, 'phone-open.png');
    } finally {
      await context.close();
    }
  }, 60_000);

  it('keeps the language switcher where it was on the screen when the page re-flows in Arabic, and back', async () => {
    const { context, page } = await enrolledKiosk(browser, app, 'Phone language rally', PHONE);
    try {
      const switcher = page.locator('#language');
      await switcher.evaluate((el) => el.scrollIntoView({ block: 'center' }));
      const top = async () => (await switcher.boundingBox())!.y;
      const before = await top();
      await switcher.selectOption('ar');
      await expect.poll(() => page.evaluate(() => document.documentElement.dir)).toBe('rtl');
      await page.waitForTimeout(200);
      expect(Math.abs((await top()) - before)).toBeLessThanOrEqual(2);
      await switcher.selectOption('en');
      await expect.poll(() => page.evaluate(() => document.documentElement.dir)).toBe('ltr');
      await page.waitForTimeout(200);
      expect(Math.abs((await top()) - before)).toBeLessThanOrEqual(2);
    } finally {
      await context.close();
    }
  }, 60_000);

  for (const lang of ['ar', 'en'] as const) {
    it(`wraps the email on the confirm screen only before "@" or a dot (${lang})`, async () => {
      const { context, page } = await enrolledKiosk(browser, app, `Phone email rally ${lang}`, PHONE);
      try {
        const tl = tr(lang);
        const email = 'fatima.al-zahra.mansour@example-organisation.org';
        if (lang === 'ar') {
          await page.locator('#language').selectOption('ar');
          await expect.poll(() => page.evaluate(() => document.documentElement.dir)).toBe('rtl');
          await page.getByLabel(tl('nameLabel'), { exact: true }).fill('فاطمة الزهراء');
          await page.getByLabel(tl('emailLabel'), { exact: true }).fill(email);
          await page.locator('#country').selectOption('EG');
          await drawSignature(page, tl('signatureCanvas'));
          await page.getByRole('button', { name: tl('continue'), exact: true }).click();
        } else {
          await fillAndDraw(page, { name: 'Fatima Al-Zahra', email, country: 'EG' });
        }
        await page.getByRole('heading', { name: tl('confirmHeading') }).waitFor();
        const lines = await page.locator('.confirm dd .email').evaluate((el) => {
          // The text of each line the browser laid out, from each character's box.
          const text = el.textContent ?? '';
          const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
          const tops: number[] = [];
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (let i = 0; i < node.textContent!.length; i++) {
              const range = document.createRange();
              range.setStart(node, i);
              range.setEnd(node, i + 1);
              tops.push(Math.round(range.getBoundingClientRect().top));
            }
          }
          const out: string[] = [];
          tops.forEach((top, i) => (i === 0 || top !== tops[i - 1] ? out.push(text[i]) : (out[out.length - 1] += text[i])));
          return out;
        });
        expect(lines.join('')).toBe(email);
        expect(lines.length, lines.join(' / ')).toBeGreaterThan(1); // it did have to wrap
        for (const line of lines.slice(1)) expect(line, lines.join(' / ')).toMatch(/^[@.]/);
        await screenshot(page, `phone-confirm-${lang}.png`);
      } finally {
        await context.close();
      }
    }, 60_000);
  }
});

/** Press `keys` with every key event queued at once in the page (through the DevTools protocol), none waiting for the one before. */
async function keysTogether(page: Page, keys: Array<'Enter' | 'Tab'>): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const codes = { Enter: 13, Tab: 9 } as const;
  await Promise.all(
    keys.flatMap((key) => [
      cdp.send('Input.dispatchKeyEvent', { type: key === 'Enter' ? 'keyDown' : 'rawKeyDown', key, code: key, windowsVirtualKeyCode: codes[key], ...(key === 'Enter' && { text: '\r' }) }),
      cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key, code: key, windowsVirtualKeyCode: codes[key] }),
    ]),
  );
  await cdp.detach();
}

describe('focus follows the keyboard user', () => {
  it('a Tab pressed the moment a step appears moves on from the step’s heading, and is never pulled back to it', async () => {
    const { context, page } = await enrolledKiosk(browser, app, 'Quick keys rally');
    try {
      await page.getByLabel('Full name', { exact: true }).fill('Quick Keys');
      await page.getByLabel('Email', { exact: true }).fill('quick@example.org');
      await page.getByRole('combobox', { name: 'Country', exact: true }).selectOption('FR');
      await drawSignature(page, 'Signature area');
      await page.getByRole('button', { name: 'Continue', exact: true }).focus();
      // Enter and Tab queued together, as a quick typist (or a switch device) sends them: the
      // page handles the Tab as soon as Enter's handler is done, before the next frame.
      await keysTogether(page, ['Enter', 'Tab']);
      await page.waitForTimeout(500); // long past any late focus() the step might make
      expect(await focused(page)).toBe('button[button]: Change something');

      await page.keyboard.press('Tab');
      expect(await focused(page)).toBe('button[button]: Confirm and sign');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Thank you!' }).waitFor();
      await page.keyboard.press('Tab');
      expect(await focused(page)).toBe('button[button]: Next person');
    } finally {
      await context.close();
    }
  }, 60_000);
});
