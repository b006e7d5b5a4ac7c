/**
 * The SQL driver on Node's built-in `node:sqlite` (no native addon to rebuild). WAL journal with
 * synchronous=FULL: a batch acknowledged to a tablet is on disk, even through a power cut.
 * secure_delete=ON zeroes what a deletion frees, and forgetDeleted() checkpoints the WAL and
 * truncates it, so a deleted signer is in none of the .db, -wal or -shm files afterwards.
 *
 * node:sqlite is synchronous, and a transaction here spans `await`s (the store's code is shared
 * with PostgreSQL), so every statement and transaction on one database file takes its turn
 * through one queue per file in this process: two requests never interleave inside one
 * transaction, and two stores on one file in one process never wait on each other's lock
 * synchronously (which would stall the thread). Other processes on the file wait on SQLite's
 * own lock (busy_timeout).
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { mkdirSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Dialect, SqlDatabase, SqlExecutor, SqlValue } from './sql.ts';

const SQLITE: Dialect = {
  name: 'sqlite',
  searchSeq: 'rowid',
  // FTS5's trigram index finds substrings of 3 characters or more, newest first (it orders by
  // its rowid, our seq, itself). Shorter queries are scanned in steps (signature-reads.ts).
  searchJoin: (folded) => ({
    join: 'JOIN signature_search ON signature_search.rowid = signatures.seq',
    where: 'signature_search MATCH ?',
    params: [`"${folded.replaceAll('"', '""')}"`],
    seq: 'signature_search.rowid',
  }),
};

/** One queue per database file in this process (see the module comment). */
const queues = new Map<string, Promise<unknown>>();

export class SqliteDatabase implements SqlDatabase {
  readonly dialect = SQLITE;
  readonly path: string;
  private readonly db: DatabaseSync;
  private readonly queueKey: string;
  private readonly statements = new Map<string, StatementSync>();
  private readonly direct: SqlExecutor;
  private readonly remoteListeners = new Set<() => void>();
  private remotePoll: ReturnType<typeof setInterval> | undefined;

  constructor(path: string) {
    this.path = path;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new DatabaseSync(path);
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;');
    this.queueKey = path === ':memory:' ? `:memory:${Math.random()}` : realpathSync(resolve(path));
    const statement = (sql: string) => this.statement(sql);
    this.direct = {
      async all<T>(sql: string, params: SqlValue[] = []) {
        return statement(sql).all(...params.map(bindable)) as T[];
      },
      async get<T>(sql: string, params: SqlValue[] = []) {
        return statement(sql).get(...params.map(bindable)) as T | undefined;
      },
      async run(sql: string, params: SqlValue[] = []) {
        return Number(statement(sql).run(...params.map(bindable)).changes);
      },
    };
  }

  all<T>(sql: string, params?: SqlValue[]): Promise<T[]> {
    return this.turn(() => this.direct.all<T>(sql, params));
  }

  get<T>(sql: string, params?: SqlValue[]): Promise<T | undefined> {
    return this.turn(() => this.direct.get<T>(sql, params));
  }

  run(sql: string, params?: SqlValue[]): Promise<number> {
    return this.turn(() => this.direct.run(sql, params));
  }

  transaction<T>(kind: 'read' | 'write' | 'migrate', fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.turn(async () => {
      // IMMEDIATE takes the write lock at once, so a write transaction never fails half-way
      // on a lock another process took; a read transaction is one WAL snapshot.
      this.db.exec(kind === 'read' ? 'BEGIN' : 'BEGIN IMMEDIATE');
      try {
        const result = await fn(this.direct);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.db.isTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  async forgetDeleted(): Promise<void> {
    // secure_delete zeroed the freed space in the pages; the WAL still holds older copies of
    // them until they are written back and the log is emptied. A reader elsewhere (an export
    // worker, another process) can hold the log: then try again shortly, and say so if it stays.
    for (let attempt = 1; ; attempt++) {
      const row = await this.get<{ busy: number; log: number }>('PRAGMA wal_checkpoint(TRUNCATE)');
      if (!row || (Number(row.busy) === 0 && Number(row.log) <= 0)) return;
      if (attempt === 20) {
        console.error('SQLite: a reader kept the write-ahead log busy; the deleted data leaves the -wal file at the next checkpoint.');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async broadcastChange(): Promise<void> {}

  /**
   * Another process on the file (a CLI import, a second server) commits without telling us:
   * `PRAGMA data_version` changes when another connection has committed, so while anyone
   * listens it is read once a second.
   */
  onRemoteChange(listener: () => void): () => void {
    this.remoteListeners.add(listener);
    if (!this.remotePoll) {
      let seen: number | undefined;
      this.remotePoll = setInterval(() => {
        void this.get<{ data_version: number }>('PRAGMA data_version')
          .then((row) => {
            const version = Number(row?.data_version);
            if (seen !== undefined && version !== seen) for (const each of this.remoteListeners) each();
            seen = version;
          })
          .catch(() => {});
      }, 1000);
      this.remotePoll.unref?.();
    }
    return () => {
      this.remoteListeners.delete(listener);
      if (this.remoteListeners.size === 0) {
        clearInterval(this.remotePoll);
        this.remotePoll = undefined;
      }
    };
  }

  /** Current journal mode, synchronous level and secure_delete, for tests and diagnostics. */
  pragmas(): { journalMode: string; synchronous: number; secureDelete: number } {
    const j = this.db.prepare('PRAGMA journal_mode').get() as { journal_mode: string };
    const s = this.db.prepare('PRAGMA synchronous').get() as { synchronous: number };
    const d = this.db.prepare('PRAGMA secure_delete').get() as { secure_delete: number };
    return { journalMode: j.journal_mode, synchronous: Number(s.synchronous), secureDelete: Number(d.secure_delete) };
  }

  async close(): Promise<void> {
    clearInterval(this.remotePoll);
    await this.turn(async () => {
      if (this.db.isOpen) this.db.close();
    });
  }

  /** Run `fn` when every earlier statement and transaction on this file has finished. */
  private turn<T>(fn: () => Promise<T>): Promise<T> {
    const previous = queues.get(this.queueKey) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const settled = next.then(
      () => {},
      () => {},
    );
    queues.set(this.queueKey, settled);
    void settled.then(() => {
      if (queues.get(this.queueKey) === settled) queues.delete(this.queueKey);
    });
    return next;
  }

  private statement(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (!statement) {
      // Statements with a list of placeholders vary in length; keep the cache bounded.
      if (this.statements.size > 500) this.statements.clear();
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

/** node:sqlite binds no booleans. */
function bindable(value: SqlValue): string | number | null {
  return typeof value === 'boolean' ? (value ? 1 : 0) : value;
}
