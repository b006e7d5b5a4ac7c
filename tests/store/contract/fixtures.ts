/**
 * What the Store contract's sections build their cases from: times, ingestion items, records
 * of every kind (altered, typed, sealed, chained), and a database left at the previous schema
 * version by an older server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { recordHash } from '../../../server/ingest.ts';
import { PostgresStore } from '../../../server/store/postgres.ts';
import { POSTGRES_RELEASE_MIGRATIONS as PG_MIGRATIONS, SQLITE_RELEASE_MIGRATIONS as SQLITE_MIGRATIONS } from '../../../server/store/release-migrations.ts';
import { SqliteStore } from '../../../server/store/sqlite.ts';
import type { IngestItem, Store } from '../../../server/store/store.ts';
import { nextChain, type RecordChain } from '../../../src/shared/chain.ts';
import type { SignatureRecord } from '../../../src/shared/protocol.ts';
import { makeRecord } from '../../helpers/records.ts';
import { pgTestSchema } from '../postgres-schema.ts';

export const T0 = '2026-11-24T09:15:00.000Z';
export const T1 = '2026-11-24T11:59:59.999Z';
export const LATER = '2026-11-25T09:00:00.000Z';

/** An ingestion item with the record's real content hash. */
export function item(record: SignatureRecord, clockSuspect = false): IngestItem {
  return { record, hash: recordHash(record), clockSuspect };
}

/** The same id with other content (another name). */
export function altered(record: SignatureRecord, name = 'Someone Else'): SignatureRecord {
  if (record.payload.kind !== 'plain') throw new Error('plain records only');
  return { ...record, payload: { ...record.payload, signer: { ...record.payload.signer, name } } };
}

/** A record with a typed signature instead of ink (small). */
export function typedRecord(overrides: Parameters<typeof makeRecord>[0] = {}): SignatureRecord {
  const record = makeRecord(overrides);
  if (record.payload.kind !== 'plain') return record;
  const { ink: _ink, ...payload } = record.payload;
  return { ...record, payload: { ...payload, typed: { name: payload.signer.name, attestation: `I, ${payload.signer.name}, sign.` } } };
}

export function sealedRecord(deviceId = 'device-test'): SignatureRecord {
  return { ...makeRecord({ deviceId }), payload: { kind: 'sealed', alg: 'RSA-OAEP-256+A256GCM', keyId: 'k1', wrappedKey: 'AAAA', iv: 'BBBB', ciphertext: 'CCCC' } };
}

/** `n` records captured in order on `device`, each carrying its chain field (S23). */
export async function chainedRecords(device: string, n: number): Promise<SignatureRecord[]> {
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
export function storedRowSql(record: SignatureRecord): string {
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
export async function openAtPreviousSchema(current: Store, seed: string[]): Promise<{ store: Store; close(): Promise<void> }> {
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
