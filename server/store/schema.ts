/**
 * The schema, and how a database at any earlier version upgrades at startup. Versions 1 to 4
 * are release 0.1.0's, one list per database (release-migrations.ts); from version 5 on, each
 * change is written once for both, with only the column types that truly differ.
 *
 * Version 5 (one store design): signer keys computed at ingestion (signer-keys.ts) into
 * indexed columns, a stored possible-duplicate flag, counters kept by the ingest transaction,
 * and an indexed search (SQLite FTS5 with trigrams; PostgreSQL pg_trgm).
 */
import { POSTGRES_RELEASE_MIGRATIONS, SQLITE_RELEASE_MIGRATIONS } from './release-migrations.ts';
import type { SqlDatabase, SqlExecutor } from './sql.ts';
import { EXTENSION_LOCK } from './postgres-database.ts';
import { keysOf, parseRecord, refreshDuplicateFlagsSql, searchInsertSql } from './signature-rows.ts';

interface Migration {
  sqlite: string;
  postgres: string;
  /** Work SQL alone cannot do (the keys are computed in JavaScript), in the same transaction. */
  after?: (tx: SqlExecutor, db: SqlDatabase) => Promise<void>;
}

const V5_COMMON = `
  ALTER TABLE signatures ADD COLUMN email_key TEXT;
  ALTER TABLE signatures ADD COLUMN name_key TEXT;
  ALTER TABLE signatures ADD COLUMN possible_duplicate INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX signatures_email_key ON signatures (email_key) WHERE email_key IS NOT NULL;
  CREATE INDEX signatures_name_key ON signatures (name_key) WHERE name_key IS NOT NULL;
  CREATE INDEX signatures_duplicates ON signatures (seq) WHERE possible_duplicate = 1;
  CREATE INDEX conflicts_id_hash ON conflicts (id, content_hash);`;

export const MIGRATIONS: readonly Migration[] = [
  ...SQLITE_RELEASE_MIGRATIONS.map((sqlite, i) => ({ sqlite, postgres: POSTGRES_RELEASE_MIGRATIONS[i] })),
  {
    sqlite: `${V5_COMMON}
      ALTER TABLE signatures ADD COLUMN signer_country TEXT;
      CREATE TABLE signature_counts (dimension TEXT NOT NULL, key TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (dimension, key));
      CREATE VIRTUAL TABLE signature_search USING fts5(text, tokenize = 'trigram');
      INSERT INTO signature_search (signature_search, rank) VALUES ('secure-delete', 1);`,
    // PostgreSQL 0.1.0 kept lower-cased name and email columns; the keys replace them.
    postgres: `
      DROP INDEX IF EXISTS conflicts_id;
      ALTER TABLE signatures DROP COLUMN signer_name_lc, DROP COLUMN signer_email_lc;
      ${V5_COMMON}
      CREATE TABLE signature_counts (dimension text NOT NULL, key text COLLATE "C" NOT NULL, count bigint NOT NULL, PRIMARY KEY (dimension, key));
      CREATE TABLE signature_search (seq bigint PRIMARY KEY, text text NOT NULL);`,
    after: async (tx, db) => {
      if (db.dialect.name === 'postgres') await trigramIndex(tx);
      await backfillKeys(tx, db);
    },
  },
];

/** The latest schema version this server knows. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Apply every migration newer than the database's recorded version, each in one transaction
 * that first reads the version (so two processes starting at once cannot both apply one). A
 * newer schema (another instance already upgraded) is used as it is.
 */
export async function migrate(db: SqlDatabase): Promise<void> {
  for (;;) {
    const done = await db.transaction('migrate', async (tx) => {
      await tx.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
      const row = await tx.get<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
      const current = Number(row?.v ?? 0);
      if (current >= MIGRATIONS.length) {
        if (current > MIGRATIONS.length) console.warn(`Note: the database schema is at version ${current}, newer than this server's ${MIGRATIONS.length}.`);
        return true;
      }
      const migration = MIGRATIONS[current];
      for (const statement of splitStatements(migration[db.dialect.name])) await tx.run(statement);
      await migration.after?.(tx, db);
      await tx.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [current + 1, new Date().toISOString()]);
      return false;
    });
    if (done) return;
  }
}

/** The schema version (latest applied migration) of a database. */
export async function schemaVersionOf(db: SqlDatabase): Promise<number> {
  const row = await db.get<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
  return Number(row?.v ?? 0);
}

/** Statements of a migration, one by one (none of ours holds a `;` inside a literal). */
function splitStatements(sql: string): string[] {
  return sql
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * pg_trgm (shipped with PostgreSQL) gives LIKE '%…%' an index. Extensions belong to the whole
 * database: created once, in `public` so that every schema's index can name its operator class.
 */
async function trigramIndex(tx: SqlExecutor): Promise<void> {
  await tx.run('SELECT pg_advisory_xact_lock(?::int)', [EXTENSION_LOCK]);
  await tx.run('CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public');
  const row = await tx.get<{ schema: string }>(
    "SELECT n.nspname AS schema FROM pg_opclass c JOIN pg_namespace n ON n.oid = c.opcnamespace WHERE c.opcname = 'gin_trgm_ops' LIMIT 1",
  );
  await tx.run(`CREATE INDEX signature_search_text ON signature_search USING gin (text "${row!.schema}".gin_trgm_ops)`);
}

/** Keys, search texts, duplicate flags and counters for the signatures stored before version 5. */
async function backfillKeys(tx: SqlExecutor, db: SqlDatabase): Promise<void> {
  let after = 0;
  for (;;) {
    const rows = await tx.all<{ seq: number; id: string; record: unknown }>('SELECT seq, id, record FROM signatures WHERE seq > ? ORDER BY seq LIMIT 500', [after]);
    if (rows.length === 0) break;
    for (const row of rows) {
      const keys = keysOf(parseRecord(row.record));
      await tx.run('UPDATE signatures SET email_key = ?, name_key = ?, signer_country = ? WHERE seq = ?', [keys.email, keys.nameCountry, keys.country, row.seq]);
      await tx.run(searchInsertSql(db.dialect), [row.seq, keys.search]);
    }
    after = rows[rows.length - 1].seq;
  }
  await tx.run(refreshDuplicateFlagsSql('1 = 1'));
  const counts: Array<[string, string, string]> = [
    ['total', "''", 'signatures s'],
    ['device', 's.device_id', 'signatures s'],
    ['event', "COALESCE(d.event, '(imported or unknown)')", 'signatures s LEFT JOIN devices d ON d.id = s.device_id'],
    ['country', "COALESCE(s.signer_country, '')", 'signatures s'],
    ['hour', "substr(s.received_at, 1, 13) || ':00:00Z'", 'signatures s'],
  ];
  for (const [dimension, key, from] of counts) {
    await tx.run(`INSERT INTO signature_counts (dimension, key, count) SELECT '${dimension}', ${key}, COUNT(*) FROM ${from} GROUP BY ${key === "''" ? '1' : key} HAVING COUNT(*) > 0`);
  }
}
