/**
 * SQLite store on Node's built-in `node:sqlite` (no native addon to rebuild).
 * WAL journal with synchronous=FULL: a batch acknowledged to a tablet is on disk, even
 * through a power cut. One batch is one IMMEDIATE transaction.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type {
  AuditEntry,
  Coordinator,
  DeletedChainPlace,
  Device,
  DeviceReport,
  IngestItem,
  IngestOutcome,
  IngestSource,
  NewCoordinator,
  RedeemFailure,
  Session,
  Store,
  StoredSignature,
  Totals,
} from './store.ts';
import { ChangeListeners, chainPlaceOf, mergeReport } from './store.ts';

/** Versioned schema changes, applied in order at startup. Never edit a shipped one. */
export const MIGRATIONS: string[] = [
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
  `ALTER TABLE devices ADD COLUMN last_report TEXT;
   CREATE TABLE coordinators (
     id TEXT PRIMARY KEY,
     email TEXT NOT NULL UNIQUE,
     name TEXT NOT NULL,
     password_hash TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE sessions (
     id_hash TEXT PRIMARY KEY,
     coordinator_id TEXT NOT NULL REFERENCES coordinators(id),
     csrf_token TEXT NOT NULL,
     created_at TEXT NOT NULL,
     expires_at TEXT NOT NULL
   );
   CREATE TABLE audit_log (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     at TEXT NOT NULL,
     actor TEXT NOT NULL,
     action TEXT NOT NULL,
     detail TEXT NOT NULL
   );
   CREATE TABLE deleted_signatures (
     id TEXT PRIMARY KEY,
     deleted_at TEXT NOT NULL
   );
   CREATE INDEX signatures_received ON signatures (received_at);
   CREATE INDEX signatures_device ON signatures (device_id);`,
  // A tombstone keeps the deleted record's place in its device's chain (S20); null for a
  // record without a chain and for tombstones made before this version.
  `ALTER TABLE deleted_signatures ADD COLUMN chain_device TEXT;
   ALTER TABLE deleted_signatures ADD COLUMN chain_seq INTEGER;
   ALTER TABLE deleted_signatures ADD COLUMN chain_link TEXT;`,
];

export class SqliteStore implements Store {
  readonly path: string;
  private readonly db: DatabaseSync;
  private readonly insert: StatementSync;
  private readonly hashOf: StatementSync;
  private readonly insertConflict: StatementSync;
  private readonly isDeleted: StatementSync;

  /** Open (and create or migrate) the database at `path`; `:memory:` for tests. */
  constructor(path: string) {
    this.path = path;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new DatabaseSync(path);
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;');
    migrate(this.db);
    // Unicode lower case, as the query is lowered in JavaScript (SQLite's lower() folds ASCII only).
    this.db.function('fs_lower', { deterministic: true }, (s) => (typeof s === 'string' ? s.toLowerCase() : s));
    this.insert = this.db.prepare(
      `INSERT INTO signatures (id, device_id, campaign_id, captured_at, received_at, content_hash, record, clock_suspect, source)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 WHERE NOT EXISTS (SELECT 1 FROM deleted_signatures WHERE id = ?1)
       ON CONFLICT (id) DO NOTHING`,
    );
    this.hashOf = this.db.prepare('SELECT content_hash FROM signatures WHERE id = ?');
    this.isDeleted = this.db.prepare('SELECT 1 AS x FROM deleted_signatures WHERE id = ?');
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
        if (stored?.content_hash === hash || (!stored && this.isDeleted.get(record.id))) {
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
    if (outcomes.includes('accepted')) this.changes.emit();
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
    return rows.map(toStored);
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
      this.changes.emit();
      return { ok: true, device: { id: device.id, event: code.event, label: device.label, enrolledAt: now, revokedAt: null, lastSeenAt: null, lastReport: null } };
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
    if (changes === 1) this.changes.emit();
    return changes === 1;
  }

  async reportDevice(id: string, report: DeviceReport): Promise<DeviceReport | null> {
    // Read and write in one transaction, so two servers on one file see each increase once.
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const row = this.db.prepare('SELECT last_report FROM devices WHERE id = ?').get(id) as { last_report: string | null } | undefined;
      const previous = row?.last_report ? (JSON.parse(row.last_report) as DeviceReport) : null;
      if (row) this.db.prepare('UPDATE devices SET last_report = ? WHERE id = ?').run(JSON.stringify(mergeReport(previous, report)), id);
      this.db.exec('COMMIT');
      this.changes.emit();
      return previous;
    } catch (error) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }

  // ---- Coordinators, sessions, audit (the console) ----

