/**
 * The small SQL driver both stores share. The store (sql-store.ts) writes every query once,
 * with `?` placeholders, against this interface; sqlite-database.ts and postgres-database.ts
 * run it, and the few places where the databases truly differ are the `Dialect` hooks
 * (text search, and what a deletion must do to leave nothing on disk).
 *
 * Why not a query builder such as Kysely: every query here is short, fixed SQL that both
 * databases understand as written, and the hard parts (one writer at a time, durable commits,
 * secure deletion, LISTEN/NOTIFY) live below any builder. A builder would add a dependency
 * and a second language for the same SQL without removing any of them.
 */

/** A value bound to a placeholder. Booleans are stored as 0 and 1 on both databases. */
export type SqlValue = string | number | boolean | null;

/** Runs statements: on the database, or inside one transaction. */
export interface SqlExecutor {
  /** Every row, with numbers as numbers on both databases. */
  all<T>(sql: string, params?: SqlValue[]): Promise<T[]>;
  /** The first row, if any. */
  get<T>(sql: string, params?: SqlValue[]): Promise<T | undefined>;
  /** Run a statement; answers the number of rows it changed. */
  run(sql: string, params?: SqlValue[]): Promise<number>;
}

export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  /** The column of `signature_search` that holds the signature's seq. */
  readonly searchSeq: 'rowid' | 'seq';
  /**
   * How to find the signatures whose searchable text contains `folded` (a query already folded
   * with matchingKey()): a join of `signatures` with the search index, its condition, and the
   * column to order and page by, chosen so the database walks the index newest first and
   * stops at the page's end wherever it can.
   */
  searchJoin(folded: string): SearchJoin;
}

export interface SearchJoin {
  join: string;
  where: string;
  params: SqlValue[];
  /** The seq column to order and page by (the search index's own, where that lets it stop early). */
  seq: string;
}

export interface SqlDatabase extends SqlExecutor {
  readonly dialect: Dialect;
  /**
   * Run `fn` in one transaction. A `write` transaction is the only writer to the signatures
   * in the whole database while it runs (on PostgreSQL across every instance) and commits
   * durably; a `read` transaction sees one consistent snapshot; a `migrate` transaction is
   * the only one changing the schema.
   */
  transaction<T>(kind: 'read' | 'write' | 'migrate', fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** After a deletion has committed: make the deleted bytes unreadable on disk, as far as this database can. */
  forgetDeleted(): Promise<void>;
  /** Tell other instances on the same database that something changed (no-op for SQLite). */
  broadcastChange(): Promise<void>;
  /** Listen for changes made by other instances; returns the unsubscribe function. */
  onRemoteChange(listener: () => void): () => void;
  close(): Promise<void>;
}

/** `?, ?, ?` for `n` values. */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

/** The text cannot be stored (PostgreSQL text refuses U+0000), so it can match nothing stored. */
export function unstorable(text: string): boolean {
  return text.includes('\u0000');
}

/** Split `items` into chunks of at most `size` (bound parameters per statement are limited). */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
