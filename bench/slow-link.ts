/**
 * Time to sync 10,000 pending signatures over an emulated slow link, in real Chromium
 * against the real server: 750 kbit/s up, 1.5 Mbit/s down, 150 ms latency per request
 * (CDP Network.emulateNetworkConditions on the kiosk page). The tablet is enrolled online,
 * taken offline, seeded with pending records straight into IndexedDB and reloaded; then the
 * link goes from offline straight to slow, and the engine syncs on its own (`online` event).
 *
 *   sync time        from the browser going online (the page's `online` event) until the
 *                    status line reads "0 waiting to sync" (watched inside the page).
 *   bytes            request bodies the transport handed to fetch() for /api/v1/batches
 *                    (gzip where it compressed), counted by a fetch wrapper in the page; and,
 *                    for reference, every byte the browser wrote to the server's socket
 *                    (HTTP headers included), counted by a TCP proxy in front of the server.
 *   bytes-alone time body bytes × 8 / 750,000 s: the floor set by the link's upload rate.
 *   baseline         one POST per signature, uncompressed JSON, one after another, the way
 *                    a Workbox background-sync queue replays: sent from inside the page over
 *                    the same link. 10,000 of them at 150 ms each would take over 25 minutes,
 *                    so by default a sample of 300 is timed and the figure scaled linearly.
 *
 *   node bench/slow-link.ts [count=10000] [baselineSample=300]
 */
import { DatabaseSync } from 'node:sqlite';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { launchChromium } from '../tests/helpers/browser.ts';
import { startApp, type AppProcess } from '../tests/helpers/app-process.ts';
import { PROTOCOL_VERSION } from '../src/shared/protocol.ts';
import { countingProxy } from './counting-proxy.ts';
import { enrolledTablet, makeRecords, seedPending, waitForWaiting } from './tablet.ts';

export interface SlowLinkOptions {
  /** Pending signatures to sync. Default 10,000. */
  count?: number;
  /** One-request-per-signature baseline: requests actually sent (then scaled to `count`). Default 300. */
  baselineSample?: number;
  /** Upload rate, bits/s. Default 750,000. */
  uploadBps?: number;
  /** Download rate, bits/s. Default 1,500,000. */
  downloadBps?: number;
  /** Latency added to each request, ms. Default 150. */
  latencyMs?: number;
  /** Print progress on stderr every 5 s. */
  verbose?: boolean;
}

/** One call of fetch() for /api/v1/batches, as seen by the in-page wrapper. */
interface SentBatch {
  start: number;
  end: number;
  bytes: number;
  gzip: boolean;
  status: number;
}

/** Before any page script: wrap fetch to note each batch request's body size and duration. */
async function installFetchProbe(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as { __fsSent: SentBatch[] };
    w.__fsSent = [];
    const original = window.fetch;
    window.fetch = async function (input: RequestInfo | URL, init?: RequestInit) {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (!url.includes('/api/v1/batches')) return original.call(this, input, init);
      const body = init?.body;
      const bytes =
        typeof body === 'string' ? new TextEncoder().encode(body).length
        : body instanceof ArrayBuffer ? body.byteLength
        : ArrayBuffer.isView(body) ? body.byteLength
        : body instanceof Blob ? body.size
        : 0;
      const gzip = new Headers(init?.headers).get('content-encoding') === 'gzip';
      const row: SentBatch = { start: performance.now(), end: NaN, bytes, gzip, status: 0 };
      w.__fsSent.push(row);
      try {
        const res = await original.call(this, input, init);
        row.status = res.status;
        // The transport reads the body next; time to the end of it, as the engine sees it.
        const copy = res.clone();
        void copy.arrayBuffer().then(() => (row.end = performance.now()), () => (row.end = performance.now()));
        return res;
      } catch (error) {
        row.end = performance.now();
        throw error;
      }
    };
  });
}

/** Progress line on stderr: the status line, online state and batches sent so far. */
async function report(page: Page): Promise<void> {
  const p = await page
    .evaluate(() => {
      const sent = (window as unknown as { __fsSent: SentBatch[] }).__fsSent;
      return `${document.querySelector('footer [role="status"]')?.textContent} | onLine=${navigator.onLine} | batches ${sent.length}, ${sent.reduce((n, r) => n + r.bytes, 0)} B, last status ${sent.at(-1)?.status}`;
    })
    .catch((e: Error) => e.message);
  process.stderr.write(`  [slow link] ${p}\n`);
}

