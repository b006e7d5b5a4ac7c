/**
 * A coordinator changes the petition without a new build: the server is started with a
 * campaign file; the tablet shows it (its languages, fields, theme), keeps it for offline
 * use, and records its version with every signature.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import type { Campaign } from '../../src/shared/campaign.ts';
import { enrollmentCode, startApp, type AppProcess } from '../helpers/app-process.ts';
import { drawSignature, launchChromium } from '../helpers/browser.ts';
import { TEST_PIN } from '../helpers/kiosk.ts';
import { CATALOGS } from '../../src/kiosk/i18n/all.ts';

const CAMPAIGN: Campaign = {
  ...DEFAULT_CAMPAIGN,
  id: 'clean-water',
  version: 7,
  consentVersion: 3,
  languages: ['fr', 'en'],
  defaultLanguage: 'fr',
  text: {
    fr: { ...DEFAULT_CAMPAIGN.text.fr!, title: 'De l’eau propre pour tous', demands: ['Première demande.', 'Deuxième demande.'] },
    en: { ...DEFAULT_CAMPAIGN.text.en!, title: 'Clean water for everyone', demands: ['First demand.', 'Second demand.'] },
  },
  fields: { ...DEFAULT_CAMPAIGN.fields, email: { shown: false, required: false }, postcode: { shown: true, required: true } },
  theme: { color: '#f5c400' },
};

let app: AppProcess;
let browser: Browser;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fieldsign-campaign-'));
  const file = join(dir, 'campaign.json');
  writeFileSync(file, JSON.stringify(CAMPAIGN));
  app = await startApp(undefined, ['--campaign', file]);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('a campaign served by the server', () => {
  it('is shown on the tablet, kept for offline use, and recorded with each signature', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    await page.goto(app.url);
    // The whole tablet speaks the campaign's default language, enrollment screen included.
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(CATALOGS.fr.enrollHeading as string);
    await page.locator('#enroll-code').fill(enrollmentCode(app.dbPath));
    await page.locator('#enroll-pin').fill(TEST_PIN);
    await page.locator('#enroll-pin-again').fill(TEST_PIN);
    await page.locator('#enroll-code').press('Enter');
    // The campaign's default language is French, and its fields replace email with postcode.
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('De l’eau propre pour tous');
    expect(await page.getByRole('listitem').filter({ hasText: 'Première demande.' }).count()).toBe(1);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('fr');
    expect(await page.locator('#email').count()).toBe(0);
    expect(await page.locator('#postcode').count()).toBe(1);
    // A light theme colour gets dark text on the primary button (readable contrast).
    const button = page.locator('button.primary');
    expect(await button.evaluate((b) => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color])).toEqual(['rgb(245, 196, 0)', 'rgb(0, 0, 0)']);

    // Offline, after a reload, the tablet still shows this campaign (cached), not the built-in one.
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await context.setOffline(true);
    await page.reload();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('De l’eau propre pour tous');

    await page.locator('#name').fill('Camille Martin');
    await page.locator('#country').selectOption('FR');
    await page.locator('#postcode').fill('75011');
    await drawSignature(page, await page.getByRole('img').first().getAttribute('aria-label') ?? '', 2);
    await page.locator('form.sign-form button[type="submit"]').click();
    await page.locator('.confirm button.primary').click();
    await expect.poll(() => page.locator('.thanks').count()).toBe(1);
    await context.setOffline(false);
    await expect.poll(() => {
      const db = new DatabaseSync(app.dbPath, { readOnly: true });
      const rows = db.prepare('SELECT record FROM signatures').all() as Array<{ record: string }>;
      db.close();
      return rows.map((r) => JSON.parse(r.record)).map((r) => [r.campaignId, r.campaignVersion, r.consentVersion, r.lang, r.payload.signer.postcode]);
    }, { timeout: 20_000 }).toEqual([['clean-water', 7, 3, 'fr', '75011']]);
    await context.close();
  }, 90_000);
});
