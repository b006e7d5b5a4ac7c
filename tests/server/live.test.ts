/**
 * Live updates (server/console/live.ts) over real HTTP on a temporary SQLite file: one
 * snapshot read per change shared by every open stream, a failed read closing its streams
 * without taking the server down, the public counter's caps, and changes from any write path
 * (here: a batch ingested by the store directly, as an import does) reaching the dashboards.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App, type AppOptions } from '../../server/app.ts';
import { createEnrollmentCode } from '../../server/devices.ts';
import { ingestBatch } from '../../server/ingest.ts';
import { SqliteStore } from '../../server/store/sqlite.ts';
import type { Store, Totals } from '../../server/store/store.ts';
import { batchOf, makeRecord } from '../helpers/records.ts';
import { openSse, type SseStream } from '../helpers/sse.ts';
import { addAccount, signIn } from '../helpers/accounts.ts';

const PASSWORD = 'correct horse battery staple';

interface Harness {
  url: string;
  store: SqliteStore;
  dbPath: string;
  /** How many times the app read the dashboard totals. */
  totalsCalls: () => number;
  /** Make the next totals() reads reject (true) or work again (false). */
  failTotals: (fail: boolean) => void;
  logs: string[];
  cookie: string;
  device: { deviceId: string; token: string };
  sync(count?: number): Promise<void>;
  /** A signature stored without HTTP, as `cli import` does. */
  importOne(): Promise<void>;
  close(): Promise<void>;
}

