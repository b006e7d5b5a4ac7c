/**
 * The walking skeleton, end to end in real Chromium against the real server started as the
 * README starts it: load, go offline, reload from the service worker's cache, sign three
 * times with real mouse strokes, come back online, and find exactly those three signers,
 * with their strokes, in the server's SQLite database.
 */
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { decodeInk, pointCount } from '../../src/shared/ink.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';

const EN = DEFAULT_CAMPAIGN.text.en!;
import { launchChromium } from '../helpers/browser.ts';
import { enroll, signOnce } from '../helpers/kiosk.ts';
import { enrollmentCode, startApp, type AppProcess } from '../helpers/app-process.ts';

let app: AppProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  app = await startApp();
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1100, height: 1000 } });
  page = await context.newPage();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

const signers = [
  { name: 'Amina Diallo', email: 'amina@example.org', country: 'SN', label: 'Senegal' },
  { name: 'José Álvarez', email: 'jose@example.org', country: 'MX', label: 'Mexico' },
  { name: 'Li Wei', email: 'li.wei@example.org', country: 'CN', label: 'China' },
];

/** Non-blank pixels on the signature canvas. */
function inkedPixels(p: Page): Promise<number> {
  return p.getByRole('img', { name: 'Signature area' }).evaluate((canvas: HTMLCanvasElement) => {
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) n++;
    return n;
  });
}

describe('a signature drawn offline reaches the server database', () => {
  it('S13: a new tablet asks for an enrollment code, and a CLI code enrolls it', async () => {
    await page.goto(app.url);
    await expect.poll(() => page.getByRole('heading', { name: 'Enroll this tablet' }).count()).toBe(1);
    await enroll(page, 'AAAAA-AAAAA');
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/not valid/);
    await enroll(page, enrollmentCode(app.dbPath), 'Tablet 1');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(EN.title);
  }, 60_000);

  it('shows the defenders petition above an empty sign form', async () => {
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(EN.title);
    for (const demand of EN.demands) {
      expect(await page.getByRole('listitem').filter({ hasText: demand.slice(0, 40) }).count()).toBe(1);
    }
    expect(await page.getByText(EN.intro[0].slice(0, 60)).count()).toBe(1);
    expect(await page.getByLabel('Full name').inputValue()).toBe('');
    expect(await page.getByLabel('Email').inputValue()).toBe('');
    expect(await page.getByRole('combobox', { name: 'Country' }).locator('option').count()).toBeGreaterThan(240);
    expect(await page.getByRole('checkbox', { name: /Keep me informed/ }).isChecked()).toBe(false);
    expect(await page.getByRole('button', { name: 'Clear' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Undo' }).count()).toBe(1);
  }, 60_000);

  it('is installable: a manifest with standalone display, a theme colour and a maskable icon', async () => {
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    const manifest = await (await fetch(new URL(href!, app.url))).json();
    expect(manifest).toMatchObject({ name: expect.stringContaining('Fieldsign'), display: 'standalone', start_url: '/', theme_color: '#1a1a2e' });
    const sizes = manifest.icons.map((i: { sizes: string }) => i.sizes);
    expect(sizes).toEqual(expect.arrayContaining(['192x192', '512x512']));
    expect(manifest.icons.some((i: { purpose?: string }) => i.purpose === 'maskable')).toBe(true);
    for (const icon of manifest.icons) {
      const res = await fetch(new URL(icon.src, app.url));
      expect(res.headers.get('content-type')).toBe('image/png');
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect([...bytes.slice(1, 4)]).toEqual([0x50, 0x4e, 0x47]); // "PNG"
    }
  });

  it('loads with no network once the service worker has precached the app', async () => {
    const controlled = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready;
      return !!reg.active;
    });
    expect(controlled).toBe(true);
    await context.setOffline(true);
    await page.reload();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(EN.title);
    expect(await page.evaluate(() => !!navigator.serviceWorker.controller && !navigator.onLine)).toBe(true);
  }, 60_000);

  it('checks the form inline: missing name, bad email, empty signature', async () => {
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => page.getByText('Please enter your full name.').count()).toBe(1);
    expect(await page.getByText('Please enter your email address.').count()).toBe(1);
    expect(await page.getByText('Please choose your country.').count()).toBe(1);
    expect(await page.getByText('Please sign in the box.').count()).toBe(1);
    expect(await page.getByLabel('Full name').getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Email').fill('not-an-email');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => page.getByText(/valid email address/).count()).toBe(1);
    await page.getByLabel('Email').fill('');
  }, 60_000);

  it('stores three signatures offline, blanking the form for each next signer', async () => {
    for (const [i, s] of signers.entries()) {
      await signOnce(page, s, i + 1);
      await expect.poll(() => page.getByText(`${i + 1} waiting to sync`).count()).toBe(1);
      // Nothing of this signer is left for the next one.
      expect(await page.getByLabel('Full name').inputValue()).toBe('');
      expect(await page.getByLabel('Email').inputValue()).toBe('');
      expect(await page.getByRole('combobox', { name: 'Country' }).inputValue()).toBe('');
      expect(await page.getByRole('checkbox', { name: /Keep me informed/ }).isChecked()).toBe(false);
      expect(await inkedPixels(page)).toBe(0);
      expect(await page.getByText(/Please /).count()).toBe(0);
      expect(await page.getByText(s.name).count()).toBe(0);
    }
  }, 90_000);

  it('syncs in a batch when the network returns, and the page shows 0 waiting', async () => {
    await context.setOffline(false);
    await expect.poll(() => page.getByText('0 waiting to sync').count(), { timeout: 15_000 }).toBe(1);

    const db = new DatabaseSync(app.dbPath, { readOnly: true });
    const rows = db.prepare('SELECT id, device_id, record FROM signatures ORDER BY seq').all() as Array<{ id: string; device_id: string; record: string }>;
    db.close();
    expect(rows).toHaveLength(3);
    const records = rows.map((r) => JSON.parse(r.record));
    expect(records.map((r) => r.payload.signer)).toEqual(
      signers.map((s) => ({ name: s.name, email: s.email, country: s.country, optIn: false })),
    );
    for (const r of records) {
      expect(r.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.campaignId).toBe(DEFAULT_CAMPAIGN.id);
      const ink = decodeInk(r.payload.ink);
      expect(ink.strokes.length).toBeGreaterThanOrEqual(2);
      expect(pointCount(ink)).toBeGreaterThan(20);
      expect(r.payload.ink.data.length).toBeLessThan(4096);
    }
    expect(new Set(rows.map((r) => r.device_id)).size).toBe(1);
    const devices = new DatabaseSync(app.dbPath, { readOnly: true });
    const device = devices.prepare('SELECT id, label FROM devices').get() as { id: string; label: string };
    devices.close();
    expect(device).toEqual({ id: rows[0].device_id, label: 'Tablet 1' });

    // The tablet dropped the signers' data once the server acknowledged it.
    const leftovers = await page.evaluate(
      () =>
        new Promise<string>((resolve, reject) => {
          const open = indexedDB.open('fieldsign');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const all = open.result.transaction('outbox').objectStore('outbox').getAll();
            all.onsuccess = () => resolve(JSON.stringify(all.result));
          };
        }),
    );
    expect(JSON.parse(leftovers)).toHaveLength(3);
    for (const s of signers) expect(leftovers).not.toContain(s.email);
  }, 60_000);
});
