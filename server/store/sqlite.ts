/** The store on an SQLite file (the embedded default): the shared store on the SQLite driver. */
import { SqlStore } from './sql-store.ts';
import { SqliteDatabase } from './sqlite-database.ts';

export class SqliteStore extends SqlStore {
  readonly path: string;
  private readonly database: SqliteDatabase;

  /** Open (and create or migrate, before the first use) the database at `path`; `:memory:` for tests. */
  constructor(path: string) {
    const database = new SqliteDatabase(path);
    super(database);
    this.path = path;
    this.database = database;
  }

  /** Journal mode, synchronous level and secure_delete, for tests and diagnostics. */
  pragmas(): { journalMode: string; synchronous: number; secureDelete: number } {
    return this.database.pragmas();
  }
}
