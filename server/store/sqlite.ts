/**
 * SQLite store on Node's built-in `node:sqlite` (no native addon to rebuild).
 * WAL journal with synchronous=FULL: a batch acknowledged to a tablet is on disk, even
 * through a power cut. One batch is one IMMEDIATE transaction.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Device, IngestItem, IngestOutcome, IngestSource, RedeemFailure, Store, StoredSignature } from './store.ts';

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
  `ALTER TABLE signatures ADD COLUMN clock_suspect INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE signatures ADD COLUMN source TEXT NOT NULL DEFAULT 'sync';
   CREATE TABLE devices (
     id TEXT PRIMARY KEY,
     token_hash TEXT NOT NULL UNIQUE,
     event TEXT NOT NULL,
     label TEXT,
     enrolled_at TEXT NOT NULL,
     revoked_at TEXT,
     last_seen_at TEXT
   );
   CREATE TABLE enrollment_codes (
     code_hash TEXT PRIMARY KEY,
     event TEXT NOT NULL,
     created_at TEXT NOT NULL,
     expires_at TEXT NOT NULL,
     used_at TEXT,
     device_id TEXT
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
      `INSERT INTO signatures (id, device_id, campaign_id, captured_at, received_at, content_hash, record, clock_suspect, source)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    this.hashOf = this.db.prepare('SELECT content_hash FROM signatures WHERE id = ?');
    this.insertConflict = this.db.prepare('INSERT INTO conflicts (id, received_at, content_hash, record) VALUES (?, ?, ?, ?)');
  }

  async ingest(items: IngestItem[], receivedAt: string, source: IngestSource): Promise<IngestOutcome[]> {
    const outcomes: IngestOutcome[] = [];
    this.db.exec('BEGIN IMMEDIATE');
    try {
      for (const { record, hash, clockSuspect } of items) {
        const json = JSON.stringify(record);
        const { changes } = this.insert.run(
          record.id, record.deviceId, record.campaignId, record.capturedAt, receivedAt, hash, json, clockSuspect ? 1 : 0, source,
        );
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
      faultPause();
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
      .prepare(
        'SELECT seq, id, device_id, campaign_id, captured_at, received_at, clock_suspect, source, record FROM signatures WHERE seq > ? ORDER BY seq LIMIT ?',
      )
      .all(afterSeq, limit) as Array<Record<string, string | number>>;
    return rows.map((r) => ({
      seq: Number(r.seq),
      id: String(r.id),
      deviceId: String(r.device_id),
      campaignId: String(r.campaign_id),
      capturedAt: String(r.captured_at),
      receivedAt: String(r.received_at),
      clockSuspect: r.clock_suspect === 1,
      source: r.source === 'import' ? 'import' : 'sync',
      record: JSON.parse(String(r.record)),
    }));
  }

  async conflictCount(): Promise<number> {
    const row = this.db.prepare('SELECT COUNT(*) AS n FROM conflicts').get() as { n: number };
    return Number(row.n);
  }

  async createEnrollmentCode(code: { codeHash: string; event: string; createdAt: string; expiresAt: string }): Promise<void> {
    this.db
      .prepare('INSERT INTO enrollment_codes (code_hash, event, created_at, expires_at) VALUES (?, ?, ?, ?)')
      .run(code.codeHash, code.event, code.createdAt, code.expiresAt);
  }

  async redeemEnrollmentCode(
    codeHash: string,
    now: string,
    device: { id: string; tokenHash: string; label: string | null },
  ): Promise<{ ok: true; device: Device } | { ok: false; reason: RedeemFailure }> {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const code = this.db.prepare('SELECT event, expires_at, used_at FROM enrollment_codes WHERE code_hash = ?').get(codeHash) as
        | { event: string; expires_at: string; used_at: string | null }
        | undefined;
      const reason: RedeemFailure | undefined = !code ? 'unknown' : code.used_at ? 'used' : code.expires_at <= now ? 'expired' : undefined;
      if (reason || !code) {
        this.db.exec('ROLLBACK');
        return { ok: false, reason: reason ?? 'unknown' };
      }
      this.db.prepare('UPDATE enrollment_codes SET used_at = ?, device_id = ? WHERE code_hash = ?').run(now, device.id, codeHash);
      this.db
        .prepare('INSERT INTO devices (id, token_hash, event, label, enrolled_at) VALUES (?, ?, ?, ?, ?)')
        .run(device.id, device.tokenHash, code.event, device.label, now);
      this.db.exec('COMMIT');
      return { ok: true, device: { id: device.id, event: code.event, label: device.label, enrolledAt: now, revokedAt: null, lastSeenAt: null } };
    } catch (error) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }

  async deviceByTokenHash(tokenHash: string): Promise<Device | undefined> {
    const row = this.db.prepare('SELECT * FROM devices WHERE token_hash = ?').get(tokenHash) as Record<string, string | null> | undefined;
    return row ? toDevice(row) : undefined;
  }

  async touchDevice(id: string, at: string): Promise<void> {
    this.db.prepare('UPDATE devices SET last_seen_at = ? WHERE id = ?').run(at, id);
  }

  async revokeDevice(id: string, at: string): Promise<boolean> {
    const { changes } = this.db.prepare('UPDATE devices SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?').run(at, id);
    return changes === 1;
  }

  async listDevices(): Promise<Device[]> {
    const rows = this.db.prepare('SELECT * FROM devices ORDER BY enrolled_at').all() as Array<Record<string, string | null>>;
    return rows.map(toDevice);
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

function toDevice(row: Record<string, string | null>): Device {
  return {
    id: String(row.id),
    event: String(row.event),
    label: row.label,
    enrolledAt: String(row.enrolled_at),
    revokedAt: row.revoked_at,
    lastSeenAt: row.last_seen_at,
  };
}

/**
 * Fault injection for the crash tests only: with FIELDSIGN_FAULT_PAUSE_MS set, every batch
 * holds its transaction open that long before COMMIT, so a SIGKILL can land mid-batch.
 */
const FAULT_PAUSE_MS = Number(process.env.FIELDSIGN_FAULT_PAUSE_MS ?? 0);
function faultPause(): void {
  if (FAULT_PAUSE_MS > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, FAULT_PAUSE_MS * Math.random());
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
