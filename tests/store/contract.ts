/**
 * The Store contract (server/store/store.ts), as tests that every implementation must pass.
 * `storeContract(name, open)` registers them; tests/store/sqlite.test.ts and
 * tests/store/postgres.test.ts run them against SQLite and PostgreSQL.
 *
 * Also here: the PostgreSQL test database helper shared by the PostgreSQL test files (a fresh
 * schema per file, on FIELDSIGN_TEST_PG_URL; unreachable PostgreSQL fails, never skips).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordHash } from '../../server/ingest.ts';
import { describeDb } from '../../server/store/open.ts';
import { PostgresStore } from '../../server/store/postgres.ts';
import { POSTGRES_RELEASE_MIGRATIONS as PG_MIGRATIONS, SQLITE_RELEASE_MIGRATIONS as SQLITE_MIGRATIONS } from '../../server/store/release-migrations.ts';
import { SqliteStore } from '../../server/store/sqlite.ts';
import type { IngestItem, IngestOutcome, Store } from '../../server/store/store.ts';
import type { SignatureRecord } from '../../src/shared/protocol.ts';
import { nextChain, type RecordChain } from '../../src/shared/chain.ts';
import { makeRecord } from '../helpers/records.ts';

/**
 * A contract test an implementation is known to fail, with the reason on record. Such a
 * test runs as `it.fails`, so it starts failing loudly the day the gap is closed.
 */
export type KnownGap =
  /** Search and duplicate flags fold only ASCII case (SQLite's lower() and LIKE). */
  | 'unicode-case-folding'
  /** A search query holding U+0000 is cut there (SQLite's LIKE reads C strings), so "\0" matches everything. */
  | 'nul-in-search';

export interface ContractOptions {
  /** Another store on the database of the latest `open()`, as a second server process would open it. */
  openSecond?: () => Promise<Store>;
  knownGaps?: KnownGap[];
}

const T0 = '2026-11-24T09:15:00.000Z';
const T1 = '2026-11-24T11:59:59.999Z';
const LATER = '2026-11-25T09:00:00.000Z';

/** An ingestion item with the record's real content hash. */
function item(record: SignatureRecord, clockSuspect = false): IngestItem {
  return { record, hash: recordHash(record), clockSuspect };
}

/** The same id with other content (another name). */
function altered(record: SignatureRecord, name = 'Someone Else'): SignatureRecord {
  if (record.payload.kind !== 'plain') throw new Error('plain records only');
  return { ...record, payload: { ...record.payload, signer: { ...record.payload.signer, name } } };
}

/** A record with a typed signature instead of ink (small). */
function typedRecord(overrides: Parameters<typeof makeRecord>[0] = {}): SignatureRecord {
  const record = makeRecord(overrides);
  if (record.payload.kind !== 'plain') return record;
  const { ink: _ink, ...payload } = record.payload;
  return { ...record, payload: { ...payload, typed: { name: payload.signer.name, attestation: `I, ${payload.signer.name}, sign.` } } };
}

function sealedRecord(deviceId = 'device-test'): SignatureRecord {
  return { ...makeRecord({ deviceId }), payload: { kind: 'sealed', alg: 'RSA-OAEP-256+A256GCM', keyId: 'k1', wrappedKey: 'AAAA', iv: 'BBBB', ciphertext: 'CCCC' } };
}

export function withSigner(record: SignatureRecord, signer: Partial<Extract<SignatureRecord['payload'], { kind: 'plain' }>['signer']>): SignatureRecord {
  if (record.payload.kind !== 'plain') throw new Error('plain records only');
  const merged = { ...record.payload.signer, ...signer };
  for (const key of Object.keys(merged) as Array<keyof typeof merged>) if (merged[key] === undefined) delete merged[key];
  return { ...record, payload: { ...record.payload, signer: merged } };
}

/** `n` records captured in order on `device`, each carrying its chain field (S23). */
async function chainedRecords(device: string, n: number): Promise<SignatureRecord[]> {
  const records: SignatureRecord[] = [];
  let head: RecordChain | undefined;
  for (let i = 0; i < n; i++) {
    const record = makeRecord({ deviceId: device });
    head = await nextChain(record, head);
    records.push({ ...record, chain: head });
  }
  return records;
}

/** SQL storing `record` as the schema of migrations 1–3 holds it (the same on both stores). */
function storedRowSql(record: SignatureRecord): string {
  const text = (v: string) => `'${v.replaceAll("'", "''")}'`;
  return `INSERT INTO signatures (id, device_id, campaign_id, captured_at, received_at, content_hash, record)
          VALUES (${[record.id, record.deviceId, record.campaignId, record.capturedAt, T0, recordHash(record), JSON.stringify(record)].map(text).join(', ')})`;
}

/** The schema version before tombstones kept chain places. */
const PREVIOUS_SCHEMA = 3;

/**
 * A database of the same kind as `current`, left at the previous schema version by an older
 * server and holding what `seed` (SQL statements) put there, then opened by this store, which
 * migrates it: a new file for SQLite, a schema of its own for PostgreSQL.
 */
async function openAtPreviousSchema(current: Store, seed: string[]): Promise<{ store: Store; close(): Promise<void> }> {
  if (current instanceof SqliteStore) {
    const dir = mkdtempSync(join(tmpdir(), 'fieldsign-legacy-'));
    const path = join(dir, 'legacy.db');
    const db = new DatabaseSync(path);
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    for (let version = 1; version <= PREVIOUS_SCHEMA; version++) {
      db.exec(SQLITE_MIGRATIONS[version - 1]);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, T0);
    }
    for (const sql of seed) db.exec(sql);
    db.close();
    const store = new SqliteStore(path);
    return {
      store,
      async close() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (current instanceof PostgresStore) {
    const legacy = await pgTestSchema('legacy');
    const pool = new pg.Pool({ connectionString: legacy.url, max: 1 });
    try {
      await pool.query('CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at text NOT NULL)');
      for (let version = 1; version <= PREVIOUS_SCHEMA; version++) {
        await pool.query(PG_MIGRATIONS[version - 1]);
        await pool.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [version, T0]);
      }
      for (const sql of seed) await pool.query(sql);
    } finally {
      await pool.end();
    }
    const store = await PostgresStore.open(legacy.url);
    return {
      store,
      async close() {
        await store.close();
        await legacy.drop();
      },
    };
  }
  throw new Error('openAtPreviousSchema: teach it how this store builds an older database.');
}