function serverCount(app: AppProcess): number {
  const db = new DatabaseSync(app.dbPath, { readOnly: true });
  try {
    return Number((db.prepare('SELECT COUNT(*) AS n FROM signatures').get() as { n: number }).n);
  } finally {
    db.close();
  }
}

async function slowLink(cdp: CDPSession, o: Required<Pick<SlowLinkOptions, 'uploadBps' | 'downloadBps' | 'latencyMs'>>): Promise<void> {
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: o.latencyMs,
    uploadThroughput: o.uploadBps / 8,
    downloadThroughput: o.downloadBps / 8,
  });
}

/** Sync `count` pending signatures over the slow link; compare with bytes alone and a per-signature baseline. */
export async function slowLinkSync(opts: SlowLinkOptions = {}): Promise<Record<string, number | string>> {
  const { count = 10_000, baselineSample = 300, uploadBps = 750_000, downloadBps = 1_500_000, latencyMs = 150 } = opts;
  const link = { uploadBps, downloadBps, latencyMs };
  const started = performance.now();
  const app = await startApp();
  const proxy = await countingProxy(app.url);
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const { context, page, deviceId, token } = await enrolledTablet(browser, app, 'Slow link rally', proxy.url, installFetchProbe);
    // Offline through this CDP session, not context.setOffline(true): with Playwright's offline
    // switch on, requests kept failing after this session set the slow link (presumably since
    // Playwright also sets the service worker's session offline), and navigator.onLine stayed true,
    // so no `online` event ever fired. One session owning offline and the slow link avoids both.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: true, latency: 0, uploadThroughput: -1, downloadThroughput: -1 });
    const records = makeRecords(count, deviceId);
    await seedPending(page, records);
    await page.reload();
    await waitForWaiting(page, count, 60_000);
    const before = serverCount(app);

    // Watch, inside the page, for the browser going online and for "0 waiting to sync".
    await page.evaluate(() => {
      const w = window as unknown as { __fsSent: SentBatch[]; __fsSync: Promise<{ online: number; done: number }> };
      (w as unknown as { __fsOffline: SentBatch[] }).__fsOffline = w.__fsSent.splice(0);
      w.__fsSync = new Promise((resolve) => {
        let online = NaN;
        addEventListener('online', () => (online = performance.now()), { once: true });
        const strong = () => document.querySelector('footer [role="status"] strong')?.textContent?.trim();
        const observer = new MutationObserver(() => {
          if (!Number.isNaN(online) && strong() === '0 waiting to sync') {
            observer.disconnect();
            resolve({ online, done: performance.now() });
          }
        });
        observer.observe(document.body, { subtree: true, childList: true, characterData: true });
      });
    });
    proxy.reset();
    // Offline → the slow link in one step (this session's conditions replace the offline ones).
    await slowLink(cdp, link);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('sync did not finish within 15 minutes')), 15 * 60_000)));
    const progress = opts.verbose ? setInterval(() => void report(page), 5_000) : undefined;
    const { online, done } = await Promise.race([page.evaluate(() => (window as unknown as { __fsSync: Promise<{ online: number; done: number }> }).__fsSync), timeout]).finally(() => {
      clearTimeout(timer);
      clearInterval(progress);
    });
    const wireUp = proxy.up;
    const wireDown = proxy.down;
    const sent = await page.evaluate(() => (window as unknown as { __fsSent: SentBatch[] }).__fsSent.map((r) => ({ ...r })));
    // Batches answered before the queue read empty (an attempt begun while still offline fails with status 0).
    const batches = sent.filter((r) => r.start <= done && r.status !== 0);
    const failedAttempts = sent.filter((r) => r.start <= done && r.status === 0).length;
    if (opts.verbose) {
      const offline = await page.evaluate(() => (window as unknown as { __fsOffline: SentBatch[] }).__fsOffline.map((r) => ({ ...r })));
      process.stderr.write(`  [slow link] attempts while offline: ${offline.length} (${offline.map((r) => r.bytes).join(', ')} B)\n`);
      process.stderr.write(`  [slow link] first batches: ${batches.slice(0, 10).map((r) => `${r.bytes} B in ${Math.round(r.end - r.start)} ms`).join(', ')}\n`);
    }
    const stored = serverCount(app) - before;
    if (stored !== count) throw new Error(`the server stored ${stored} of ${count} signatures`);

    const syncS = (done - online) / 1000;
    const bodyBytes = batches.reduce((n, r) => n + r.bytes, 0);
    const bytesAloneS = (bodyBytes * 8) / uploadBps;
    const inFetchS = batches.reduce((n, r) => n + (Number.isFinite(r.end) ? r.end - r.start : 0), 0) / 1000;
    const firstRequestS = batches.length ? (batches[0].start - online) / 1000 : NaN;

    // Baseline: one uncompressed POST per signature, sequentially. The server already holds
    // these records, so each is sent with a fresh id (same content, same size) to make the
    // server commit one new row per request, as a real replay would.
    const n = Math.min(baselineSample, count);
    const sample = records.slice(0, n).map((r) => ({ ...r, id: crypto.randomUUID() }));
    const base = await page.evaluate(
      async ({ sample, token, deviceId, protocol }) => {
        const statuses: Record<string, number> = {};
        let bytes = 0;
        const t0 = performance.now();
        for (const record of sample) {
          const body = JSON.stringify({ protocol, deviceId, sentAt: new Date().toISOString(), records: [record] });
          bytes += new TextEncoder().encode(body).length;
          const res = await fetch('/api/v1/batches', {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body,
            cache: 'no-store',
          });
          const answer = (await res.json()) as { results?: Array<{ status: string }> };
          const status = answer.results?.[0]?.status ?? `HTTP ${res.status}`;
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
        return { ms: performance.now() - t0, bytes, statuses };
      },
      { sample, token, deviceId, protocol: PROTOCOL_VERSION },
    );
    if ((base.statuses.accepted ?? 0) !== n) throw new Error(`baseline answers: ${JSON.stringify(base.statuses)}`);
    const baselineS = (base.ms / 1000) * (count / n);
    await cdp.detach().catch(() => {});
    await context.close();

    return {
      signatures: count,
      link: `${uploadBps / 1000} kbit/s up, ${downloadBps / 1000} kbit/s down, ${latencyMs} ms latency`,
      'sync time (s)': syncS,
      'batch requests': batches.length,
      'failed batch attempts': failedAttempts,
      'records per batch (mean)': count / Math.max(1, batches.length),
      'bytes sent: request bodies (gzip)': bodyBytes,
      'bytes per signature on the wire (body)': bodyBytes / count,
      'bytes sent: TCP upstream incl. HTTP headers': wireUp,
      'bytes received: TCP downstream': wireDown,
      'bytes-alone time at upload rate (s)': bytesAloneS,
      'ratio sync / bytes-alone (target ≤ 1.3)': syncS / bytesAloneS,
      'time inside fetch() for batches (s)': inFetchS,
      'time outside fetch() (IndexedDB, JSON, gzip, waits) (s)': syncS - inFetchS,
      'online → first batch request (s)': firstRequestS,
      'baseline: requests actually sent': n,
      'baseline: measured time for those (s)': base.ms / 1000,
      'baseline: mean per request (ms)': base.ms / n,
      'baseline: body bytes per request': base.bytes / n,
      [n < count ? `baseline: ${count} requests, extrapolated ×${(count / n).toFixed(2)} from ${n} (s)` : `baseline: ${count} requests (s)`]: baselineS,
      'speedup vs baseline (target ≥ 20)': baselineS / syncS,
      'benchmark wall time (s)': (performance.now() - started) / 1000,
    };
  } finally {
    await browser?.close();
    await proxy.close();
    await app.stop();
  }
}

if (import.meta.main) {
  const [count, baselineSample] = process.argv.slice(2, 4).map((a) => (a === undefined || a === '' ? undefined : Number(a)));
  const figures = await slowLinkSync({ count, baselineSample, verbose: true });
  console.table(Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, { value: typeof v === 'number' && !Number.isInteger(v) ? Number(v.toFixed(2)) : v }])));
}
