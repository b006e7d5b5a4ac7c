/**
 * Server-side figures: ingest rate on a store (in-process, batches of 500), and many
 * tablets at once (concurrent devices, each syncing its batches over HTTP to one server
 * process) with batch latency percentiles and the server's peak memory.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordHash } from '../server/ingest.ts';
import { createEnrollmentCode, sha256 } from '../server/devices.ts';
import { SqliteStore } from '../server/store/sqlite.ts';
import type { Store } from '../server/store/store.ts';
import { PROTOCOL_VERSION, type SignatureRecord } from '../src/shared/protocol.ts';
import { makeRecord } from '../tests/helpers/records.ts';

/** Records with distinct ids but shared content templates (generating ink is not what we measure). */
export function recordsFor(deviceId: string, n: number, templates = templatePool()): SignatureRecord[] {
  return Array.from({ length: n }, (_, i) => ({ ...templates[i % templates.length], id: randomUUID(), deviceId }));
}

let pool: SignatureRecord[] | undefined;
function templatePool(): SignatureRecord[] {
  pool ??= Array.from({ length: 200 }, (_, i) => makeRecord({ seed: i + 1 }));
  return pool;
}

/** Signatures per second stored through `store.ingest` in batches of `batch`. */
export async function ingestRate(store: Store, total = 20_000, batch = 500): Promise<{ total: number; seconds: number; perSecond: number }> {
  const records = recordsFor('bench-device', total);
  const started = performance.now();
  for (let i = 0; i < total; i += batch) {
    const items = records.slice(i, i + batch).map((record) => ({ record, hash: recordHash(record), clockSuspect: false }));
    await store.ingest(items, new Date().toISOString(), 'sync');
  }
  const seconds = (performance.now() - started) / 1000;
  return { total, seconds, perSecond: total / seconds };
}

/** SQLite ingest rate on a temporary file (synchronous=FULL, as in production). */
export async function sqliteIngestRate(total = 20_000): Promise<{ total: number; seconds: number; perSecond: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldsign-bench-'));
  const store = new SqliteStore(join(dir, 'bench.db'));
  try {
    return await ingestRate(store, total);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface TabletsFigures {
  tablets: number;
  batchesPerTablet: number;
  recordsPerBatch: number;
  stored: number;
  seconds: number;
  p50ms: number;
  p99ms: number;
  maxms: number;
  failed: number;
  serverPeakRssMb: number;
}

/**
 * `tablets` devices sync at the same moment against one server process on SQLite: each
 * sends `batches` batches of `perBatch` records one after another, like a tablet draining
 * its queue. Devices are enrolled directly in the database beforehand (enrollment over HTTP
 * is rate-limited per address, and every simulated tablet here shares 127.0.0.1).
 */
export async function manyTablets(tablets = 500, batches = 4, perBatch = 25, db?: string): Promise<TabletsFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldsign-tablets-'));
  const dbPath = db ?? join(dir, 'tablets.db');
  const setup = new SqliteStore(dbPath);
  const devices: Array<{ id: string; token: string }> = [];
  for (let i = 0; i < tablets; i++) {
    const { code } = await createEnrollmentCode(setup, 'Load test', 3_600_000, 'bench');
    const token = randomBytes(32).toString('base64url');
    const id = randomUUID();
    await setup.redeemEnrollmentCode(sha256(code.replace('-', '')), new Date().toISOString(), { id, tokenHash: sha256(token), label: `Tablet ${i + 1}` });
    devices.push({ id, token });
  }
  await setup.close();
  const bodies = devices.map((d) =>
    Array.from({ length: batches }, () => JSON.stringify({ protocol: PROTOCOL_VERSION, deviceId: d.id, records: recordsFor(d.id, perBatch) })),
  );

  const server = spawn(process.execPath, ['server/main.ts', '--port', '0', '--db', dbPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+?:\d+)/.exec(out);
      if (m) resolve(m[1].replace('localhost', '127.0.0.1'));
    });
    server.on('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  const latencies: number[] = [];
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    devices.map(async (device, i) => {
      for (const body of bodies[i]) {
        const t0 = performance.now();
        try {
          const res = await fetch(`${url}/api/v1/batches`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${device.token}` },
            body,
          });
          await res.arrayBuffer();
          if (res.status !== 200) failed++;
        } catch {
          failed++;
        }
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
  const peakKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  const check = new SqliteStore(dbPath);
  const stored = await check.count();
  await check.close();
  rmSync(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  return { tablets, batchesPerTablet: batches, recordsPerBatch: perBatch, stored, seconds, p50ms: q(0.5), p99ms: q(0.99), maxms: latencies.at(-1)!, failed, serverPeakRssMb: peakKb / 1024 };
}

if (import.meta.main) {
  console.table(await sqliteIngestRate());
  console.table(await manyTablets());
}
