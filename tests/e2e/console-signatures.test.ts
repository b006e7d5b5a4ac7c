/**
 * The console's Signatures page at depth, in real Chromium: Next and Previous continue from a
 * row (the requests carry a seq cursor, so the server reads an index range, never skipping
 * rows), and "Only possible duplicates" lists exactly the signers the one rule flags.
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
import { makeRecord, withSigner } from '../helpers/records.ts';
import { enrollTablet, storeRecords } from '../helpers/sealed-records.ts';


const EMAIL = 'pages.coordinator@example.org';
const PASSWORD = 'a long enough passphrase, 2026';
/** The coordinator (an owner, with the two-factor sign-in owners must have), made in beforeAll. */
let account: TestAccount | undefined;
const SIGNERS = 60;
let app: AppProcess;
let browser: Browser;
let dir: string;
/** Names newest first, as the list shows them. */
let newestFirst: string[];
let duplicates: string[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fieldsign-pages-'));
  const dbPath = join(dir, 'fieldsign.db');
  const store = new SqliteStore(dbPath);
  try {
    account = await addAccount(store, { email: EMAIL, password: PASSWORD, name: 'Pages Coordinator' });
    const deviceId = await enrollTablet(store, 'Pages tablet', 'Pages rally');
    const records = Array.from({ length: SIGNERS }, (_, i) => makeRecord({ deviceId, name: `Signer ${String(i).padStart(2, '0')}`, email: `signer${i}@example.org`, seed: i + 1 }));
    // Two possible duplicates: the same email in another case; the same name and country, spaced and cased differently.
    records[7] = makeRecord({ deviceId, name: 'Nadia Murad', email: 'nadia@example.org', seed: 8 });
    records[40] = makeRecord({ deviceId, name: 'N. Murad', email: 'NADIA@example.org', seed: 41 });
    records[12] = withSigner(makeRecord({ deviceId, name: 'Zoë Smith', email: 'zoe1@example.org', seed: 13 }), { country: 'GB' });
    records[55] = withSigner(makeRecord({ deviceId, name: 'ZOË  SMITH', email: 'zoe2@example.org', seed: 56 }), { country: 'GB' });
    // A name alone is not enough: no country on either.
    records[20] = withSigner(makeRecord({ deviceId, name: 'Bo Li', email: 'bo1@example.org', seed: 21 }), { country: undefined });
    records[30] = withSigner(makeRecord({ deviceId, name: 'BO LI', email: 'bo2@example.org', seed: 31 }), { country: undefined });
    await storeRecords(store, records);
    newestFirst = records.map((r) => (r.payload.kind === 'plain' ? r.payload.signer.name : '')).reverse();
    duplicates = ['ZOË  SMITH', 'N. Murad', 'Zoë Smith', 'Nadia Murad'];
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

async function openSignatures(page: Page): Promise<void> {
  await page.goto(`${app.url}/console`);
  await fillSignIn(page, account!);
  await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 15_000 }).toBe('Dashboard');
  await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Signatures', exact: true }).click();
}

const names = (page: Page) => page.locator('#signatures-table tbody th[scope=row]').evaluateAll((cells) => cells.map((c) => c.firstChild?.textContent ?? ''));
const status = (page: Page) => page.locator('.result-line').textContent();

describe('Signatures, page by page', () => {
  it('Next and Previous continue from a row, and show the right signers each time', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      const asked: string[] = [];
      page.on('request', (r) => void (r.url().includes('/api/console/signatures?') && asked.push(new URL(r.url()).search)));
      await openSignatures(page);
      await expect.poll(() => names(page)).toEqual(newestFirst.slice(0, 25));
      expect(await status(page)).toBe(`${SIGNERS} signatures · showing 1–25`);
      const pager = page.getByRole('navigation', { name: 'Signature pages' });
      await pager.getByRole('button', { name: 'Next' }).click();
      await expect.poll(() => names(page)).toEqual(newestFirst.slice(25, 50));
      expect(await status(page)).toBe(`${SIGNERS} signatures · showing 26–50`);
      await pager.getByRole('button', { name: 'Next' }).click();
      await expect.poll(() => names(page)).toEqual(newestFirst.slice(50));
      expect(await pager.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
      expect(await pager.textContent()).toContain('Page 3 of 3');
      await pager.getByRole('button', { name: 'Previous' }).click();
      await expect.poll(() => names(page)).toEqual(newestFirst.slice(25, 50));
      // The deeper pages were asked by cursor, not by skipping rows.
      expect(asked.filter((q) => q.includes('before=')).length).toBe(2);
      expect(asked.filter((q) => q.includes('after=')).length).toBe(1);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('"Only possible duplicates" lists exactly the flagged signers, by the one rule', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      await openSignatures(page);
      await expect.poll(() => names(page)).toEqual(newestFirst.slice(0, 25));
      await page.getByLabel('Only possible duplicates').check();
      await expect.poll(() => names(page)).toEqual(duplicates);
      expect(await status(page)).toBe('4 possible duplicates · showing 1–4');
      expect(await page.locator('#signatures-table .badge-warn').count()).toBe(4);
      await screenshot(page, 'console-signatures-duplicates.png');
      // With a search inside the filter, and back to everyone.
      await page.getByLabel('Search by name, email or signature ID').fill('murad');
      await page.getByRole('button', { name: 'Search' }).click();
      await expect.poll(() => names(page)).toEqual(['N. Murad', 'Nadia Murad']);
      await page.getByLabel('Only possible duplicates').uncheck();
      await page.getByRole('button', { name: 'Show all' }).click();
      await expect.poll(() => names(page)).toEqual(newestFirst.slice(0, 25));
    } finally {
      await context.close();
    }
  }, 60_000);
});
