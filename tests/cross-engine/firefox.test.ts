/**
 * Firefox ESR (Gecko), driven over WebDriver BiDi with puppeteer-core: the cross-engine walk
 * (kiosk-walk.ts), and no persistent-storage prompt before a volunteer acts, because the kiosk
 * never calls navigator.storage.persist() at startup (src/db/storage-persistence.ts).
 */
import { describe, expect, it } from 'vitest';
import { cliEnrollmentCode } from '../faults/server-process.ts';
import { waitInPage } from '../helpers/engine-page.ts';
import { launchFirefox, type FirefoxPage } from '../helpers/firefox.ts';
import { tr } from '../helpers/kiosk-extra.ts';
import { TEST_PIN } from '../helpers/kiosk.ts';
import { walkIn, walkServer } from './kiosk-walk.ts';

const t = tr('en');
const fixture = walkServer();

describe('Firefox ESR', () => {
  it('walks the kiosk: enroll, sign two, sync, reload offline from the service worker, sign one, sync after the server returns; no page errors', () => walkIn(() => launchFirefox(), fixture, 'kiosk-firefox.png'), 180_000);

  it('shows no persistent-storage prompt before a volunteer acts: persist() is called when enrolling, never at startup', async () => {
    const { server, dbPath } = fixture;
    if (!server.running) await server.start();
    const page: FirefoxPage = await launchFirefox();
    try {
      // Counts the calls in each document, from before any page script runs.
      await page.page.evaluateOnNewDocument(() => {
        const w = window as unknown as { persistCalls: number };
        w.persistCalls = 0;
        if (typeof StorageManager === 'undefined') return; // about:blank before the first page: not a secure context
        const persist = StorageManager.prototype.persist;
        StorageManager.prototype.persist = function (this: StorageManager) {
          w.persistCalls++;
          return persist.call(this);
        };
      });
      const calls = () => page.evaluate(() => (window as unknown as { persistCalls: number }).persistCalls);
      await page.goto(server.url);
      await waitInPage(page, 'the enrollment screen', (heading: string) => document.querySelector('h1')?.textContent === heading, [t('enrollHeading')]);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(await calls()).toBe(0);

      await page.type({ label: t('enrollCode') }, await cliEnrollmentCode(dbPath, 'Firefox prompt'));
      await page.type({ label: t('enrollPin') }, TEST_PIN);
      await page.type({ label: t('enrollPinAgain') }, TEST_PIN);
      await page.click({ button: t('enrollSubmit') });
      await waitInPage(page, 'the sign form', (name: string) => Array.from(document.querySelectorAll('button')).some((b) => b.textContent === name), [t('continue')]);
      // The volunteer's action asked, once.
      await waitInPage(page, 'one persist() call', () => (window as unknown as { persistCalls: number }).persistCalls === 1, []);

      // Started again (a reload, an app update): the petition comes up and nothing is asked.
      await page.reload();
      await waitInPage(page, 'the sign form after a restart', (name: string) => Array.from(document.querySelectorAll('button')).some((b) => b.textContent === name), [t('continue')]);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(await calls()).toBe(0);
      expect(await page.errors()).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120_000);
});