const open: Harness[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

/** The app on a temp SQLite file, its store wrapped to count (or fail) totals() reads. */
async function start(options: Partial<AppOptions> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldsign-live-'));
  const store = new SqliteStore(join(dir, 'test.db'));
  let calls = 0;
  let failing = false;
  const counted = new Proxy(store, {
    get(target, prop) {
      if (prop === 'totals') {
        return async (): Promise<Totals> => {
          calls++;
          if (failing) throw new Error('totals: disk I/O error (injected)');
          return target.totals();
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as Store;
  const logs: string[] = [];
  const log = (message: string, error?: unknown) => logs.push(`${message} ${error instanceof Error ? error.message : String(error ?? '')}`);
  const app: App = createApp({ store: counted, log, ...options });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  const ana = await addAccount(store, { email: 'ana@example.org', name: 'Ana', password: PASSWORD });
  const { cookie } = await signIn(url, ana);
  const { code } = await createEnrollmentCode(store, 'Live rally', 3_600_000, 'test');
  const enrolled = await fetch(`${url}/api/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ protocol: 1, code }) });
  const device = (await enrolled.json()) as { deviceId: string; token: string };

  const harness: Harness = {
    url,
    store,
    dbPath: join(dir, 'test.db'),
    totalsCalls: () => calls,
    failTotals: (fail) => void (failing = fail),
    logs,
    cookie,
    device,
    async sync(count = 1) {
      const records = Array.from({ length: count }, () => makeRecord({ deviceId: device.deviceId }));
      const res = await fetch(`${url}/api/v1/batches`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${device.token}` },
        body: JSON.stringify(batchOf(records, device.deviceId)),
      });
      expect(res.status).toBe(200);
    },
    async importOne() {
      const reply = await ingestBatch(store, batchOf([makeRecord({ deviceId: device.deviceId })], device.deviceId), { deviceId: device.deviceId, source: 'import' });
      expect(reply).toMatchObject({ kind: 'judged', anyInvalid: false });
    },
    async close() {
      app.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  open.push(harness);
  return harness;
}

/** Wait until `stream` shows a total of `total` (skipping older snapshots). */
async function untilTotal(stream: SseStream<{ total: number }>, total: number, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { total: seen } = await stream.next(Math.max(1, deadline - Date.now()));
    if (seen === total) return;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('live updates', () => {
  it('N open dashboards cost one totals() read per change, not N, whichever path made the change', async () => {
    const h = await start();
    const N = 8;
    const dashboards = await Promise.all(Array.from({ length: N }, () => openSse<Totals>(`${h.url}/api/console/events`, { cookie: h.cookie })));
    expect(dashboards.map((d) => d.status)).toEqual(Array(N).fill(200));
    for (const d of dashboards) expect((await d.next()).total).toBe(0);
    // Opening eight streams with nothing changed read the totals once, then shared them.
    expect(h.totalsCalls()).toBe(1);

    await h.sync(3);
    for (const d of dashboards) await untilTotal(d, 3);
    await sleep(700); // past the coalescing interval: no late per-stream reads either
    expect(h.totalsCalls()).toBe(2);

    // A change that never went through a route (an import) reaches every dashboard too.
    await h.importOne();
    for (const d of dashboards) await untilTotal(d, 4);
    await sleep(700);
    expect(h.totalsCalls()).toBe(3);
    for (const d of dashboards) d.close();
  });

  it('many changes in a burst are coalesced into at most one read per interval', async () => {
    const h = await start({});
    const d = await openSse<Totals>(`${h.url}/api/console/events`, { cookie: h.cookie });
    await d.next();
    const before = h.totalsCalls();
    for (let i = 0; i < 10; i++) await h.importOne();
    await untilTotal(d, 10);
    await sleep(700);
    // 10 changes within well under a second: the first read and at most one or two more.
    expect(h.totalsCalls() - before).toBeLessThanOrEqual(3);
    d.close();
  });

  it('a failed totals read closes the dashboard streams and is logged; the server keeps answering', async () => {
    const h = await start();
    const dashboards = await Promise.all([1, 2, 3].map(() => openSse<Totals>(`${h.url}/api/console/events`, { cookie: h.cookie })));
    const counter = await openSse<{ total: number }>(`${h.url}/api/public/events`);
    for (const d of dashboards) await d.next();
    await counter.next();

    h.failTotals(true);
    await h.sync(1);
    // Every dashboard stream waiting for that read is closed (the browser will reconnect) …
    await Promise.race([Promise.all(dashboards.map((d) => d.ended)), sleep(3_000).then(() => Promise.reject(new Error('the dashboard streams stayed open')))]);
    // … the failure is logged once, naming what failed …
    expect(h.logs.filter((l) => /reading the dashboard totals .*failed/.test(l))).toEqual([
      expect.stringMatching(/closing 3 stream\(s\) totals: disk I\/O error \(injected\)/),
    ]);
    // … and nothing else is hurt: the public counter follows, the server answers.
    await untilTotal(counter, 1);
    expect(counter.isEnded()).toBe(false);
    const health = await fetch(`${h.url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, signatures: 1 });

    // Once the database reads again, a reconnecting dashboard is live.
    h.failTotals(false);
    const again = await openSse<Totals>(`${h.url}/api/console/events`, { cookie: h.cookie });
    expect((await again.next()).total).toBe(1);
    again.close();
    counter.close();
  });

  it('a stream opened later reads afresh: the file may have been written by another process', async () => {
    const h = await start();
    const first = await openSse<Totals>(`${h.url}/api/console/events`, { cookie: h.cookie });
    expect((await first.next()).total).toBe(0);
    // Another process (here: another connection) stores a signature; this app is not told.
    const elsewhere = new SqliteStore(h.dbPath);
    await ingestBatch(elsewhere, batchOf([makeRecord({ deviceId: h.device.deviceId })], h.device.deviceId), { deviceId: h.device.deviceId, source: 'import' });
    await elsewhere.close();
    await sleep(600); // the first read is older than one interval now
    const later = await openSse<Totals>(`${h.url}/api/console/events`, { cookie: h.cookie });
    expect((await later.next()).total).toBe(1);
    first.close();
    later.close();
  });

  it('a dashboard stream ends when its session ends, at the next update', async () => {
    const h = await start();
    const d = await openSse<Totals>(`${h.url}/api/console/events`, { cookie: h.cookie });
    await d.next();
    const session = await (await fetch(`${h.url}/api/console/session`, { headers: { cookie: h.cookie } })).json();
    const out = await fetch(`${h.url}/api/console/logout`, { method: 'POST', headers: { cookie: h.cookie, 'x-csrf-token': session.csrfToken } });
    expect(out.status).toBe(204);
    await h.importOne();
    await Promise.race([d.ended, sleep(3_000).then(() => Promise.reject(new Error('the stream outlived its session')))]);
    expect(d.messages).toHaveLength(1);
  });
});

describe('public counter stream caps', () => {
  it('refuses beyond the per-address cap (429) and the total cap (503), and a closed stream frees its slot', async () => {
    const h = await start({ publicStreams: { total: 3, perAddress: 2 } });
    const events = `${h.url}/api/public/events`;
    const a1 = await openSse(events);
    const a2 = await openSse(events);
    expect([a1.status, a2.status]).toEqual([200, 200]);
    await a1.next();

    const a3 = await openSse(events);
    expect(a3.status).toBe(429);
    expect(a3.headers['content-type']).toMatch(/application\/json/);
    expect(a3.headers['retry-after']).toBe('30');
    expect(a3.body).toEqual({ error: { code: 'rate_limited', message: expect.stringMatching(/Too many live counters open from this address \(at most 2\)/) } });

    // Another client (another loopback address) takes the last slot; a third finds the server full.
    const b1 = await openSse(events, { localAddress: '127.0.0.2' });
    expect(b1.status).toBe(200);
    const c1 = await openSse(events, { localAddress: '127.0.0.3' });
    expect(c1.status).toBe(503);
    expect(c1.headers['retry-after']).toBe('30');
    expect(c1.body).toEqual({ error: { code: 'unavailable', message: expect.stringMatching(/as many live counters open as it allows \(3\)\. Try again in 30 s/) } });
    // The plain count still answers, for a counter that polls instead.
    expect((await fetch(`${h.url}/api/public/count`)).status).toBe(200);

    // Closing a stream gives its slot back.
    a1.close();
    let c2: SseStream | undefined;
    for (let i = 0; i < 50 && c2?.status !== 200; i++) {
      c2?.close();
      await sleep(20);
      c2 = await openSse(events, { localAddress: '127.0.0.3' });
    }
    expect(c2!.status).toBe(200);
    expect(await c2!.next()).toEqual({ total: 0 });
    const a4 = await openSse(events);
    expect(a4.status).toBe(503); // 127.0.0.1 has one open again, but the server is full
    for (const s of [a2, b1, c2!, a4]) s.close();
  });

  it('the caps do not apply to the signed-in dashboard', async () => {
    const h = await start({ publicStreams: { total: 1, perAddress: 1 } });
    const counter = await openSse(`${h.url}/api/public/events`);
    const dashboards = await Promise.all([1, 2, 3].map(() => openSse(`${h.url}/api/console/events`, { cookie: h.cookie })));
    expect([counter.status, ...dashboards.map((d) => d.status)]).toEqual([200, 200, 200, 200]);
    for (const s of [counter, ...dashboards]) s.close();
  });
});
