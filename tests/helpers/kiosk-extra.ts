/**
 * More kiosk steps for the browser tests in tests/e2e/kiosk.test.ts: a freshly enrolled
 * tablet per context, what the signer sees (status line, canvas pixels, the confirm-step
 * preview), and what the server and the tablet's IndexedDB hold.
 */
import { DatabaseSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { CATALOGS } from '../../src/kiosk/i18n/all.ts';
import { translator, type Translate } from '../../src/kiosk/i18n/catalog.ts';
import type { Language } from '../../src/shared/campaign.ts';
import type { SignatureRecord } from '../../src/shared/protocol.ts';
import { ROOT, enrollmentCode, type AppProcess } from './app-process.ts';
import { enroll } from './kiosk.ts';

/** The kiosk's own lookup function for `lang`, straight from the shipped catalogs. */
export function tr(lang: Language): Translate {
  return translator(CATALOGS[lang], lang);
}

export interface Kiosk {
  context: BrowserContext;
  page: Page;
}

export interface KioskOptions extends BrowserContextOptions {
  /** Runs on the new context before its first page opens (e.g. init scripts). */
  setup?: (context: BrowserContext) => Promise<void>;
  /** Runs on the enrollment screen, before enrolling. */
  beforeEnroll?: (page: Page) => Promise<void>;
}

/**
 * A new browser context (a new tablet), enrolled with a fresh CLI code for `event`, on the
 * empty sign form, with the service worker ready (so it also loads offline).
 */
export async function enrolledKiosk(
  browser: Browser,
  app: AppProcess,
  event: string,
  options: KioskOptions = {},
): Promise<Kiosk> {
  const { setup, beforeEnroll, ...contextOptions } = options;
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, ...contextOptions });
  await setup?.(context);
  const page = await context.newPage();
  await page.goto(app.url);
  // Locator waits, not expect.poll: this also runs in beforeAll hooks.
  await page.getByRole('heading', { name: 'Enroll this tablet' }).waitFor({ timeout: 15_000 });
  await beforeEnroll?.(page);
  await enroll(page, enrollmentCode(app.dbPath, event));
  await page.getByRole('button', { name: 'Continue', exact: true }).waitFor({ timeout: 15_000 });
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  return { context, page };
}

/** The bold "N waiting to sync" part of the status line at the bottom. */
export function waitingText(page: Page): Promise<string> {
  return page.locator('footer').getByRole('status').locator('strong').innerText();
}

/** The whole status line. */
export function statusLine(page: Page): Promise<string> {
  return page.locator('footer').getByRole('status').innerText();
}

/** Non-blank pixels on the signature canvas (found by its accessible name). */
export function inkedPixels(page: Page, canvasLabel = 'Signature area'): Promise<number> {
  return page.getByRole('img', { name: canvasLabel }).evaluate((canvas: HTMLCanvasElement) => {
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) n++;
    return n;
  });
}

/** The confirm step's signature preview (an SVG data: URL), as SVG text. */
export async function previewSvg(page: Page, alt = 'Your signature'): Promise<string> {
  const src = await page.getByRole('img', { name: alt }).getAttribute('src');
  if (!src?.startsWith('data:image/svg+xml')) throw new Error(`no SVG preview: ${src?.slice(0, 40)}`);
  return decodeURIComponent(src.slice(src.indexOf(',') + 1));
}

/** Strokes (paths) in the confirm step's signature preview. */
export async function previewStrokes(page: Page, alt?: string): Promise<number> {
  return (await previewSvg(page, alt)).match(/<path /g)?.length ?? 0;
}

/** The value shown next to a term in a <dl> (e.g. "Waiting to sync" → "2"). */
export function definitionOf(page: Page, term: string): Promise<string> {
  return page.getByRole('term').filter({ hasText: new RegExp(`^${escapeRegExp(term)}$`) }).locator('xpath=following-sibling::dd[1]').innerText();
}

/** Every signature the server stored, parsed, oldest first. */
export function serverRecords(app: AppProcess): SignatureRecord[] {
  const db = new DatabaseSync(app.dbPath, { readOnly: true });
  try {
    const rows = db.prepare('SELECT record FROM signatures ORDER BY seq').all() as Array<{ record: string }>;
    return rows.map((r) => JSON.parse(r.record) as SignatureRecord);
  } finally {
    db.close();
  }
}

/** The server's record for the signer named `name`, once it has arrived. */
export async function serverRecordOf(app: AppProcess, name: string, timeout = 20_000): Promise<SignatureRecord> {
  const find = () => serverRecords(app).find((r) => r.payload.kind === 'plain' && r.payload.signer.name === name);
  await expect.poll(() => find() !== undefined, { timeout, message: `record of ${name} on the server` }).toBe(true);
  return find()!;
}

/** State and signer name of every row in the tablet's outbox (IndexedDB). */
export function outboxRows(page: Page): Promise<Array<{ id: string; state: string; name?: string }>> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('fieldsign');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('outbox').objectStore('outbox').getAll();
          all.onsuccess = () => {
            resolve(all.result.map((r: { id: string; state: string; record?: { payload?: { signer?: { name?: string } } } }) => ({ id: r.id, state: r.state, name: r.record?.payload?.signer?.name })));
            open.result.close();
          };
        };
      }),
  );
}

