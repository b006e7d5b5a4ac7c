/**
 * The public counter when the server refuses its live stream (here: --public-streams 0, as
 * when the cap is reached): the big screen still shows the figure, says it updates every
 * 10 s, and follows a new signature by polling, in real Chromium against the real server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startApp, type AppProcess } from '../helpers/app-process.ts';
import { launchChromium } from '../helpers/browser.ts';
import { batchOf, makeRecord } from '../helpers/records.ts';
import { ingestBatch } from '../../server/ingest.ts';
import { SqliteStore } from '../../server/store/sqlite.ts';

let app: AppProcess;
let browser: Browser;

beforeAll(async () => {
  app = await startApp(undefined, ['--public-streams', '0']);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('the public counter beyond the live-stream cap', () => {
  it('shows the total, says it updates every 10 s, and follows new signatures by polling', async () => {
    const refused = await fetch(`${app.url}/api/public/events`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('30');

    const page = await browser.newPage();
    await page.goto(`${app.url}/counter.html`);
    await expect.poll(() => page.getByTestId('public-total').textContent()).toBe('0');
    await expect.poll(() => page.locator('.counter-live').textContent(), { timeout: 5_000 }).toBe('Updated every 10 s');

    const store = new SqliteStore(app.dbPath);
    try {
      const record = makeRecord();
      expect(await ingestBatch(store, batchOf([record], record.deviceId), { deviceId: record.deviceId, source: 'import' })).toMatchObject({ kind: 'judged', anyInvalid: false });
    } finally {
      await store.close();
    }
    await expect.poll(() => page.getByTestId('public-total').textContent(), { timeout: 15_000, interval: 250 }).toBe('1');
  }, 40_000);
});
