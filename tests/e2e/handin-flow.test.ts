/**
 * The whole hand-in, as a coordinator does it, in real Chromium against the real server
 * (exports in a worker): signatures under two versions of the text; one set aside as a
 * duplicate from the Signatures page; a paper count recorded; then the signed package
 * downloaded from the Exports page. The CLI (`npm run cli -- verify-handin`, run as a
 * process) verifies it against the key the page offers; its PDF, read back with pdftotext,
 * lists exactly the expected signers under each version's own text; its manifest counts the
 * set-aside signature and the paper apart. The per-country package splits the same signers
 * exactly by country.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync, strFromU8 } from 'fflate';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Campaign } from '../../src/shared/campaign.ts';
import { contentHash } from '../../src/shared/campaigns.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { launchChromium } from '../helpers/browser.ts';
import { signInConsole, startConsoleApp, type ConsoleApp } from '../helpers/console-app.ts';
import { makeRecord, withSigner } from '../helpers/records.ts';
import { enrollTablet, storeRecords } from '../helpers/sealed-records.ts';

const CAMPAIGN = DEFAULT_CAMPAIGN.id;
const V2_TITLE = 'Protect human rights defenders: the second call';
/** Who signed, under which version, from where. */
const SIGNERS = [
  { name: 'Amara Okafor', version: 1, country: 'NG' },
  { name: 'Lucía Fernández', version: 1, country: 'ES' },
  { name: 'Amara Okafor again', version: 1, country: 'NG' },
  { name: 'Kenji Watanabe', version: 2, country: 'JP' },
  { name: 'Olga Petrova', version: 2, country: 'ES' },
] as const;
const SET_ASIDE = 'Amara Okafor again';

let server: ConsoleApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  server = await startConsoleApp('handin.flow@example.org', async (store) => {
    const v1 = await store.campaignVersion(CAMPAIGN, 1);
    const content: Campaign = { ...(v1!.content as Campaign), version: 2 };
    content.text = { ...content.text, en: { ...content.text.en!, title: V2_TITLE } };
    const hash = await contentHash(content);
    expect(await store.publishCampaignVersion({ campaignId: CAMPAIGN, version: 2, content, hash, publishedAt: new Date().toISOString() })).toBe(true);
    const deviceId = await enrollTablet(store, 'Flow tablet', 'Flow rally');
    await storeRecords(
      store,
      SIGNERS.map((s, i) =>
        withSigner(
          makeRecord({ deviceId, seed: i + 1, lang: 'en', campaignVersion: s.version, ...(s.version === 2 ? { campaignHash: hash } : { campaignHash: v1!.hash! }) }),
          { name: s.name, country: s.country },
        ),
      ),
    );
  });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1366, height: 1000 }, acceptDownloads: true })).newPage();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const section = (name: string) => page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name, exact: true }).click();

/** Download the package of `profile` from the Exports page's card; returns its path. */
async function downloadPackage(profile: RegExp, file: string): Promise<string> {
  await section('Exports');
  const card = page.getByRole('region', { name: 'Hand-in package (signed ZIP)' });
  await card.getByRole('radio', { name: profile }).check();
  const [download] = await Promise.all([page.waitForEvent('download'), card.getByRole('link', { name: 'Download hand-in package' }).click()]);
  const path = join(server.dir, file);
  await download.saveAs(path);
  return path;
}