  async createCoordinator(c: NewCoordinator): Promise<boolean> {
    const { changes } = this.db
      .prepare('INSERT INTO coordinators (id, email, name, password_hash, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING')
      .run(c.id, c.email, c.name, c.passwordHash, c.createdAt);
    return changes === 1;
  }

  async coordinatorByEmail(email: string): Promise<(Coordinator & { passwordHash: string }) | undefined> {
    const row = this.db.prepare('SELECT id, email, name, password_hash FROM coordinators WHERE email = ?').get(email) as Record<string, string> | undefined;
    return row && { id: row.id, email: row.email, name: row.name, passwordHash: row.password_hash };
  }

  async createSession(s: { idHash: string; coordinatorId: string; csrfToken: string; createdAt: string; expiresAt: string }): Promise<void> {
    this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(s.createdAt);
    this.db
      .prepare('INSERT INTO sessions (id_hash, coordinator_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run(s.idHash, s.coordinatorId, s.csrfToken, s.createdAt, s.expiresAt);
  }

  async sessionByIdHash(idHash: string, now: string): Promise<Session | undefined> {
    const row = this.db
      .prepare(
        `SELECT s.csrf_token, s.expires_at, c.id, c.email, c.name FROM sessions s JOIN coordinators c ON c.id = s.coordinator_id
         WHERE s.id_hash = ? AND s.expires_at > ?`,
      )
      .get(idHash, now) as Record<string, string> | undefined;
    return row && { csrfToken: row.csrf_token, expiresAt: row.expires_at, coordinator: { id: row.id, email: row.email, name: row.name } };
  }

  async deleteSession(idHash: string): Promise<void> {
    this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
  }

  async audit(entry: Omit<AuditEntry, 'seq'>): Promise<void> {
    this.db.prepare('INSERT INTO audit_log (at, actor, action, detail) VALUES (?, ?, ?, ?)').run(entry.at, entry.actor, entry.action, JSON.stringify(entry.detail));
  }

  async auditLog(limit = 200): Promise<AuditEntry[]> {
    const rows = this.db.prepare('SELECT * FROM audit_log ORDER BY seq DESC LIMIT ?').all(limit) as Array<Record<string, string | number>>;
    return rows.map((r) => ({ seq: Number(r.seq), at: String(r.at), actor: String(r.actor), action: String(r.action), detail: JSON.parse(String(r.detail)) }));
  }

  // ---- Totals and signatures (the console) ----

  async totals(): Promise<Totals> {
    const all = <T,>(sql: string) => this.db.prepare(sql).all() as T[];
    // A sealed record may carry its country in clear beside the sealed payload (`$.country`).
    const country = "COALESCE(json_extract(s.record, '$.payload.signer.country'), json_extract(s.record, '$.country'), '')";
    return {
      total: await this.count(),
      byEvent: all<{ event: string; count: number }>(
        `SELECT COALESCE(d.event, '(imported or unknown)') AS event, COUNT(*) AS count FROM signatures s LEFT JOIN devices d ON d.id = s.device_id GROUP BY 1 ORDER BY 2 DESC, 1`,
      ),
      byDevice: all<{ deviceId: string; label: string | null; count: number }>(
        'SELECT s.device_id AS deviceId, d.label AS label, COUNT(*) AS count FROM signatures s LEFT JOIN devices d ON d.id = s.device_id GROUP BY 1 ORDER BY 3 DESC, 1',
      ),
      byCountry: all<{ country: string; count: number }>(`SELECT ${country} AS country, COUNT(*) AS count FROM signatures s GROUP BY 1 ORDER BY 2 DESC, 1`),
      hourly: all<{ hour: string; count: number }>(
        "SELECT substr(received_at, 1, 13) || ':00:00Z' AS hour, COUNT(*) AS count FROM signatures GROUP BY 1 ORDER BY 1",
      ),
    };
  }

  async searchSignatures({ q = '', offset = 0, limit = 50 }: { q?: string; offset?: number; limit?: number }): Promise<{ total: number; rows: StoredSignature[] }> {
    // No stored name, email or id holds U+0000, and LIKE would cut the pattern there.
    if (q.includes('\u0000')) return { total: 0, rows: [] };
    const like = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const where = q
      ? `WHERE fs_lower(json_extract(record, '$.payload.signer.name')) LIKE ?1 ESCAPE '\\' OR fs_lower(json_extract(record, '$.payload.signer.email')) LIKE ?1 ESCAPE '\\' OR id LIKE ?1 ESCAPE '\\'`
      : 'WHERE ?1 IS NOT NULL';
    const total = Number((this.db.prepare(`SELECT COUNT(*) AS n FROM signatures ${where}`).get(like) as { n: number }).n);
    const rows = this.db
      .prepare(`SELECT seq, id, device_id, campaign_id, captured_at, received_at, clock_suspect, source, record FROM signatures ${where} ORDER BY seq DESC LIMIT ?2 OFFSET ?3`)
      .all(like, limit, offset) as Array<Record<string, string | number>>;
    return { total, rows: rows.map(toStored) };
  }

  async getSignature(id: string): Promise<StoredSignature | undefined> {
    const row = this.db
      .prepare('SELECT seq, id, device_id, campaign_id, captured_at, received_at, clock_suspect, source, record FROM signatures WHERE id = ?')
      .get(id) as Record<string, string | number> | undefined;
    return row && toStored(row);
  }

  async duplicateIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const email = "fs_lower(trim(json_extract(record, '$.payload.signer.email')))";
    const name = "fs_lower(trim(json_extract(record, '$.payload.signer.name')))";
    const country = "json_extract(record, '$.payload.signer.country')";
    const rows = this.db
      .prepare(
        `SELECT a.id FROM signatures a WHERE a.id IN (SELECT value FROM json_each(?)) AND EXISTS (
           SELECT 1 FROM signatures b WHERE b.id <> a.id AND (
             (${email.replaceAll('record', 'b.record')} = ${email.replaceAll('record', 'a.record')})
             OR (${name.replaceAll('record', 'b.record')} = ${name.replaceAll('record', 'a.record')}
                 AND ${country.replaceAll('record', 'b.record')} IS ${country.replaceAll('record', 'a.record')})))`,
      )
      .all(JSON.stringify(ids)) as Array<{ id: string }>;
    return new Set(rows.map((r) => r.id));
  }

