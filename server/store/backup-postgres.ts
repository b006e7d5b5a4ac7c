/**
 * Backup and restore on PostgreSQL (backup.ts says what both stores promise): the store's schema
 * (the first one on the URL's search_path, else public) dumped with `pg_dump -Fc -n`, and put
 * back with `pg_restore` in one transaction. pg_dump reads one snapshot, so a backup taken
 * while the servers write is consistent.
 *
 * The tools are postgresql-client's, found on the PATH or in FIELDSIGN_PG_BIN (a folder, e.g.
 * /usr/lib/postgresql/16/bin when the server is newer than the Debian default). The password,
 * if the URL has one, goes to them in PGPASSWORD, never on a command line others can list.
 */
import { spawn } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { SCHEMA_VERSION } from './schema.ts';
import { EXTENSION_LOCK, firstSchemaOf, readable } from './postgres-database.ts';
import { publish, refusal, removeStaging, stagingBeside, tablesHoldingData, type BackupSummary } from './backup.ts';

/** `pg_dump -Fc -n <schema>` into the new file `out` (0600). */
export async function dumpPostgres(url: string, out: string): Promise<BackupSummary> {
  const schema = await onConnection(url, async (client) => {
    const schema = await targetSchemaOf(client);
    if (!(await schemaExists(client, schema))) throw new Error(`PostgreSQL: there is no schema "${schema}" to back up: check --db (its search_path).`);
    return schema;
  });
  const staging = stagingBeside(out);
  try {
    await runTool('pg_dump', ['--format=custom', `--schema=${quoted(schema)}`, `--file=${staging}`], url);
    chmodSync(staging, 0o600);
    return { file: out, bytes: publish(staging, out), detail: `schema "${schema}"` };
  } finally {
    removeStaging(staging);
  }
}

/**
 * 1. Read the archive's table of contents and schema version (a damaged file stops here).
 * 2. Refuse a target schema holding data unless forced.
 * 3. Same schema name: pg_restore --clean replaces every object of the dump in place, in one
 *    transaction (the old rows stay until it commits), then drops tables newer than the backup,
 *    which the migrations make again. Another name: the dump's schema is restored as it is,
 *    then swapped in for the target in one transaction.
 */
export async function restorePostgres(url: string, file: string, force: boolean): Promise<{ backupVersion: number; replaced: string[] }> {
  const toc = await runTool('pg_restore', ['--list', file], url);
  const dumped = /^\d+; \d+ \d+ SCHEMA - (\S+) /m.exec(toc)?.[1];
  if (!dumped) throw new Error(`${file} holds no schema: it is not a Fieldsign backup. Nothing was restored.`);
  const backupVersion = versionIn(await runTool('pg_restore', ['--data-only', `--table=schema_migrations`, '--file=-', file], url));
  if (backupVersion > SCHEMA_VERSION) {
    throw new Error(`${file} was made by a newer Fieldsign (schema version ${backupVersion}; this one knows ${SCHEMA_VERSION}): restore it with that release or a later one.`);
  }
  return onConnection(url, async (client) => {
    const target = await targetSchemaOf(client);
    const targetExists = await schemaExists(client, target);
    if (dumped !== target && (await schemaExists(client, dumped))) {
      throw new Error(`PostgreSQL: the backup is of schema "${dumped}", which exists in this database: restore into it (search_path=${dumped}) or into another database. Nothing was restored.`);
    }
    if (dumped !== target && targetExists && (await holdsExtension(client, target))) {
      throw new Error(`PostgreSQL: schema "${target}" holds extensions and cannot be swapped for the backup's "${dumped}": restore with search_path=${dumped}. Nothing was restored.`);
    }
    const replaced = targetExists ? await schemaTablesHoldingData(client, target) : [];
    if (replaced.length > 0 && !force) throw refusal(`PostgreSQL schema "${target}"`, replaced);
    // The search index names pg_trgm's operator class in public (schema.ts), which a dump of one schema leaves out.
    await client.query('SELECT pg_advisory_lock($1::int)', [EXTENSION_LOCK]);
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public');
    await client.query('SELECT pg_advisory_unlock($1::int)', [EXTENSION_LOCK]);

    const restore = ['--single-transaction', '--exit-on-error', '--no-owner', '--no-privileges', `--dbname=${connectionOf(url).dbname}`];
    if (dumped === target && targetExists) {
      const before = await tablesOf(client, target);
      const list = stagingBeside(file);
      try {
        // The schema itself is kept (it may hold pg_trgm); everything in it the dump holds is replaced.
        writeFileSync(list, toc.split('\n').filter((line) => !/ SCHEMA - | COMMENT - SCHEMA /.test(line)).join('\n'));
        await runTool('pg_restore', [...restore, '--clean', '--if-exists', `--use-list=${list}`, file], url);
      } finally {
        removeStaging(list);
      }
      const inDump = new Set([...toc.matchAll(/ TABLE (?:DATA )?\S+ (\S+) /g)].map((m) => m[1]));
      for (const table of before.filter((t) => !inDump.has(t))) await client.query(`DROP TABLE IF EXISTS ${quoted(target)}.${quoted(table)} CASCADE`);
    } else {
      await runTool('pg_restore', [...restore, file], url);
      if (dumped !== target) {
        await client.query('BEGIN');
        await client.query(`DROP SCHEMA IF EXISTS ${quoted(target)} CASCADE`);
        await client.query(`ALTER SCHEMA ${quoted(dumped)} RENAME TO ${quoted(target)}`);
        await client.query('COMMIT');
      }
    }
    return { backupVersion, replaced };
  });
}