export function storeContract(name: string, open: () => Promise<Store>, cleanup?: () => Promise<void>, options: ContractOptions = {}): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    const others: Store[] = [];
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      for (const other of others.splice(0)) await other.close();
      await store.close();
    });
    if (cleanup) afterAll(cleanup);

    const gapIt = (gap: KnownGap, title: string, fn: () => Promise<void>) =>
      options.knownGaps?.includes(gap) ? it.fails(`${title} [known gap in ${name}: ${gap}]`, fn) : it(title, fn);
    const second = async (): Promise<Store> => {
      const other = await options.openSecond!();
      others.push(other);
      return other;
    };
    const itWithSecond = options.openSecond ? it : it.skip;

    /** Enroll a device through a fresh code; returns its id. */
    async function enrollDevice(s: Store, event: string, label: string | null, at = T0, tokenHash: string = randomUUID()): Promise<string> {
      const codeHash = randomUUID();
      await s.createEnrollmentCode({ codeHash, event, createdAt: at, expiresAt: '2099-01-01T00:00:00.000Z' });
      const id = randomUUID();
      const result = await s.redeemEnrollmentCode(codeHash, at, { id, tokenHash, label });
      if (!result.ok) throw new Error(`enrollment failed: ${result.reason}`);
      return id;
    }

    describe('ingest', () => {
      it('S3, S5: stores new records in request order and answers accepted for each', async () => {
        const records = [makeRecord(), makeRecord(), makeRecord()];
        expect(await store.ingest(records.map((r) => item(r)), T0, 'sync')).toEqual(['accepted', 'accepted', 'accepted']);
        expect(await store.count()).toBe(3);
        const listed = await store.list();
        expect(listed.map((s) => s.id)).toEqual(records.map((r) => r.id));
        expect(listed[0].seq).toBeLessThan(listed[1].seq);
        expect(listed[1].seq).toBeLessThan(listed[2].seq);
        expect(listed[0]).toEqual({
          seq: expect.any(Number),
          id: records[0].id,
          deviceId: records[0].deviceId,
          campaignId: records[0].campaignId,
          capturedAt: records[0].capturedAt,
          receivedAt: T0,
          clockSuspect: false,
          source: 'sync',
          record: records[0],
          // makeRecord's campaign (protect-defenders, version 1) is published in every new store.
          versionProblem: null,
        });
      });

      it('keeps every string exactly as given: offsets in times, odd characters, JSON key order', async () => {
        const base = makeRecord({ name: 'Zoë Ñúñez 李小龙 محمد 🙂' });
        const typed: SignatureRecord = {
          ...base,
          capturedAt: '2026-11-24T13:00:00.5+01:00',
          lang: 'ar',
          // A valid record may hold U+0000 and lone surrogates in its free text: stored as is.
          payload: { kind: 'plain', signer: (base.payload as Extract<SignatureRecord['payload'], { kind: 'plain' }>).signer, typed: { name: 'Zoë', attestation: 'I sign.\u0000 \ud800 \u202e end' } },
        };
        const sealed: SignatureRecord = { ...sealedRecord(), payload: { ...(sealedRecord().payload as object), alg: 'x\u0000y', keyId: '\udc00' } as SignatureRecord['payload'] };
        expect(await store.ingest([item(typed), item(sealed, true)], '2026-11-24T12:00:00Z', 'import')).toEqual(['accepted', 'accepted']);
        for (const record of [typed, sealed]) {
          const stored = await store.getSignature(record.id);
          expect(stored?.record).toEqual(record);
          expect(JSON.stringify(stored?.record)).toBe(JSON.stringify(record));
          expect(stored?.capturedAt).toBe(record.capturedAt);
          expect(stored?.receivedAt).toBe('2026-11-24T12:00:00Z');
          expect(stored?.source).toBe('import');
        }
        expect((await store.getSignature(sealed.id))?.clockSuspect).toBe(true);
        expect((await store.getSignature(typed.id))?.clockSuspect).toBe(false);
        // Queries over such rows still work.
        expect((await store.searchSignatures({ q: 'zoë' })).rows.map((r) => r.id)).toEqual([typed.id]);
        expect((await store.totals()).total).toBe(2);
        expect(await store.duplicateIds([typed.id, sealed.id])).toEqual(new Set());
        // Same content again is recognised as such.
        expect(await store.ingest([item(typed), item(sealed)], T1, 'sync')).toEqual(['duplicate', 'duplicate']);
      });

      it('S4: the same id with the same hash is a duplicate and writes nothing', async () => {
        const record = makeRecord();
        await store.ingest([item(record)], T0, 'sync');
        expect(await store.ingest([item(record)], T1, 'import')).toEqual(['duplicate']);
        // Content identity is the hash the caller gives (it leaves deviceId out): a re-enrolled tablet's copy is a duplicate.
        expect(await store.ingest([{ ...item(record), record: { ...record, deviceId: 'device-new' } }], T1, 'sync')).toEqual(['duplicate']);
        expect(await store.count()).toBe(1);
        expect(await store.conflictCount()).toBe(0);
        const [stored] = await store.list();
        expect(stored).toMatchObject({ receivedAt: T0, source: 'sync', deviceId: record.deviceId, record });
      });

      it('S4: the same id with other content is a conflict: the stored copy stays, each other copy is set aside', async () => {
        const record = makeRecord({ name: 'First Copy' });
        await store.ingest([item(record)], T0, 'sync');
        const other = altered(record, 'Second Copy');
        expect(await store.ingest([item(other)], T1, 'sync')).toEqual(['conflict']);
        expect(await store.ingest([item(other)], T1, 'sync')).toEqual(['conflict']);
        expect(await store.conflictCount()).toBe(2);
        expect(await store.count()).toBe(1);
        expect((await store.getSignature(record.id))?.record).toEqual(record);
        expect(await store.ingest([item(record)], T1, 'sync')).toEqual(['duplicate']);
        expect(await store.conflictCount()).toBe(2);
      });

      it('S5: answers each record of a mixed batch in request order', async () => {
        const stored = makeRecord();
        await store.ingest([item(stored)], T0, 'sync');
        const [a, b] = [makeRecord(), makeRecord()];
        expect(await store.ingest([item(a), item(stored), item(altered(stored)), item(b)], T1, 'sync')).toEqual(['accepted', 'duplicate', 'conflict', 'accepted']);
        expect((await store.list()).map((s) => s.id)).toEqual([stored.id, a.id, b.id]);
        expect(await store.conflictCount()).toBe(1);
      });

      it('one id twice in one batch: the first is accepted, the second a duplicate or a conflict', async () => {
        const [a, b] = [makeRecord(), makeRecord()];
        expect(await store.ingest([item(a), item(a), item(b), item(altered(b))], T0, 'sync')).toEqual(['accepted', 'duplicate', 'accepted', 'conflict']);
        expect(await store.count()).toBe(2);
        expect(await store.conflictCount()).toBe(1);
        expect((await store.getSignature(b.id))?.record).toEqual(b);
      });

      it('an empty batch answers nothing and stores nothing', async () => {
        expect(await store.ingest([], T0, 'sync')).toEqual([]);
        expect(await store.count()).toBe(0);
      });

      it('S8: a batch that fails part-way stores none of its records', async () => {
        const [good, bad] = [makeRecord(), makeRecord()];
        await expect(store.ingest([item(good), { ...item(bad), hash: null as unknown as string }], T0, 'sync')).rejects.toThrow();
        expect(await store.count()).toBe(0);
        expect(await store.ingest([item(good)], T0, 'sync')).toEqual(['accepted']);
      });
    });

    describe('deletion on a data-subject request', () => {
      it('deletes the signature and leaves a tombstone: sent again it is a duplicate and never comes back', async () => {
        const [record, kept] = [makeRecord({ name: 'Erase Me' }), makeRecord()];
        await store.ingest([item(record), item(kept)], T0, 'sync');
        expect(await store.deleteSignature(record.id, T1)).toBe(true);
        expect(await store.count()).toBe(1);
        expect(await store.getSignature(record.id)).toBeUndefined();
        expect((await store.list()).map((s) => s.id)).toEqual([kept.id]);
        expect((await store.searchSignatures({ q: 'erase' })).total).toBe(0);
        expect(await store.ingest([item(record), item(altered(record))], LATER, 'sync')).toEqual(['duplicate', 'duplicate']);
        expect(await store.ingest([item(record)], LATER, 'import')).toEqual(['duplicate']);
        expect(await store.count()).toBe(1);
        expect(await store.conflictCount()).toBe(0);
        expect(await store.getSignature(record.id)).toBeUndefined();
      });

      it('answers false for an id that is not stored, or already deleted', async () => {
        const record = makeRecord();
        expect(await store.deleteSignature(record.id, T0)).toBe(false);
        // Never stored: no tombstone, so it can still arrive.
        expect(await store.ingest([item(record)], T0, 'sync')).toEqual(['accepted']);
        expect(await store.deleteSignature(record.id, T1)).toBe(true);
        expect(await store.deleteSignature(record.id, T1)).toBe(false);
      });

      it('S20: the tombstone keeps the deleted record\'s place in its chain (device, seq, link), and nothing personal', async () => {
        const chain = await chainedRecords('tablet-b', 3);
        const other = await chainedRecords('tablet-a', 2);
        const unchained = makeRecord({ name: 'No Chain' });
        await store.ingest([...chain, ...other, unchained].map((r) => item(r)), T0, 'sync');
        expect(await store.deletedChainPlaces()).toEqual([]);
        expect(await store.deleteSignature(chain[1].id, T1)).toBe(true);
        expect(await store.deleteSignature(other[0].id, LATER)).toBe(true);
        expect(await store.deleteSignature(unchained.id, T1)).toBe(true);
        expect(await store.deleteSignature(chain[1].id, LATER)).toBe(false); // already deleted: the first place and time stay
        const place = (r: SignatureRecord, deletedAt: string) => ({ id: r.id, device: r.chain!.device, seq: r.chain!.seq, link: r.chain!.link, deletedAt });
        // Ordered by device, then seq; the unchained record has no place to keep.
        expect(await store.deletedChainPlaces()).toEqual([place(other[0], LATER), place(chain[1], T1)]);
        expect(JSON.stringify(await store.deletedChainPlaces())).not.toContain('Signer');
        // Still a tombstone like any other: sent again, it is a duplicate and never comes back.
        expect(await store.ingest([item(chain[1]), item(unchained)], LATER, 'sync')).toEqual(['duplicate', 'duplicate']);
        expect(await store.count()).toBe(3);
      });

      it('S20: a database upgraded from the previous schema keeps its tombstones; new deletions keep their place', async () => {
        const [chained, old] = await chainedRecords('tablet-c', 2);
        const oldTombstone = makeRecord();
        const legacy = await openAtPreviousSchema(store, [
          `INSERT INTO deleted_signatures (id, deleted_at) VALUES ('${oldTombstone.id}', '${T0}')`,
          storedRowSql(chained),
          storedRowSql(old),
        ]);
        try {
          const upgraded = legacy.store;
          // The old tombstone still keeps its id out, and has no place to report.
          expect(await upgraded.ingest([item(oldTombstone)], T1, 'sync')).toEqual(['duplicate']);
          expect(await upgraded.getSignature(oldTombstone.id)).toBeUndefined();
          expect(await upgraded.deletedChainPlaces()).toEqual([]);
          // A signature stored before the upgrade, deleted after it, keeps its place.
          expect((await upgraded.list()).map((s) => s.id)).toEqual([chained.id, old.id]);
          expect(await upgraded.deleteSignature(chained.id, T1)).toBe(true);
          expect(await upgraded.deletedChainPlaces()).toEqual([{ id: chained.id, device: 'tablet-c', seq: 0, link: chained.chain!.link, deletedAt: T1 }]);
          expect(await upgraded.ingest([item(chained)], LATER, 'sync')).toEqual(['duplicate']);
        } finally {
          await legacy.close();
        }
      });

      it('removes the conflicting copies set aside for that id', async () => {
        const [record, other] = [makeRecord(), makeRecord()];
        await store.ingest([item(record), item(other)], T0, 'sync');
        await store.ingest([item(altered(record)), item(altered(other))], T1, 'sync');
        expect(await store.conflictCount()).toBe(2);
        await store.deleteSignature(record.id, T1);
        expect(await store.conflictCount()).toBe(1);
      });
    });

    describe('several stores on one database (several server processes)', () => {
      itWithSecond('a second store sees what the first wrote, tombstones included', async () => {
        const [record, erased] = [makeRecord(), makeRecord()];
        await store.ingest([item(record), item(erased)], T0, 'sync');
        await store.deleteSignature(erased.id, T1);
        await store.createCoordinator({ id: 'c1', email: 'ana@example.org', name: 'Ana', passwordHash: 'h', createdAt: T0 });
        const other = await second();
        expect(await other.count()).toBe(1);
        expect(await other.ingest([item(record), item(erased)], LATER, 'sync')).toEqual(['duplicate', 'duplicate']);
        expect((await other.coordinatorByEmail('ana@example.org'))?.name).toBe('Ana');
      });

      itWithSecond('S3: the same batches sent to two stores at once are stored once, accepted by exactly one', async () => {
        const other = await second();
        const batches = Array.from({ length: 6 }, () => Array.from({ length: 25 }, () => typedRecord()));
        const answers = await Promise.all(batches.flatMap((b) => [store.ingest(b.map((r) => item(r)), T0, 'sync'), other.ingest(b.map((r) => item(r)), T1, 'sync')]));
        batches.forEach((b, i) => {
          b.forEach((_r, j) => expect([answers[2 * i][j], answers[2 * i + 1][j]].sort()).toEqual(['accepted', 'duplicate']));
        });
        expect(await store.count()).toBe(150);
        expect(await store.conflictCount()).toBe(0);
        expect(new Set((await other.list()).map((s) => s.id)).size).toBe(150);
      });

      itWithSecond('overlapping batches in opposite orders both complete, each record accepted once', async () => {
        const other = await second();
        for (let round = 0; round < 5; round++) {
          const records = Array.from({ length: 30 }, () => typedRecord());
          const [a, b] = await Promise.all([
            store.ingest(records.map((r) => item(r)), T0, 'sync'),
            other.ingest([...records].reverse().map((r) => item(r)), T0, 'sync'),
          ]);
          const bForward = [...b].reverse();
          records.forEach((_r, i) => expect([a[i], bForward[i]].sort()).toEqual(['accepted', 'duplicate']));
        }
        expect(await store.count()).toBe(150);
      });

      itWithSecond('two different copies of one id at once: one is accepted, the other is a conflict', async () => {
        const other = await second();
        for (let round = 0; round < 5; round++) {
          const record = typedRecord();
          const answers: IngestOutcome[][] = await Promise.all([store.ingest([item(record)], T0, 'sync'), other.ingest([item(altered(record))], T0, 'sync')]);
          expect(answers.flat().sort()).toEqual(['accepted', 'conflict']);
        }
        expect(await store.count()).toBe(5);
        expect(await store.conflictCount()).toBe(5);
      });

      itWithSecond('a deletion racing a re-send never brings the signature back', async () => {
        const other = await second();
        for (let round = 0; round < 5; round++) {
          const record = typedRecord();
          await store.ingest([item(record)], T0, 'sync');
          const [deleted, answer] = await Promise.all([store.deleteSignature(record.id, T1), other.ingest([item(record)], T1, 'sync')]);
          expect(deleted).toBe(true);
          expect(answer).toEqual(['duplicate']);
          expect(await other.getSignature(record.id)).toBeUndefined();
        }
        expect(await store.count()).toBe(0);
      });

      itWithSecond('S13: one code redeemed through two stores at once enrolls one device', async () => {
        const other = await second();
        for (let round = 0; round < 5; round++) {
          const codeHash = randomUUID();
          await store.createEnrollmentCode({ codeHash, event: 'Rally', createdAt: T0, expiresAt: LATER });
          const results = await Promise.all([
            store.redeemEnrollmentCode(codeHash, T1, { id: randomUUID(), tokenHash: randomUUID(), label: null }),
            other.redeemEnrollmentCode(codeHash, T1, { id: randomUUID(), tokenHash: randomUUID(), label: null }),
          ]);
          expect(results.map((r) => (r.ok ? 'ok' : r.reason)).sort()).toEqual(['ok', 'used']);
        }
        expect(await store.listDevices()).toHaveLength(5);
      });
    });

    describe('enrollment codes', () => {
      it('S13: a code enrolls one device, once', async () => {
        await store.createEnrollmentCode({ codeHash: 'code-1', event: 'Nairobi march', createdAt: T0, expiresAt: LATER });
        const result = await store.redeemEnrollmentCode('code-1', T1, { id: 'dev-1', tokenHash: 'token-1', label: 'Tablet 1' });
        const device = { id: 'dev-1', event: 'Nairobi march', label: 'Tablet 1', enrolledAt: T1, revokedAt: null, lastSeenAt: null, lastReport: null, campaigns: null };
        expect(result).toEqual({ ok: true, device });
        expect(await store.listDevices()).toEqual([device]);
        expect(await store.deviceByTokenHash('token-1')).toEqual(device);
        expect(await store.redeemEnrollmentCode('code-1', T1, { id: 'dev-2', tokenHash: 'token-2', label: null })).toEqual({ ok: false, reason: 'used' });
        expect(await store.listDevices()).toHaveLength(1);
        expect(await store.deviceByTokenHash('token-2')).toBeUndefined();
      });

      it('S13: an unknown code is refused and writes nothing', async () => {
        expect(await store.redeemEnrollmentCode('nope', T0, { id: 'dev-1', tokenHash: 'token-1', label: null })).toEqual({ ok: false, reason: 'unknown' });
        expect(await store.redeemEnrollmentCode('nul\u0000code', T0, { id: 'dev-1', tokenHash: 'token-1', label: null })).toEqual({ ok: false, reason: 'unknown' });
        expect(await store.listDevices()).toEqual([]);
      });

      it('S13: a code expires at its expiry time; an expired one writes nothing', async () => {
        await store.createEnrollmentCode({ codeHash: 'code-1', event: 'Rally', createdAt: T0, expiresAt: T1 });
        expect(await store.redeemEnrollmentCode('code-1', T1, { id: 'dev-1', tokenHash: 'token-1', label: null })).toEqual({ ok: false, reason: 'expired' });
        expect(await store.redeemEnrollmentCode('code-1', LATER, { id: 'dev-1', tokenHash: 'token-1', label: null })).toEqual({ ok: false, reason: 'expired' });
        expect(await store.listDevices()).toEqual([]);
        expect((await store.redeemEnrollmentCode('code-1', '2026-11-24T11:59:59.998Z', { id: 'dev-1', tokenHash: 'token-1', label: null })).ok).toBe(true);
      });

      it('S13: a used code that has since expired is reported as used', async () => {
        await store.createEnrollmentCode({ codeHash: 'code-1', event: 'Rally', createdAt: T0, expiresAt: T1 });
        await store.redeemEnrollmentCode('code-1', T0, { id: 'dev-1', tokenHash: 'token-1', label: null });
        expect(await store.redeemEnrollmentCode('code-1', LATER, { id: 'dev-2', tokenHash: 'token-2', label: null })).toEqual({ ok: false, reason: 'used' });
      });

      it('S13: redeeming is atomic: when the device cannot be created the code stays unused', async () => {
        await store.createEnrollmentCode({ codeHash: 'code-1', event: 'Rally', createdAt: T0, expiresAt: LATER });
        await store.createEnrollmentCode({ codeHash: 'code-2', event: 'Rally', createdAt: T0, expiresAt: LATER });
        await store.redeemEnrollmentCode('code-1', T0, { id: 'dev-1', tokenHash: 'token-1', label: null });
        // Same token hash as dev-1: the device row cannot be created.
        await expect(store.redeemEnrollmentCode('code-2', T0, { id: 'dev-2', tokenHash: 'token-1', label: null })).rejects.toThrow();
        expect(await store.listDevices()).toHaveLength(1);
        expect((await store.redeemEnrollmentCode('code-2', T1, { id: 'dev-2', tokenHash: 'token-2', label: null })).ok).toBe(true);
        expect((await store.listDevices()).map((d) => d.id)).toEqual(['dev-1', 'dev-2']);
      });
    });

    describe('devices', () => {
      it('S11: finds a device by its token hash, revoked or not; unknown tokens find nothing', async () => {
        const id = await enrollDevice(store, 'Rally', 'Tablet 3', T0, 'token-hash');
        expect(await store.deviceByTokenHash('token-hash')).toEqual({ id, event: 'Rally', label: 'Tablet 3', enrolledAt: T0, revokedAt: null, lastSeenAt: null, lastReport: null, campaigns: null });
        expect(await store.deviceByTokenHash('other')).toBeUndefined();
        expect(await store.revokeDevice(id, T1)).toBe(true);
        expect((await store.deviceByTokenHash('token-hash'))?.revokedAt).toBe(T1);
      });

      it('records contact and the tablet’s report; revoking keeps the first revocation time', async () => {
        const id = await enrollDevice(store, 'Rally', null, T0, 'token-hash');
        await store.touchDevice(id, T1);
        await store.reportDevice(id, { pending: 12, quarantined: 1, at: T1 });
        expect(await store.deviceByTokenHash('token-hash')).toMatchObject({ lastSeenAt: T1, lastReport: { pending: 12, quarantined: 1, at: T1 } });
        await store.reportDevice(id, { pending: 0, quarantined: 0, at: LATER });
        expect((await store.deviceByTokenHash('token-hash'))?.lastReport).toEqual({ pending: 0, quarantined: 0, at: LATER });
        expect(await store.revokeDevice(id, T1)).toBe(true);
        expect(await store.revokeDevice(id, LATER)).toBe(true);
        expect((await store.listDevices())[0].revokedAt).toBe(T1);
        expect(await store.revokeDevice('no-such-device', T1)).toBe(false);
        await store.touchDevice('no-such-device', T1);
        await store.reportDevice('no-such-device', { pending: 1, quarantined: 0, at: T1 });
        expect(await store.listDevices()).toHaveLength(1);
      });

      it('S21: keeps every fact a tablet reports, and answers with the report it replaced', async () => {
        const id = await enrollDevice(store, 'Rally', 'Tablet 7', T0, 'token-hash');
        const full = {
          pending: 3, quarantined: 1, at: T1, persisted: false, storage: { usage: 12_345_678, quota: 2_000_000_000 },
          appVersion: '0.1.0+abc1234', lastSyncAt: '2026-11-24T11:58:00.000+01:00', erased: 2,
        };
        expect(await store.reportDevice(id, full)).toBeNull();
        expect((await store.deviceByTokenHash('token-hash'))?.lastReport).toEqual(full);
        const next = { ...full, pending: 0, quarantined: 0, at: LATER, persisted: true, erased: 5, lastSyncAt: '2026-11-25T08:59:00.000Z' };
        expect(await store.reportDevice(id, next)).toEqual(full);
        expect((await store.listDevices())[0].lastReport).toEqual(next);
        expect(await store.reportDevice('no-such-device', full)).toBeNull();
      });

      it('S21: the erase total and the last sync never go back: a late or retried report cannot lower them', async () => {
        const id = await enrollDevice(store, 'Rally', null, T0, 'token-hash');
        await store.reportDevice(id, { pending: 4, quarantined: 0, at: T1, erased: 3, lastSyncAt: T1 });
        // An older report arriving late (a retried batch): its counts are the latest word, its totals are not.
        const previous = await store.reportDevice(id, { pending: 6, quarantined: 1, at: LATER, erased: 1, lastSyncAt: T0 });
        expect(previous).toMatchObject({ erased: 3, lastSyncAt: T1 });
        expect((await store.deviceByTokenHash('token-hash'))?.lastReport).toEqual({ pending: 6, quarantined: 1, at: LATER, erased: 3, lastSyncAt: T1 });
        // A report without the optional facts keeps the totals too.
        await store.reportDevice(id, { pending: 0, quarantined: 0, at: LATER });
        expect((await store.deviceByTokenHash('token-hash'))?.lastReport).toEqual({ pending: 0, quarantined: 0, at: LATER, erased: 3, lastSyncAt: T1 });
      });

      itWithSecond('S21: two servers saving reports of one tablet at once: each increase of the erase total is seen once', async () => {
        const id = await enrollDevice(store, 'Rally', null, T0, 'token-hash');
        const other = await second();
        const reports = Array.from({ length: 8 }, (_, i) => ({ pending: 0, quarantined: 0, at: T1, erased: 4 + (i % 2) }));
        const previous = await Promise.all(reports.map((r, i) => (i % 2 ? other : store).reportDevice(id, r)));
        // Each save saw the one before it, so the increases add up to the total exactly (5), never more.
        const increases = reports.map((r, i) => Math.max(0, r.erased - (previous[i]?.erased ?? 0))).reduce((a, b) => a + b, 0);
        expect(increases).toBe(5);
        expect((await store.listDevices())[0].lastReport?.erased).toBe(5);
      });

      it('lists devices in enrollment order', async () => {
        expect(await store.listDevices()).toEqual([]);
        const late = await enrollDevice(store, 'B', null, LATER);
        const early = await enrollDevice(store, 'A', null, T0);
        const middle = await enrollDevice(store, 'C', 'Tablet', T1);
        expect((await store.listDevices()).map((d) => d.id)).toEqual([early, middle, late]);
      });
    });

    describe('coordinators and sessions', () => {
      const ana = { id: 'c-ana', email: 'ana@example.org', name: 'Ana', passwordHash: 'scrypt$…', createdAt: T0 };

      it('creates a coordinator once per email and finds them by email', async () => {
        expect(await store.createCoordinator(ana)).toBe(true);
        expect(await store.createCoordinator({ ...ana, id: 'c-other', name: 'Other' })).toBe(false);
        expect(await store.coordinatorByEmail('ana@example.org')).toEqual({ id: 'c-ana', email: 'ana@example.org', name: 'Ana', passwordHash: 'scrypt$…' });
        expect(await store.coordinatorByEmail('nobody@example.org')).toBeUndefined();
        expect(await store.coordinatorByEmail('ana@example.org\u0000')).toBeUndefined();
      });

      it('finds a session until it expires, and not after it is deleted', async () => {
        await store.createCoordinator(ana);
        await store.createSession({ idHash: 's1', coordinatorId: 'c-ana', csrfToken: 'csrf-1', createdAt: T0, expiresAt: T1 });
        const session = { coordinator: { id: 'c-ana', email: 'ana@example.org', name: 'Ana' }, csrfToken: 'csrf-1', expiresAt: T1 };
        expect(await store.sessionByIdHash('s1', T0)).toEqual(session);
        expect(await store.sessionByIdHash('s1', '2026-11-24T11:59:59.998Z')).toEqual(session);
        expect(await store.sessionByIdHash('s1', T1)).toBeUndefined();
        expect(await store.sessionByIdHash('s2', T0)).toBeUndefined();
        await store.deleteSession('s1');
        expect(await store.sessionByIdHash('s1', T0)).toBeUndefined();
        await store.deleteSession('never-existed');
      });

      it('purges expired sessions when a new one is created', async () => {
        await store.createCoordinator(ana);
        await store.createSession({ idHash: 'old', coordinatorId: 'c-ana', csrfToken: 'a', createdAt: T0, expiresAt: T1 });
        await store.createSession({ idHash: 'live', coordinatorId: 'c-ana', csrfToken: 'b', createdAt: T0, expiresAt: LATER });
        await store.createSession({ idHash: 'new', coordinatorId: 'c-ana', csrfToken: 'c', createdAt: T1, expiresAt: LATER });
        // Asked with a time before its expiry, the old session is gone all the same.
        expect(await store.sessionByIdHash('old', T0)).toBeUndefined();
        expect((await store.sessionByIdHash('live', T0))?.csrfToken).toBe('b');
        expect((await store.sessionByIdHash('new', T1))?.csrfToken).toBe('c');
      });

      it('refuses a session for an unknown coordinator', async () => {
        await expect(store.createSession({ idHash: 's', coordinatorId: 'nobody', csrfToken: 'x', createdAt: T0, expiresAt: T1 })).rejects.toThrow();
      });
    });

    describe('audit log', () => {
      it('lists entries newest first, with their details, up to a limit (default 200)', async () => {
        await store.audit({ at: T0, actor: 'ana@example.org', action: 'login', detail: {} });
        await store.audit({ at: T1, actor: 'ana@example.org', action: 'delete-signature', detail: { id: 'x', nested: { n: 1, list: [true, null, 'é'] } } });
        await store.audit({ at: T1, actor: 'cli', action: 'create-coordinator', detail: { email: 'b@example.org' } });
        const log = await store.auditLog();
        expect(log.map((e) => e.action)).toEqual(['create-coordinator', 'delete-signature', 'login']);
        expect(log[1]).toEqual({ seq: expect.any(Number), at: T1, actor: 'ana@example.org', action: 'delete-signature', detail: { id: 'x', nested: { n: 1, list: [true, null, 'é'] } } });
        expect(log[0].seq).toBeGreaterThan(log[1].seq);
        expect(log[1].seq).toBeGreaterThan(log[2].seq);
        expect((await store.auditLog(2)).map((e) => e.action)).toEqual(['create-coordinator', 'delete-signature']);
        for (let i = 0; i < 200; i++) await store.audit({ at: LATER, actor: 'cli', action: `a${i}`, detail: { i } });
        const full = await store.auditLog();
        expect(full).toHaveLength(200);
        expect(full[0].action).toBe('a199');
      });
    });

    describe('totals', () => {
      it('an empty database has empty totals', async () => {
        expect(await store.totals()).toEqual({ total: 0, byEvent: [], byDevice: [], byCountry: [], hourly: [] });
      });

      it('counts by event, device, country and hour, biggest first (hours oldest first), as numbers', async () => {
        const nairobi = await enrollDevice(store, 'Nairobi march', 'Tablet 1');
        const lyon = await enrollDevice(store, 'Lyon rally', null);
        const fromNairobi = [
          makeRecord({ deviceId: nairobi }),
          withSigner(makeRecord({ deviceId: nairobi }), { country: 'KE' }),
          makeRecord({ deviceId: nairobi }),
        ];
        const fromLyon = [makeRecord({ deviceId: lyon }), withSigner(makeRecord({ deviceId: lyon }), { country: undefined })];
        // The later hour arrives first: hours are sorted, not listed in arrival order.
        await store.ingest([item(fromNairobi[0]), item(fromLyon[1])], T1, 'sync');
        await store.ingest([...fromNairobi.slice(1), fromLyon[0]].map((r) => item(r)), T0, 'sync');
        await store.ingest([item(sealedRecord('imported-tablet'))], T0, 'import');
        expect(await store.totals()).toEqual({
          total: 6,
          byEvent: [
            { event: 'Nairobi march', count: 3 },
            { event: 'Lyon rally', count: 2 },
            { event: '(imported or unknown)', count: 1 },
          ],
          byDevice: [
            { deviceId: nairobi, label: 'Tablet 1', count: 3 },
            { deviceId: lyon, label: null, count: 2 },
            { deviceId: 'imported-tablet', label: null, count: 1 },
          ],
          byCountry: [
            { country: 'FR', count: 3 },
            { country: '', count: 2 },
            { country: 'KE', count: 1 },
          ],
          hourly: [
            { hour: '2026-11-24T09:00:00Z', count: 4 },
            { hour: '2026-11-24T11:00:00Z', count: 2 },
          ],
        });
      });
    });

    describe('search', () => {
      async function seed(): Promise<SignatureRecord[]> {
        const records = [
          makeRecord({ name: 'Nadia Murad', email: 'nadia@example.org' }),
          makeRecord({ name: 'Malala Yousafzai', email: 'malala@example.org' }),
          makeRecord({ name: '100% Real_Name', email: 'percent@example.org' }),
          makeRecord({ name: 'Back\\Slash', email: 'slash@example.org' }),
          makeRecord({ name: 'Hundred Real', email: 'hundred_real@example.org' }),
        ];
        await store.ingest(records.map((r) => item(r)), T0, 'sync');
        return records;
      }
      const ids = (result: { rows: Array<{ id: string }> }) => result.rows.map((r) => r.id);

      it('matches name, email or id, ignoring case, newest first', async () => {
        const [nadia, malala, percent, slash, hundred] = await seed();
        expect(ids(await store.searchSignatures({ q: 'NADIA' }))).toEqual([nadia.id]);
        expect(ids(await store.searchSignatures({ q: 'malala@' }))).toEqual([malala.id]);
        expect(ids(await store.searchSignatures({ q: 'Real' }))).toEqual([hundred.id, percent.id]);
        expect(ids(await store.searchSignatures({ q: slash.id.slice(4, 20) }))).toEqual([slash.id]);
        expect(ids(await store.searchSignatures({ q: slash.id.slice(4, 20).toUpperCase() }))).toEqual([slash.id]);
        expect(await store.searchSignatures({ q: 'no such signer' })).toEqual({ total: 0, rows: [] });
        const all = await store.searchSignatures({});
        expect(all.total).toBe(5);
        expect(ids(all)).toEqual([hundred.id, slash.id, percent.id, malala.id, nadia.id]);
        expect(all.rows[0]).toEqual(await store.getSignature(hundred.id));
      });

      it('pages with offset and limit; total counts every match', async () => {
        const records = await seed();
        const newestFirst = records.map((r) => r.id).reverse();
        const page = await store.searchSignatures({ q: 'example.org', offset: 1, limit: 2 });
        expect(page.total).toBe(5);
        expect(ids(page)).toEqual(newestFirst.slice(1, 3));
        expect(ids(await store.searchSignatures({ offset: 4, limit: 10 }))).toEqual(newestFirst.slice(4));
        expect(await store.searchSignatures({ offset: 5 })).toEqual({ total: 5, rows: [] });
        const defaults = await store.searchSignatures({ q: '' });
        expect(defaults.rows).toHaveLength(5);
      });

      it('pages by cursor: `before` and `after` continue from a row, newest first, as offsets do', async () => {
        const records = Array.from({ length: 12 }, (_, i) => makeRecord({ name: `Cursor Signer ${i}` }));
        await store.ingest(records.map((r) => item(r)), T0, 'sync');
        const newestFirst = records.map((r) => r.id).reverse();
        const first = await store.searchSignatures({ limit: 5 });
        const second = await store.searchSignatures({ limit: 5, before: first.rows[4].seq });
        const third = await store.searchSignatures({ limit: 5, before: second.rows[4].seq });
        expect([first, second, third].map(ids)).toEqual([newestFirst.slice(0, 5), newestFirst.slice(5, 10), newestFirst.slice(10)]);
        expect(second.total).toBe(12);
        // Back from the third page to the second: the five rows just newer than its first.
        expect(ids(await store.searchSignatures({ limit: 5, after: third.rows[0].seq }))).toEqual(newestFirst.slice(5, 10));
        // With a search: the cursor pages within the matches.
        const matches = await store.searchSignatures({ q: 'cursor signer 1', limit: 2 });
        expect(ids(matches)).toEqual([records[11].id, records[10].id]);
        expect(ids(await store.searchSignatures({ q: 'cursor signer 1', limit: 2, before: matches.rows[1].seq }))).toEqual([records[1].id]);
      });

      it('lists only possible duplicates when asked, with their total', async () => {
        const [a, b, c] = [makeRecord({ name: 'Ana Lima', email: 'ana@example.org' }), makeRecord({ name: 'Other', email: 'ANA@example.org' }), makeRecord({ name: 'Alone' })];
        await store.ingest([a, b, c].map((r) => item(r)), T0, 'sync');
        const page = await store.searchSignatures({ duplicatesOnly: true });
        expect({ total: page.total, ids: ids(page) }).toEqual({ total: 2, ids: [b.id, a.id] });
        expect(ids(await store.searchSignatures({ duplicatesOnly: true, q: 'other' }))).toEqual([b.id]);
        await store.deleteSignature(b.id, T1);
        expect((await store.searchSignatures({ duplicatesOnly: true })).total).toBe(0);
      });

      it('counts a search up to 10,000 matches, then says there are more', async () => {
        const records = Array.from({ length: 10_003 }, (_, i) => typedRecord({ name: `Many ${i}`, email: `many${i}@lots.example` }));
        for (let i = 0; i < records.length; i += 1000) await store.ingest(records.slice(i, i + 1000).map((r) => item(r)), T0, 'sync');
        const page = await store.searchSignatures({ q: 'lots.example', limit: 3 });
        expect({ total: page.total, capped: page.totalCapped, ids: ids(page) }).toEqual({ total: 10_000, capped: true, ids: records.slice(-3).reverse().map((r) => r.id) });
        const few = await store.searchSignatures({ q: 'many 1000' });
        // "Many 1000", and "Many 10000" to "Many 10002".
        expect({ total: few.total, capped: few.totalCapped }).toEqual({ total: 4, capped: undefined });
        // One character: no trigram to look up, the same answers.
        expect((await store.searchSignatures({ q: '@', limit: 1 })).totalCapped).toBe(true);
        const withNine = records.filter((r) => r.payload.kind === 'plain' && [r.id, r.payload.signer.name, r.payload.signer.email].some((t) => t?.includes('9')));
        expect(withNine.length).toBeLessThan(10_000);
        expect((await store.searchSignatures({ q: '9', limit: 1 })).total).toBe(withNine.length);
      });

      it('takes %, _ and \\ literally', async () => {
        const [, , percent, slash, hundred] = await seed();
        expect(ids(await store.searchSignatures({ q: '%' }))).toEqual([percent.id]);
        expect(ids(await store.searchSignatures({ q: '100%' }))).toEqual([percent.id]);
        expect(ids(await store.searchSignatures({ q: '_' }))).toEqual([hundred.id, percent.id]);
        expect(ids(await store.searchSignatures({ q: 'l_N' }))).toEqual([percent.id]);
        expect(ids(await store.searchSignatures({ q: 'k\\s' }))).toEqual([slash.id]);
        expect(ids(await store.searchSignatures({ q: '\\' }))).toEqual([slash.id]);
        expect((await store.searchSignatures({ q: 'd%r' })).total).toBe(0);
      });

      gapIt('unicode-case-folding', 'ignores case beyond ASCII too', async () => {
        const emile = makeRecord({ name: 'ÉMILE Zola' });
        const other = makeRecord({ name: 'Ольга Иванова' });
        await store.ingest([item(emile), item(other)], T0, 'sync');
        expect(ids(await store.searchSignatures({ q: 'émile' }))).toEqual([emile.id]);
        expect(ids(await store.searchSignatures({ q: 'Émile' }))).toEqual([emile.id]);
        expect(ids(await store.searchSignatures({ q: 'ОЛЬГА' }))).toEqual([other.id]);
      });

      gapIt('nul-in-search', 'a query holding U+0000 matches nothing', async () => {
        await seed();
        expect(await store.searchSignatures({ q: '\u0000' })).toEqual({ total: 0, rows: [] });
        expect(await store.searchSignatures({ q: 'a\u0000' })).toEqual({ total: 0, rows: [] });
      });

      it('gets one signature by id', async () => {
        const [nadia] = await seed();
        expect(await store.getSignature(nadia.id)).toMatchObject({ id: nadia.id, record: nadia, receivedAt: T0 });
        expect(await store.getSignature(randomUUID())).toBeUndefined();
        expect(await store.getSignature('bad\u0000id')).toBeUndefined();
      });
    });

    describe('possible duplicate signers', () => {
      it('flags the same email, or the same name and country, ignoring case and spaces; never drops', async () => {
        const a = makeRecord({ name: 'Ana Lima', email: 'ana@example.org' });
        const sameEmail = makeRecord({ name: 'A. Lima', email: ' ANA@example.org ' });
        const sameName = makeRecord({ name: 'ana lima ', email: 'ana.lima@example.org' });
        const otherCountry = withSigner(makeRecord({ name: 'Ana Lima', email: 'ana3@example.org' }), { country: 'BR' });
        const noCountry1 = withSigner(makeRecord({ name: 'Bo Li', email: 'bo1@example.org' }), { country: undefined });
        const noCountry2 = withSigner(makeRecord({ name: 'BO LI', email: undefined }), { country: undefined });
        const alone = makeRecord({ name: 'Someone Unique', email: 'unique@example.org' });
        const noEmail1 = withSigner(makeRecord({ name: 'X One' }), { email: undefined });
        const noEmail2 = withSigner(makeRecord({ name: 'Y Two' }), { email: undefined });
        const sealed = [sealedRecord(), sealedRecord()];
        const all = [a, sameEmail, sameName, otherCountry, noCountry1, noCountry2, alone, noEmail1, noEmail2, ...sealed];
        await store.ingest(all.map((r) => item(r)), T0, 'sync');
        expect(await store.count()).toBe(all.length);
        // The same name without a country is not enough (src/shared/signer-keys.ts).
        expect(await store.duplicateIds(all.map((r) => r.id))).toEqual(new Set([a.id, sameEmail.id, sameName.id]));
        expect(await store.duplicateIds([sameName.id, alone.id, randomUUID(), 'x\u0000'])).toEqual(new Set([sameName.id]));
        expect(await store.duplicateIds([])).toEqual(new Set());
      });

      gapIt('unicode-case-folding', 'flags the same name written in another case beyond ASCII', async () => {
        const a = makeRecord({ name: 'émile zola', email: 'e1@example.org' });
        const b = makeRecord({ name: 'ÉMILE ZOLA', email: 'e2@example.org' });
        await store.ingest([item(a), item(b)], T0, 'sync');
        expect(await store.duplicateIds([a.id, b.id])).toEqual(new Set([a.id, b.id]));
      });
    });

    describe('list and count', () => {
      it('pages through every signature once, in arrival order, after a sequence number', async () => {
        const records = Array.from({ length: 23 }, () => typedRecord());
        await store.ingest(records.slice(0, 10).map((r) => item(r)), T0, 'sync');
        await store.ingest(records.slice(10).map((r) => item(r)), T1, 'import');
        const seen: string[] = [];
        let after = 0;
        for (;;) {
          const page = await store.list({ afterSeq: after, limit: 5 });
          if (page.length === 0) break;
          expect(page.length).toBeLessThanOrEqual(5);
          seen.push(...page.map((s) => s.id));
          after = page[page.length - 1].seq;
        }
        expect(seen).toEqual(records.map((r) => r.id));
        expect(await store.list({ afterSeq: after })).toEqual([]);
        expect((await store.list({ limit: 3 })).map((s) => s.id)).toEqual(records.slice(0, 3).map((r) => r.id));
        expect(await store.count()).toBe(23);
        expect(await store.conflictCount()).toBe(0);
      });

      it('lists at most 1000 by default', async () => {
        const records = Array.from({ length: 1003 }, () => typedRecord());
        expect(new Set(await store.ingest(records.map((r) => item(r)), T0, 'sync'))).toEqual(new Set(['accepted']));
        const first = await store.list();
        expect(first).toHaveLength(1000);
        expect((await store.list({ afterSeq: first[999].seq })).map((s) => s.id)).toEqual(records.slice(1000).map((r) => r.id));
      });
    });
  });
}

