import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FieldsignDB } from '../../src/db/db.ts';
import { counts, enqueue, quarantined } from '../../src/db/outbox.ts';
import { SyncEngine } from '../../src/sync/engine.ts';
import type { Transport } from '../../src/sync/transport.ts';
import { MemoryServer } from '../helpers/memory-server.ts';
import { makeRecord } from '../helpers/records.ts';

let db: FieldsignDB;
let server: MemoryServer;
let engines: SyncEngine[] = [];
/** The tablet as the memory server enrolled it (device-test, a real token). */
const credentials = () => server.credentials();

beforeEach(() => {
  db = new FieldsignDB(`sync-${crypto.randomUUID()}`);
  server = new MemoryServer();
});
afterEach(async () => {
  engines.forEach((e) => e.stop());
  engines = [];
  await db.delete();
  await server.close();
});

function engine(transport: Transport = server, maxRecords = 50) {
  const e = new SyncEngine({ db, transport, credentials, maxRecords, baseBackoffMs: 60_000, withLock: (fn) => fn() });
  engines.push(e);
  return e;
}

async function capture(n: number) {
  const records = Array.from({ length: n }, () => makeRecord());
  for (const r of records) await enqueue(db, r);
  return records;
}

describe('sync engine paired with the server in memory', () => {
  it('S15, S21: sends pending signatures in bounded batches until none wait', async () => {
    const records = await capture(120);
    const e = engine(server, 50);
    await e.syncNow();
    expect(server.requests.map((r) => r.records.length)).toEqual([50, 50, 20, 0]);
    // Each batch reports the tablet's queue; the last, empty one says it is drained.
    expect(server.requests[0].report).toEqual({ pending: 120, quarantined: 0 });
    expect(server.requests.at(-1)?.report).toEqual({ pending: 0, quarantined: 0 });
    expect(await server.store.count()).toBe(120);
    expect(await counts(db)).toEqual({ pending: 0, quarantined: 0, synced: 120 });
    expect(e.current.phase).toBe('idle');
    const stored = new Set((await server.store.list({ limit: 1000 })).map((s) => s.id));
    expect(records.every((r) => stored.has(r.id))).toBe(true);
  });

  it('S10: keeps records pending when the request never arrives, then syncs them', async () => {
    await capture(5);
    server.plan('drop-request');
    const e = engine();
    await e.syncNow();
    expect(e.current.phase).toBe('waiting');
    expect(e.current.lastError).toBe('offline');
    expect((await counts(db)).pending).toBe(5);
    await e.syncNow();
    expect(await counts(db)).toMatchObject({ pending: 0, synced: 5 });
    expect(await server.store.count()).toBe(5);
  });

  it('S4, S6: a response lost after the server committed: the retry is answered "duplicate", stored once', async () => {
    await capture(8);
    server.plan('drop-response');
    const e = engine();
    await e.syncNow();
    expect(await server.store.count()).toBe(8); // committed
    expect((await counts(db)).pending).toBe(8); // but never acknowledged to the tablet
    await e.syncNow();
    expect(await server.store.count()).toBe(8);
    expect(await counts(db)).toMatchObject({ pending: 0, synced: 8 });
  });

  it('S5, S7: one invalid record is quarantined with its reason; the other records sync', async () => {
    const records = await capture(3);
    const bad = makeRecord({ email: 'not-an-email' });
    await db.outbox.add({ id: bad.id, state: 'pending', record: bad, bytes: 100, day: '2026-11-24', attempts: 0 });
    await engine().syncNow();
    expect(await server.store.count()).toBe(3);
    expect(await counts(db)).toEqual({ pending: 0, quarantined: 1, synced: 3 });
    const [row] = await quarantined(db);
    expect(row.id).toBe(bad.id);
    expect(row.reason).toMatch(/payload\.signer\.email/);
    expect(row.record).toEqual(bad);
    // The three good ones are exactly what the server holds.
    expect((await server.store.list()).map((s) => s.id).sort()).toEqual(records.map((r) => r.id).sort());
  });

  it('S7, F10: a record from an older tablet whose name shows nothing or carries a direction control is set aside on the tablet with the reason, never dropped', async () => {
    const records = await capture(2);
    const invisible = makeRecord({ name: '\u200b\u180e' });
    const spoof = makeRecord({ name: 'Amina \u202eollaiD' });
    for (const bad of [invisible, spoof]) await db.outbox.add({ id: bad.id, state: 'pending', record: bad, bytes: 100, day: '2026-11-24', attempts: 0 });
    await engine().syncNow();
    expect(await counts(db)).toEqual({ pending: 0, quarantined: 2, synced: 2 });
    const aside = new Map((await quarantined(db)).map((row) => [row.id, row]));
    expect(aside.get(invisible.id)?.reason).toMatch(/payload\.signer\.name: The name must contain at least one visible letter/);
    expect(aside.get(spoof.id)?.reason).toMatch(/payload\.signer\.name: The name contains a text-direction control/);
    // Kept exactly as the signer typed it, for a coordinator to look at.
    expect(aside.get(invisible.id)?.record).toEqual(invisible);
    expect(aside.get(spoof.id)?.record).toEqual(spoof);
    expect((await server.store.list()).map((s) => s.id).sort()).toEqual(records.map((r) => r.id).sort());
  });

  it('S6: marks synced only the ids the server acknowledged', async () => {
    const records = await capture(4);
    const partial: Transport = {
      async send(batch, token) {
        const reply = await server.send(batch, token);
        if (reply.kind !== 'ok') return reply;
        // The answer covers two of the records only, plus an id the tablet never sent.
        const answered = new Set([records[0].id, records[2].id]);
        const results = reply.response.results.filter((r) => answered.has(r.id)).concat({ id: crypto.randomUUID(), status: 'accepted' });
        return { kind: 'ok', response: { ...reply.response, results } };
      },
    };
    const e = engine(partial);
    await e.syncNow();
    const synced = (await db.outbox.toArray()).filter((r) => r.state === 'synced').map((r) => r.id);
    expect(synced.sort()).toEqual([records[0].id, records[2].id].sort());
    expect((await counts(db)).pending).toBe(2);
    // The unanswered ones are retried later rather than spun on.
    expect(e.current.phase).toBe('waiting');
  });

  it('S2: a protocol mismatch blocks sync and keeps every record', async () => {
    await capture(2);
    const old: Transport = { send: async () => ({ kind: 'incompatible', message: 'Please update the app.' }) };
    const e = engine(old);
    await e.syncNow();
    expect(e.current.phase).toBe('blocked');
    expect(e.current.lastError).toBe('Please update the app.');
    expect((await counts(db)).pending).toBe(2);
  });

  it('S15, S7: a batch refused as a whole is split until the culprit stands alone, then quarantined', async () => {
    const records = await capture(8);
    const culprit = records[5].id;
    const picky: Transport = {
      async send(batch, token) {
        if (batch.records.some((r) => r.id === culprit)) return { kind: 'rejected', status: 413, message: 'too large' };
        return server.send(batch, token);
      },
    };
    await engine(picky).syncNow();
    expect(await server.store.count()).toBe(7);
    expect(await counts(db)).toEqual({ pending: 0, quarantined: 1, synced: 7 });
    expect((await quarantined(db))[0].id).toBe(culprit);
  });

  it('S16: two engines draining one queue under one lock store every record exactly once', async () => {
    await capture(60);
    let tail = Promise.resolve();
    const lock = <T,>(fn: () => Promise<T>) => {
      const run = tail.then(fn);
      tail = run.then(() => undefined, () => undefined);
      return run;
    };
    const a = new SyncEngine({ db, transport: server, credentials, maxRecords: 10, withLock: lock });
    const b = new SyncEngine({ db, transport: server, credentials, maxRecords: 10, withLock: lock });
    engines.push(a, b);
    await Promise.all([a.syncNow(), b.syncNow(), a.syncNow()]);
    expect(await server.store.count()).toBe(60);
    const sentIds = server.requests.flatMap((r) => r.records.map((x) => x.id));
    expect(new Set(sentIds).size).toBe(sentIds.length); // nothing was even sent twice
    expect((await counts(db)).synced).toBe(60);
  });

  it('S12: a refused token stops sync, keeps every record, and asks to re-enroll', async () => {
    await capture(3);
    const revoked: Transport = { send: async () => ({ kind: 'unauthorized', message: 'This tablet was revoked.' }) };
    const e = engine(revoked);
    await e.syncNow();
    expect(e.current).toMatchObject({ phase: 'blocked', needsEnrollment: true, lastError: 'This tablet was revoked.' });
    expect((await counts(db)).pending).toBe(3);
  });

  it('S25: an expired token blocks sync with its own reason, asks to re-enroll and keeps every record', async () => {
    await capture(3);
    const expired: Transport = { send: async () => ({ kind: 'unauthorized', code: 'token_expired', message: 'This tablet’s enrollment expired.' }) };
    const e = engine(expired);
    await e.syncNow();
    expect(e.current).toMatchObject({ phase: 'blocked', needsEnrollment: true, problem: 'token_expired', lastError: 'This tablet’s enrollment expired.' });
    expect((await counts(db)).pending).toBe(3);
  });

  it('S21: every batch, and the last empty one, carries what the report option adds beside the counts', async () => {
    await capture(3);
    const seen: Array<number | undefined> = [];
    const e = new SyncEngine({
      db, transport: server, credentials, maxRecords: 2, withLock: (fn) => fn(),
      report: async (status) => {
        seen.push(status.lastSyncAt);
        return { appVersion: '0.1.0+test', persisted: true, storage: { usage: 1000, quota: 9000 }, erased: 4, ...(status.lastSyncAt && { lastSyncAt: new Date(status.lastSyncAt).toISOString() }) };
      },
    });
    engines.push(e);
    await e.syncNow();
    const extras = { appVersion: '0.1.0+test', persisted: true, storage: { usage: 1000, quota: 9000 }, erased: 4 };
    expect(server.requests.map((r) => r.report)).toEqual([
      { pending: 3, quarantined: 0, ...extras },
      { pending: 1, quarantined: 0, ...extras, lastSyncAt: new Date(seen[1]!).toISOString() },
      { pending: 0, quarantined: 0, ...extras, lastSyncAt: new Date(seen[2]!).toISOString() },
    ]);
    expect(seen[0]).toBeUndefined();
    // The answer to the last, report-only batch is a sync too: the last sync moves on to it.
    expect(e.current.lastSyncAt).toBeGreaterThanOrEqual(seen[2]!);
  });

  it('S21: a report option that fails, or adds what the server would refuse, leaves the counts alone and never blocks a batch', async () => {
    await capture(2);
    let calls = 0;
    const e = new SyncEngine({
      db, transport: server, credentials, withLock: (fn) => fn(),
      report: async () => {
        if (++calls === 1) throw new Error('storage estimate failed');
        return { appVersion: 'x'.repeat(500), erased: -1 };
      },
    });
    engines.push(e);
    await e.syncNow();
    expect(server.requests.map((r) => r.report)).toEqual([{ pending: 2, quarantined: 0 }, { pending: 0, quarantined: 0 }]);
    expect(await counts(db)).toMatchObject({ pending: 0, synced: 2 });
  });

  it('S12: without an enrollment nothing is sent and records wait', async () => {
    await capture(2);
    const e = new SyncEngine({ db, transport: server, credentials: async () => undefined, withLock: (fn) => fn() });
    engines.push(e);
    await e.syncNow();
    expect(e.current).toMatchObject({ phase: 'blocked', needsEnrollment: true });
    expect(server.requests).toHaveLength(0);
    expect((await counts(db)).pending).toBe(2);
  });

  it('S10: backs off exponentially with jitter and honours Retry-After', async () => {
    await capture(1);
    const delays: number[] = [];
    const realSetTimeout = globalThis.setTimeout;
    const spy = ((fn: () => void, ms?: number) => {
      delays.push(ms ?? 0);
      return realSetTimeout(() => {}, 0);
    }) as typeof setTimeout;
    globalThis.setTimeout = spy;
    try {
      let calls = 0;
      const failing: Transport = {
        send: async () => (++calls === 3 ? { kind: 'retry', problem: 'server', reason: 'HTTP 429', retryAfterMs: 120_000 } : { kind: 'retry', problem: 'server', reason: 'HTTP 503' }),
      };
      const e = new SyncEngine({ db, transport: failing, credentials, baseBackoffMs: 1000, maxBackoffMs: 8000, random: () => 1, withLock: (fn) => fn() });
      engines.push(e);
      for (let i = 0; i < 5; i++) await e.syncNow();
      // Ceilings 1 s, 2 s, (Retry-After 120 s), 8 s, 8 s: capped, and never below Retry-After.
      expect(delays).toEqual([1000, 2000, 120_000, 8000, 8000]);
      const low = new SyncEngine({ db, transport: failing, credentials, baseBackoffMs: 1000, random: () => 0, withLock: (fn) => fn() });
      engines.push(low);
      delays.length = 0;
      await low.syncNow();
      expect(delays[0]).toBe(500); // jitter: half the step at the low end
    } finally {
      globalThis.setTimeout = realSetTimeout;
    }
  });

  it('S19: with a retention time the synced data is kept, then purged on a later sync', async () => {
    const [record] = await capture(1);
    const e = new SyncEngine({ db, transport: server, credentials, retentionMs: 50, withLock: (fn) => fn() });
    engines.push(e);
    await e.syncNow();
    expect((await db.outbox.get({ id: record.id }))?.record).toEqual(record);
    await new Promise((r) => setTimeout(r, 60));
    await e.syncNow();
    expect((await db.outbox.get({ id: record.id }))?.record).toBeUndefined();
    expect((await counts(db)).synced).toBe(1);
  });

  it('S9: sends the tablet clock so the server can flag it, and shows the flag', async () => {
    await capture(1);
    const skewed: Transport = {
      async send(batch, token) {
        expect(Date.parse(batch.sentAt!)).toBeGreaterThan(Date.now() - 60_000);
        const reply = await server.send(batch, token);
        if (reply.kind !== 'ok') return reply;
        return { kind: 'ok', response: { ...reply.response, clock: { skewMs: 3.15e10, suspect: true } } };
      },
    };
    const e = engine(skewed);
    await e.syncNow();
    expect(e.current.clockSuspect).toBe(true);
    expect((await counts(db)).synced).toBe(1);
  });
});
