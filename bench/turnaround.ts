/**
 * Signer turnaround in real Chromium at 4× CPU throttling, with 10,000 signatures already
 * stored (pending) on the tablet, against the real server started as the README starts it.
 *
 * What is measured, per signer (all inside the page with performance.now(), so Playwright's
 * round trips add nothing):
 *
 *   submit→thanks   from the tap on "Confirm and sign" (the click event's timestamp) until the
 *                   "Thank you!" heading is in the DOM and the next frame has been painted.
 *                   The flow is confirm → record committed to IndexedDB (strict durability) →
 *                   thank-you screen, so once "Thank you!" shows, the signature is durably
 *                   stored and the signer's form state is gone: the tablet is "ready".
 *   next→blank      from the tap on "Next person" until a blank form (empty name field, the
 *                   "Continue" button visible, no thank-you heading) is in the DOM and painted.
 *   sum             the two added per signer (the person-to-person cost on top of reading time).
 *
 * Also reported: tap→committed (the outbox transaction's `complete` event), to split storage
 * from rendering. Throttling is on only for the signing runs, not for setup and seeding.
 * The tablet is offline throughout (context.setOffline) so sync does not interfere; the
 * engine still tries (and fails) after each signature, as it would at a stall with no signal.
 *
 *   node bench/turnaround.ts [stored=10000] [runs=30] [throttle=4] [--sealed]
 */
import type { Browser, Page } from 'playwright-core';
import { drawSignature, launchChromium } from '../tests/helpers/browser.ts';
import { startApp, type AppProcess } from '../tests/helpers/app-process.ts';
import { keyIdOf, PUBLIC_KEY_FORMAT, SEAL_ALG } from '../src/shared/seal.ts';
import { enrolledTablet, makeRecords, seedPending, waitForWaiting } from './tablet.ts';
import { arm, busyLoopMs, collect, installCommitProbe, type Watch } from './turnaround-probes.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TurnaroundOptions {
  /** Signatures already stored (pending) on the tablet. Default 10,000. */
  stored?: number;
  /** Measured signers. Default 30. */
  runs?: number;
  /** CPU slowdown factor for the measured part. Default 4. */
  throttle?: number;
  /** Unmeasured signers first (JIT and caches warm up). Default 2. */
  warmup?: number;
  /** Also measure a tablet with 0 stored, for comparison. Default true. */
  compareEmpty?: boolean;
  /** Run a sealed campaign (`--seal-key`): every signature is encrypted before it is stored. */
  sealed?: boolean;
}

/** One tablet's figures, in milliseconds. */
export interface TurnaroundStats {
  stored: number;
  runs: number;
  /** Measured slowdown of a fixed busy loop once throttling is on (a check that it applies). */
  slowdown: number;
  submitToThanks: Summary;
  /** Tap on "Confirm and sign" → outbox transaction committed (part of submitToThanks). */
  submitToCommitted: Summary;
  nextToBlank: Summary;
  sum: Summary;
  /** Same, measured at DOM insertion rather than after the next paint. */
  submitToThanksDom: Summary;
  nextToBlankDom: Summary;
}

export interface Summary {
  median: number;
  p95: number;
  min: number;
  max: number;
}

/**
 * tests/helpers/kiosk.ts `fillAndDraw`, step for step, except its last wait: that one uses
 * vitest's expect.poll, which throws outside a vitest run ("Vitest failed to access its
 * internal state"), so a plain locator wait stands in for it here.
 */
async function fillAndDraw(page: Page, signer: { name: string; email: string; country: string }, seed: number): Promise<void> {
  await page.getByLabel('Full name').fill(signer.name);
  await page.getByLabel('Email').fill(signer.email);
  await page.getByRole('combobox', { name: 'Country' }).selectOption(signer.country);
  await drawSignature(page, 'Signature area', seed);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Please check your details' }).waitFor({ timeout: 30_000 });
}

export function summarize(xs: number[]): Summary {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return { median: NaN, p95: NaN, min: NaN, max: NaN };
  const median = n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  const p95 = s[Math.min(n - 1, Math.ceil(0.95 * n) - 1)]; // nearest rank
  return { median, p95, min: s[0], max: s[n - 1] };
}

const COUNTRIES = ['FR', 'KE', 'BR', 'DE', 'IN', 'MX'];

