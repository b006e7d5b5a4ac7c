/**
 * The cross-engine walk: the kiosk's whole offline path, once, in an engine other than
 * Chromium (Firefox, WebKitGTK), driven through EnginePage. Short on purpose: the Chromium
 * suite (tests/e2e) is the deep one. A volunteer enrolls the tablet; two people sign by
 * drawing with pointer actions; both reach the server's database; the server stops and the
 * page is reloaded (the service worker serves it); one more person signs; the server comes
 * back and the tablet syncs by itself. On the way it checks the form controls look as the
 * kiosk draws them and, at the end, that Arabic numbers are in the digits chosen for it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { tr } from '../helpers/kiosk-extra.ts';
import { TEST_PIN } from '../helpers/kiosk.ts';
import { ROOT, ServerProcess, cliEnrollmentCode, freePort } from '../faults/server-process.ts';
import { waitInPage, type EnginePage, type Point } from '../helpers/engine-page.ts';

const t = tr('en');

export interface WalkServer {
  server: ServerProcess;
  /** Its SQLite database, fresh for the test file. */
  dbPath: string;
}

/**
 * The server for one test file's walks: a real process on a fixed port (the tablet's origin
 * must stay the same across the restart) and a fresh database, serving `staticDir` (default
 * dist), started in beforeAll and killed in afterAll.
 */
export function walkServer(staticDir?: () => string): WalkServer {
  const fixture = {} as WalkServer;
  beforeAll(async () => {
    fixture.dbPath = join(mkdtempSync(join(tmpdir(), 'fieldsign-walk-')), 'fieldsign.db');
    fixture.server = new ServerProcess({ dbPath: fixture.dbPath, port: await freePort(), env: staticDir ? { FIELDSIGN_STATIC: staticDir() } : {} });
    await fixture.server.start();
  });
  afterAll(async () => {
    await fixture.server?.dispose();
  });
  return fixture;
}

/** What the server's database holds: the signers' names, oldest first. */
function storedNames(dbPath: string): string[] {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    const rows = db.prepare('SELECT record FROM signatures ORDER BY seq').all() as Array<{ record: string }>;
    return rows.map((r) => (JSON.parse(r.record) as { payload: { signer: { name: string } } }).payload.signer.name);
  } finally {
    db.close();
  }
}

/** Until the server's database holds exactly `names`. */
async function untilStored(dbPath: string, names: string[], timeoutMs = 40_000): Promise<void> {
  await expect.poll(() => storedNames(dbPath), { timeout: timeoutMs, interval: 250 }).toEqual(names);
}

const hasHeading = (name: string) => Array.from(document.querySelectorAll('h1, h2')).some((h) => (h.textContent ?? '').trim() === name);
const hasButton = (name: string) => Array.from(document.querySelectorAll('button')).some((b) => (b.textContent ?? '').trim() === name);
const waitingText = () => document.querySelector('footer [role="status"] strong')?.textContent ?? '';

/** Zigzag strokes across the signature canvas (scrolled to the middle of the viewport first). */
async function drawSignature(page: EnginePage, seed: number): Promise<void> {
  const box = await page.evaluate((label: string) => {
    const canvas = document.querySelector(`[role="img"][aria-label="${label}"]`)!;
    canvas.scrollIntoView({ block: 'center' });
    const r = canvas.getBoundingClientRect();
    return { x: r.left, y: r.top, width: r.width, height: r.height };
  }, t('signatureCanvas'));
  const strokes: Point[][] = [];
  for (let s = 0; s < 2 + (seed % 2); s++) {
    const x0 = box.x + box.width * (0.1 + s * 0.28);
    const y0 = box.y + box.height * 0.5;
    strokes.push(Array.from({ length: 25 }, (_, i) => ({ x: x0 + i * box.width * 0.009, y: y0 + Math.sin((i + seed) / 2.2) * box.height * 0.3 })));
  }
  await page.draw(strokes);
}

interface Signer {
  name: string;
  email: string;
  country: string;
}

/** One visit: fill in, draw, confirm, thank you, hand over. `shot`: a screenshot of the filled form. */
async function sign(page: EnginePage, signer: Signer, seed: number, shot?: string): Promise<void> {
  await page.type({ label: t('nameLabel') }, signer.name);
  await page.type({ label: t('emailLabel') }, signer.email);
  await page.select({ label: t('countryLabel') }, signer.country);
  await drawSignature(page, seed);
  if (shot) await page.screenshot(shot);
  await page.click({ button: t('continue') });
  await waitInPage(page, 'the confirm step', hasHeading, [t('confirmHeading')]);
  await page.click({ button: t('confirm') });
  await waitInPage(page, 'the thank-you screen', hasHeading, [t('thanksHeading')]);
  await page.click({ button: t('nextSigner') });
  await waitInPage(page, 'a blank sign form', hasButton, [t('continue')]);
}

/** How the kiosk's controls are drawn in this engine: the same in all of them. */
function controlLook() {
  const name = document.getElementById('name')!;
  const select = document.getElementById('country')!;
  const checkbox = document.querySelector('input[type="checkbox"]')!;
  name.focus();
  const style = getComputedStyle(name);
  const look = {
    inputHeight: Math.round(name.getBoundingClientRect().height),
    selectHeight: Math.round(select.getBoundingClientRect().height),
    selectAppearance: getComputedStyle(select).appearance,
    checkboxAppearance: getComputedStyle(checkbox).appearance,
    focusRing: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
  };
  name.blur();
  return look;
}

