/**
 * Fault injection with real processes: three simulated tablets (SyncEngine + Dexie on
 * fake-indexeddb + httpTransport over real loopback HTTP) sync against the real server
 * process on a real SQLite file while the server is SIGKILLed in the middle of batches
 * (FIELDSIGN_FAULT_PAUSE_MS holds each batch transaction open before COMMIT) and restarted
 * on the same database, with graceful SIGTERM restarts in between, and while a proxy in
 * front of one tablet throws away answers the server had already committed.
 *
 * At the end the server must hold exactly the signatures the tablets captured — none lost,
 * none twice, each byte-for-byte as captured — and every tablet must have every record synced.
 * Set FIELDSIGN_CHAOS_SEED to replay the same random choices (timing still varies).
 */
import 'fake-indexeddb/auto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FieldsignDB } from '../../src/db/db.ts';
import { getEnrollment, saveEnrollment } from '../../src/db/meta.ts';
import { counts, enqueue } from '../../src/db/outbox.ts';
import type { SignatureRecord } from '../../src/shared/protocol.ts';
import { SyncEngine } from '../../src/sync/engine.ts';
import { enrollDevice, httpTransport, type Transport } from '../../src/sync/transport.ts';
import { makeRecord, prng } from '../helpers/records.ts';
import { DropProxy } from './drop-proxy.ts';
import { cliEnrollmentCode, freePort, ServerProcess } from './server-process.ts';

const TABLETS = 3;
/** Captured per tablet while offline, before sync starts. */
const CAPTURED_BEFORE = 100;
/** Captured per tablet in small bursts while the server is being killed. */
const CAPTURED_DURING = 200;
const TARGET_SIGKILLS = 22;
/** Chaos cycles that end in a graceful SIGTERM instead of a SIGKILL. */
const SIGTERM_CYCLES = new Set([7, 16]);
const FAULT_PAUSE_MS = 30;
/** Share of committed batch answers the proxy throws away (tablet 3 only). */
const DROP_RATE = 0.35;
const CHAOS_BUDGET_MS = 45_000;
const DRAIN_BUDGET_MS = 20_000;

const SEED = Number(process.env.FIELDSIGN_CHAOS_SEED ?? Date.now() % 1_000_000_007);
const rand = prng(SEED);

interface Tablet {
  label: string;
  db: FieldsignDB;
  engine: SyncEngine;
  deviceId: string;
  captured: SignatureRecord[];
  viaProxy: boolean;
}

/** What the tablets' transports saw, all tablets together. */
const seen = { batches: 0, ok: 0, retries: 0, serverErrors: 0, unreadable: 0, duplicateResults: 0, refusals: [] as string[] };
const figures = {
  kills: 0,
  /** Kills while a tablet had a batch on the wire. */
  killsMidBatch: 0,
  /** Kills while the server was inside a batch's open transaction (Linux /proc wchan). */
  killsInTransaction: 0,
  wchanReadable: false,
  sigterms: 0,
  sigtermExitCodes: [] as Array<number | null>,
  sigtermMs: [] as number[],
};
const engineErrors: unknown[] = [];

let dir: string;
let dbPath: string;
let server: ServerProcess;
let proxy: DropProxy;
let tablets: Tablet[] = [];
/** Requests the tablets have on the wire right now (any tablet). */
let inflight = 0;
let aborted = false;
const background: Array<Promise<unknown>> = [];

const trackedFetch: typeof fetch = async (input, init) => {
  inflight++;
  try {
    return await fetch(input, init);
  } finally {
    inflight--;
  }
};

function countingTransport(inner: Transport): Transport {
  return {
    async send(batch, token) {
      seen.batches++;
      const result = await inner.send(batch, token);
      if (result.kind === 'ok') {
        seen.ok++;
        seen.duplicateResults += result.response.results.filter((r) => r.status === 'duplicate').length;
      } else if (result.kind === 'retry') {
        seen.retries++;
        if (/HTTP 5\d\d/.test(result.reason)) seen.serverErrors++;
        if (/unreadable answer/.test(result.reason)) seen.unreadable++;
      } else {
        seen.refusals.push(`${result.kind}: ${result.message}`);
      }
      return result;
    },
  };
}