/** Measure one freshly enrolled tablet with `stored` pending signatures. */
async function measureTablet(browser: Browser, app: AppProcess, stored: number, runs: number, warmup: number, throttle: number, sealed = false): Promise<TurnaroundStats> {
  const { context, page, deviceId } = await enrolledTablet(browser, app, `Turnaround ${stored}`, app.url, installCommitProbe);
  try {
    await context.setOffline(true);
    if (stored > 0) await seedPending(page, makeRecords(stored, deviceId));
    await page.reload();
    await waitForWaiting(page, stored, 60_000);
    await page.getByRole('button', { name: 'Continue', exact: true }).waitFor();

    const cdp = await context.newCDPSession(page);
    const before = await busyLoopMs(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttle });
    const slowdown = (await busyLoopMs(page)) / before;
    const rows: Array<{ thanks: Watch; blank: Watch }> = [];
    try {
      for (let i = 0; i < warmup + runs; i++) {
        await fillAndDraw(page, { name: `Turnaround Signer ${i}`, email: `turnaround${i}@example.org`, country: COUNTRIES[i % COUNTRIES.length] }, i + 1);
        await arm(page, 'thanks');
        await page.getByRole('button', { name: 'Confirm and sign' }).click();
        const thanks = await collect(page);
        await arm(page, 'blank');
        await page.getByRole('button', { name: 'Next person' }).click();
        const blank = await collect(page);
        if (i >= warmup) rows.push({ thanks, blank });
      }
    } finally {
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 }).catch(() => {});
      await cdp.detach().catch(() => {});
    }
    // Every signature must really be stored: the counter includes them all.
    await waitForWaiting(page, stored + warmup + runs, 30_000);
    const sealedCount = await page.evaluate(
      () =>
        new Promise<number>((resolve, reject) => {
          const open = indexedDB.open('fieldsign');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const all = open.result.transaction('outbox').objectStore('outbox').getAll();
            all.onsuccess = () => resolve(all.result.filter((r: { record?: { payload?: { kind?: string } } }) => r.record?.payload?.kind === 'sealed').length);
          };
        }),
    );
    if (sealed && sealedCount < warmup + runs) throw new Error(`only ${sealedCount} of ${warmup + runs} signatures were sealed`);

    const thanks = rows.map((r) => r.thanks.painted - r.thanks.tap);
    const blank = rows.map((r) => r.blank.painted - r.blank.tap);
    return {
      stored,
      runs,
      slowdown,
      submitToThanks: summarize(thanks),
      submitToCommitted: summarize(rows.flatMap((r) => (r.thanks.committed === undefined ? [] : [r.thanks.committed - r.thanks.tap]))),
      nextToBlank: summarize(blank),
      sum: summarize(thanks.map((t, i) => t + blank[i])),
      submitToThanksDom: summarize(rows.map((r) => r.thanks.dom - r.thanks.tap)),
      nextToBlankDom: summarize(rows.map((r) => r.blank.dom - r.blank.tap)),
    };
  } finally {
    await context.close();
  }
}

/**
 * Signer turnaround with `stored` signatures on the tablet (and, for comparison, with 0),
 * at `throttle`× CPU slowdown. Returns flat figures in milliseconds (keys say which).
 */
export async function signerTurnaround(opts: TurnaroundOptions = {}): Promise<Record<string, number>> {
  const { stored = 10_000, runs = 30, throttle = 4, warmup = 2, compareEmpty = true, sealed = false } = opts;
  const started = performance.now();
  const keyDir = sealed ? await writePublicKeyFile() : undefined;
  const app = await startApp(undefined, keyDir ? ['--seal-key', join(keyDir, 'public.json')] : []);
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const full = await measureTablet(browser, app, stored, runs, warmup, throttle, sealed);
    const empty = compareEmpty && stored > 0 ? await measureTablet(browser, app, 0, runs, warmup, throttle) : undefined;
    const out: Record<string, number> = { stored, runs, 'cpu throttle (×)': throttle };
    const put = (prefix: string, s: TurnaroundStats) => {
      out[`${prefix}submit→thanks median (ms)`] = s.submitToThanks.median;
      out[`${prefix}submit→thanks p95 (ms)`] = s.submitToThanks.p95;
      out[`${prefix}next→blank form median (ms)`] = s.nextToBlank.median;
      out[`${prefix}next→blank form p95 (ms)`] = s.nextToBlank.p95;
      out[`${prefix}sum median (ms)`] = s.sum.median;
      out[`${prefix}sum p95 (ms)`] = s.sum.p95;
      out[`${prefix}of which submit→committed, p50 (ms)`] = s.submitToCommitted.median;
      out[`${prefix}of which submit→committed, p95 (ms)`] = s.submitToCommitted.p95;
      out[`${prefix}submit→thanks in DOM, p50 (ms)`] = s.submitToThanksDom.median;
      out[`${prefix}next→blank in DOM, p50 (ms)`] = s.nextToBlankDom.median;
      out[`${prefix}measured CPU slowdown (×)`] = s.slowdown;
    };
    put('', full);
    if (empty) put('0 stored: ', empty);
    out['benchmark wall time (s)'] = (performance.now() - started) / 1000;
    return out;
  } finally {
    await browser?.close();
    await app.stop();
    if (keyDir) rmSync(keyDir, { recursive: true, force: true });
  }
}

/** A coordinator public key file (3072-bit, as keygen makes) in a new temporary folder. */
async function writePublicKeyFile(): Promise<string> {
  const pair = await crypto.subtle.generateKey({ name: 'RSA-OAEP', hash: 'SHA-256', modulusLength: 3072, publicExponent: new Uint8Array([1, 0, 1]) }, true, ['wrapKey', 'unwrapKey']);
  const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const dir = mkdtempSync(join(tmpdir(), 'fieldsign-bench-key-'));
  writeFileSync(join(dir, 'public.json'), JSON.stringify({ format: PUBLIC_KEY_FORMAT, version: 1, alg: SEAL_ALG, keyId: await keyIdOf(jwk), publicKeyJwk: { kty: 'RSA', n: jwk.n, e: jwk.e } }));
  return dir;
}

if (import.meta.main) {
  const [stored, runs, throttle] = process.argv.slice(2, 5).map((a) => (a === undefined || a === '' ? undefined : Number(a)));
  const figures = await signerTurnaround({ stored, runs, throttle, sealed: process.argv.includes('--sealed') });
  console.table(Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, { value: Number.isInteger(v) ? v : Number(v.toFixed(1)) }])));
}
