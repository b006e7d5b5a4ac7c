/**
 * PostgreSQL store on `pg`, for several server instances sharing one database. Same contract
 * and same answers as the SQLite store (server/store/sqlite.ts, the reference):
 *
 * - Times are kept as the ISO text the caller gave (`COLLATE "C"`, so comparisons and ordering
 *   are byte-wise like SQLite's), so every string comes back exactly as stored.
 * - A record is kept as `json` (its exact text), not `jsonb`: jsonb refuses `\u0000` and lone
 *   surrogate escapes, which a valid record can hold (e.g. in `typed.attestation`), and would
 *   make a whole batch fail forever. The signer fields that queries need (lower-cased name and
 *   email, country) are extracted once, at ingestion, into plain columns.
 * - Ingestion is one READ COMMITTED transaction per batch: `INSERT … ON CONFLICT (id) DO
 *   NOTHING RETURNING id` stores the new ids, then a lookup in a new statement (a new snapshot,
 *   which sees whichever copy really got stored) tells duplicate from conflict.
 * - Writes to signatures (ingest, deleteSignature) also take a per-schema transaction-level
 *   advisory lock, like SQLite's single writer. Without it: `seq` values would not follow
 *   commit order (paging `list` by `afterSeq`, as the exports do, could skip a row that commits
 *   late), batches sharing ids in different orders could deadlock, and a re-send racing a
 *   deletion could store the id again (its tombstone check ran on an older snapshot).
 * - Migrations are versioned (`schema_migrations`) and applied under `pg_advisory_xact_lock`,
 *   so instances starting together apply each one once.
 *
 * - Each write that changes what the dashboards show also notifies the other instances on the
 *   same schema, at COMMIT (postgres-notify.ts), so their live streams follow.
 *
 * The database URL may choose a schema: `postgres://…/db?options=-c%20search_path%3Dfieldsign`.
 */
import pg from 'pg';
import type { PoolClient } from 'pg';
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
import { ChangeNotifier } from './postgres-notify.ts';

/**
 * Versioned schema changes, applied in order at startup. Never edit a shipped one. Version
 * numbers match the SQLite store's: version N is the same logical schema on both.
 */
export const MIGRATIONS: string[] = [
  `CREATE TABLE signatures (
     seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     id text NOT NULL UNIQUE,
     device_id text NOT NULL,
     campaign_id text NOT NULL,
     captured_at text COLLATE "C" NOT NULL,
     received_at text COLLATE "C" NOT NULL,
     content_hash text NOT NULL,
     record json NOT NULL,
     -- Extracted from the record at ingestion, for search, totals and duplicate flags.
     signer_name_lc text,
     signer_email_lc text,
     signer_country text
   );
   CREATE TABLE conflicts (
     seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     id text NOT NULL,
     received_at text COLLATE "C" NOT NULL,
     content_hash text NOT NULL,
     record json NOT NULL
   );
   CREATE INDEX conflicts_id ON conflicts (id);`,
  `ALTER TABLE signatures ADD COLUMN clock_suspect boolean NOT NULL DEFAULT false;
   ALTER TABLE signatures ADD COLUMN source text NOT NULL DEFAULT 'sync';
   CREATE TABLE devices (
     id text PRIMARY KEY,
     token_hash text NOT NULL UNIQUE,
     event text NOT NULL,
     label text,
     enrolled_at text COLLATE "C" NOT NULL,
     revoked_at text COLLATE "C",
     last_seen_at text COLLATE "C",
     -- Insertion order, to list devices enrolled at the same instant in a stable order.
     seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE
   );
   CREATE TABLE enrollment_codes (
     code_hash text PRIMARY KEY,
     event text NOT NULL,
     created_at text COLLATE "C" NOT NULL,
     expires_at text COLLATE "C" NOT NULL,
     used_at text COLLATE "C",
     device_id text
   );`,
  `ALTER TABLE devices ADD COLUMN last_report json;
   CREATE TABLE coordinators (
     id text PRIMARY KEY,
     email text NOT NULL UNIQUE,
     name text NOT NULL,
     password_hash text NOT NULL,
     created_at text COLLATE "C" NOT NULL
   );
   CREATE TABLE sessions (
     id_hash text PRIMARY KEY,
     coordinator_id text NOT NULL REFERENCES coordinators(id),
     csrf_token text NOT NULL,
     created_at text COLLATE "C" NOT NULL,
     expires_at text COLLATE "C" NOT NULL
   );
   CREATE INDEX sessions_expires ON sessions (expires_at);
   CREATE TABLE audit_log (
     seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     at text COLLATE "C" NOT NULL,
     actor text NOT NULL,
     action text NOT NULL,
     detail json NOT NULL
   );
   CREATE TABLE deleted_signatures (
     id text PRIMARY KEY,
     deleted_at text COLLATE "C" NOT NULL
   );
   CREATE INDEX signatures_received ON signatures (received_at);
   CREATE INDEX signatures_device ON signatures (device_id);
   CREATE INDEX signatures_email_key ON signatures (btrim(signer_email_lc));
   CREATE INDEX signatures_name_key ON signatures (btrim(signer_name_lc), signer_country);`,
  // A tombstone keeps the deleted record's place in its device's chain (S20); null for a
  // record without a chain and for tombstones made before this version.
  `ALTER TABLE deleted_signatures ADD COLUMN chain_device text COLLATE "C";
   ALTER TABLE deleted_signatures ADD COLUMN chain_seq bigint;
   ALTER TABLE deleted_signatures ADD COLUMN chain_link text;`,
];

