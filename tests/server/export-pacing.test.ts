/**
 * A big export never holds the server up: while each console export of a few thousand
 * signatures (SQLite, whose calls are synchronous) streams to a reader, the event loop is
 * never blocked for long and /api/health keeps answering. Before the exports yielded
 * between chunks, the zip and the PDF each held the loop for seconds at 1,000,000
 * signatures (and for hundreds of milliseconds at 6,000, as here).
 *
 * The bounds are generous (100 ms of loop delay, where a paced export stays near its 5 ms
 * slices) so that a noisy shared machine does not make the test flaky.
 */
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../server/console/passwords.ts';
import { recordHash } from '../../server/ingest.ts';
import { makeRecord } from '../helpers/records.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';

const PASSWORD = 'correct horse battery staple';
const ROWS = 6000;
const MAX_LOOP_DELAY_MS = 100;
const MAX_HEALTH_MS = 250;

let server: TestServer;
let cookie: string;

beforeAll(async () => {
  server = await startTestServer();
  await server.store.createCoordinator({ id: randomUUID(), email: 'ana@example.org', name: 'Ana', passwordHash: await hashPassword(PASSWORD), createdAt: new Date().toISOString() });
  // Drawing the ink is the slow part of making a record: a few dozen drawings, fresh ids.
  const pool = Array.from({ length: 40 }, (_, i) => makeRecord({ seed: i + 1, name: `Signer ${i}`, email: `signer${i}@example.org` }));
  for (let start = 0; start < ROWS; start += 500) {
    const items = Array.from({ length: 500 }, (_, i) => {
      const template = pool[(start + i) % pool.length];
      const record = { ...template, id: randomUUID() };
      return { record, hash: recordHash(record), clockSuspect: false };
    });
    await server.store.ingest(items, new Date().toISOString(), 'sync');
  }
  const res = await fetch(`${server.url}/api/console/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'ana@example.org', password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
}, 60_000);

afterAll(async () => {
  await server?.close();
});

/** Download `path` while sampling the event loop and asking /api/health every 20 ms. */
async function duringDownload(path: string): Promise<{ bytes: number; loopMaxMs: number; healthMaxMs: number; healthAnswers: number }> {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  let downloading = true;
  let healthMaxMs = 0;
  let healthAnswers = 0;
  const health = (async () => {
    while (downloading) {
      const started = performance.now();
      const res = await fetch(`${server.url}/api/health`);
      await res.arrayBuffer();
      expect(res.status).toBe(200);
      healthMaxMs = Math.max(healthMaxMs, performance.now() - started);
      healthAnswers++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const res = await fetch(`${server.url}/api/console/export/${path}`, { headers: { cookie } });
  expect(res.status).toBe(200);
  const bytes = (await res.arrayBuffer()).byteLength;
  downloading = false;
  await health;
  // One more timer tick, so that a stretch that ended with the download is recorded too.
  await new Promise((resolve) => setTimeout(resolve, 20));
  loop.disable();
  return { bytes, loopMaxMs: loop.max / 1e6, healthMaxMs, healthAnswers };
}

describe(`exports of ${ROWS.toLocaleString('en')} signatures keep the server responsive`, () => {
  for (const path of ['handin.csv', 'contacts.csv', 'signatures.zip', 'handin.pdf']) {
    it(`${path}: the event loop is never blocked for more than ${MAX_LOOP_DELAY_MS} ms, and /api/health answers within ${MAX_HEALTH_MS} ms`, async () => {
      const r = await duringDownload(path);
      expect(r.bytes).toBeGreaterThan(0);
      expect(r.healthAnswers).toBeGreaterThan(0);
      expect(r.loopMaxMs, `longest event-loop delay during ${path}`).toBeLessThan(MAX_LOOP_DELAY_MS);
      expect(r.healthMaxMs, `slowest /api/health during ${path}`).toBeLessThan(MAX_HEALTH_MS);
    }, 60_000);
  }
});
