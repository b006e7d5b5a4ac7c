/**
 * A big export never holds the server up: while each console export of a few thousand
 * signatures (SQLite, whose calls are synchronous) streams to a reader, the event loop is
 * never blocked for long and /api/health keeps answering. Before the exports yielded
 * between chunks, the zip and the PDF each held the loop for seconds at 1,000,000
 * signatures (and for hundreds of milliseconds at 6,000, as here).
 *
 * The test asserts the shape, not a time: the longest stretch the loop was held is a small
 * part of the whole download, and /api/health was answered more than once during it. An
 * unpaced export holds the loop for nearly all of its time, so it fails however fast the
 * machine; a busy machine slows both sides alike. The figures in milliseconds live in the
 * scale bench (`npm run bench -- --only scale`).
 */
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordHash } from '../../server/ingest.ts';
import { makeRecord } from '../helpers/records.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';
import { addAccount, signIn } from '../helpers/accounts.ts';

const PASSWORD = 'correct horse battery staple';
const ROWS = 6000;
/** The longest hold of the event loop, as a share of the whole download. */
const MAX_HOLD_SHARE = 0.5;

let server: TestServer;
let cookie: string;

beforeAll(async () => {
  server = await startTestServer();
  const ana = await addAccount(server.store, { email: 'ana@example.org', name: 'Ana', password: PASSWORD });
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
  ({ cookie } = await signIn(server.url, ana));
}, 60_000);

afterAll(async () => {
  await server?.close();
});

/** Download `path` while sampling the event loop and asking /api/health every 20 ms. */
async function duringDownload(path: string): Promise<{ bytes: number; durationMs: number; loopMaxMs: number; healthAnswers: number }> {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  let downloading = true;
  let healthAnswers = 0;
  const health = (async () => {
    while (downloading) {
      const res = await fetch(`${server.url}/api/health`);
      await res.arrayBuffer();
      expect(res.status).toBe(200);
      if (downloading) healthAnswers++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const started = performance.now();
  const res = await fetch(`${server.url}/api/console/export/${path}`, { headers: { cookie } });
  expect(res.status).toBe(200);
  const bytes = (await res.arrayBuffer()).byteLength;
  const durationMs = performance.now() - started;
  downloading = false;
  await health;
  // One more timer tick, so that a stretch that ended with the download is recorded too.
  await new Promise((resolve) => setTimeout(resolve, 20));
  loop.disable();
  const figures = { bytes, durationMs, loopMaxMs: loop.max / 1e6, healthAnswers };
  console.log(`${path}: ${JSON.stringify(figures)}`);
  return figures;
}

describe(`exports of ${ROWS.toLocaleString('en')} signatures keep the server responsive`, () => {
  for (const path of ['handin.csv', 'contacts.csv', 'signatures.zip', 'handin.pdf']) {
    it(`${path}: no hold of the event loop lasts more than half the download, and /api/health answers during it`, async () => {
      const r = await duringDownload(path);
      expect(r.bytes).toBeGreaterThan(0);
      expect(r.loopMaxMs, `longest event-loop delay during ${path}, of ${Math.round(r.durationMs)} ms`).toBeLessThan(r.durationMs * MAX_HOLD_SHARE);
      expect(r.healthAnswers, `/api/health answers while ${path} was downloading`).toBeGreaterThanOrEqual(2);
    }, 60_000);
  }
});
