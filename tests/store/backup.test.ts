/**
 * Backup and restore (server/store/backup.ts, `npm run cli -- backup | restore`) on both stores,
 * for real: SQLite files, and fresh schemas in PostgreSQL's database `test`.
 *
 * Every table the database lists must hold rows before the backup (tests/helpers/fill-every-table.ts
 * has one filler per table), and must read back row for row after a restore on a new machine
 * (the source gone). Also: a backup taken while the server writes holds whole batches and
 * counters that add up; a target holding data is refused without --force; a damaged backup
 * changes nothing even with --force; an older backup is brought up to date.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, truncateSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordHash } from '../../server/ingest.ts';
import { backupStore, restoreStore } from '../../server/store/backup.ts';
import { openStore, schemaVersion } from '../../server/store/open.ts';
import { SCHEMA_VERSION } from '../../server/store/schema.ts';
import type { Store } from '../../server/store/store.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import type { SignatureRecord } from '../../src/shared/protocol.ts';
import { PostgresStore as PostgresStore010 } from '../fixtures/store-0.1.0/postgres.ts';
import { SqliteStore as SqliteStore010 } from '../fixtures/store-0.1.0/sqlite.ts';
import { ROOT } from '../helpers/app-process.ts';
import { FILLED_ALONG, fillEveryTable } from '../helpers/fill-every-table.ts';
import { makeRecord } from '../helpers/records.ts';
import { pgTestSchema, type PgTestSchema } from './postgres-schema.ts';

const dir = mkdtempSync(join(tmpdir(), 'fieldsign-backup-'));
const item = (record: SignatureRecord) => ({ record, hash: recordHash(record), clockSuspect: false });
const schemas = new Map<string, PgTestSchema>();

afterAll(async () => {
  for (const schema of schemas.values()) await schema.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** What the tests need to know of a store kind. */
interface Kind {
  name: string;
  /** A new, empty database: its --db setting. */
  fresh(): Promise<string>;
  tables(db: string): Promise<string[]>;
  /** Every row of a table, in a stable order. */
  rows(db: string, table: string): Promise<unknown[]>;
  /** Remove the database (the old machine is gone). */
  retire(db: string): Promise<void>;
  /** A database written by release 0.1.0 (schema version 4), with `records` in it. */
  writeRelease010(db: string, records: SignatureRecord[]): Promise<void>;
}

const sorted = (rows: unknown[]) => rows.map((r) => ({ key: JSON.stringify(r), r })).sort((a, b) => (a.key < b.key ? -1 : 1)).map((x) => x.r);

const SQLITE: Kind = {
  name: 'SQLite',
  async fresh() {
    return join(dir, `${randomBytes(4).toString('hex')}.db`);
  },
  async tables(db) {
    const d = new DatabaseSync(db);
    try {
      return (d.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
    } finally {
      d.close();
    }
  },
  async rows(db, table) {
    const d = new DatabaseSync(db);
    try {
      return sorted(d.prepare(`SELECT * FROM "${table}"`).all().map((r) => ({ ...r })));
    } finally {
      d.close();
    }
  },
  async retire(db) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true });
  },
  async writeRelease010(db, records) {
    const old = new SqliteStore010(db);
    await old.ingest(records.map(item), '2026-11-24T09:15:00.000Z', 'sync');
    await old.close();
  },
};

const schemaOf = (url: string) => [...schemas.values()].find((s) => s.url === url)!;
const POSTGRES: Kind = {
  name: 'PostgreSQL',
  async fresh() {
    const schema = await pgTestSchema('backup');
    schemas.set(schema.schema, schema);
    return schema.url;
  },
  async tables(db) {
    const s = schemaOf(db);
    const { rows } = await s.admin.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1",
      [s.schema],
    );
    return rows.map((r) => r.name);
  },
  async rows(db, table) {
    const s = schemaOf(db);
    return sorted((await s.admin.query(`SELECT * FROM "${s.schema}"."${table}"`)).rows);
  },
  async retire(db) {
    const s = schemaOf(db);
    await s.admin.query(`DROP SCHEMA "${s.schema}" CASCADE`);
  },
  async writeRelease010(db, records) {
    const old = await PostgresStore010.open(db);
    await old.ingest(records.map(item), '2026-11-24T09:15:00.000Z', 'sync');
    await old.close();
  },
};

