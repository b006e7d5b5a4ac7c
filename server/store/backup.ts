/**
 * Backup and restore of either store (`npm run cli -- backup | restore`, server/cli-backup.ts).
 *
 * SQLite: node:sqlite's online backup copies every page in one read transaction (WAL: the
 * server keeps writing meanwhile) into a file of its own; PostgreSQL: `pg_dump -Fc` of the
 * store's schema (backup-postgres.ts). Either way:
 *
 *  1. A backup is written to a hidden file beside FILE, readable by its owner only (0600: it
 *     holds signers' names, emails and signatures), checked, then given its name; it never
 *     replaces an existing file, so a half-written or failed backup never looks like a good one.
 *  2. A restore checks the backup first, refuses a target that already holds data unless
 *     forced, and replaces the target as a whole or not at all.
 *  3. The restored database is then opened as the server opens it, so the migrations bring an
 *     older backup up to date.
 */
import { backup, DatabaseSync } from 'node:sqlite';
import { closeSync, copyFileSync, existsSync, linkSync, mkdirSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { describeDb, isPostgresUrl, openStore, schemaVersion } from './open.ts';
import { SCHEMA_VERSION } from './schema.ts';
import { SqliteStore } from './sqlite.ts';

export interface BackupSummary {
  file: string;
  bytes: number;
  /** SQLite: what the backup holds; PostgreSQL: the schema dumped. */
  detail: string;
}

export interface RestoreSummary {
  /** The schema version the backup was taken at, and the restored database's now. */
  backupVersion: number;
  schemaVersion: number;
  signatures: number;
  /** The tables that held data and were replaced (only with force). */
  replaced: string[];
}

/** Back up the database `db` names (an SQLite path or a PostgreSQL URL) to the new file `out`. */
export async function backupStore(db: string, out: string): Promise<BackupSummary> {
  if (existsSync(out)) throw new Error(`${out} already exists: choose another --out file (a backup never replaces another).`);
  mkdirSync(dirname(out), { recursive: true });
  if (isPostgresUrl(db)) {
    const { dumpPostgres } = await import('./backup-postgres.ts');
    return dumpPostgres(db.trim(), out);
  }
  return backupSqlite(db, out);
}

/** Restore `file` into the database `db` names; a target holding data only when `force`. */
export async function restoreStore(db: string, file: string, options: { force: boolean }): Promise<RestoreSummary> {
  const kind = backupKindOf(file);
  let restored: { backupVersion: number; replaced: string[] };
  if (isPostgresUrl(db)) {
    if (kind !== 'postgres') throw new Error(`${file} is an SQLite backup; restore it with --db set to an SQLite file, not ${describeDb(db)}.`);
    const { restorePostgres } = await import('./backup-postgres.ts');
    restored = await restorePostgres(db.trim(), file, options.force);
  } else {
    if (kind !== 'sqlite') throw new Error(`${file} is a PostgreSQL dump; restore it with --db set to a postgres:// URL.`);
    restored = await restoreSqlite(db, file, options.force);
  }
  // Opened as the server opens it: the migrations bring an older backup up to date.
  const store = await openStore(db);
  try {
    return { ...restored, schemaVersion: await schemaVersion(store), signatures: await store.count() };
  } finally {
    await store.close();
  }
}

/** What a backup file is, from its first bytes; anything else is refused with a clear message. */
function backupKindOf(file: string): 'sqlite' | 'postgres' {
  if (!existsSync(file) || !statSync(file).isFile()) throw new Error(`There is no backup file ${file}.`);
  const head = Buffer.alloc(16);
  const fd = openSync(file, 'r');
  const read = readSync(fd, head, 0, 16, 0);
  closeSync(fd);
  if (read === 16 && head.toString('latin1') === 'SQLite format 3\0') return 'sqlite';
  if (head.subarray(0, 5).toString('latin1') === 'PGDMP') return 'postgres';
  throw new Error(`${file} is not a Fieldsign backup (neither an SQLite database nor a pg_dump archive): nothing was restored.`);
}

// ---- Files ----

/** A new empty file beside `path`, readable by its owner only, for a copy to be written to. */
export function stagingBeside(path: string): string {
  const staging = join(dirname(path), `.${basename(path)}.partial-${randomBytes(4).toString('hex')}`);
  closeSync(openSync(staging, 'wx', 0o600));
  return staging;
}

/** Give the finished `staging` file the name `out`; fails, rather than replace, if `out` appeared meanwhile. */
export function publish(staging: string, out: string): number {
  linkSync(staging, out);
  rmSync(staging);
  return statSync(out).size;
}

/** Remove a staging file and whatever SQLite kept beside it. */
export function removeStaging(staging: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${staging}${suffix}`, { force: true });
}

// ---- What counts as data ----

/**
 * The tables of a database that hold data a restore would destroy. A fresh database is not
 * data: its schema version, the search index (it mirrors `signatures`), the database's own
 * tables, and the default campaign it starts with. Every other table counts, a table added
 * later included, so a restore can only err on the side of refusing.
 */
export async function tablesHoldingData(tables: string[], count: (table: string, where?: string) => Promise<number>): Promise<string[]> {
  const fresh = `campaign_id <> '${DEFAULT_CAMPAIGN.id.replaceAll("'", "''")}'`;
  const held: string[] = [];
  for (const table of tables) {
    if (table === 'schema_migrations' || table.startsWith('signature_search') || table.startsWith('sqlite_')) continue;
    const where = table === 'campaigns' ? fresh.replace('campaign_id', 'id') : table === 'campaign_versions' ? fresh : undefined;
    if ((await count(table, where)) > 0) held.push(table);
  }
  return held;
}

// ---- SQLite ----

/** Every page in one step, so in one read transaction: one committed state, never restarted by a write. */
const ALL_PAGES = 2 ** 31 - 1;

async function backupSqlite(path: string, out: string): Promise<BackupSummary> {
  if (!existsSync(path)) throw new Error(`There is no SQLite database at ${path}: check --db (or FIELDSIGN_DB).`);
  const source = new DatabaseSync(path);
  const staging = stagingBeside(out);
  try {
    source.exec('PRAGMA busy_timeout = 5000');
    await backup(source, staging, { rate: ALL_PAGES });
    const found = inspectSqlite(staging, 'The backup just written', { standalone: true });
    const bytes = publish(staging, out);
    return { file: out, bytes, detail: `${found.signatures} signatures, schema version ${found.version}` };
  } finally {
    source.close();
    removeStaging(staging);
  }
}

/**
 * Check an SQLite copy: SQLite's own integrity check, then that it is a Fieldsign database.
 * `standalone` turns its journal off WAL so the backup is one file that opens read-only anywhere.
 */
function inspectSqlite(path: string, label: string, options: { standalone?: boolean } = {}): { version: number; signatures: number } {
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path);
    if (options.standalone) db.exec('PRAGMA journal_mode = DELETE');
    const problems = (db.prepare('PRAGMA integrity_check(5)').all() as Array<{ integrity_check: string }>).map((r) => r.integrity_check);
    if (problems.length !== 1 || problems[0] !== 'ok') throw new Error(`SQLite's integrity check found: ${problems.join('; ')}`);
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name));
    if (!tables.has('schema_migrations') || !tables.has('signatures')) throw new Error('it has no Fieldsign tables');
    const { v } = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
    const { n } = db.prepare('SELECT COUNT(*) AS n FROM signatures').get() as { n: number };
    return { version: Number(v ?? 0), signatures: Number(n) };
  } catch (error) {
    throw new Error(`${label} is damaged or not a Fieldsign database (${(error as Error).message}): nothing was restored.`, { cause: error });
  } finally {
    if (db?.isOpen) db.close();
  }
}