/** Seconds each part of the walk took. */
export type WalkTimes = Record<'enroll' | 'signTwoAndSync' | 'offlineReloadAndSign' | 'syncAfterRestart' | 'total', number>;

/**
 * Walk the kiosk at `server` (a fresh database at `dbPath`) in `page`. With SCREENSHOTS set,
 * saves the filled-in form as docs/screenshots/`screenshot`.
 */
export async function kioskWalk(page: EnginePage, server: ServerProcess, dbPath: string, screenshot: string): Promise<WalkTimes> {
  const started = performance.now();
  const lap = (() => {
    let last = started;
    return () => {
      const now = performance.now();
      const seconds = Math.round((now - last) / 100) / 10;
      last = now;
      return seconds;
    };
  })();

  // 1. A volunteer enrolls the tablet with a code from the CLI.
  await page.goto(server.url);
  await waitInPage(page, 'the enrollment screen', hasHeading, [t('enrollHeading')]);
  await page.type({ label: t('enrollCode') }, await cliEnrollmentCode(dbPath, 'Cross-engine walk'));
  await page.type({ label: t('enrollPin') }, TEST_PIN);
  await page.type({ label: t('enrollPinAgain') }, TEST_PIN);
  await page.click({ button: t('enrollSubmit') });
  await waitInPage(page, 'the sign form after enrolling', hasButton, [t('continue')]);
  await waitInPage(page, 'an active service worker', () => navigator.serviceWorker.ready.then((r) => !!r.active), []);
  const look = await page.evaluate(controlLook);
  expect(look, page.version).toEqual({
    inputHeight: expect.any(Number),
    selectHeight: look.inputHeight, // a select as tall as a text field (native ones are not, in WebKit)
    selectAppearance: 'none',
    checkboxAppearance: 'none',
    focusRing: 'solid 3px rgb(29, 95, 209)',
  });
  expect(look.inputHeight, `${page.version}: touch targets`).toBeGreaterThanOrEqual(48);
  const enroll = lap();

  // 2. Two people sign by drawing; both reach the server's database.
  const shot = process.env.SCREENSHOTS ? join(ROOT, 'docs/screenshots', screenshot) : undefined;
  await sign(page, { name: 'Amina Diallo', email: 'amina@example.org', country: 'SN' }, 1, shot);
  await sign(page, { name: 'José Álvarez', email: 'jose@example.org', country: 'MX' }, 2);
  await untilStored(dbPath, ['Amina Diallo', 'José Álvarez']);
  await waitInPage(page, '"0 waiting to sync"', (text: string) => (document.querySelector('footer [role="status"] strong')?.textContent ?? '') === text, [t('waiting', { n: 0 })]);
  const signTwoAndSync = lap();

  // 3. The server stops; the reloaded page comes from the service worker; one more signs.
  await server.stop('SIGKILL');
  await page.reload();
  await waitInPage(page, 'the sign form served offline', hasButton, [t('continue')]);
  expect(await page.evaluate(() => !!navigator.serviceWorker.controller), `${page.version}: the reloaded page is served by the service worker`).toBe(true);
  await sign(page, { name: 'Li Wei', email: 'li.wei@example.org', country: 'CN' }, 3);
  await waitInPage(page, '"1 waiting to sync"', (text: string) => (document.querySelector('footer [role="status"] strong')?.textContent ?? '') === text, [t('waiting', { n: 1 })]);
  expect(storedNames(dbPath)).toHaveLength(2);
  const offlineReloadAndSign = lap();

  // 4. The server comes back: the tablet sends the third signature by itself.
  await server.start();
  await untilStored(dbPath, ['Amina Diallo', 'José Álvarez', 'Li Wei']);
  await waitInPage(page, '"0 waiting to sync" after the restart', (text: string) => (document.querySelector('footer [role="status"] strong')?.textContent ?? '') === text, [t('waiting', { n: 0 })], 30_000);
  const syncAfterRestart = lap();

  // 5. In Arabic the count is in the digits chosen for Arabic (Latin), whatever the engine's default.
  await page.select({ label: t('languageLabel') }, 'ar');
  await waitInPage(page, 'the page in Arabic', () => document.documentElement.lang === 'ar', []);
  expect(await page.evaluate(waitingText)).toBe(tr('ar')('waiting', { n: 0 }));
  expect(await page.evaluate(waitingText)).toMatch(/^0 /);

  expect(await page.errors(), `${page.version}: errors reported by the page`).toEqual([]);
  // And the collector does hear them: a console error and an uncaught one, made on purpose.
  await page.evaluate(() => {
    console.error('deliberate console error');
    setTimeout(() => {
      throw new Error('deliberate uncaught error');
    });
  });
  await expect.poll(() => page.errors(), { timeout: 5_000 }).toEqual([expect.stringContaining('deliberate console error'), expect.stringContaining('deliberate uncaught error')]);
  return { enroll, signTwoAndSync, offlineReloadAndSign, syncAfterRestart, total: Math.round((performance.now() - started) / 100) / 10 };
}

/** Launch an engine, walk the kiosk in it, print how long each part took, and close it. */
export async function walkIn(launch: () => Promise<EnginePage>, { server, dbPath }: WalkServer, screenshot: string): Promise<void> {
  const page = await launch();
  try {
    const times = await kioskWalk(page, server, dbPath, screenshot);
    console.log(`Cross-engine walk in ${page.version}: ${JSON.stringify(times)} (seconds)`);
  } finally {
    await page.close();
  }
}
