/**
 * The store on PostgreSQL, for several server instances sharing one database: the shared
 * store on the PostgreSQL driver (postgres-database.ts says how it keeps SQLite's guarantees).
 */
import { SqlStore } from './sql-store.ts';
import { PostgresDatabase, readable } from './postgres-database.ts';

export class PostgresStore extends SqlStore {
  private readonly database: PostgresDatabase;

  private constructor(database: PostgresDatabase) {
    super(database);
    this.database = database;
  }

  /** The schema the tables live in (the first existing one on the search_path). */
  get schema(): string {
    return this.database.schema;
  }

  /** Connect, apply pending migrations, and return the store. Rejects with a readable message. */
  static async open(url: string, options: { max?: number } = {}): Promise<PostgresStore> {
    const database = await PostgresDatabase.open(url, options);
    const store = new PostgresStore(database);
    try {
      return await store.opened();
    } catch (error) {
      await store.close().catch(() => {});
      throw readable(error);
    }
  }

  /** The server's durability setting and the search_path in effect, for tests and diagnostics. */
  settings(): Promise<{ synchronousCommit: string; searchPath: string }> {
    return this.database.settings();
  }
}
