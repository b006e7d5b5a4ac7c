/**
 * Issue #19, part C, in real Chromium against the real server: a campaign manager signed in
 * in two browsers sees both sessions under "Your account", ends the other one from the
 * first, and the second browser is signed out at its next action. The password form refuses
 * two different new passwords before anything is sent. An owner's audit log offers the whole
 * log as CSV, and the download is that log.
 *
 * With SCREENSHOTS set, it saves docs/screenshots/console-account.png and console-audit-csv.png.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { SqliteStore } from '../../server/store/sqlite.ts';
import { addAccount, totpNow, type TestAccount } from '../helpers/accounts.ts';
import { startApp, type AppProcess } from '../helpers/app-process.ts';
import { launchChromium } from '../helpers/browser.ts';
import { screenshot } from '../helpers/kiosk-extra.ts';

/** The colleague's laptop: another browser, so that the two rows differ as they would. */
const WINDOWS_CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';

let dir: string;
let app: AppProcess;
let browser: Browser;
let manager: TestAccount;
let owner: TestAccount;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fieldsign-account-'));
  const dbPath = join(dir, 'fieldsign.db');
  const store = new SqliteStore(dbPath);
  try {
    // A manager without the personal-data permission needs no second factor: the sign-in page of this branch asks for none.
    manager = await addAccount(store, { role: 'manager', name: 'Bea Manager', email: 'bea@example.org', campaigns: ['protect-defenders'], mayExportPersonalData: false });
    owner = await addAccount(store, { name: 'Olu Owner', email: 'olu@example.org' });
  } finally {
    await store.close();
  }
  app = await startApp(dbPath);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Sign in on the console's page as a person does, and wait for the dashboard. */
async function signInAs(page: Page, account: TestAccount): Promise<void> {
  await page.goto(`${app.url}/console`);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect.poll(() => page.getByRole('heading', { level: 1 }).first().textContent(), { timeout: 15_000 }).toBe('Dashboard');
}

const sessionRows = (page: Page) => page.locator('#sessions-table tbody tr');

describe('your account: sessions', () => {
  it('shows both sessions, ends the other one, and that browser is signed out at its next action', async () => {
    const first = await (await browser.newContext({ viewport: { width: 1280, height: 820 } })).newPage();
    const second = await (await browser.newContext({ viewport: { width: 1280, height: 820 }, userAgent: WINDOWS_CHROME })).newPage();
    await signInAs(first, manager);
    await signInAs(second, manager);

    await first.getByRole('link', { name: 'Your account' }).click();
    await expect.poll(() => first.getByRole('heading', { level: 1 }).first().textContent()).toBe('Your account');
    await expect.poll(() => sessionRows(first).count(), { timeout: 10_000 }).toBe(2);
    const mine = sessionRows(first).filter({ hasText: 'This one' });
    expect(await mine.count()).toBe(1);
    expect(await mine.textContent()).toMatch(/Chrome \d+ on Linux/);
    const theirs = sessionRows(first).filter({ hasText: 'Chrome 130 on Windows' });
    expect(await theirs.textContent()).toContain('127.0.0.1');
    await screenshot(first, 'console-account.png', true);

    await first.getByRole('button', { name: 'End the session of Chrome 130 on Windows from 127.0.0.1' }).click();
    await expect.poll(() => sessionRows(first).count()).toBe(1);
    expect(await sessionRows(first).textContent()).toContain('This one');

    // The second browser still shows the console; its next action finds the session gone.
    await second.getByRole('link', { name: 'Devices' }).click();
    await expect.poll(() => second.getByRole('button', { name: 'Sign in' }).count(), { timeout: 10_000 }).toBe(1);
    expect(await second.getByText('Your session has ended. Please sign in again.').count()).toBe(1);
    // And the first goes on.
    await first.getByRole('link', { name: 'Devices' }).click();
    await expect.poll(() => first.getByRole('heading', { level: 1 }).first().textContent()).toBe('Devices');
  });

  it('the password form wants the new password twice, the same, before it sends anything', async () => {
    const page = await (await browser.newContext()).newPage();
    await signInAs(page, manager);
    await page.goto(`${app.url}/console#account`);
    await page.getByLabel('Current password').fill(manager.password);
    await page.getByLabel('New password', { exact: true }).fill('a brand new passphrase 2027');
    await page.getByLabel('New password again').fill('a brand new passphrase 2028');
    await page.getByRole('button', { name: 'Change password' }).click();
    expect(await page.getByRole('alert').textContent()).toMatch(/differ/);
    await page.getByLabel('New password again').fill('a brand new passphrase 2027');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'password is changed' }).count(), { timeout: 15_000 }).toBe(1);
    manager = { ...manager, password: 'a brand new passphrase 2027' };
  });
});

describe('the audit log as CSV', () => {
  it('an owner finds the download link, and the file is the whole log', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`${app.url}/console`);
    // The code step of the sign-in page is part A's: the owner signs in through the API, with the code its authenticator would show.
    const status = await page.evaluate(
      async (body) => (await fetch('/api/console/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status,
      { email: owner.email, password: owner.password, code: totpNow(owner.totpSecret!) },
    );
    expect(status).toBe(200);
    // Only the hash changes: reload, so the console asks the server for its session again.
    await page.goto(`${app.url}/console#audit`);
    await page.reload();
    const link = page.getByRole('link', { name: 'Download the whole log (CSV)' });
    await expect.poll(() => link.count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => page.locator('#audit-table tbody tr').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await screenshot(page, 'console-audit-csv.png');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const rows = parse(await readFile((await download.path())!), { bom: true }) as string[][];
    expect(rows[0]).toEqual(['seq', 'at', 'actor', 'action', 'campaign', 'detail']);
    const actions = rows.slice(1).map((r) => r[3]);
    expect(actions).toContain('session.ended');
    expect(actions).toContain('password.changed');
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual([...rows.slice(1).map((r) => Number(r[0]))].sort((a, b) => a - b));
  });
});