describe('the hand-in, from review to a verified package', () => {
  it('sets one aside, records paper, and hands in a package the CLI verifies, each signer under their own version', async () => {
    await signInConsole(page, server);

    // Review: the second "Amara Okafor" is a duplicate.
    await section('Signatures');
    await page.getByRole('button', { name: `Set aside signature of ${SET_ASIDE}` }).click();
    const dialog = page.getByRole('dialog', { name: `Set aside the signature of ${SET_ASIDE}?` });
    await dialog.getByLabel('Reason').selectOption('duplicate');
    await dialog.getByRole('button', { name: 'Set aside', exact: true }).click();
    await expect.poll(() => page.locator('.notice-banner').textContent()).toContain('1 signature set aside (Duplicate)');

    // Paper: 40 signatures on 3 sheets, 25 of them known to be from Spain.
    const paper = await page.evaluate(async (campaign) => {
      const session = await (await fetch('/api/console/session')).json();
      const res = await fetch(`/api/console/paper-counts?campaign=${campaign}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: JSON.stringify({ event: 'Flow rally, paper table', collectedOn: '2026-11-30', sheets: 3, signatures: 40, countries: { ES: 25 }, countedBy: 'Ana and Bo', note: null }),
      });
      return res.status;
    }, CAMPAIGN);
    expect(paper).toBe(201);

    // Key: the one the page offers, to verify against.
    await section('Exports');
    const card = page.getByRole('region', { name: 'Hand-in package (signed ZIP)' });
    const [keyDownload] = await Promise.all([page.waitForEvent('download'), card.getByRole('link', { name: 'Download public key' }).click()]);
    const key = join(server.dir, 'key.json');
    await keyDownload.saveAs(key);

    const informal = await downloadPackage(/Informal/, 'informal.zip');
    const cli = spawnSync(process.execPath, ['server/cli.ts', 'verify-handin', informal, '--public-key', key], { encoding: 'utf8' });
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    expect(cli.stdout).toContain('every file intact');

    const files = unzipSync(new Uint8Array(readFileSync(informal)));
    const manifest = JSON.parse(strFromU8(files['manifest.json']));
    expect(manifest.setAside).toEqual([{ reason: 'duplicate', count: 1 }]);
    expect(manifest.sources).toEqual({ tablet: 4, paper: 40 });
    expect(manifest.versions.map((v: { version: number; count: number }) => [v.version, v.count])).toEqual([[1, 2], [2, 2]]);
    expect(strFromU8(files['manifest.txt'])).toContain('paper, counted by hand: 40');

    // The sheets: each version's section lists exactly its signers, under its own title.
    const pdf = join(server.dir, 'handin.pdf');
    writeFileSync(pdf, files['handin.pdf']);
    const pages = execFileSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8' }).split('\f').map((p) => p.replace(/\s+/g, ' '));
    const listed = (version: number) => {
      const mine = pages.filter((p) => p.includes(`${CAMPAIGN} · version ${version} ·`));
      expect(mine.length).toBeGreaterThan(0);
      return SIGNERS.filter((s) => s.name !== SET_ASIDE && mine.join(' ').includes(s.name)).map((s) => s.name);
    };
    expect(listed(1)).toEqual(['Amara Okafor', 'Lucía Fernández']);
    expect(listed(2)).toEqual(['Kenji Watanabe', 'Olga Petrova']);
    expect(pages.some((p) => p.includes(`${CAMPAIGN} · version 2 ·`) && !p.includes(V2_TITLE))).toBe(false);
    expect(pages.join(' ')).not.toContain(SET_ASIDE);
    expect(pages.join(' ')).toContain('1 set aside (1 duplicate), not listed.');
    expect(pages.join(' ')).toContain('Also collected on paper and counted by hand (not listed above, not in the total): 40 signatures on 3 sheets, in 1 count; by country: Spain (ES) 25, country not recorded 15.');
    if (process.env.SCREENSHOTS) {
      // The first list page of each version, and the last page with the closing line.
      const out = fileURLToPath(new URL('../../docs/screenshots/handin-package-pdf', import.meta.url));
      execFileSync('pdftoppm', ['-png', '-r', '70', pdf, out]);
    }
    const csv = parseCsv(strFromU8(files['handin.csv']), { columns: true, bom: true }) as Array<Record<string, string>>;
    expect(csv.map((r) => r.Name).sort()).toEqual(['Amara Okafor', 'Kenji Watanabe', 'Lucía Fernández', 'Olga Petrova']);

    // Per country: one file per country, each with exactly its signers; the set-aside one in none.
    const perCountry = unzipSync(new Uint8Array(readFileSync(await downloadPackage(/Per country/, 'per-country.zip'))));
    const byCountry = Object.fromEntries(
      Object.keys(perCountry)
        .filter((f) => f.endsWith('/handin.csv'))
        .map((f) => [f.split('/')[1], (parseCsv(strFromU8(perCountry[f]), { columns: true, bom: true }) as Array<Record<string, string>>).map((r) => r.Name).sort()]),
    );
    expect(byCountry).toEqual({ ES: ['Lucía Fernández', 'Olga Petrova'], JP: ['Kenji Watanabe'], NG: ['Amara Okafor'] });
  }, 120_000);
});