/** Trigger a sync as the app does (after a signature, on a timer); never leave a rejection unhandled. */
function kick(t: Tablet): void {
  t.engine.syncNow().catch((error: unknown) => engineErrors.push(error));
}

/** Capture `n` signatures on `t`: each one committed to IndexedDB before it counts (S8). */
async function capture(t: Tablet, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const record = makeRecord({ deviceId: t.deviceId });
    await enqueue(t.db, record);
    t.captured.push(record);
  }
  kick(t);
}

async function until(condition: () => boolean, timeoutMs: number, stepMs = 2): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline || aborted) return false;
    await sleep(stepMs);
  }
  return true;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fieldsign-crash-'));
  dbPath = join(dir, 'fieldsign.db');
  // Coordinator's codes, made with the CLI on the same database before the server starts.
  const codes: string[] = [];
  for (let i = 0; i < TABLETS; i++) codes.push(await cliEnrollmentCode(dbPath, 'Crash rally'));

  server = new ServerProcess({ dbPath, port: await freePort(), env: { FIELDSIGN_FAULT_PAUSE_MS: String(FAULT_PAUSE_MS) } });
  await server.start();
  proxy = new DropProxy({ upstreamPort: Number(new URL(server.url).port), dropRate: DROP_RATE, random: rand });
  await proxy.start();

  for (let i = 0; i < TABLETS; i++) {
    const label = `Tablet ${i + 1}`;
    const viaProxy = i === TABLETS - 1;
    const db = new FieldsignDB(`crash-${i}-${crypto.randomUUID()}`);
    const enrolled = await enrollDevice(codes[i], label, server.url);
    await saveEnrollment(db, { ...enrolled, enrolledAt: Date.now() });
    const engine = new SyncEngine({
      db,
      transport: countingTransport(httpTransport({ baseUrl: viaProxy ? proxy.url : server.url, fetch: trackedFetch, timeoutMs: 10_000 })),
      credentials: async () => {
        const e = await getEnrollment(db);
        return e && { deviceId: e.deviceId, token: e.token };
      },
      maxRecords: 20,
      baseBackoffMs: 50,
      maxBackoffMs: 500,
      intervalMs: 250,
      // One engine per simulated tablet: each has its own queue, so no shared Web Lock.
      withLock: (fn) => fn(),
    });
    tablets.push({ label, db, engine, deviceId: enrolled.deviceId, captured: [], viaProxy });
  }
}, 60_000);

