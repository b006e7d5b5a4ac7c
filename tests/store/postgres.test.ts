/**
 * The Store contract against the PostgreSQL store, on the real server at FIELDSIGN_TEST_PG_URL
 * (default postgres://postgres@127.0.0.1:5432/test), in a schema of this file's own that is
 * emptied before each test and dropped at the end. Unreachable PostgreSQL fails these tests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../server/store/postgres.ts';
import { MIGRATIONS } from '../../server/store/schema.ts';
import { openStore } from '../../server/store/open.ts';
import { SqliteStore } from '../../server/store/sqlite.ts';
import { recordHash } from '../../server/ingest.ts';
import { makeRecord, withSigner } from '../helpers/records.ts';
import { storeContract } from './contract.ts';
import { pgTestSchema, withSearchPath, PG_TEST_URL, type PgTestSchema } from './postgres-schema.ts';

let db: PgTestSchema;
beforeAll(async () => {
  db = await pgTestSchema('contract');
});

storeContract(
  'PostgreSQL',
  async () => {
    // Migrated once by the first test; emptied before each (the specifics below test migrations).
    await db.empty();
    return PostgresStore.open(db.url);
  },
  async () => db?.drop(),
  { openSecond: () => PostgresStore.open(db.url) },
);

describe('PostgreSQL store specifics', () => {
  let own: PgTestSchema;
  beforeAll(async () => {
    own = await pgTestSchema('specifics');
  });
  afterAll(async () => {
    await own?.drop();
  });

  it('instances opening a new database together apply each migration once, in the schema of the URL', async () => {
    await own.reset();
    const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresStore.open(own.url, { max: 2 })));
    try {
      const { rows } = await own.admin.query(`SELECT version, COUNT(*)::int AS n FROM ${own.schema}.schema_migrations GROUP BY version ORDER BY version`);
      expect(rows).toEqual(MIGRATIONS.map((_m, i) => ({ version: i + 1, n: 1 })));
      for (const store of stores) {
        expect(store.schema).toBe(own.schema);
        expect(await store.schemaVersion()).toBe(MIGRATIONS.length);
      }
      const tables = await own.admin.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1`, [own.schema]);
      expect(tables.rows[0].n).toBe(20);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('S8: commits durably (synchronous_commit on) and uses the search_path of the URL', async () => {
    const store = await PostgresStore.open(own.url);
    try {
      expect(await store.settings()).toEqual({ synchronousCommit: 'on', searchPath: own.schema });
    } finally {
      await store.close();
      await store.close(); // closing twice is harmless
    }
  });

  it('openStore picks PostgreSQL for postgres:// and postgresql:// URLs, SQLite otherwise', async () => {
    for (const url of [own.url, own.url.replace(/^postgres:/, 'postgresql:')]) {
      const store = await openStore(url);
      expect(store).toBeInstanceOf(PostgresStore);
      await store.close();
    }
    const sqlite = await openStore(':memory:');
    expect(sqlite).toBeInstanceOf(SqliteStore);
    await sqlite.close();
  });

  it('totals list equal counts in byte order of their key (deterministic; SQLite leaves ties unordered)', async () => {
    await own.reset();
    const store = await PostgresStore.open(own.url);
    try {
      const records = ['b-tablet', 'B-tablet', 'a-tablet', 'é-tablet'].map((deviceId, i) =>
        withSigner(makeRecord({ deviceId }), { country: ['SE', 'BE', 'DE', 'AT'][i] }),
      );
      await store.ingest(records.map((record) => ({ record, hash: recordHash(record), clockSuspect: false })), '2026-11-24T10:00:00.000Z', 'sync');
      const totals = await store.totals();
      expect(totals.byDevice.map((d) => d.deviceId)).toEqual(['B-tablet', 'a-tablet', 'b-tablet', 'é-tablet']);
      expect(totals.byCountry.map((c) => c.country)).toEqual(['AT', 'BE', 'DE', 'SE']);
    } finally {
      await store.close();
    }
  });

  it('refuses clearly a schema that does not exist, and an unreachable server', async () => {
    await expect(PostgresStore.open(withSearchPath(PG_TEST_URL, 'fs_no_such_schema'))).rejects.toThrow(/schema "fs_no_such_schema".*does not exist/);
    await expect(PostgresStore.open('postgres://postgres@127.0.0.1:1/test')).rejects.toThrow(/^PostgreSQL: .*ECONNREFUSED/);
  });
});