/** The coordinator CLI, run as `npm run cli` runs it, without blocking this process (it may be writing meanwhile). */
function runCli(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(join(ROOT, 'node_modules/.bin/node'), ['server/cli.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Every table and its rows. */
async function snapshot(kind: Kind, db: string): Promise<Map<string, unknown[]>> {
  const all = new Map<string, unknown[]>();
  for (const table of await kind.tables(db)) all.set(table, await kind.rows(db, table));
  return all;
}

async function withStore<T>(db: string, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(db);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const backupFile = () => join(dir, `backup-${randomBytes(4).toString('hex')}`);

describe.each([SQLITE, POSTGRES])('backup and restore on $name', (kind) => {
  it('round-trips every table, row for row, through the CLI onto a new machine; the backup is readable by its owner only', async () => {
    const source = await kind.fresh();
    await withStore(source, fillEveryTable);
    const before = await snapshot(kind, source);
    // A table added by a later migration fails here until it has a filler (or a FILLED_ALONG entry that fills it).
    const empty = [...before].filter(([, rows]) => rows.length === 0).map(([table]) => table);
    expect(empty, 'tables without test data: add a filler to tests/helpers/fill-every-table.ts').toEqual([]);
    expect(before.size).toBeGreaterThan(Object.keys(FILLED_ALONG).length);

    const file = backupFile();
    const backedUp = await runCli(['backup', '--out', file, '--db', source]);
    expect(backedUp.stderr).toBe('');
    expect(backedUp.status).toBe(0);
    expect(backedUp.stdout).toContain('readable by you only');
    expect(statSync(file).mode & 0o777).toBe(0o600);

    await kind.retire(source);
    const target = await kind.fresh();
    const restored = await runCli(['restore', file, '--db', target]);
    expect(restored.stderr).toBe('');
    expect(restored.status).toBe(0);
    expect(restored.stdout).toContain(`Restored ${file}`);

    const after = await snapshot(kind, target);
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [table, rows] of before) expect(after.get(table), `table ${table}`).toEqual(rows);
    // The restored store goes on where the old one stopped: a new signature comes after the old ones.
    const lastSeq = Math.max(...(before.get('signatures') as Array<{ seq: number | string }>).map((s) => Number(s.seq)));
    await withStore(target, async (store) => {
      expect(await store.ingest([item(makeRecord())], '2026-12-01T10:00:00.000Z', 'sync')).toEqual(['accepted']);
      expect((await store.list({ afterSeq: lastSeq })).length).toBe(1);
    });
  });

  it('a backup taken while signatures arrive holds whole batches, with counters and search index that add up', async () => {
    const source = await kind.fresh();
    const store = await openStore(source);
    const file = backupFile();
    let batches = 0;
    try {
      for (let i = 0; i < 40; i++) await store.ingest(Array.from({ length: 5 }, () => item(makeRecord())), '2026-12-01T09:00:00.000Z', 'sync');
      const backingUp = runCli(['backup', '--out', file, '--db', source]);
      let done = false;
      void backingUp.then(() => (done = true));
      while (!done) {
        await store.ingest(Array.from({ length: 5 }, () => item(makeRecord())), '2026-12-01T09:00:01.000Z', 'sync');
        batches++;
        // SQLite's ingest never waits on I/O: let the child's exit be heard.
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect((await backingUp).status).toBe(0);
    } finally {
      await store.close();
    }
    expect(batches).toBeGreaterThan(0);
    await kind.retire(source);
    const target = await kind.fresh();
    await restoreStore(target, file, { force: false });
    await withStore(target, async (restored) => {
      const count = await restored.count();
      expect(count % 5).toBe(0);
      expect(count).toBeGreaterThanOrEqual(200);
      expect(count).toBeLessThanOrEqual(200 + 5 * batches);
      expect((await restored.totals(DEFAULT_CAMPAIGN.id)).total).toBe(count);
    });
    const search = await kind.rows(target, kind === SQLITE ? 'signature_search_docsize' : 'signature_search');
    expect(search.length).toBe((await kind.rows(target, 'signatures')).length);
  });

  it('refuses a target that holds data unless --force, which replaces it', async () => {
    const source = await kind.fresh();
    const signatures = await withStore(source, fillEveryTable);
    const file = backupFile();
    await backupStore(source, file);
    await kind.retire(source);

    const target = await kind.fresh();
    const theirs = makeRecord({ name: 'Already Here' });
    await withStore(target, (store) => store.ingest([item(theirs)], '2026-12-01T10:00:00.000Z', 'sync'));
    const refused = await runCli(['restore', file, '--db', target]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/already holds data \(in [^)]*signatures[^)]*\): nothing was restored\. .*--force/);
    await withStore(target, async (store) => expect((await store.list()).map((s) => s.id)).toEqual([theirs.id]));

    const forced = await restoreStore(target, file, { force: true });
    expect(forced.replaced).toContain('signatures');
    await withStore(target, async (store) => {
      expect(await store.getSignature(theirs.id)).toBeUndefined();
      expect((await store.list()).map((s) => s.id).sort()).toEqual(signatures.filter((_, i) => i !== 3).map((s) => s.id).sort());
    });
  });

  it('a forced restore over the database itself puts back the backup as it was, tables added since included', async () => {
    const db = await kind.fresh();
    await withStore(db, fillEveryTable);
    const before = await snapshot(kind, db);
    const file = backupFile();
    await backupStore(db, file);
    await withStore(db, (store) => store.ingest([item(makeRecord({ name: 'After The Backup' }))], '2026-12-01T10:00:00.000Z', 'sync'));
    await withStore(db, (store) => store.deleteSignature((before.get('signatures') as Array<{ id: string }>)[0].id, '2026-12-01T10:00:00.000Z'));
    if (kind === SQLITE) {
      const d = new DatabaseSync(db);
      d.exec('CREATE TABLE added_later (x TEXT); INSERT INTO added_later VALUES (1)');
      d.close();
    } else await schemaOf(db).admin.query(`CREATE TABLE "${schemaOf(db).schema}".added_later (x text); INSERT INTO "${schemaOf(db).schema}".added_later VALUES ('1')`);

    await restoreStore(db, file, { force: true });
    const after = await snapshot(kind, db);
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [table, rows] of before) expect(after.get(table), `table ${table}`).toEqual(rows);
  });

  it('a damaged or foreign file gives a clear error and changes nothing, even with --force', async () => {
    const source = await kind.fresh();
    await withStore(source, fillEveryTable);
    const file = backupFile();
    await backupStore(source, file);
    const before = await snapshot(kind, source);

    const foreign = join(dir, 'holiday-photo.jpg');
    writeFileSync(foreign, randomBytes(4096));
    const refused = await runCli(['restore', foreign, '--force', '--db', source]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(`${foreign} is not a Fieldsign backup (neither an SQLite database nor a pg_dump archive): nothing was restored.`);

    const damaged = `${file}.damaged`;
    copyFileSync(file, damaged);
    if (kind === SQLITE) {
      // Page 2 (a table's root page) overwritten: SQLite's integrity check finds it.
      const fd = openSync(damaged, 'r+');
      writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, 4096);
      closeSync(fd);
      await expect(restoreStore(source, damaged, { force: true })).rejects.toThrow(/is damaged or not a Fieldsign database \(.+\): nothing was restored/);
    } else {
      truncateSync(damaged, Math.floor(statSync(file).size / 2));
      await expect(restoreStore(source, damaged, { force: true })).rejects.toThrow(/pg_restore failed: .+ Nothing was restored\./);
    }
    const after = await snapshot(kind, source);
    for (const [table, rows] of before) expect(after.get(table), `table ${table}`).toEqual(rows);
  });

  it('brings a backup of an older release (0.1.0, schema version 4) up to date', async () => {
    const old = await kind.fresh();
    const records = [makeRecord({ name: 'Signed In 2026' }), makeRecord({ name: 'Also Old' })];
    await kind.writeRelease010(old, records);
    const file = backupFile();
    await backupStore(old, file);
    await kind.retire(old);

    const target = await kind.fresh();
    const restored = await runCli(['restore', file, '--db', target]);
    expect(restored.status).toBe(0);
    expect(restored.stdout).toContain(`2 signatures, brought up from schema version 4 to ${SCHEMA_VERSION}.`);
    await withStore(target, async (store) => {
      expect(await schemaVersion(store)).toBe(SCHEMA_VERSION);
      expect((await store.list()).map((s) => s.record)).toEqual(records);
    });
  });
});

describe('backup on PostgreSQL without the right pg_dump', () => {
  it('says to install postgresql-client when pg_dump is missing, and writes no file', async () => {
    const db = await POSTGRES.fresh();
    await withStore(db, async () => {});
    const empty = join(dir, 'no-tools');
    mkdirSync(empty, { recursive: true });
    const file = backupFile();
    const run = await runCli(['backup', '--out', file, '--db', db], { FIELDSIGN_PG_BIN: empty });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('pg_dump was not found');
    expect(run.stderr).toContain('install postgresql-client (sudo apt-get install -y postgresql-client)');
    expect(existsSync(file)).toBe(false);
  });

  it('says which client to install when pg_dump is older than the server', async () => {
    const db = await POSTGRES.fresh();
    await withStore(db, async () => {});
    const bin = join(dir, 'old-tools');
    mkdirSync(bin, { recursive: true });
    // pg_dump 15's own words before a version-16 server.
    writeFileSync(
      join(bin, 'pg_dump'),
      '#!/bin/sh\necho "pg_dump: error: aborting because of server version mismatch" >&2\necho "pg_dump: detail: server version: 16.4; pg_dump version: 15.20" >&2\nexit 1\n',
    );
    chmodSync(join(bin, 'pg_dump'), 0o755);
    const file = backupFile();
    const run = await runCli(['backup', '--out', file, '--db', db], { FIELDSIGN_PG_BIN: bin });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('pg_dump is older than the PostgreSQL server (pg_dump: error: aborting because of server version mismatch | pg_dump: detail: server version: 16.4');
    expect(run.stderr).toContain('postgresql-client of the server');
    expect(existsSync(file)).toBe(false);
  });

  it('refuses an SQLite backup for a PostgreSQL database, and the other way round', async () => {
    const sqlite = await SQLITE.fresh();
    await withStore(sqlite, async () => {});
    const sqliteFile = backupFile();
    await backupStore(sqlite, sqliteFile);
    const pg = await POSTGRES.fresh();
    await expect(restoreStore(pg, sqliteFile, { force: true })).rejects.toThrow(/is an SQLite backup; restore it with --db set to an SQLite file/);
    await withStore(pg, async () => {});
    const pgFile = backupFile();
    await backupStore(pg, pgFile);
    await expect(restoreStore(sqlite, pgFile, { force: true })).rejects.toThrow(/is a PostgreSQL dump; restore it with --db set to a postgres:\/\/ URL/);
  });
});