/** The tables of the SQLite file at `path` that hold data (none when there is no file). */
function sqliteTablesHoldingData(path: string): Promise<string[]> {
  if (!existsSync(path)) return Promise.resolve([]);
  const db = new DatabaseSync(path);
  db.exec('PRAGMA busy_timeout = 5000');
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name);
  const count = async (table: string, where?: string) =>
    Number((db.prepare(`SELECT COUNT(*) AS n FROM "${table.replaceAll('"', '""')}"${where ? ` WHERE ${where}` : ''}`).get() as { n: number }).n);
  return tablesHoldingData(tables, count).finally(() => db.close());
}

/**
 * 1. Copy the backup beside the target (the backup itself is never written to) and check it.
 * 2. Refuse a target holding data unless forced.
 * 3. Migrate the copy, so a failed upgrade leaves the target as it was.
 * 4. Copy it into the target with SQLite's backup, which takes the target's locks and replaces
 *    every page at once (a plain file rename would leave the target's -wal file to be replayed
 *    over the new pages).
 */
async function restoreSqlite(target: string, file: string, force: boolean): Promise<{ backupVersion: number; replaced: string[] }> {
  mkdirSync(dirname(target), { recursive: true });
  const staging = stagingBeside(target);
  try {
    copyFileSync(file, staging);
    const found = inspectSqlite(staging, file);
    if (found.version > SCHEMA_VERSION) {
      throw new Error(`${file} was made by a newer Fieldsign (schema version ${found.version}; this one knows ${SCHEMA_VERSION}): restore it with that release or a later one.`);
    }
    const replaced = await sqliteTablesHoldingData(target);
    if (replaced.length > 0 && !force) throw refusal(target, replaced);
    await (await new SqliteStore(staging).opened()).close();
    // The restored file is as private as the backup: created 0600 when it is new.
    if (!existsSync(target)) closeSync(openSync(target, 'wx', 0o600));
    const copy = new DatabaseSync(staging);
    try {
      await backup(copy, target, { rate: ALL_PAGES });
    } finally {
      copy.close();
    }
    return { backupVersion: found.version, replaced };
  } finally {
    removeStaging(staging);
  }
}

/** The message for a target that already holds data. */
export function refusal(target: string, tables: string[]): Error {
  return new Error(
    `${describeDb(target)} already holds data (in ${tables.join(', ')}): nothing was restored. ` +
      'Stop the server, back this database up if it matters, and run restore again with --force to replace it.',
  );
}
