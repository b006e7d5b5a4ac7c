/**
 * The store, written once for SQLite and PostgreSQL over the shared driver (sql.ts). Signatures
 * are stored and read in signature-writes.ts and signature-reads.ts; tablets, coordinators,
 * sessions and the audit log are here.
 */
import type {
  AuditEntry,
  CampaignRecord,
  Coordinator,
  DeletedChainPlace,
  Device,
  DeviceReport,
  IngestItem,
  IngestOutcome,
  IngestSource,
  ListOptions,
  NewCoordinator,
  RedeemFailure,
  Session,
  SignaturePage,
  SignatureSearch,
  Store,
  StoredSignature,
  Totals,
  VersionRecord,
} from './store.ts';
import { ChangeListeners, mergeReport } from './store.ts';
import { unstorable, type SqlDatabase } from './sql.ts';
import { migrate, schemaVersionOf } from './schema.ts';
import { DEVICE_COLUMNS, toDevice, type DeviceRow } from './signature-rows.ts';
import * as campaigns from './campaign-rows.ts';
import * as reads from './signature-reads.ts';
import * as writes from './signature-writes.ts';

export class SqlStore implements Store {
  private readonly db: SqlDatabase;
  private readonly ready: Promise<SqlDatabase>;
  private readonly changes = new ChangeListeners();
  private stopRemote: (() => void) | undefined;

  /** Use `db` once every pending migration has been applied. */
  constructor(db: SqlDatabase) {
    this.db = db;
    this.ready = migrate(db).then(() => db);
    // A failed migration surfaces at the first use (and in `opened()`), never as a stray rejection.
    this.ready.catch(() => {});
  }

  /** Resolves when the database is migrated and ready; rejects with the migration's error. */
  async opened(): Promise<this> {
    await this.ready;
    return this;
  }

  async schemaVersion(): Promise<number> {
    return schemaVersionOf(await this.ready);
  }

  /** The first listener also starts hearing other instances (so one-shot CLI commands never do). */
  onChange(listener: () => void): () => void {
    this.stopRemote ??= this.db.onRemoteChange(() => this.changes.emit());
    return this.changes.add(listener);
  }

  /** Tell this process's listeners and the other instances. */
  private async changed(db: SqlDatabase): Promise<void> {
    this.changes.emit();
    await db.broadcastChange();
  }

  // ---- Signatures ----

  async ingest(items: IngestItem[], receivedAt: string, source: IngestSource): Promise<IngestOutcome[]> {
    const db = await this.ready;
    const outcomes = await writes.ingestBatch(db, items, receivedAt, source);
    if (outcomes.includes('accepted')) await this.changed(db);
    return outcomes;
  }

  async deleteSignature(id: string, at: string): Promise<boolean> {
    if (unstorable(id)) return false;
    const db = await this.ready;
    const deleted = await writes.deleteSignature(db, id, at);
    if (deleted) await this.changed(db);
    return deleted;
  }

  async count(campaignId?: string): Promise<number> {
    return reads.count(await this.ready, campaignId);
  }

  async list(options?: ListOptions): Promise<StoredSignature[]> {
    return reads.list(await this.ready, options);
  }

  async conflictCount(): Promise<number> {
    const row = await (await this.ready).get<{ n: number }>('SELECT COUNT(*) AS n FROM conflicts');
    return Number(row?.n ?? 0);
  }

  async totals(campaignId?: string): Promise<Totals> {
    return reads.totals(await this.ready, campaignId);
  }

  async searchSignatures(options: SignatureSearch): Promise<SignaturePage> {
    return reads.searchSignatures(await this.ready, options);
  }

  async getSignature(id: string): Promise<StoredSignature | undefined> {
    return reads.getSignature(await this.ready, id);
  }

  async duplicateIds(ids: string[]): Promise<Set<string>> {
    return reads.duplicateIds(await this.ready, ids);
  }

  async deletedChainPlaces(): Promise<DeletedChainPlace[]> {
    const rows = await (await this.ready).all<{ id: string; chain_device: string; chain_seq: number; chain_link: string; deleted_at: string }>(
      `SELECT id, chain_device, chain_seq, chain_link, deleted_at FROM deleted_signatures
       WHERE chain_device IS NOT NULL AND chain_seq IS NOT NULL AND chain_link IS NOT NULL ORDER BY chain_device, chain_seq, id`,
    );
    return rows.map((r) => ({ id: r.id, device: r.chain_device, seq: Number(r.chain_seq), link: r.chain_link, deletedAt: r.deleted_at }));
  }

  // ---- Enrollment and tablets ----

  async createEnrollmentCode(code: { codeHash: string; event: string; createdAt: string; expiresAt: string; campaigns?: string[] | null }): Promise<void> {
    await (await this.ready).run('INSERT INTO enrollment_codes (code_hash, event, created_at, expires_at, campaigns) VALUES (?, ?, ?, ?, ?)', [
      code.codeHash,
      code.event,
      code.createdAt,
      code.expiresAt,
      code.campaigns ? JSON.stringify(code.campaigns) : null,
    ]);
  }