/** The highest version in the COPY block pg_restore printed for schema_migrations. */
function versionIn(script: string): number {
  const copy = /^COPY \S+ \(version, applied_at\) FROM stdin;\n([\s\S]*?)^\\\.$/m.exec(script);
  if (!copy) throw new Error('The backup has no schema_migrations table: it is not a Fieldsign backup. Nothing was restored.');
  return Math.max(0, ...copy[1].split('\n').filter(Boolean).map((line) => Number(line.split('\t')[0])));
}

/** The schema the store uses on this URL: the first on its search_path, else the current one. */
async function targetSchemaOf(client: pg.Client): Promise<string> {
  const { rows } = await client.query<{ path: string; current: string | null }>("SELECT current_setting('search_path') AS path, current_schema() AS current");
  return firstSchemaOf(rows[0].path) ?? rows[0].current ?? 'public';
}

async function schemaExists(client: pg.Client, schema: string): Promise<boolean> {
  return (await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount === 1;
}

async function holdsExtension(client: pg.Client, schema: string): Promise<boolean> {
  return (await client.query('SELECT 1 FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE n.nspname = $1', [schema])).rowCount! > 0;
}

async function tablesOf(client: pg.Client, schema: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'", [schema]);
  return rows.map((r) => r.name);
}

async function schemaTablesHoldingData(client: pg.Client, schema: string): Promise<string[]> {
  const count = async (table: string, where?: string) =>
    Number((await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${quoted(schema)}.${quoted(table)}${where ? ` WHERE ${where}` : ''}`)).rows[0].n);
  return tablesHoldingData(await tablesOf(client, schema), count);
}

async function onConnection<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    throw readable(error);
  }
  try {
    return await fn(client);
  } catch (error) {
    throw (error as { code?: string }).code ? readable(error) : error;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A double-quoted identifier (also a pattern pg_dump matches exactly). */
function quoted(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The URL without its password (for the command line) and the password (for PGPASSWORD). */
function connectionOf(url: string): { dbname: string; password?: string } {
  const u = new URL(url);
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  u.password = '';
  return { dbname: u.toString(), password };
}

/** Run a postgresql-client tool; its stdout, or an error that says what to do. */
async function runTool(name: 'pg_dump' | 'pg_restore', args: string[], url: string): Promise<string> {
  const { dbname, password } = connectionOf(url);
  const bin = process.env.FIELDSIGN_PG_BIN ? join(process.env.FIELDSIGN_PG_BIN, name) : name;
  const env = { ...process.env, ...(password ? { PGPASSWORD: password } : {}) };
  const fullArgs = name === 'pg_dump' ? [...args, `--dbname=${dbname}`] : args;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, fullArgs, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new Error(`${name} was not found (${bin}): install postgresql-client (sudo apt-get install -y postgresql-client), or set FIELDSIGN_PG_BIN to the folder that holds it.`)
          : error,
      );
    });
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(toolFailure(name, stderr))));
  });
}

/** pg_dump's and pg_restore's own words, with what to do for the failures an operator can fix. */
function toolFailure(name: string, stderr: string): Error {
  const said = stderr.trim().split('\n').slice(0, 4).join(' | ');
  if (/server version mismatch/i.test(stderr)) {
    return new Error(`${name} is older than the PostgreSQL server (${said}). Install the postgresql-client of the server's major version (e.g. postgresql-client-16) and set FIELDSIGN_PG_BIN to its folder (e.g. /usr/lib/postgresql/16/bin).`);
  }
  if (/unsupported version .* in file header/i.test(stderr)) {
    return new Error(`${name} is older than the pg_dump that made this backup, or the file is damaged (${said}). Use the postgresql-client the backup was made with (FIELDSIGN_PG_BIN). Nothing was restored.`);
  }
  return new Error(`${name} failed: ${said}${name === 'pg_restore' ? ' Nothing was restored.' : ''}`);
}
