/**
 * The SQL driver on PostgreSQL (`pg`), for several server instances sharing one database.
 *
 * - `?` placeholders become `$1, $2, …`; bigint counts come back as numbers (they stay far
 *   below 2^53), so rows look the same as SQLite's.
 * - A write transaction is READ COMMITTED and takes a per-schema advisory lock until COMMIT,
 *   like SQLite's single writer: `seq` values then follow commit order (paging by `afterSeq`,
 *   as the exports do, never skips a row that commits late), batches sharing ids in different
 *   orders cannot deadlock, and a re-send racing a deletion cannot store the id again. It also
 *   makes COMMIT wait for the WAL flush (S8) whatever the server's default.
 * - A read transaction is REPEATABLE READ READ ONLY: one snapshot, so figures add up.
 * - Changes are announced with NOTIFY on one channel; each instance LISTENs on a dedicated
 *   connection (postgres-notify.ts) and skips the echo of its own announcements.
 *
 * The database URL may choose a schema: `postgres://…/db?options=-c%20search_path%3Dfieldsign`.
 */
import pg from 'pg';
import type { PoolClient } from 'pg';
import type { Dialect, SqlDatabase, SqlExecutor, SqlValue } from './sql.ts';
import { ChangeNotifier } from './postgres-notify.ts';

/** First key of every advisory lock taken here ("FS" + n); the second is the schema's hash. */
export const MIGRATION_LOCK = 0x46530001;
const WRITE_LOCK = 0x46530002;
/** Database-wide (extensions belong to the database, not a schema). */
export const EXTENSION_LOCK = 0x46530003;

const POSTGRES: Dialect = {
  name: 'postgres',
  searchSeq: 'seq',
  // pg_trgm's GIN index serves LIKE for 3 characters or more; the planner picks between it
  // and walking the newest signatures first.
  searchJoin: (folded) => ({
    join: 'JOIN signature_search ON signature_search.seq = signatures.seq',
    where: "signature_search.text LIKE ? ESCAPE '\\'",
    params: [`%${folded.replace(/[\\%_]/g, (c) => `\\${c}`)}%`],
    seq: 'signatures.seq',
  }),
};

