/**
 * SQLite store on Node's built-in `node:sqlite` (no native addon to rebuild).
 * WAL journal with synchronous=FULL: a batch acknowledged to a tablet is on disk, even
 * through a power cut. One batch is one IMMEDIATE transaction.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { IngestItem, IngestOutcome, Store, StoredSignature } from './store.ts';

/** Versioned schema changes, applied in order at startup. Never edit a shipped one. */
const MIGRATIONS: string[] = [
  `CREATE TABLE signatures (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     device_id TEXT NOT NULL,
     campaign_id TEXT NOT NULL,
     captured_at TEXT NOT NULL,
     received_at TEXT NOT NULL,
     content_hash TEXT NOT NULL,
     record TEXT NOT NULL
   );
   CREATE TABLE conflicts (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL,
     received_at TEXT NOT NULL,
     content_hash TEXT NOT NULL,
     record TEXT NOT NULL
   );`,
];

export class SqliteStore implements Store {
  readonly path: string;
  private readonly db: DatabaseSync;
  private readonly insert: StatementSync;
  private readonly hashOf: StatementSync;
  private readonly insertConflict: StatementSync;

  /** Open (and create or migrate) the database at `path`; `:memory:` for tests. */
  constructor(path: string) {
    this.path = path;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new DatabaseSync(path);
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;');
    migrate(this.db);
    this.insert = this.db.prepare(
      `INSERT INTO signatures (id, device_id, campaign_id, captured_at, received_at, content_hash, record)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    this.hashOf = this.db.prepare('SELECT content_hash FROM signatures WHERE id = ?');
    this.insertConflict = this.db.prepare('INSERT INTO conflicts (id, received_at, content_hash, record) VALUES (?, ?, ?, ?)');
  }

  async ingest(items: IngestItem[], receivedAt: string): Promise<IngestOutcome[]> {
    const outcomes: IngestOutcome[] = [];
    this.db.exec('BEGIN IMMEDIATE');
    try {
      for (const { record, hash } of items) {
        const json = JSON.stringify(record);
        const { changes } = this.insert.run(record.id, record.deviceId, record.campaignId, record.capturedAt, receivedAt, hash, json);
        if (changes === 1) {
          outcomes.push('accepted');
          continue;
        }
        const stored = this.hashOf.get(record.id) as { content_hash: string } | undefined;
        if (stored?.content_hash === hash) {
          outcomes.push('duplicate');
        } else {
          this.insertConflict.run(record.id, receivedAt, hash, json);
          outcomes.push('conflict');
        }
      }
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
    return outcomes;
  }

  async count(): Promise<number> {
    const row = this.db.prepare('SELECT COUNT(*) AS n FROM signatures').get() as { n: number };
    return Number(row.n);
  }

  async list({ afterSeq = 0, limit = 1000 } = {}): Promise<StoredSignature[]> {
    const rows = this.db
      .prepare('SELECT seq, id, device_id, campaign_id, captured_at, received_at, record FROM signatures WHERE seq > ? ORDER BY seq LIMIT ?')
      .all(afterSeq, limit) as Array<Record<string, string | number>>;
    return rows.map((r) => ({
      seq: Number(r.seq),
      id: String(r.id),
      deviceId: String(r.device_id),
      campaignId: String(r.campaign_id),
      capturedAt: String(r.captured_at),
      receivedAt: String(r.received_at),
      record: JSON.parse(String(r.record)),
    }));
  }

  /** Current journal mode and synchronous level, for tests and diagnostics. */
  pragmas(): { journalMode: string; synchronous: number } {
    const j = this.db.prepare('PRAGMA journal_mode').get() as { journal_mode: string };
    const s = this.db.prepare('PRAGMA synchronous').get() as { synchronous: number };
    return { journalMode: j.journal_mode, synchronous: Number(s.synchronous) };
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}

/**
 * Apply every migration newer than the database's recorded version. The version is read
 * inside the write transaction, so two processes starting at once cannot both apply one.
 */
function migrate(db: DatabaseSync): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  for (;;) {
    db.exec('BEGIN IMMEDIATE');
    try {
      const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
      const next = (row.v ?? 0) + 1;
      if (next > MIGRATIONS.length) {
        db.exec('COMMIT');
        return;
      }
      db.exec(MIGRATIONS[next - 1]);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(next, new Date().toISOString());
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
}
