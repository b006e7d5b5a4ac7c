/**
 * The hand-in package card on the console's Exports page, in real Chromium against the real
 * server (exports in a worker, as started by the README): a coordinator picks a profile,
 * downloads the package, and it verifies against the public key the page offers, whose
 * fingerprint the page shows. With SCREENSHOTS set it saves docs/screenshots/console-handin-package.png
 * and console-handin-package-paper.png.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { hashPassword } from '../../server/console/passwords.ts';
import { verifyHandin } from '../../server/exports/handin-verify.ts';
import { SqliteStore } from '../../server/store/sqlite.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { startApp, type AppProcess } from '../helpers/app-process.ts';
import { seriousAxeViolations } from '../helpers/axe.ts';
import { launchChromium } from '../helpers/browser.ts';
import { screenshot } from '../helpers/kiosk-extra.ts';
import { makeRecord, withSigner } from '../helpers/records.ts';
import { storeRecords } from '../helpers/sealed-records.ts';

const EMAIL = 'handin.coordinator@example.org';
const PASSWORD = 'a long enough passphrase, 2026';

let app: AppProcess;
let browser: Browser;
let page: Page;
let dir: string;
const problems: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fieldsign-handin-e2e-'));
  const dbPath = join(dir, 'fieldsign.db');
  const store = new SqliteStore(dbPath);
  try {
    await store.createCoordinator({ id: randomUUID(), email: EMAIL, name: 'Hand-in Coordinator', passwordHash: await hashPassword(PASSWORD), createdAt: new Date().toISOString() });
    await storeRecords(store, ['FR', 'DE', 'FR', undefined].map((country) => withSigner(makeRecord(), { country })));
  } finally {
    await store.close();
  }
  app = await startApp(dbPath);
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1366, height: 1100 }, acceptDownloads: true })).newPage();
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const h1 = () => page.getByRole('heading', { level: 1 }).first().textContent();

describe('the hand-in package card', () => {
  it('downloads a per-country package that verifies against the public key the page offers', async () => {
    await page.goto(`${app.url}/console`);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(h1, { timeout: 15_000 }).toBe('Dashboard');
    await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Exports', exact: true }).click();
    await expect.poll(h1).toBe('Exports');

    const card = page.getByRole('region', { name: 'Hand-in package (signed ZIP)' });
    const fingerprint = card.getByLabel('Key fingerprint');
    await expect.poll(() => fingerprint.textContent()).toMatch(/^[0-9a-f]{64}$/);
    const served = (await (await page.request.get(`${app.url}/api/console/handin-key`)).json()) as { fingerprint: string };
    expect(await fingerprint.textContent()).toBe(served.fingerprint);

    // The language choice is for the paper sheets only.
    expect(await card.getByLabel('Language of the sheets').count()).toBe(0);
    await card.getByRole('radio', { name: /Paper sheets/ }).check();
    await card.getByLabel('Language of the sheets').selectOption('fr');
    await screenshot(page, 'console-handin-package-paper.png');
    expect(await card.getByRole('link', { name: 'Download hand-in package' }).getAttribute('href')).toBe(
      `/api/console/export/handin-package.zip?profile=paper&lang=fr&campaign=${DEFAULT_CAMPAIGN.id}`,
    );
    await card.getByRole('radio', { name: /Per country/ }).check();
    expect(await card.getByLabel('Language of the sheets').count()).toBe(0);
    await screenshot(page, 'console-handin-package.png');

    const [download] = await Promise.all([page.waitForEvent('download'), card.getByRole('link', { name: 'Download hand-in package' }).click()]);
    const zip = join(dir, 'package.zip');
    await download.saveAs(zip);
    expect(Object.keys(unzipSync(new Uint8Array(readFileSync(zip)))).filter((f) => f.startsWith('countries/'))).toEqual([
      'countries/DE/handin.pdf',
      'countries/DE/handin.csv',
      'countries/FR/handin.pdf',
      'countries/FR/handin.csv',
      'countries/unknown/handin.pdf',
      'countries/unknown/handin.csv',
    ]);
    const [keyDownload] = await Promise.all([page.waitForEvent('download'), card.getByRole('link', { name: 'Download public key' }).click()]);
    expect(keyDownload.suggestedFilename()).toBe('handin-public-key.json');
    const key = join(dir, 'key.json');
    await keyDownload.saveAs(key);
    const verdict = await verifyHandin(zip, key);
    expect(verdict.problems).toEqual([]);
    expect(verdict.ok).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  }, 90_000);
});
