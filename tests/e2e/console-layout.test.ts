/**
 * The console as a newcomer met it, in real Chromium: the sign-in page asks "am I signed
 * in?" without an error in the browser's console, and on Signatures a long name or address
 * wraps in its cell so the Delete button stays in view at every width from 1024 px up,
 * without the page scrolling sideways.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { addAccount, type TestAccount } from '../helpers/accounts.ts';
import { fillSignIn } from '../helpers/console-app.ts';
import { SqliteStore } from '../../server/store/sqlite.ts';
import { startApp, type AppProcess } from '../helpers/app-process.ts';
import { launchChromium } from '../helpers/browser.ts';
import { screenshot } from '../helpers/kiosk-extra.ts';
import { makeRecord } from '../helpers/records.ts';
import { enrollTablet, storeRecords } from '../helpers/sealed-records.ts';

const EMAIL = 'layout.coordinator@example.org';
const PASSWORD = 'a long enough passphrase, 2026';
/** The coordinator (an owner, with the two-factor sign-in owners must have), made in beforeAll. */
let account: TestAccount | undefined;
const LONG_NAMES = ['=HYPERLINK("http://evil.example","x")', 'श्रीनिवासरामानुजनअय्यंगारश्रीनिवासरामानुजन', 'Maximiliana-Wilhelmina-Theodora-Alexandrovna'];
let app: AppProcess;
let browser: Browser;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fieldsign-layout-'));
  const dbPath = join(dir, 'fieldsign.db');
  const store = new SqliteStore(dbPath);
  try {
    account = await addAccount(store, { email: EMAIL, password: PASSWORD, name: 'Layout Coordinator' });
    const deviceId = await enrollTablet(store, 'Layout tablet', 'Layout rally');
    const records = LONG_NAMES.map((name, i) =>
      makeRecord({ deviceId, name, email: `${'very.long.address.of.a.signer'.repeat(i + 1)}@an-exceptionally-long-domain-name.example.org`, seed: i + 1 }),
    );
    await storeRecords(store, [...records, makeRecord({ deviceId, name: 'Ada Short', email: 'ada@example.org' })]);
  } finally {
    await store.close();
  }
  app = await startApp(dbPath);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function signIn(page: Page): Promise<void> {
  await fillSignIn(page, account!);
  // Checking a password takes a while (scrypt), longer on a busy machine.
  await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 15_000 }).toBe('Dashboard');
}

describe('the console', () => {
  it('opens its sign-in page with no error in the browser console and no failed request', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (m) => void (m.type() === 'error' && problems.push(`console: ${m.text()}`)));
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('response', (r) => void (r.status() >= 400 && problems.push(`${r.status()} ${new URL(r.url()).pathname}`)));
      const asked = page.waitForResponse((r) => r.url().endsWith('/api/console/session'));
      await page.goto(`${app.url}/console`);
      expect((await asked).status()).toBe(200);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Coordinator console');
      await page.waitForTimeout(300);
      expect(problems).toEqual([]);
      // Signed in, the same question answers with the session.
      await signIn(page);
      await page.reload();
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Dashboard');
      // The password step of an account with two-factor is answered 401 second_factor_required
      // (not signed in yet), which the browser logs; nothing else may fail.
      const codeStep = (p: string) => p === '401 /api/console/login' || /^console: Failed to load resource: .* 401 /.test(p);
      expect(problems.filter((p) => !codeStep(p))).toEqual([]);
      expect(problems.filter(codeStep).length).toBeLessThanOrEqual(2);
    } finally {
      await context.close();
    }
  }, 60_000);

  for (const width of [1024, 1280, 1366, 1920]) {
    it(`keeps every Delete button in view beside long names at ${width} px, and the page does not scroll sideways`, async () => {
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      try {
        const page = await context.newPage();
        await page.goto(`${app.url}/console`);
        await signIn(page);
        await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Signatures', exact: true }).click();
        await expect.poll(() => page.locator('#signatures-table tbody tr').count()).toBe(LONG_NAMES.length + 1);
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
        const wrap = (await page.locator('.table-wrap').boundingBox())!;
        // The table fits its card: nothing of it is reached only by scrolling sideways.
        expect(await page.locator('.table-wrap').evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(1);
        for (const name of [...LONG_NAMES, 'Ada Short']) {
          const button = page.getByRole('button', { name: `Delete signature of ${name}`, exact: true });
          // Brought into view vertically only (scrolling the table sideways is what must not be needed).
          await button.evaluate((el) => el.scrollIntoView({ block: 'center', inline: 'nearest' }));
          expect(await page.locator('.table-wrap').evaluate((el) => el.scrollLeft), name).toBe(0);
          const box = (await button.boundingBox())!;
          expect(box.x, name).toBeGreaterThanOrEqual(wrap.x);
          expect(box.x + box.width, name).toBeLessThanOrEqual(Math.min(width, wrap.x + wrap.width) + 0.5);
          // Nothing covers it: a click at its centre lands on it.
          const hit = await page.evaluate(([x, y]) => document.elementFromPoint(x, y)?.closest('button')?.getAttribute('aria-label'), [box.x + box.width / 2, box.y + box.height / 2]);
          expect(hit, name).toBe(`Delete signature of ${name}`);
        }
        // The long name is shown whole, wrapped in its cell, not cut off.
        expect(await page.getByRole('rowheader').filter({ hasText: LONG_NAMES[0] }).count()).toBe(1);
        if (width === 1024 || width === 1280) await screenshot(page, `console-signatures-long-names-${width}.png`);
      } finally {
        await context.close();
      }
    }, 60_000);
  }
});