/** First key of every advisory lock taken here ("FS" + 1 / 2); the second is the schema's hash. */
const MIGRATION_LOCK = 0x46530001;
const WRITE_LOCK = 0x46530002;

const SIGNATURE_COLUMNS = 'seq, id, device_id, campaign_id, captured_at, received_at, clock_suspect, source, record';

export class PostgresStore implements Store {
  /** The schema the tables live in (the first existing one on the search_path). */
  readonly schema: string;
  private readonly pool: pg.Pool;
  /** Second key of this schema's advisory locks. */
  private readonly lockKey: number;
  private closed = false;
  /** Tells other instances of this store's changes, and this one of theirs. */
  private readonly notifier: ChangeNotifier;

  private constructor(pool: pg.Pool, schema: string, lockKey: number, url: string) {
    this.pool = pool;
    this.schema = schema;
    this.lockKey = lockKey;
    this.notifier = new ChangeNotifier({ url, schema, pool });
  }

  /** Connect, apply pending migrations, and return the store. Rejects with a readable message. */
  static async open(url: string, options: { max?: number } = {}): Promise<PostgresStore> {
    const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
    // An idle connection dropped by the server must not crash the process; the next query reconnects.
    pool.on('error', (error) => console.error(`PostgreSQL connection lost: ${error.message}`));
    try {
      const { schema, lockKey } = await migrate(pool);
      return new PostgresStore(pool, schema, lockKey, url);
    } catch (error) {
      await pool.end().catch(() => {});
      const e = error as Error & { code?: string };
      throw new Error(`PostgreSQL: ${e.message || e.code || String(error)}${e.code && e.message && !e.message.includes(e.code) ? ` (${e.code})` : ''}`, { cause: error });
    }
  }

  /** The latest applied migration. */
  async schemaVersion(): Promise<number> {
    const { rows } = await this.pool.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
    return rows[0].v ?? 0;
  }

  /** Settings that make an acknowledged batch durable, for tests and diagnostics. */
  async settings(): Promise<{ synchronousCommit: string; searchPath: string }> {
    const { rows } = await this.pool.query<{ s: string; p: string }>("SELECT current_setting('synchronous_commit') AS s, current_setting('search_path') AS p");
    return { synchronousCommit: rows[0].s, searchPath: rows[0].p };
  }

