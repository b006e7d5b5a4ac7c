/**
 * The store, written once for SQLite and PostgreSQL over the shared driver (sql.ts). What every
 * method shares is here: migrating first, matching nothing for text no column can hold, and
 * telling listeners and the other instances of a change. The SQL is by idea: signatures in
 * signature-writes.ts and signature-reads.ts, tablets in device-rows.ts, rate limits in rate-limit-rows.ts, the review before the hand-in in set-aside-rows.ts, coordinators,
 * sessions and the audit log in console-rows.ts, campaigns in campaign-rows.ts.
 */
import type {
  AccountSession,
  AuditEntry,
  BucketLimit,
  CampaignRecord,
  CountDimension,
  DeletedChainPlace,
  Device,
  DeviceReport,
  HandinGroup,
  HandinKeyRecord,
  IngestItem,
  IngestOutcome,
  IngestSource,
  ListOptions,
  NewCoordinator,
  NewSession,
  RedeemFailure,
  Session,
  SetAsideChange,
  SetAsideReason,
  SignInAccount,
  SignaturePage,
  SignatureSearch,
  Store,
  StoredSignature,
  Totals,
  VersionRecord,
} from './store.ts';
import { ChangeListeners } from './store.ts';
import { unstorable, type SqlDatabase } from './sql.ts';
import { migrate, schemaVersionOf } from './schema.ts';
import * as campaigns from './campaign-rows.ts';
import * as consoleRows from './console-rows.ts';
import * as devices from './device-rows.ts';
import * as handin from './handin-rows.ts';
import * as paper from './paper-rows.ts';
import * as rateLimits from './rate-limit-rows.ts';
import type { PaperCount } from '../../src/shared/api/paper.ts';
import * as reads from './signature-reads.ts';
import * as writes from './signature-writes.ts';
import * as review from './set-aside-rows.ts';
import * as twoFactor from './two-factor-rows.ts';
import type { TotpSecrets } from './two-factor-rows.ts';
import * as sessionRows from './session-rows.ts';
import * as team from './team-rows.ts';
import type { AccountChangeOutcome, AccountUpdate, InvitationFailure, InvitationRecord, NewInvitation, TeamMember } from './team-rows.ts';
import type { Coordinator } from './store.ts';

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

  // ---- Paper counts ----

  async addPaperCount(p: PaperCount): Promise<void> {
    const db = await this.ready;
    await paper.addPaperCount(db, p);
    await this.changed(db);
  }

  async removePaperCount(id: string, mayRemove: (campaignId: string) => boolean = () => true): Promise<PaperCount | undefined> {
    if (unstorable(id)) return undefined;
    const db = await this.ready;
    const removed = await db.transaction('write', (tx) => paper.removePaperCount(tx, id, mayRemove));
    if (removed) await this.changed(db);
    return removed;
  }

  async paperCounts(campaignId: string): Promise<PaperCount[]> {
    if (unstorable(campaignId)) return [];
    return paper.paperCounts(await this.ready, campaignId);
  }

  // ---- Rate limits (rate-limit-rows.ts) ----

  async takeAttempt(key: string, limit: BucketLimit, nowMs: number): Promise<number> {
    return rateLimits.takeAttempt(await this.ready, key, limit, nowMs);
  }

  async returnAttempt(key: string, limit: BucketLimit, nowMs: number): Promise<void> {
    await rateLimits.returnAttempt(await this.ready, key, limit, nowMs);
  }

  async sweepAttempts(nowMs: number, max: number): Promise<number> {
    return rateLimits.sweepAttempts(await this.ready, nowMs, max);
  }

  // ---- Enrollment and tablets ----

  async createEnrollmentCode(code: { codeHash: string; event: string; createdAt: string; expiresAt: string; campaigns?: string[] | null }): Promise<void> {
    await devices.createEnrollmentCode(await this.ready, code);
  }

  async redeemEnrollmentCode(
    codeHash: string,
    now: string,
    device: { id: string; tokenHash: string; label: string | null },
  ): Promise<{ ok: true; device: Device } | { ok: false; reason: RedeemFailure }> {
    if (unstorable(codeHash)) return { ok: false, reason: 'unknown' };
    const db = await this.ready;
    const result = await devices.redeemEnrollmentCode(db, codeHash, now, device);
    if (result.ok) await this.changed(db);
    return result;
  }

  async deviceByTokenHash(tokenHash: string): Promise<Device | undefined> {
    if (unstorable(tokenHash)) return undefined;
    return devices.deviceByTokenHash(await this.ready, tokenHash);
  }

  async touchDevice(id: string, at: string): Promise<void> {
    if (unstorable(id)) return;
    await devices.touchDevice(await this.ready, id, at);
  }

  async revokeDevice(id: string, at: string): Promise<boolean> {
    if (unstorable(id)) return false;
    const db = await this.ready;
    const revoked = await devices.revokeDevice(db, id, at);
    if (revoked) await this.changed(db);
    return revoked;
  }

  async listDevices(): Promise<Device[]> {
    return devices.listDevices(await this.ready);
  }

  async reportDevice(id: string, report: DeviceReport): Promise<DeviceReport | null> {
    if (unstorable(id)) return null;
    return devices.reportDevice(await this.ready, id, report);
  }

  // ---- Coordinators, sessions, audit (the console) ----

  async createCoordinator(c: NewCoordinator): Promise<boolean> {
    return consoleRows.createCoordinator(await this.ready, c);
  }

  async coordinatorByEmail(email: string): Promise<SignInAccount | undefined> {
    // A login form can send anything; a NUL can match no stored email.
    if (unstorable(email)) return undefined;
    return consoleRows.coordinatorByEmail(await this.ready, email);
  }

  async acceptTotpStep(coordinatorId: string, step: number): Promise<boolean> {
    return consoleRows.acceptTotpStep(await this.ready, coordinatorId, step);
  }

  async useRecoveryCode(coordinatorId: string, codeHash: string, at: string): Promise<boolean> {
    if (unstorable(codeHash)) return false;
    return consoleRows.useRecoveryCode(await this.ready, coordinatorId, codeHash, at);
  }

  async createSession(s: NewSession): Promise<void> {
    // A browser's User-Agent is whatever it says: what cannot be stored is not.
    await consoleRows.createSession(await this.ready, { ...s, userAgent: unstorable(s.userAgent) ? '' : s.userAgent });
  }

  async sessionByIdHash(idHash: string, now: string, seenAfter?: string): Promise<Session | undefined> {
    if (unstorable(idHash) || unstorable(now)) return undefined;
    return consoleRows.sessionByIdHash(await this.ready, idHash, now, seenAfter);
  }

  async deleteSession(idHash: string): Promise<void> {
    if (unstorable(idHash)) return;
    await consoleRows.deleteSession(await this.ready, idHash);
  }

  async audit(entry: Omit<AuditEntry, 'seq'>): Promise<void> {
    await consoleRows.audit(await this.ready, entry);
  }

  async auditLog(limit = 200, campaignId?: string): Promise<AuditEntry[]> {
    return consoleRows.auditLog(await this.ready, limit, campaignId);
  }

  // ---- #19 A: two-factor ----

  async totpSecrets(coordinatorId: string): Promise<TotpSecrets> {
    return twoFactor.totpSecrets(await this.ready, coordinatorId);
  }

  async setPendingTotp(coordinatorId: string, secret: string | null): Promise<void> {
    await twoFactor.setPendingTotp(await this.ready, coordinatorId, secret);
  }

  async confirmTotp(coordinatorId: string, pending: string, recoveryCodeHashes: string[]): Promise<boolean> {
    return twoFactor.confirmTotp(await this.ready, coordinatorId, pending, recoveryCodeHashes);
  }

  async replaceRecoveryCodes(coordinatorId: string, recoveryCodeHashes: string[]): Promise<boolean> {
    return twoFactor.replaceRecoveryCodes(await this.ready, coordinatorId, recoveryCodeHashes);
  }

  async turnOffTotp(coordinatorId: string): Promise<void> {
    await twoFactor.turnOffTotp(await this.ready, coordinatorId);
  }

  async unusedRecoveryCodes(coordinatorId: string): Promise<number> {
    return twoFactor.unusedRecoveryCodes(await this.ready, coordinatorId);
  }

  async endSessionsOf(coordinatorId: string, keepIdHash?: string): Promise<number> {
    return twoFactor.endSessionsOf(await this.ready, coordinatorId, keepIdHash);
  }

  async markSecondFactor(idHash: string): Promise<void> {
    await twoFactor.markSecondFactor(await this.ready, idHash);
  }

  // ---- #19 B: the team ----

  async teamMembers(): Promise<TeamMember[]> {
    return team.teamMembers(await this.ready);
  }

  async coordinatorById(id: string): Promise<Coordinator | undefined> {
    if (unstorable(id)) return undefined;
    return team.coordinatorById(await this.ready, id);
  }

  async createInvitation(invitation: NewInvitation): Promise<void> {
    await team.createInvitation(await this.ready, invitation);
  }

  async pendingInvitations(now: string): Promise<InvitationRecord[]> {
    return team.pendingInvitations(await this.ready, now);
  }

  async revokeInvitation(id: string, at: string): Promise<InvitationRecord | undefined> {
    if (unstorable(id)) return undefined;
    return team.revokeInvitation(await this.ready, id, at);
  }

  async invitationByTokenHash(tokenHash: string, now: string): Promise<{ ok: true; invitation: InvitationRecord } | { ok: false; reason: InvitationFailure }> {
    if (unstorable(tokenHash)) return { ok: false, reason: 'unknown' };
    return team.invitationByTokenHash(await this.ready, tokenHash, now);
  }

  async redeemInvitation(
    tokenHash: string,
    now: string,
    account: Pick<NewCoordinator, 'id' | 'name' | 'passwordHash'>,
  ): Promise<{ ok: true; invitation: InvitationRecord; coordinator: Coordinator } | { ok: false; reason: InvitationFailure | 'taken' }> {
    if (unstorable(tokenHash)) return { ok: false, reason: 'unknown' };
    return team.redeemInvitation(await this.ready, tokenHash, now, account);
  }

  async changeAccount(id: string, update: AccountUpdate): Promise<AccountChangeOutcome> {
    if (unstorable(id)) return { ok: false, reason: 'unknown' };
    return team.changeAccount(await this.ready, id, update);
  }

  async setAccountDisabled(id: string, disabledAt: string | null): Promise<AccountChangeOutcome> {
    if (unstorable(id)) return { ok: false, reason: 'unknown' };
    return team.setDisabled(await this.ready, id, disabledAt);
  }

  async consoleSettings(): Promise<Record<string, string>> {
    return team.consoleSettings(await this.ready);
  }

  async setConsoleSetting(key: string, value: string): Promise<void> {
    await team.setConsoleSetting(await this.ready, key, value);
  }

  // ---- #19 C: sessions and the audit log ----

  async touchSession(idHash: string, at: string, notBefore: string): Promise<void> {
    await sessionRows.touchSession(await this.ready, idHash, at, notBefore);
  }

  async accountSessions(coordinatorId: string, now: string, seenAfter: string): Promise<AccountSession[]> {
    return sessionRows.accountSessions(await this.ready, coordinatorId, now, seenAfter);
  }

  async endAccountSession(coordinatorId: string, publicId: string): Promise<boolean> {
    if (unstorable(publicId)) return false;
    return sessionRows.endAccountSession(await this.ready, coordinatorId, publicId);
  }

  async endOtherSessions(coordinatorId: string, keepIdHash: string): Promise<number> {
    return sessionRows.endOtherSessions(await this.ready, coordinatorId, keepIdHash);
  }

  async setPasswordHash(coordinatorId: string, passwordHash: string): Promise<boolean> {
    return sessionRows.setPasswordHash(await this.ready, coordinatorId, passwordHash);
  }

  async auditPage(afterSeq: number, limit: number): Promise<AuditEntry[]> {
    return sessionRows.auditPage(await this.ready, afterSeq, limit);
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

  async campaignCounts(campaignId: string, dimension: CountDimension): Promise<Array<{ key: string; count: number }>> {
    return reads.countsBy(await this.ready, campaignId, dimension);
  }

  // ---- Review before the hand-in (set-aside-rows.ts) ----

  async setAside(ids: string[], change: SetAsideChange): Promise<string[]> {
    const db = await this.ready;
    const changed = await review.setAside(db, ids, change);
    if (changed.length > 0) await this.changed(db);
    return changed;
  }

  async restoreSetAside(ids: string[]): Promise<string[]> {
    const db = await this.ready;
    const changed = await review.restoreSetAside(db, ids);
    if (changed.length > 0) await this.changed(db);
    return changed;
  }

  async setAsideCounts(campaignId: string): Promise<Array<{ reason: SetAsideReason; count: number }>> {
    return review.setAsideCounts(await this.ready, campaignId);
  }

  async handinGroups(campaignId: string): Promise<HandinGroup[]> {
    if (unstorable(campaignId)) return [];
    return handin.handinGroups(await this.ready, campaignId);
  }

  async handinKey(): Promise<HandinKeyRecord | undefined> {
    return handin.handinKey(await this.ready);
  }

  async keepHandinKey(key: HandinKeyRecord): Promise<HandinKeyRecord> {
    return handin.keepHandinKey(await this.ready, key);
  }

  async close(): Promise<void> {
    this.stopRemote?.();
    await this.ready.catch(() => {});
    await this.db.close();
  }
}