  async deleteSignature(id: string, at: string): Promise<boolean> {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const deleted = this.db.prepare('DELETE FROM signatures WHERE id = ? RETURNING record').get(id) as { record: string } | undefined;
      this.db.prepare('DELETE FROM conflicts WHERE id = ?').run(id);
      if (deleted) {
        const place = chainPlaceOf(JSON.parse(deleted.record));
        this.db
          .prepare('INSERT INTO deleted_signatures (id, deleted_at, chain_device, chain_seq, chain_link) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING')
          .run(id, at, place?.device ?? null, place?.seq ?? null, place?.link ?? null);
      }
      this.db.exec('COMMIT');
      if (deleted) this.changes.emit();
      return deleted !== undefined;
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  async deletedChainPlaces(): Promise<DeletedChainPlace[]> {
    const rows = this.db
      .prepare(
        `SELECT id, chain_device, chain_seq, chain_link, deleted_at FROM deleted_signatures
         WHERE chain_device IS NOT NULL AND chain_seq IS NOT NULL AND chain_link IS NOT NULL ORDER BY chain_device, chain_seq, id`,
      )
      .all() as Array<{ id: string; chain_device: string; chain_seq: number; chain_link: string; deleted_at: string }>;
    return rows.map((r) => ({ id: r.id, device: r.chain_device, seq: Number(r.chain_seq), link: r.chain_link, deletedAt: r.deleted_at }));
  }

  async listDevices(): Promise<Device[]> {
    const rows = this.db.prepare('SELECT * FROM devices ORDER BY enrolled_at, rowid').all() as Array<Record<string, string | null>>;
    return rows.map(toDevice);
  }

  /** Current journal mode and synchronous level, for tests and diagnostics. */
  pragmas(): { journalMode: string; synchronous: number } {
    const j = this.db.prepare('PRAGMA journal_mode').get() as { journal_mode: string };
    const s = this.db.prepare('PRAGMA synchronous').get() as { synchronous: number };
    return { journalMode: j.journal_mode, synchronous: Number(s.synchronous) };
  }

  private readonly changes = new ChangeListeners();

  onChange(listener: () => void): () => void {
    return this.changes.add(listener);
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
    lastReport: row.last_report ? (JSON.parse(row.last_report) as DeviceReport) : null,
  };
}

function toStored(r: Record<string, string | number>): StoredSignature {
  return {
    seq: Number(r.seq),
    id: String(r.id),
    deviceId: String(r.device_id),
    campaignId: String(r.campaign_id),
    capturedAt: String(r.captured_at),
    receivedAt: String(r.received_at),
    clockSuspect: r.clock_suspect === 1,
    source: r.source === 'import' ? 'import' : 'sync',
    record: JSON.parse(String(r.record)),
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