  async redeemEnrollmentCode(
    codeHash: string,
    now: string,
    device: { id: string; tokenHash: string; label: string | null },
  ): Promise<{ ok: true; device: Device } | { ok: false; reason: RedeemFailure }> {
    if (unstorable(codeHash)) return { ok: false, reason: 'unknown' };
    const db = await this.ready;
    // A write transaction: a second instance redeeming the same code waits, then reads it used.
    const result = await db.transaction('write', async (tx) => {
      const code = await tx.get<{ event: string; expires_at: string; used_at: string | null; campaigns: string | null }>(
        'SELECT event, expires_at, used_at, campaigns FROM enrollment_codes WHERE code_hash = ?',
        [codeHash],
      );
      const reason: RedeemFailure | undefined = !code ? 'unknown' : code.used_at ? 'used' : code.expires_at <= now ? 'expired' : undefined;
      if (reason || !code) return { ok: false as const, reason: reason ?? 'unknown' };
      await tx.run('UPDATE enrollment_codes SET used_at = ?, device_id = ? WHERE code_hash = ?', [now, device.id, codeHash]);
      await tx.run('INSERT INTO devices (id, token_hash, event, label, enrolled_at, campaigns) VALUES (?, ?, ?, ?, ?, ?)', [
        device.id,
        device.tokenHash,
        code.event,
        device.label,
        now,
        code.campaigns,
      ]);
      const campaigns = code.campaigns === null ? null : (JSON.parse(code.campaigns) as string[]);
      return { ok: true as const, device: { id: device.id, event: code.event, label: device.label, enrolledAt: now, revokedAt: null, lastSeenAt: null, lastReport: null, campaigns } };
    });
    if (result.ok) await this.changed(db);
    return result;
  }