afterAll(async () => {
  aborted = true;
  for (const t of tablets) t.engine.stop();
  await Promise.race([Promise.allSettled(background), sleep(5_000)]);
  await server?.dispose();
  await proxy?.close();
  for (const t of tablets) {
    t.db.close();
    await t.db.delete().catch(() => {});
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('real server process killed mid-batch, answers lost after commit', () => {
  it(
    'S3, S4, S6, S8, S10, S19: 20+ SIGKILLs mid-batch, SIGTERM restarts and answers dropped after commit lose nothing and store nothing twice',
    async () => {
      const started = Date.now();
      // Some signatures wait on the tablets before sync starts (captured offline).
      for (const t of tablets) {
        for (let i = 0; i < CAPTURED_BEFORE; i++) {
          const record = makeRecord({ deviceId: t.deviceId });
          await enqueue(t.db, record);
          t.captured.push(record);
        }
      }
      for (const t of tablets) t.engine.start();

      // More are captured in small bursts all through the chaos, each followed by a sync (S16).
      let chaosOver = false;
      const cycles = TARGET_SIGKILLS + SIGTERM_CYCLES.size;
      const captures = tablets.map(async (t) => {
        let done = 0;
        while (done < CAPTURED_DURING && !aborted) {
          if (!chaosOver) {
            await sleep(60 + rand() * 140);
            // Keep pace with the kills, so that every cycle has fresh signatures on the wire.
            const allowance = Math.ceil((CAPTURED_DURING * (figures.kills + figures.sigterms + 1)) / cycles);
            if (done >= allowance) continue;
          }
          const n = Math.min(CAPTURED_DURING - done, 1 + Math.floor(rand() * 3));
          await capture(t, n);
          done += n;
        }
      });
      background.push(...captures);

      // The chaos: wait for a batch on the wire, let it reach a random point (often inside the
      // held-open transaction), then kill the server; restart it on the same file.
      const chaosDeadline = Date.now() + CHAOS_BUDGET_MS;
      for (let cycle = 1; figures.kills < TARGET_SIGKILLS && Date.now() < chaosDeadline && !aborted; cycle++) {
        await sleep(120 + rand() * 300);
        await until(() => inflight > 0, 2_000);
        if (cycle % 2 === 1 && server.insideHeldTransaction() !== undefined) {
          // Aimed: strike while the server sits in a batch's open transaction, before COMMIT.
          await until(() => server.insideHeldTransaction() === true, 500, 1);
        } else {
          // Anywhere: parsing, validating, inserting, committing, answering, or idle.
          await sleep(rand() * (FAULT_PAUSE_MS + 20));
        }
        const inTransaction = server.insideHeldTransaction();
        if (inTransaction !== undefined) figures.wchanReadable = true;
        if (SIGTERM_CYCLES.has(cycle)) {
          const t0 = Date.now();
          await server.stop('SIGTERM');
          figures.sigtermMs.push(Date.now() - t0);
          figures.sigterms++;
          figures.sigtermExitCodes.push(server.lastExit()?.code ?? null);
        } else {
          const midBatch = inflight > 0;
          await server.stop('SIGKILL');
          figures.kills++;
          if (midBatch) figures.killsMidBatch++;
          if (inTransaction) figures.killsInTransaction++;
        }
        // A short outage: the tablets meet refused connections and back off (S10).
        await sleep(rand() * 150);
        await server.start();
      }
      chaosOver = true;
      const chaosMs = Date.now() - started;

      // Calm: no more kills, no more lost answers. Every tablet must drain to 0 pending.
      proxy.dropRate = 0;
      await Promise.all(captures);
      const drainDeadline = Date.now() + DRAIN_BUDGET_MS;
      for (;;) {
        const c = await Promise.all(tablets.map((t) => counts(t.db)));
        if (c.every((x) => x.pending === 0) && tablets.every((t) => t.engine.current.phase !== 'syncing')) break;
        const blocked = tablets.find((t) => t.engine.current.phase === 'blocked');
        if (blocked) throw new Error(`${blocked.label} is blocked: ${blocked.engine.current.lastError}`);
        if (Date.now() > drainDeadline) {
          throw new Error(
            `tablets did not drain: ${JSON.stringify(c)} ${JSON.stringify(tablets.map((t) => t.engine.current))}\n${server.output().slice(-3000)}`,
          );
        }
        for (const [i, t] of tablets.entries()) if (c[i].pending > 0 && t.engine.current.phase !== 'syncing') kick(t);
        await sleep(150);
      }
      for (const t of tablets) t.engine.stop();
      await Promise.all(tablets.map((t) => t.engine.syncNow())); // settles; nothing is pending
      await server.stop('SIGTERM');
      const finalExit = server.lastExit();

      // The server's database, read directly.
      const sql = new DatabaseSync(dbPath);
      const rows = sql.prepare('SELECT id, device_id, record FROM signatures ORDER BY seq').all() as Array<{
        id: string;
        device_id: string;
        record: string;
      }>;
      const conflicts = Number((sql.prepare('SELECT COUNT(*) AS n FROM conflicts').get() as { n: number }).n);
      const integrity = (sql.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check;
      sql.close();

      const captured = tablets.flatMap((t) => t.captured);
      const byId = new Map(captured.map((r) => [r.id, r]));
      const storedIds = new Set(rows.map((r) => r.id));
      const lost = captured.filter((r) => !storedIds.has(r.id)).map((r) => r.id);
      const duplicated = rows.length - storedIds.size;
      const unexpected = [...storedIds].filter((id) => !byId.has(id));
      const altered = rows.filter((row) => {
        const original = byId.get(row.id);
        return original && (!isDeepStrictEqual(JSON.parse(row.record), original) || row.device_id !== original.deviceId);
      });

      // Every tablet: all of its records synced, personal data dropped (S19 default retention).
      const outboxes = await Promise.all(tablets.map((t) => t.db.outbox.toArray()));
      const notSynced = outboxes.flat().filter((row) => row.state !== 'synced');
      const stillHoldingData = outboxes.flat().filter((row) => row.record !== undefined);
      const outboxMismatch = tablets.filter((t, i) => {
        const ids = new Set(outboxes[i].map((r) => r.id));
        return outboxes[i].length !== t.captured.length || t.captured.some((r) => !ids.has(r.id));
      });

      const runtimeS = ((Date.now() - started) / 1000).toFixed(1);
      console.log(
        `[server-crash] seed ${SEED}: captured ${captured.length}, stored ${rows.length}, lost ${lost.length}, ` +
          `duplicated ${duplicated}, unexpected ${unexpected.length}, altered ${altered.length}, conflicts ${conflicts}, ` +
          `kills ${figures.kills} (${figures.killsMidBatch} with a batch on the wire, ` +
          `${figures.wchanReadable ? figures.killsInTransaction : 'n/a'} inside an open transaction), graceful restarts ${figures.sigterms} (${figures.sigtermMs.join(', ')} ms), ` +
          `server starts ${server.starts}, dropped responses ${proxy.dropped}, batches sent ${seen.batches} ` +
          `(${seen.ok} answered, ${seen.retries} retried, ${seen.serverErrors} HTTP 5xx, ${seen.unreadable} cut answers), ` +
          `records answered "duplicate" ${seen.duplicateResults}, chaos ${(chaosMs / 1000).toFixed(1)} s, total ${runtimeS} s`,
      );

      expect(engineErrors).toEqual([]);
      expect(seen.refusals).toEqual([]);
      expect(integrity).toBe('ok');
      expect(lost).toEqual([]);
      expect(duplicated).toBe(0);
      expect(unexpected).toEqual([]);
      expect(altered.map((r) => r.id)).toEqual([]);
      expect(conflicts).toBe(0);
      expect(rows.length).toBe(captured.length);
      expect(captured.length).toBe(TABLETS * (CAPTURED_BEFORE + CAPTURED_DURING));
      expect(notSynced.map((r) => `${r.id}:${r.state}`)).toEqual([]);
      expect(stillHoldingData.length).toBe(0);
      expect(outboxMismatch.map((t) => t.label)).toEqual([]);
      expect(figures.kills).toBeGreaterThanOrEqual(20);
      expect(figures.killsMidBatch).toBeGreaterThanOrEqual(10);
      if (figures.wchanReadable) expect(figures.killsInTransaction).toBeGreaterThanOrEqual(5);
      expect(figures.sigterms).toBeGreaterThanOrEqual(1);
      expect(figures.sigtermExitCodes.every((code) => code === 0)).toBe(true);
      expect(finalExit).toEqual({ code: 0, signal: null });
      expect(proxy.dropped).toBeGreaterThanOrEqual(5);
      // A retried batch whose first answer was lost after COMMIT comes back "duplicate" (S4).
      expect(seen.duplicateResults).toBeGreaterThan(0);
    },
    90_000,
  );
});