// ---- PostgreSQL test databases ----

/** The PostgreSQL server the tests use. */
export const PG_TEST_URL = process.env.FIELDSIGN_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** `url` with its search_path set to `schema` (and nothing else of its own options kept). */
export function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.delete('options');
  const rest = u.search ? `${u.search}&` : '?';
  u.search = '';
  return `${u.toString()}${rest}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

export interface PgTestSchema {
  schema: string;
  /** Database URL whose search_path is the schema. */
  url: string;
  /** Administrative connection (public schema). */
  admin: pg.Pool;
  /** Drop and create the schema again: an empty database. */
  reset(): Promise<void>;
  /** Empty every table but schema_migrations (faster than reset once migrated). */
  empty(): Promise<void>;
  /** Drop the schema and close the admin connection. */
  drop(): Promise<void>;
}

/**
 * A fresh schema `fs_<tag>_<random>` on FIELDSIGN_TEST_PG_URL. Fails with a clear message when
 * PostgreSQL is unreachable: these tests never skip themselves.
 */
export async function pgTestSchema(tag: string): Promise<PgTestSchema> {
  const admin = new pg.Pool({ connectionString: PG_TEST_URL, max: 2, connectionTimeoutMillis: 5_000 });
  admin.on('error', () => {});
  const schema = `fs_${tag}_${randomBytes(5).toString('hex')}`;
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } catch (error) {
    await admin.end().catch(() => {});
    const e = error as Error & { code?: string };
    throw new Error(
      `PostgreSQL is required for these tests and is not usable at ${describeDb(PG_TEST_URL)}: ${e.message || e.code}. ` +
        'Start it, or point FIELDSIGN_TEST_PG_URL at a server where this user may CREATE SCHEMA. These tests do not skip themselves.',
    );
  }
  return {
    schema,
    url: withSearchPath(PG_TEST_URL, schema),
    admin,
    async reset() {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
    },
    async empty() {
      const { rows } = await admin.query<{ t: string }>(
        "SELECT format('%I.%I', table_schema, table_name) AS t FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'schema_migrations'",
        [schema],
      );
      if (rows.length > 0) await admin.query(`TRUNCATE ${rows.map((r) => r.t).join(', ')} RESTART IDENTITY`);
    },
    async drop() {
      try {
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}