  async deviceByTokenHash(tokenHash: string): Promise<Device | undefined> {
    if (unstorable(tokenHash)) return undefined;
    const row = await (await this.ready).get<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE token_hash = ?`, [tokenHash]);
    return row && toDevice(row);
  }

  async touchDevice(id: string, at: string): Promise<void> {
    if (unstorable(id)) return;
    await (await this.ready).run('UPDATE devices SET last_seen_at = ? WHERE id = ?', [at, id]);
  }

  async revokeDevice(id: string, at: string): Promise<boolean> {
    if (unstorable(id)) return false;
    const db = await this.ready;
    const revoked = (await db.run('UPDATE devices SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?', [at, id])) === 1;
    if (revoked) await this.changed(db);
    return revoked;
  }

  async listDevices(): Promise<Device[]> {
    // rowid on SQLite, an identity column on PostgreSQL: both are the insertion order.
    const db = await this.ready;
    const order = db.dialect.name === 'sqlite' ? 'rowid' : 'seq';
    return (await db.all<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM devices ORDER BY enrolled_at, ${order}`)).map(toDevice);
  }

  async reportDevice(id: string, report: DeviceReport): Promise<DeviceReport | null> {
    if (unstorable(id)) return null;
    const db = await this.ready;
    // Read and write in one write transaction, so two instances see each increase once.
    return db.transaction('write', async (tx) => {
      const row = await tx.get<{ last_report: unknown }>('SELECT last_report FROM devices WHERE id = ?', [id]);
      if (!row) return null;
      const previous = row.last_report == null ? null : ((typeof row.last_report === 'string' ? JSON.parse(row.last_report) : row.last_report) as DeviceReport);
      await tx.run('UPDATE devices SET last_report = ? WHERE id = ?', [JSON.stringify(mergeReport(previous, report)), id]);
      return previous;
    });
  }

  // ---- Coordinators, sessions, audit (the console) ----

  async createCoordinator(c: NewCoordinator): Promise<boolean> {
    const changed = await (await this.ready).run(
      'INSERT INTO coordinators (id, email, name, password_hash, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING',
      [c.id, c.email, c.name, c.passwordHash, c.createdAt],
    );
    return changed === 1;
  }

  async coordinatorByEmail(email: string): Promise<(Coordinator & { passwordHash: string }) | undefined> {
    // A login form can send anything; a NUL can match no stored email.
    if (unstorable(email)) return undefined;
    const row = await (await this.ready).get<Record<string, string>>('SELECT id, email, name, password_hash FROM coordinators WHERE email = ?', [email]);
    return row && { id: row.id, email: row.email, name: row.name, passwordHash: row.password_hash };
  }

  async createSession(s: { idHash: string; coordinatorId: string; csrfToken: string; createdAt: string; expiresAt: string }): Promise<void> {
    const db = await this.ready;
    await db.run('DELETE FROM sessions WHERE expires_at <= ?', [s.createdAt]);
    await db.run('INSERT INTO sessions (id_hash, coordinator_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)', [
      s.idHash,
      s.coordinatorId,
      s.csrfToken,
      s.createdAt,
      s.expiresAt,
    ]);
  }

  async sessionByIdHash(idHash: string, now: string): Promise<Session | undefined> {
    if (unstorable(idHash) || unstorable(now)) return undefined;
    const row = await (await this.ready).get<Record<string, string>>(
      `SELECT s.csrf_token, s.expires_at, c.id, c.email, c.name FROM sessions s JOIN coordinators c ON c.id = s.coordinator_id
       WHERE s.id_hash = ? AND s.expires_at > ?`,
      [idHash, now],
    );
    return row && { csrfToken: row.csrf_token, expiresAt: row.expires_at, coordinator: { id: row.id, email: row.email, name: row.name } };
  }

  async deleteSession(idHash: string): Promise<void> {
    if (unstorable(idHash)) return;
    await (await this.ready).run('DELETE FROM sessions WHERE id_hash = ?', [idHash]);
  }

  async audit(entry: Omit<AuditEntry, 'seq'>): Promise<void> {
    await (await this.ready).run('INSERT INTO audit_log (at, actor, action, detail, campaign_id) VALUES (?, ?, ?, ?, ?)', [
      entry.at,
      entry.actor,
      entry.action,
      JSON.stringify(entry.detail),
      entry.campaignId ?? null,
    ]);
  }

  async auditLog(limit = 200, campaignId?: string): Promise<AuditEntry[]> {
    const scope = campaignId === undefined ? '' : 'WHERE campaign_id = ?';
    const rows = await (await this.ready).all<{ seq: number; at: string; actor: string; action: string; detail: unknown; campaign_id: string | null }>(
      `SELECT seq, at, actor, action, detail, campaign_id FROM audit_log ${scope} ORDER BY seq DESC LIMIT ?`,
      [...(campaignId === undefined ? [] : [campaignId]), Math.max(0, Math.trunc(limit))],
    );
    return rows.map((r) => ({
      seq: Number(r.seq),
      at: r.at,
      actor: r.actor,
      action: r.action,
      detail: typeof r.detail === 'string' ? JSON.parse(r.detail) : (r.detail as Record<string, unknown>),
      ...(r.campaign_id !== null && { campaignId: r.campaign_id }),
    }));
  }

  // ---- Campaigns ----

  async listCampaigns(): Promise<CampaignRecord[]> {
    return campaigns.listCampaigns(await this.ready);
  }

  async getCampaign(id: string): Promise<CampaignRecord | undefined> {
    if (unstorable(id)) return undefined;
    return campaigns.getCampaign(await this.ready, id);
  }

  async createCampaign(campaign: { id: string; status: CampaignRecord['status']; draft: CampaignRecord['draft']; createdAt: string }): Promise<boolean> {
    return campaigns.createCampaign(await this.ready, campaign);
  }

  async updateCampaign(id: string, change: Partial<Pick<CampaignRecord, 'status' | 'goal' | 'startsAt' | 'endsAt' | 'closedAt' | 'draft'>>): Promise<boolean> {
    const db = await this.ready;
    const updated = await campaigns.updateCampaign(db, id, change);
    if (updated && change.status !== undefined) await this.changed(db);
    return updated;
  }

  async campaignVersions(campaignId: string): Promise<VersionRecord[]> {
    return campaigns.versionsOf(await this.ready, campaignId);
  }

  async campaignVersion(campaignId: string, version: number): Promise<VersionRecord | undefined> {
    if (unstorable(campaignId)) return undefined;
    return campaigns.versionOf(await this.ready, campaignId, version);
  }

  async publishCampaignVersion(version: { campaignId: string; version: number; content: NonNullable<VersionRecord['content']>; hash: string; publishedAt: string }): Promise<boolean> {
    const db = await this.ready;
    const published = await db.transaction('write', async (tx) => {
      if (!(await campaigns.insertVersion(tx, version))) return false;
      const current = await campaigns.getCampaign(tx, version.campaignId);
      await campaigns.updateCampaign(tx, version.campaignId, { draft: null, ...(current?.status === 'draft' && { status: 'open' as const }) });
      return true;
    });
    if (published) await this.changed(db);
    return published;
  }

  async recordCampaignVersionText(campaignId: string, version: number, content: NonNullable<VersionRecord['content']>, hash: string): Promise<boolean> {
    return campaigns.recordVersionText(await this.ready, campaignId, version, content, hash);
  }

  async campaignCounts(campaignId: string, dimension: 'version' | 'problem' | 'problem-version'): Promise<Array<{ key: string; count: number }>> {
    return reads.countsBy(await this.ready, campaignId, dimension);
  }

  async close(): Promise<void> {
    this.stopRemote?.();
    await this.ready.catch(() => {});
    await this.db.close();
  }
}
