/**
 * Picks the store from the database setting (--db / FIELDSIGN_DB): a `postgres://` or
 * `postgresql://` URL opens PostgreSQL, anything else is an SQLite file path.
 */
import type { Store } from './store.ts';
import { SqliteStore } from './sqlite.ts';

/** Whether `db` names a PostgreSQL database rather than an SQLite file. */
export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db.trim());
}

/** Open (creating and migrating as needed) the store that `db` names. */
export async function openStore(db: string): Promise<Store> {
  if (isPostgresUrl(db)) {
    // Loaded only when used, so an SQLite server never loads the PostgreSQL driver.
    const { PostgresStore } = await import('./postgres.ts');
    return PostgresStore.open(db.trim());
  }
  return new SqliteStore(db).opened();
}

/** The database setting as it may be shown in logs: a URL's password is masked. */
export function describeDb(db: string): string {
  if (!isPostgresUrl(db)) return db;
  try {
    const url = new URL(db.trim());
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'PostgreSQL (unreadable URL)';
  }
}

/** The schema version (latest applied migration) of an open store. */
export async function schemaVersion(store: Store): Promise<number> {
  const withVersion = store as Store & { schemaVersion?: () => Promise<number> };
  if (typeof withVersion.schemaVersion === 'function') return withVersion.schemaVersion();
  throw new Error('This store does not report its schema version.');
}