/** int8 (bigint) as a number, for COUNT(*) and identity columns. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
};

export class PostgresDatabase implements SqlDatabase {
  readonly dialect = POSTGRES;
  /** The schema the tables live in (the first existing one on the search_path). */
  readonly schema: string;
  private readonly pool: pg.Pool;
  private readonly lockKey: number;
  private readonly notifier: ChangeNotifier;
  private readonly remoteListeners = new Set<() => void>();
  private vacuum: { timer?: ReturnType<typeof setTimeout>; running?: Promise<void> } = {};
  private closed = false;

  private constructor(pool: pg.Pool, url: string, schema: string, lockKey: number) {
    this.pool = pool;
    this.schema = schema;
    this.lockKey = lockKey;
    this.notifier = new ChangeNotifier({ url, schema, pool });
  }

  /** Connect and find the schema. Rejects with a readable message. */
  static async open(url: string, options: { max?: number } = {}): Promise<PostgresDatabase> {
    const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, types });
    // An idle connection dropped by the server must not crash the process; the next query reconnects.
    pool.on('error', (error) => console.error(`PostgreSQL connection lost: ${error.message}`));
    try {
      const { rows } = await pool.query<{ schema: string | null; path: string; key: number | null }>(
        "SELECT current_schema() AS schema, current_setting('search_path') AS path, hashtext(current_schema()) AS key",
      );
      const { schema, path, key } = rows[0];
      const first = firstSchemaOf(path);
      if (schema === null || key === null || (first !== undefined && first !== schema)) {
        throw new Error(`the schema "${first ?? path}" named in search_path does not exist. Create it first (CREATE SCHEMA …) or fix the database URL.`);
      }
      return new PostgresDatabase(pool, url, schema, key);
    } catch (error) {
      await pool.end().catch(() => {});
      throw readable(error);
    }
  }

  async all<T>(sql: string, params: SqlValue[] = []): Promise<T[]> {
    return (await this.pool.query(numbered(sql), params)).rows as T[];
  }

  async get<T>(sql: string, params?: SqlValue[]): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async run(sql: string, params: SqlValue[] = []): Promise<number> {
    return (await this.pool.query(numbered(sql), params)).rowCount ?? 0;
  }

  transaction<T>(kind: 'read' | 'write' | 'migrate', fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.onClient(async (client) => {
      await client.query(kind === 'read' ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN ISOLATION LEVEL READ COMMITTED');
      if (kind === 'write') {
        await client.query("SELECT pg_advisory_xact_lock($1::int, $2::int), set_config('synchronous_commit', 'on', true)", [WRITE_LOCK, this.lockKey]);
      } else if (kind === 'migrate') {
        // Instances starting together apply each migration once.
        await client.query('SELECT pg_advisory_xact_lock($1::int, $2::int)', [MIGRATION_LOCK, this.lockKey]);
      }
      const result = await fn(executorOn(client));
      await client.query('COMMIT');
      return result;
    });
  }

  /**
   * Deleted rows stay in the table files as dead tuples until VACUUM makes their space
   * reusable; run it soon after deletions (coalesced, never two at once). What it does not
   * erase is said in the README.
   */
  async forgetDeleted(): Promise<void> {
    clearTimeout(this.vacuum.timer);
    this.vacuum.timer = setTimeout(() => {
      const run = async () => {
        await this.vacuum.running;
        if (this.closed) return;
        await this.pool.query('VACUUM (INDEX_CLEANUP ON) signatures, conflicts, signature_search').catch((error: Error) => {
          if (!this.closed) console.error(`PostgreSQL: VACUUM after a deletion failed: ${error.message}`);
        });
      };
      this.vacuum.running = run();
    }, 1000);
    this.vacuum.timer.unref?.();
  }

  async broadcastChange(): Promise<void> {
    try {
      const client = await this.pool.connect();
      try {
        await this.notifier.notify(client);
      } finally {
        client.release();
      }
    } catch (error) {
      // The change is stored; only other instances' dashboards wait for their next refresh.
      console.error(`PostgreSQL: could not announce a change to other instances: ${(error as Error).message}`);
    }
  }

  /** The LISTEN connection opens with the first listener, so one-shot CLI commands never open it. */
  onRemoteChange(listener: () => void): () => void {
    this.remoteListeners.add(listener);
    this.notifier.listen(() => {
      for (const each of this.remoteListeners) each();
    });
    return () => {
      this.remoteListeners.delete(listener);
    };
  }

  /** The server's durability setting and the search_path in effect, for tests and diagnostics. */
  async settings(): Promise<{ synchronousCommit: string; searchPath: string }> {
    const row = await this.get<{ s: string; p: string }>("SELECT current_setting('synchronous_commit') AS s, current_setting('search_path') AS p");
    return { synchronousCommit: row!.s, searchPath: row!.p };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.vacuum.timer);
    await this.vacuum.running;
    await this.notifier.close();
    await this.pool.end();
  }

  /** Run `fn` on one connection; roll back if it throws. */
  private async onClient<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      return await fn(client);
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw error;
    } finally {
      // A connection that cannot even roll back is not given to the next caller.
      client.release(broken);
    }
  }
}

function executorOn(client: PoolClient): SqlExecutor {
  return {
    async all<T>(sql: string, params: SqlValue[] = []) {
      return (await client.query(numbered(sql), params)).rows as T[];
    },
    async get<T>(sql: string, params: SqlValue[] = []) {
      return (await client.query(numbered(sql), params)).rows[0] as T | undefined;
    },
    async run(sql: string, params: SqlValue[] = []) {
      return (await client.query(numbered(sql), params)).rowCount ?? 0;
    },
  };
}

const numberedCache = new Map<string, string>();
/** `?` placeholders as `$1, $2, …`, outside quoted literals and identifiers. */
export function numbered(sql: string): string {
  let out = numberedCache.get(sql);
  if (out !== undefined) return out;
  let n = 0;
  let quote: string | null = null;
  out = '';
  for (const c of sql) {
    if (quote) {
      if (c === quote) quote = null;
      out += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      out += c;
    } else out += c === '?' ? `$${++n}` : c;
  }
  if (numberedCache.size > 500) numberedCache.clear();
  numberedCache.set(sql, out);
  return out;
}

/** A driver error with PostgreSQL's own words and code. */
export function readable(error: unknown): Error {
  const e = error as Error & { code?: string };
  return new Error(`PostgreSQL: ${e.message || e.code || String(error)}${e.code && e.message && !e.message.includes(e.code) ? ` (${e.code})` : ''}`, { cause: error });
}

/** The first schema named in a search_path setting, unless it is "$user"; identifiers folded like PostgreSQL does. */
export function firstSchemaOf(path: string): string | undefined {
  const first = path.split(',')[0]?.trim() ?? '';
  if (first === '' || first === '"$user"' || first === '$user') return undefined;
  return first.startsWith('"') ? first.slice(1, -1).replaceAll('""', '"') : first.toLowerCase();
}