/** Put records straight into the tablet's outbox in `state`, as if captured earlier. */
export async function seedOutbox(page: Page, records: SignatureRecord[], state: 'pending' | 'quarantined' = 'pending'): Promise<void> {
  await page.evaluate(
    ({ rows, state }) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('fieldsign');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('outbox', 'readwrite');
          for (const record of rows) {
            tx.objectStore('outbox').add({
              id: record.id, state, record, bytes: JSON.stringify(record).length, day: '2026-11-24', attempts: state === 'pending' ? 0 : 1,
              ...(state === 'quarantined' ? { reason: 'Invalid record.' } : {}),
            });
          }
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    { rows: records, state },
  );
}

/**
 * Install (before any page script) a switch that makes IndexedDB's `add` on the outbox
 * throw a QuotaExceededError, as a full disk does. Arm it with `setStorageFull(page, true)`.
 */
export async function installStorageFullSwitch(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as { __fieldsignStorageFull?: boolean };
    w.__fieldsignStorageFull = false;
    const add = IDBObjectStore.prototype.add;
    IDBObjectStore.prototype.add = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['add']>) {
      if (w.__fieldsignStorageFull && this.name === 'outbox') throw new DOMException('full', 'QuotaExceededError');
      return add.apply(this, args);
    };
  });
}

export async function setStorageFull(page: Page, full: boolean): Promise<void> {
  await page.evaluate((f) => {
    (window as unknown as { __fieldsignStorageFull?: boolean }).__fieldsignStorageFull = f;
  }, full);
}

/** Draw a stroke with touch input through the DevTools protocol (needs a `hasTouch` context). */
export async function touchStroke(page: Page, points: Array<{ x: number; y: number }>): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const [first, ...rest] = points;
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: first.x, y: first.y, id: 1 }] });
    for (const p of rest) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: p.x, y: p.y, id: 1 }] });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  } finally {
    await cdp.detach();
  }
}

/** Save a screenshot under docs/screenshots when SCREENSHOTS is set. */
export async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  if (!process.env.SCREENSHOTS) return;
  mkdirSync(join(ROOT, 'docs/screenshots'), { recursive: true });
  // No stray focus ring from the test's own typing in the documentation pictures.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur?.());
  await page.screenshot({ path: join(ROOT, 'docs/screenshots', name), fullPage });
}

/** Describe the focused element as a person would: its role-ish tag and its label. */
export function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return 'body';
    const labelled = (el as HTMLInputElement).labels?.[0]?.textContent ?? el.getAttribute('aria-label') ?? el.textContent ?? '';
    return `${el.tagName.toLowerCase()}${(el as HTMLInputElement).type ? `[${(el as HTMLInputElement).type}]` : ''}: ${labelled.trim()}`;
  });
}

/**
 * Press `key` (Tab or Shift+Tab) until the focused element's description matches `target`,
 * at most `max` times; returns the descriptions passed on the way, for the failure message.
 */
export async function tabTo(page: Page, target: RegExp, max = 12, key = 'Tab'): Promise<string[]> {
  const path: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    const now = await focused(page);
    path.push(now);
    if (target.test(now)) return path;
  }
  throw new Error(`focus never reached ${target} with ${key}; it went: ${path.join(' → ')}`);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Everything the page's origin stores: IndexedDB (database → store → rows), web storage, and with `cache`, Cache Storage (url → body). */
export interface TabletStorage {
  idb: Record<string, Record<string, unknown[]>>;
  local: Record<string, string>;
  session: Record<string, string>;
  cache: Record<string, string>;
}

/** Read everything the tablet's origin stores; Cache Storage (the app's own files) only with `cache`. */
export function tabletStorage(page: Page, { cache = false } = {}): Promise<TabletStorage> {
  return page.evaluate(async (withCache) => {
    const request = <T,>(r: IDBRequest<T>) => new Promise<T>((resolve, reject) => {
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const out: TabletStorage = { idb: {}, local: { ...localStorage }, session: { ...sessionStorage }, cache: {} };
    for (const { name } of await indexedDB.databases()) {
      if (!name) continue;
      const db = await request(indexedDB.open(name));
      out.idb[name] = {};
      for (const store of db.objectStoreNames) out.idb[name][store] = await request(db.transaction(store).objectStore(store).getAll());
      db.close();
    }
    if (withCache) {
      for (const key of await caches.keys()) {
        const opened = await caches.open(key);
        for (const req of await opened.keys()) out.cache[req.url] = (await (await opened.match(req))?.text()) ?? '';
      }
    }
    return out;
  }, cache);
}

/** `tabletStorage` as one text to search: a line per store (`idb fieldsign/outbox: […]`), web storage item and cached file. */
export async function tabletStorageText(page: Page, options: { cache?: boolean } = {}): Promise<string> {
  const { idb, local, session, cache } = await tabletStorage(page, options);
  const parts: string[] = [];
  for (const [db, stores] of Object.entries(idb)) for (const [store, rows] of Object.entries(stores)) parts.push(`idb ${db}/${store}: ${JSON.stringify(rows)}`);
  for (const [label, items] of [['local', local], ['session', session]] as const) for (const [key, value] of Object.entries(items)) parts.push(`${label} ${key}=${value}`);
  for (const [url, body] of Object.entries(cache)) parts.push(`cache ${url}: ${body}`);
  return parts.join('\n');
}