  async ingest(items: IngestItem[], receivedAt: string, source: IngestSource): Promise<IngestOutcome[]> {
    if (items.length === 0) return [];
    const ids = items.map((i) => i.record.id);
    const json = items.map((i) => JSON.stringify(i.record));
    const outcomes = await this.transaction(async (client) => {
      await this.lockWrites(client);
      // Skips ids already stored or tombstoned; ON CONFLICT covers a same-id pair inside the
      // batch (the first one is inserted: rows go in `ord` order) and any concurrent writer.
      const signer = items.map((i) => signerKeys(i.record));
      const inserted = await client.query<{ id: string }>(
        `INSERT INTO signatures (id, device_id, campaign_id, captured_at, received_at, content_hash, record, clock_suspect, source,
                                 signer_name_lc, signer_email_lc, signer_country)
         SELECT t.id, t.device_id, t.campaign_id, t.captured_at, $1, t.content_hash, t.record::json, t.clock_suspect, $2, t.name_lc, t.email_lc, t.country
         FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::boolean[], $10::text[], $11::text[], $12::text[])
              WITH ORDINALITY AS t(id, device_id, campaign_id, captured_at, content_hash, record, clock_suspect, name_lc, email_lc, country, ord)
         WHERE NOT EXISTS (SELECT 1 FROM signatures s WHERE s.id = t.id)
           AND NOT EXISTS (SELECT 1 FROM deleted_signatures d WHERE d.id = t.id)
         ORDER BY t.ord
         ON CONFLICT (id) DO NOTHING
         RETURNING id`,
        [
          receivedAt,
          source,
          ids,
          items.map((i) => i.record.deviceId),
          items.map((i) => i.record.campaignId),
          items.map((i) => i.record.capturedAt),
          items.map((i) => i.hash),
          json,
          items.map((i) => i.clockSuspect),
          signer.map((s) => s.nameLc),
          signer.map((s) => s.emailLc),
          signer.map((s) => s.country),
        ],
      );
      const fresh = new Set(inserted.rows.map((r) => r.id));
      const outcomes: IngestOutcome[] = new Array(items.length);
      const rest: number[] = [];
      items.forEach((item, index) => {
        if (fresh.delete(item.record.id)) outcomes[index] = 'accepted';
        else rest.push(index);
      });
      if (rest.length > 0) {
        // A new statement has a new snapshot: it sees our own rows and any writer that committed
        // meanwhile (ON CONFLICT waited for it), so "stored with the same hash" is decided on
        // the copy that is really stored.
        const { rows } = await client.query<{ id: string; content_hash: string | null; deleted: boolean }>(
          `SELECT u.id, s.content_hash, d.id IS NOT NULL AS deleted
           FROM unnest($1::text[]) AS u(id) LEFT JOIN signatures s ON s.id = u.id LEFT JOIN deleted_signatures d ON d.id = u.id`,
          [[...new Set(rest.map((i) => ids[i]))]],
        );
        const found = new Map(rows.map((r) => [r.id, r]));
        const conflicts: number[] = [];
        for (const index of rest) {
          const row = found.get(ids[index]);
          const stored = row?.content_hash ?? undefined;
          if (stored === items[index].hash || (stored === undefined && row?.deleted)) {
            outcomes[index] = 'duplicate';
          } else {
            outcomes[index] = 'conflict';
            conflicts.push(index);
          }
        }
        if (conflicts.length > 0) {
          await client.query(
            `INSERT INTO conflicts (id, received_at, content_hash, record)
             SELECT t.id, $1, t.content_hash, t.record::json
             FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS t(id, content_hash, record, ord)
             ORDER BY t.ord`,
            [receivedAt, conflicts.map((i) => ids[i]), conflicts.map((i) => items[i].hash), conflicts.map((i) => json[i])],
          );
        }
      }
      if (outcomes.includes('accepted')) await this.notifier.notify(client);
      await faultPause();
      return outcomes;
    });
    if (outcomes.includes('accepted')) this.changes.emit();
    return outcomes;
  }

  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT COUNT(*) AS n FROM signatures');
    return Number(rows[0].n);
  }

  async list({ afterSeq = 0, limit = 1000 }: { afterSeq?: number; limit?: number } = {}): Promise<StoredSignature[]> {
    const { rows } = await this.pool.query<SignatureRow>(
      `SELECT ${SIGNATURE_COLUMNS} FROM signatures WHERE seq > $1 ORDER BY seq LIMIT $2`,
      [afterSeq, sqlLimit(limit)],
    );
    return rows.map(toStored);
  }

  async conflictCount(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT COUNT(*) AS n FROM conflicts');
    return Number(rows[0].n);
  }

  async createEnrollmentCode(code: { codeHash: string; event: string; createdAt: string; expiresAt: string }): Promise<void> {
    await this.pool.query('INSERT INTO enrollment_codes (code_hash, event, created_at, expires_at) VALUES ($1, $2, $3, $4)', [
      code.codeHash,
      code.event,
      code.createdAt,
      code.expiresAt,
    ]);
  }

  async redeemEnrollmentCode(
    codeHash: string,
    now: string,
    device: { id: string; tokenHash: string; label: string | null },
  ): Promise<{ ok: true; device: Device } | { ok: false; reason: RedeemFailure }> {
    if (!storable(codeHash)) return { ok: false, reason: 'unknown' };
    const result = await this.transaction(async (client) => {
      // FOR UPDATE: a second instance redeeming the same code waits here, then reads it used.
      const { rows } = await client.query<{ event: string; expires_at: string; used_at: string | null }>(
        'SELECT event, expires_at, used_at FROM enrollment_codes WHERE code_hash = $1 FOR UPDATE',
        [codeHash],
      );
      const code = rows[0];
      const reason: RedeemFailure | undefined = !code ? 'unknown' : code.used_at ? 'used' : code.expires_at <= now ? 'expired' : undefined;
      if (reason || !code) return { ok: false as const, reason: reason ?? 'unknown' };
      await client.query('UPDATE enrollment_codes SET used_at = $1, device_id = $2 WHERE code_hash = $3', [now, device.id, codeHash]);
      await client.query('INSERT INTO devices (id, token_hash, event, label, enrolled_at) VALUES ($1, $2, $3, $4, $5)', [
        device.id,
        device.tokenHash,
        code.event,
        device.label,
        now,
      ]);
      await this.notifier.notify(client);
      return {
        ok: true as const,
        device: { id: device.id, event: code.event, label: device.label, enrolledAt: now, revokedAt: null, lastSeenAt: null, lastReport: null },
      };
    });
    if (result.ok) this.changes.emit();
    return result;
  }

  async deviceByTokenHash(tokenHash: string): Promise<Device | undefined> {
    if (!storable(tokenHash)) return undefined;
    const { rows } = await this.pool.query<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE token_hash = $1`, [tokenHash]);
    return rows[0] && toDevice(rows[0]);
  }

  async touchDevice(id: string, at: string): Promise<void> {
    if (!storable(id)) return;
    await this.pool.query('UPDATE devices SET last_seen_at = $1 WHERE id = $2', [at, id]);
  }

  async revokeDevice(id: string, at: string): Promise<boolean> {
    if (!storable(id)) return false;
    const revoked = await this.transaction(async (client) => {
      const { rowCount } = await client.query('UPDATE devices SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2', [at, id]);
      if (rowCount === 1) await this.notifier.notify(client);
      return rowCount === 1;
    });
    if (revoked) this.changes.emit();
    return revoked;
  }

  async listDevices(): Promise<Device[]> {
    const { rows } = await this.pool.query<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM devices ORDER BY enrolled_at, seq`);
    return rows.map(toDevice);
  }

  async reportDevice(id: string, report: DeviceReport): Promise<DeviceReport | null> {
    if (!storable(id)) return null;
    return this.transaction(async (client) => {
      // FOR UPDATE: a second instance handling the same device waits, then merges into our report.
      const { rows } = await client.query<{ last_report: DeviceReport | null }>('SELECT last_report FROM devices WHERE id = $1 FOR UPDATE', [id]);
      if (rows.length === 0) return null;
      const previous = rows[0].last_report ?? null;
      await client.query('UPDATE devices SET last_report = $1::json WHERE id = $2', [JSON.stringify(mergeReport(previous, report)), id]);
      return previous;
    });
  }

  // ---- Coordinators, sessions, audit (the console) ----

  async createCoordinator(c: NewCoordinator): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'INSERT INTO coordinators (id, email, name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (email) DO NOTHING',
      [c.id, c.email, c.name, c.passwordHash, c.createdAt],
    );
    return rowCount === 1;
  }

  async coordinatorByEmail(email: string): Promise<(Coordinator & { passwordHash: string }) | undefined> {
    // A login form can send anything; a NUL can match no stored email (and PostgreSQL text refuses it).
    if (!storable(email)) return undefined;
    const { rows } = await this.pool.query<Record<string, string>>('SELECT id, email, name, password_hash FROM coordinators WHERE email = $1', [email]);
    const row = rows[0];
    return row && { id: row.id, email: row.email, name: row.name, passwordHash: row.password_hash };
  }

  async createSession(s: { idHash: string; coordinatorId: string; csrfToken: string; createdAt: string; expiresAt: string }): Promise<void> {
    await this.pool.query('DELETE FROM sessions WHERE expires_at <= $1', [s.createdAt]);
    await this.pool.query('INSERT INTO sessions (id_hash, coordinator_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [
      s.idHash,
      s.coordinatorId,
      s.csrfToken,
      s.createdAt,
      s.expiresAt,
    ]);
  }

  async sessionByIdHash(idHash: string, now: string): Promise<Session | undefined> {
    if (!storable(idHash) || !storable(now)) return undefined;
    const { rows } = await this.pool.query<Record<string, string>>(
      `SELECT s.csrf_token, s.expires_at, c.id, c.email, c.name FROM sessions s JOIN coordinators c ON c.id = s.coordinator_id
       WHERE s.id_hash = $1 AND s.expires_at > $2`,
      [idHash, now],
    );
    const row = rows[0];
    return row && { csrfToken: row.csrf_token, expiresAt: row.expires_at, coordinator: { id: row.id, email: row.email, name: row.name } };
  }

  async deleteSession(idHash: string): Promise<void> {
    if (!storable(idHash)) return;
    await this.pool.query('DELETE FROM sessions WHERE id_hash = $1', [idHash]);
  }

  async audit(entry: Omit<AuditEntry, 'seq'>): Promise<void> {
    await this.pool.query('INSERT INTO audit_log (at, actor, action, detail) VALUES ($1, $2, $3, $4::json)', [
      entry.at,
      entry.actor,
      entry.action,
      JSON.stringify(entry.detail),
    ]);
  }

  async auditLog(limit = 200): Promise<AuditEntry[]> {
    const { rows } = await this.pool.query<{ seq: string; at: string; actor: string; action: string; detail: Record<string, unknown> }>(
      'SELECT seq, at, actor, action, detail FROM audit_log ORDER BY seq DESC LIMIT $1',
      [sqlLimit(limit)],
    );
    return rows.map((r) => ({ seq: Number(r.seq), at: r.at, actor: r.actor, action: r.action, detail: r.detail }));
  }

  // ---- Totals and signatures (the console) ----

  async totals(): Promise<Totals> {
    // One snapshot, so the figures add up even while batches arrive.
    return this.transaction(async (client) => {
      const all = async <T extends { count: number }>(sql: string): Promise<T[]> =>
        (await client.query<T>(sql)).rows.map((r) => ({ ...r, count: Number(r.count) }));
      const total = Number((await client.query<{ n: string }>('SELECT COUNT(*) AS n FROM signatures')).rows[0].n);
      return {
        total,
        byEvent: await all<{ event: string; count: number }>(
          `SELECT COALESCE(d.event, '(imported or unknown)') AS event, COUNT(*) AS count
           FROM signatures s LEFT JOIN devices d ON d.id = s.device_id GROUP BY 1 ORDER BY 2 DESC, COALESCE(d.event, '(imported or unknown)') COLLATE "C"`,
        ),
        byDevice: await all<{ deviceId: string; label: string | null; count: number }>(
          `SELECT s.device_id AS "deviceId", d.label AS label, COUNT(*) AS count
           FROM signatures s LEFT JOIN devices d ON d.id = s.device_id GROUP BY s.device_id, d.label ORDER BY 3 DESC, s.device_id COLLATE "C"`,
        ),
        byCountry: await all<{ country: string; count: number }>(
          `SELECT COALESCE(signer_country, '') AS country, COUNT(*) AS count FROM signatures GROUP BY 1 ORDER BY 2 DESC, COALESCE(signer_country, '') COLLATE "C"`,
        ),
        hourly: await all<{ hour: string; count: number }>(
          `SELECT substr(received_at, 1, 13) || ':00:00Z' AS hour, COUNT(*) AS count FROM signatures GROUP BY 1 ORDER BY 1`,
        ),
      };
    }, 'REPEATABLE READ READ ONLY');
  }

  async searchSignatures({ q = '', offset = 0, limit = 50 }: { q?: string; offset?: number; limit?: number }): Promise<{ total: number; rows: StoredSignature[] }> {
    // No stored name, email or id can contain NUL (PostgreSQL text cannot hold it).
    if (!storable(q)) return { total: 0, rows: [] };
    const like = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const where = q
      ? `WHERE signer_name_lc LIKE $1 ESCAPE '\\' OR signer_email_lc LIKE $1 ESCAPE '\\' OR lower(id) LIKE $1 ESCAPE '\\'`
      : 'WHERE $1::text IS NOT NULL';
    return this.transaction(async (client) => {
      const total = Number((await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM signatures ${where}`, [like])).rows[0].n);
      const { rows } = await client.query<SignatureRow>(`SELECT ${SIGNATURE_COLUMNS} FROM signatures ${where} ORDER BY seq DESC LIMIT $2 OFFSET $3`, [
        like,
        sqlLimit(limit),
        Math.max(0, Math.trunc(offset)),
      ]);
      return { total, rows: rows.map(toStored) };
    }, 'REPEATABLE READ READ ONLY');
  }

  async getSignature(id: string): Promise<StoredSignature | undefined> {
    if (!storable(id)) return undefined;
    const { rows } = await this.pool.query<SignatureRow>(`SELECT ${SIGNATURE_COLUMNS} FROM signatures WHERE id = $1`, [id]);
    return rows[0] && toStored(rows[0]);
  }

  async duplicateIds(ids: string[]): Promise<Set<string>> {
    const wanted = ids.filter(storable);
    if (wanted.length === 0) return new Set();
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT a.id FROM signatures a WHERE a.id = ANY($1::text[]) AND (
         EXISTS (SELECT 1 FROM signatures b WHERE b.id <> a.id AND btrim(b.signer_email_lc) = btrim(a.signer_email_lc))
         OR EXISTS (SELECT 1 FROM signatures b WHERE b.id <> a.id AND btrim(b.signer_name_lc) = btrim(a.signer_name_lc)
                    AND b.signer_country IS NOT DISTINCT FROM a.signer_country))`,
      [wanted],
    );
    return new Set(rows.map((r) => r.id));
  }

  async deleteSignature(id: string, at: string): Promise<boolean> {
    if (!storable(id)) return false;
    const deleted = await this.transaction(async (client) => {
      await this.lockWrites(client);
      const { rows } = await client.query<{ record: unknown }>('DELETE FROM signatures WHERE id = $1 RETURNING record', [id]);
      await client.query('DELETE FROM conflicts WHERE id = $1', [id]);
      if (rows.length === 0) return false;
      const place = chainPlaceOf(rows[0].record);
      await client.query(
        'INSERT INTO deleted_signatures (id, deleted_at, chain_device, chain_seq, chain_link) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING',
        [id, at, place?.device ?? null, place?.seq ?? null, place?.link ?? null],
      );
      await this.notifier.notify(client);
      return true;
    });
    if (deleted) this.changes.emit();
    return deleted;
  }

  async deletedChainPlaces(): Promise<DeletedChainPlace[]> {
    const { rows } = await this.pool.query<{ id: string; chain_device: string; chain_seq: string; chain_link: string; deleted_at: string }>(
      `SELECT id, chain_device, chain_seq, chain_link, deleted_at FROM deleted_signatures
       WHERE chain_device IS NOT NULL AND chain_seq IS NOT NULL AND chain_link IS NOT NULL ORDER BY chain_device, chain_seq, id COLLATE "C"`,
    );
    return rows.map((r) => ({ id: r.id, device: r.chain_device, seq: Number(r.chain_seq), link: r.chain_link, deletedAt: r.deleted_at }));
  }

  private readonly changes = new ChangeListeners();

  onChange(listener: () => void): () => void {
    // The LISTEN connection opens with the first listener: a one-shot CLI command never opens it.
    this.notifier.listen(() => this.changes.emit());
    return this.changes.add(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.notifier.close();
    await this.pool.end();
  }

  /**
   * Serialise writers to `signatures` across every instance on this schema (until COMMIT),
   * and make sure COMMIT waits for the WAL flush whatever the server default is (S8).
   */
  private async lockWrites(client: PoolClient): Promise<void> {
    await client.query("SELECT pg_advisory_xact_lock($1::int, $2::int), set_config('synchronous_commit', 'on', true)", [WRITE_LOCK, this.lockKey]);
  }

  /** Run `fn` in one transaction on one connection; roll back if it throws. */
  private async transaction<T>(fn: (client: PoolClient) => Promise<T>, mode = 'READ COMMITTED'): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query(`BEGIN ISOLATION LEVEL ${mode}`);
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
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

type SignatureRow = {
  seq: string;
  id: string;
  device_id: string;
  campaign_id: string;
  captured_at: string;
  received_at: string;
  clock_suspect: boolean;
  source: string;
  record: StoredSignature['record'];
};

const DEVICE_COLUMNS = 'id, event, label, enrolled_at, revoked_at, last_seen_at, last_report';
type DeviceRow = {
  id: string;
  event: string;
  label: string | null;
  enrolled_at: string;
  revoked_at: string | null;
  last_seen_at: string | null;
  last_report: DeviceReport | null;
};

function toStored(r: SignatureRow): StoredSignature {
  return {
    seq: Number(r.seq),
    id: r.id,
    deviceId: r.device_id,
    campaignId: r.campaign_id,
    capturedAt: r.captured_at,
    receivedAt: r.received_at,
    clockSuspect: r.clock_suspect,
    source: r.source === 'import' ? 'import' : 'sync',
    record: r.record,
  };
}

function toDevice(r: DeviceRow): Device {
  return {
    id: r.id,
    event: r.event,
    label: r.label,
    enrolledAt: r.enrolled_at,
    revokedAt: r.revoked_at,
    lastSeenAt: r.last_seen_at,
    lastReport: r.last_report ?? null,
  };
}

/**
 * The signer fields the queries use, taken where SQLite's json_extract would find them
 * (`$.payload.signer.*`; absent for a sealed payload). Lower-cased here, in JavaScript, the
 * same way the search query is, so matching does not depend on the database's locale.
 */
function signerKeys(record: unknown): { nameLc: string | null; emailLc: string | null; country: string | null } {
  const clear = record as { country?: unknown; payload?: { signer?: Record<string, unknown> } } | null;
  const signer = clear?.payload?.signer;
  const text = (v: unknown) => (typeof v === 'string' && storable(v) ? v : null);
  return {
    nameLc: text(signer?.name)?.toLowerCase() ?? null,
    emailLc: text(signer?.email)?.toLowerCase() ?? null,
    // A sealed record may carry its country in clear, for the dashboard.
    country: text(signer?.country) ?? text(clear?.country),
  };
}

/** PostgreSQL text cannot hold U+0000. */
function storable(text: string): boolean {
  return !text.includes('\u0000');
}

/** SQLite's LIMIT: a negative one means no limit. */
function sqlLimit(limit: number): number | null {
  return limit < 0 ? null : Math.trunc(limit);
}

/**
 * Apply every migration newer than the recorded version, in one transaction under an advisory
 * lock on this schema, so instances starting together apply each migration exactly once.
 */
async function migrate(pool: pg.Pool): Promise<{ schema: string; lockKey: number }> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ schema: string | null; path: string; key: number | null }>(
      "SELECT current_schema() AS schema, current_setting('search_path') AS path, hashtext(current_schema()) AS key",
    );
    const { schema, path, key } = rows[0];
    const first = firstSchemaOf(path);
    if (schema === null || key === null || (first !== undefined && first !== schema)) {
      throw new Error(
        `the schema "${first ?? path}" named in search_path does not exist. Create it first (CREATE SCHEMA …) or fix the database URL.`,
      );
    }
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1::int, $2::int)', [MIGRATION_LOCK, key]);
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at text NOT NULL)');
      const current = (await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations')).rows[0].v ?? 0;
      // As with SQLite, a newer schema (another instance already upgraded) is used as it is.
      if (current > MIGRATIONS.length) console.warn(`Note: the database schema is at version ${current}, newer than this server's ${MIGRATIONS.length}.`);
      for (let version = current + 1; version <= MIGRATIONS.length; version++) {
        await client.query(MIGRATIONS[version - 1]);
        await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [version, new Date().toISOString()]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
    return { schema, lockKey: key };
  } finally {
    client.release();
  }
}

/** The first schema named in a search_path setting, unless it is "$user"; identifiers folded like PostgreSQL does. */
function firstSchemaOf(path: string): string | undefined {
  const first = path.split(',')[0]?.trim() ?? '';
  if (first === '' || first === '"$user"' || first === '$user') return undefined;
  return first.startsWith('"') ? first.slice(1, -1).replaceAll('""', '"') : first.toLowerCase();
}

/**
 * Fault injection for the crash tests, as in the SQLite store: with FIELDSIGN_FAULT_PAUSE_MS
 * set, every batch holds its transaction open up to that long before COMMIT.
 */
const FAULT_PAUSE_MS = Number(process.env.FIELDSIGN_FAULT_PAUSE_MS ?? 0);
async function faultPause(): Promise<void> {
  if (FAULT_PAUSE_MS > 0) await new Promise((resolve) => setTimeout(resolve, FAULT_PAUSE_MS * Math.random()));
}
