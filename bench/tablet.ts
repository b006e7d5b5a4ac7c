/**
 * A tablet for the browser benchmarks (turnaround.ts, slow-link.ts): enrolled through the UI
 * against the real server, seeded with pending signatures straight into its outbox, and its
 * status line read back.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { SignatureRecord } from '../src/shared/protocol.ts';
import { enrollmentCode, type AppProcess } from '../tests/helpers/app-process.ts';
import { enroll } from '../tests/helpers/kiosk.ts';
import { makeRecord } from '../tests/helpers/records.ts';

/** An enrolled tablet: its own browser context and page, with its device id and token. */
export interface Tablet {
  context: BrowserContext;
  page: Page;
  deviceId: string;
  token: string;
}

/**
 * A new context enrolled through the UI with a fresh CLI code, on the blank sign form with
 * the service worker ready (so it reloads offline). `url` may be a proxy in front of `app`.
 */
export async function enrolledTablet(browser: Browser, app: AppProcess, event: string, url = app.url, setup?: (c: BrowserContext) => Promise<void>): Promise<Tablet> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  await setup?.(context);
  const page = await context.newPage();
  await page.goto(url);
  await page.getByRole('heading', { name: 'Enroll this tablet' }).waitFor({ timeout: 30_000 });
  await enroll(page, enrollmentCode(app.dbPath, event));
  await page.getByRole('button', { name: 'Continue', exact: true }).waitFor({ timeout: 30_000 });
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  const { deviceId, token } = await page.evaluate(
    () =>
      new Promise<{ deviceId: string; token: string }>((resolve, reject) => {
        const open = indexedDB.open('fieldsign');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('meta').objectStore('meta').get('enrollment');
          get.onsuccess = () => {
            open.result.close();
            resolve({ deviceId: get.result.value.deviceId, token: get.result.value.token });
          };
          get.onerror = () => reject(get.error);
        };
      }),
  );
  return { context, page, deviceId, token };
}

/** `count` valid records for `deviceId` (tests/helpers/records.ts), in seeding order. */
export function makeRecords(count: number, deviceId: string): SignatureRecord[] {
  return Array.from({ length: count }, () => makeRecord({ deviceId }));
}

/**
 * Put records straight into the tablet's outbox as pending, as if signed earlier, in
 * transactions of `chunk` (one page.evaluate each), as tests/e2e/sync-faults.test.ts does.
 */
export async function seedPending(page: Page, records: SignatureRecord[], chunk = 1000): Promise<void> {
  for (let i = 0; i < records.length; i += chunk) {
    await page.evaluate(
      (rows) =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open('fieldsign');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const tx = open.result.transaction('outbox', 'readwrite');
            const store = tx.objectStore('outbox');
            for (const record of rows) {
              store.add({ id: record.id, state: 'pending', record, bytes: new TextEncoder().encode(JSON.stringify(record)).length, day: '2026-11-24', attempts: 0 });
            }
            tx.oncomplete = () => {
              open.result.close();
              resolve();
            };
            tx.onerror = () => reject(tx.error);
          };
        }),
      records.slice(i, i + chunk),
    );
  }
}

/** The number in the status line's "N waiting to sync". */
export async function waitingCount(page: Page): Promise<number> {
  const text = await page.locator('footer').getByRole('status').locator('strong').innerText();
  return Number(text.replace(/\D/g, ''));
}

/** Wait until the status line shows `n` waiting. */
export async function waitForWaiting(page: Page, n: number, timeout = 30_000): Promise<void> {
  const until = Date.now() + timeout;
  for (;;) {
    const now = await waitingCount(page).catch(() => -1);
    if (now === n) return;
    if (Date.now() > until) throw new Error(`status line shows ${now} waiting, expected ${n}`);
    await page.waitForTimeout(100);
  }
}
