/**
 * The hand-in package card on the console's Exports page, in real Chromium against the real
 * server (exports in a worker, as started by the README): a coordinator picks a profile,
 * downloads the package, and it verifies against the public key the page offers, whose
 * fingerprint the page shows. With SCREENSHOTS set it saves docs/screenshots/console-handin-package.png
 * and console-handin-package-paper.png.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { verifyHandin } from '../../server/exports/handin-verify.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { seriousAxeViolations } from '../helpers/axe.ts';
import { launchChromium } from '../helpers/browser.ts';
import { signInConsole, startConsoleApp, type ConsoleApp } from '../helpers/console-app.ts';
import { screenshot } from '../helpers/kiosk-extra.ts';
import { makeRecord, withSigner } from '../helpers/records.ts';
import { storeRecords } from '../helpers/sealed-records.ts';

let server: ConsoleApp;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  server = await startConsoleApp('handin.coordinator@example.org', (store) => storeRecords(store, ['FR', 'DE', 'FR', undefined].map((country) => withSigner(makeRecord(), { country }))));
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1366, height: 1100 }, acceptDownloads: true })).newPage();
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const h1 = () => page.getByRole('heading', { level: 1 }).first().textContent();

describe('the hand-in package card', () => {
  it('downloads a per-country package that verifies against the public key the page offers', async () => {
    await signInConsole(page, server);
    await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Exports', exact: true }).click();
    await expect.poll(h1).toBe('Exports');

    const card = page.getByRole('region', { name: 'Hand-in package (signed ZIP)' });
    const fingerprint = card.getByLabel('Key fingerprint');
    await expect.poll(() => fingerprint.textContent()).toMatch(/^[0-9a-f]{64}$/);
    const served = (await (await page.request.get(`${server.app.url}/api/console/handin-key`)).json()) as { fingerprint: string };
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
    const zip = join(server.dir, 'package.zip');
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
    const key = join(server.dir, 'key.json');
    await keyDownload.saveAs(key);
    const verdict = await verifyHandin(zip, key);
    expect(verdict.problems).toEqual([]);
    expect(verdict.ok).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  }, 90_000);
});
