/**
 * How the scale benchmark (scale.ts) asks the server under test: a request kind timed up to
 * REQUESTS times, JSON with the coordinator's cookie, the live stream's first snapshot, an
 * export downloaded into nothing, and /api/health asked every 20 ms meanwhile.
 */

const REQUESTS = 50;
/** A request kind stops after this long even if it has not reached REQUESTS. */
const KIND_BUDGET_MS = 30_000;
const HEALTH_EVERY_MS = 20;

/** The `p` quantile of sorted latencies (NaN when there are none). */
export function quantile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : Number.NaN;
}

/** Time `run` up to REQUESTS times (or KIND_BUDGET_MS); p50 and p99 in ms. */
export async function latencies(run: () => Promise<void>): Promise<{ p50: number; p99: number; count: number }> {
  const times: number[] = [];
  const started = performance.now();
  while (times.length < REQUESTS && performance.now() - started < KIND_BUDGET_MS) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99), count: times.length };
}

/** GET `url` as the signed-in coordinator; its JSON (throws unless 200). */
export async function getJson(url: string, cookie: string): Promise<any> {
  const res = await fetch(url, { headers: { cookie } });
  if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

/** The first `data:` of an SSE stream, then hang up. */
export async function firstSnapshot(url: string, cookie: string): Promise<void> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { cookie }, signal: abort.signal });
  const reader = res.body!.getReader();
  let text = '';
  while (!text.includes('\n\n')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += Buffer.from(value).toString();
  }
  abort.abort();
  await reader.cancel().catch(() => {});
  if (!text.startsWith('data:')) throw new Error(`no snapshot from ${url}`);
}

const PAGE_OBJECT = Buffer.from('/Type /Page\n');

/** Download an export into nothing; counts PDF pages. Stops after `maxSeconds`. */
export async function download(url: string, cookie: string, maxSeconds: number): Promise<{ bytes: number; seconds: number; pages: number; capped: boolean }> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), maxSeconds * 1000);
  const started = performance.now();
  let bytes = 0;
  let pages = 0;
  let carry = Buffer.alloc(0);
  let capped = false;
  try {
    const res = await fetch(url, { headers: { cookie }, signal: abort.signal });
    if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      const seam = Buffer.concat([carry, chunk]);
      for (let i = seam.indexOf(PAGE_OBJECT); i >= 0; i = seam.indexOf(PAGE_OBJECT, i + 1)) if (i + PAGE_OBJECT.length > carry.length) pages++;
      carry = Buffer.from(seam.subarray(-(PAGE_OBJECT.length - 1)));
    }
  } catch (error) {
    if (!abort.signal.aborted) throw error;
    capped = true;
  } finally {
    clearTimeout(timer);
  }
  return { bytes, seconds: (performance.now() - started) / 1000, pages, capped };
}

/** Ask /api/health every 20 ms until `stop` says so; the latencies in ms. */
export function healthProbe(base: string): { stop: () => Promise<number[]> } {
  const times: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      const res = await fetch(`${base}/api/health`);
      await res.arrayBuffer();
      times.push(performance.now() - t0);
      await new Promise((resolve) => setTimeout(resolve, HEALTH_EVERY_MS));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return times;
    },
  };
}
