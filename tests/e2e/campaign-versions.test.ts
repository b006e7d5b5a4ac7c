/**
 * A version published mid-collection, in real Chromium against the real server: the tablet
 * takes the new text between signers, and the hand-in keeps each signer under the exact text
 * they saw: the PDF (read back with pdftotext) lists the first signer in the version 1 section
 * under version 1's title and demands, the second in version 2's, and the CSV names each
 * one's version and its content hash.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Campaign } from '../../src/shared/campaign.ts';
import type { CampaignDetail, PublishedVersion } from '../../src/shared/campaigns.ts';
import { startApp, type AppProcess } from '../helpers/app-process.ts';
import { launchChromium } from '../helpers/browser.ts';
import { consoleClient, type ConsoleClient } from '../helpers/console-client.ts';
import { closeVolunteer, enroll, openVolunteer, signOnce } from '../helpers/kiosk.ts';
import { serverRecordOf } from '../helpers/kiosk-extra.ts';

const V2_TITLE = 'Protect human rights defenders: the second call';
const V2_DEMAND = 'Release every defender jailed for speaking out, within a year.';
let app: AppProcess;
let browser: Browser;
let api: ConsoleClient;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fieldsign-versions-'));
  app = await startApp();
  api = await consoleClient(app);
  browser = await launchChromium();
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a version published mid-collection', () => {
  it('keeps the earlier signers under their own text in the PDF and the CSV', async () => {
    const v1 = await api.call<PublishedVersion>('GET', '/api/console/campaigns/protect-defenders/versions/1');
    const v1Text = v1.content!.text.en!;
    const { code } = await api.call<{ code: string }>('POST', '/api/console/codes', { event: 'Versions rally' });
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    try {
      const page = await context.newPage();
      await page.goto(app.url);
      await page.getByRole('heading', { name: 'Enroll this tablet' }).waitFor({ timeout: 15_000 });
      await enroll(page, code);
      await page.getByRole('button', { name: 'Continue', exact: true }).waitFor({ timeout: 15_000 });
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(v1Text.title);
      await signOnce(page, { name: 'Ayesha Version-One', email: 'ayesha@example.org', country: 'PK' }, 1);
      await serverRecordOf(app, 'Ayesha Version-One');

      // The coordinator publishes version 2: a new title and a new demand.
      const draft = v1.content as Campaign;
      await api.call('PUT', '/api/console/campaigns/protect-defenders/draft', {
        content: { ...draft, text: { ...draft.text, en: { ...draft.text.en!, title: V2_TITLE, demands: [...draft.text.en!.demands, V2_DEMAND] } } },
      });
      const published = await api.call<CampaignDetail>('POST', '/api/console/campaigns/protect-defenders/publish');
      expect(published.latestVersion?.version).toBe(2);

      // At its next contact the tablet takes it, for the next signer.
      await openVolunteer(page);
      await page.getByRole('button', { name: 'Sync now' }).click();
      await closeVolunteer(page);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 30_000 }).toBe(V2_TITLE);
      await signOnce(page, { name: 'Bruno Version-Two', email: 'bruno@example.org', country: 'BR' }, 2);
      const second = await serverRecordOf(app, 'Bruno Version-Two');
      expect([second.campaignVersion, second.campaignHash]).toEqual([2, published.latestVersion!.hash]);
    } finally {
      await context.close();
    }

    // The PDF: one section per version, each under its own text.
    const pdf = join(dir, 'handin.pdf');
    writeFileSync(pdf, await api.download('/api/console/export/handin.pdf?campaign=protect-defenders'));
    const pages = execFileSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8' }).split('\f').map((p) => p.replace(/\s+/g, ' '));
    const section = (version: number) => pages.filter((p) => p.includes(`protect-defenders · version ${version} ·`));
    const [one, two] = [section(1), section(2)];
    expect(one.length).toBeGreaterThan(0);
    expect(two.length).toBeGreaterThan(0);
    expect(one.join(' ')).toContain('Ayesha Version-One');
    expect(one.join(' ')).not.toContain('Bruno Version-Two');
    expect(one.every((p) => p.includes(v1Text.title) && !p.includes(V2_TITLE))).toBe(true);
    expect(one.join(' ')).not.toContain(V2_DEMAND);
    expect(two.join(' ')).toContain('Bruno Version-Two');
    expect(two.join(' ')).not.toContain('Ayesha Version-One');
    expect(two.every((p) => p.includes(V2_TITLE))).toBe(true);
    expect(two.join(' ')).toContain(V2_DEMAND);

    // The CSV: each signer's version and the hash of the text they saw.
    const csv = parseCsv(await api.download('/api/console/export/handin.csv?campaign=protect-defenders'), { columns: true, bom: true }) as Array<Record<string, string>>;
    const hashes = new Map((await api.call<CampaignDetail>('GET', '/api/console/campaigns/protect-defenders')).versions.map((v) => [String(v.version), v.hash]));
    expect(csv.map((r) => [r.Name, r.Campaign, r.Version, r['Version hash'] === hashes.get(r.Version)])).toEqual([
      ['Ayesha Version-One', 'protect-defenders', '1', true],
      ['Bruno Version-Two', 'protect-defenders', '2', true],
    ]);
  }, 150_000);
});
