/**
 * The console's own rows (schema.ts), the same on both databases: coordinators (their role,
 * campaigns and two-factor secret), their sessions (the session id stored as its hash, the
 * CSRF token), and the audit log.
 */
import type { AuditEntry, Coordinator, NewCoordinator, NewSession, Role, Session, SignInAccount } from './store.ts';
import type { SqlExecutor } from './sql.ts';

/** Add a coordinator (and its campaigns); false when the email is taken. */
export async function createCoordinator(db: SqlExecutor, c: NewCoordinator): Promise<boolean> {
  const changed = await db.run(
    `INSERT INTO coordinators (id, email, name, password_hash, created_at, role, may_export_personal, totp_secret)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING`,
    [c.id, c.email, c.name, c.passwordHash, c.createdAt, c.role, c.mayExportPersonalData ? 1 : 0, c.totpSecret ?? null],
  );
  if (changed !== 1) return false;
  for (const campaign of new Set(c.role === 'owner' ? [] : (c.campaigns ?? []))) {
    await db.run('INSERT INTO coordinator_campaigns (coordinator_id, campaign_id) VALUES (?, ?)', [c.id, campaign]);
  }
  return true;
}

/** The columns that make a {@link Coordinator}, as `prefix.column`. */
export const COORDINATOR_COLUMNS = (p: string) =>
  `${p}.id, ${p}.email, ${p}.name, ${p}.role, ${p}.may_export_personal, ${p}.disabled_at, (${p}.totp_secret IS NOT NULL) AS two_factor_on`;

type CoordinatorRow = { id: string; email: string; name: string; role: string; may_export_personal: number; disabled_at: string | null; two_factor_on: number | boolean };

/** A coordinator from its row and its campaigns. */
export function coordinatorOf(row: CoordinatorRow, campaigns: string[]): Coordinator {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role as Role,
    campaigns: row.role === 'owner' ? [] : campaigns,
    mayExportPersonalData: Number(row.may_export_personal) === 1,
    twoFactorOn: row.two_factor_on === true || Number(row.two_factor_on) === 1,
    ...(row.disabled_at && { disabledAt: row.disabled_at }),
  };
}

/** The campaigns a manager or viewer has, in id order. */
export async function campaignsOf(db: SqlExecutor, coordinatorId: string): Promise<string[]> {
  const rows = await db.all<{ campaign_id: string }>('SELECT campaign_id FROM coordinator_campaigns WHERE coordinator_id = ? ORDER BY campaign_id', [coordinatorId]);
  return rows.map((r) => r.campaign_id);
}

/** The coordinator with this email, with the password hash and TOTP secret a sign-in checks. */
export async function coordinatorByEmail(db: SqlExecutor, email: string): Promise<SignInAccount | undefined> {
  const row = await db.get<CoordinatorRow & { password_hash: string; totp_secret: string | null }>(
    `SELECT ${COORDINATOR_COLUMNS('c')}, c.password_hash, c.totp_secret FROM coordinators c WHERE c.email = ?`,
    [email],
  );
  if (!row) return undefined;
  return { ...coordinatorOf(row, await campaignsOf(db, row.id)), passwordHash: row.password_hash, ...(row.totp_secret && { totpSecret: row.totp_secret }) };
}

/** Accept a TOTP time step once, and only one later than the last accepted (no replay). */
export async function acceptTotpStep(db: SqlExecutor, coordinatorId: string, step: number): Promise<boolean> {
  const changed = await db.run('UPDATE coordinators SET totp_last_step = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)', [step, coordinatorId, step]);
  return changed === 1;
}

/** Use a recovery code once. */
export async function useRecoveryCode(db: SqlExecutor, coordinatorId: string, codeHash: string, at: string): Promise<boolean> {
  const changed = await db.run('UPDATE recovery_codes SET used_at = ? WHERE coordinator_id = ? AND code_hash = ? AND used_at IS NULL', [at, coordinatorId, codeHash]);
  return changed === 1;
}

/** Store a new session, dropping the expired ones first. */
export async function createSession(db: SqlExecutor, s: NewSession): Promise<void> {
  await db.run('DELETE FROM sessions WHERE expires_at <= ?', [s.createdAt]);
  await db.run(
    `INSERT INTO sessions (id_hash, public_id, coordinator_id, csrf_token, created_at, expires_at, last_seen_at, address, user_agent, second_factor)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [s.idHash, s.publicId, s.coordinatorId, s.csrfToken, s.createdAt, s.expiresAt, s.createdAt, s.address, s.userAgent, s.secondFactor ? 1 : 0],
  );
}

/**
 * The live session with this id hash, its account (not disabled) and the owners' two-factor
 * setting. With `seenAfter`, a session last used at or before it (idle too long) is none.
 */
export async function sessionByIdHash(db: SqlExecutor, idHash: string, now: string, seenAfter?: string): Promise<Session | undefined> {
  const row = await db.get<CoordinatorRow & Record<'csrf_token' | 'public_id' | 'created_at' | 'expires_at' | 'last_seen_at', string> & { second_factor: number; for_all: string | null }>(
    `SELECT s.csrf_token, s.public_id, s.created_at, s.expires_at, s.last_seen_at, s.second_factor, ${COORDINATOR_COLUMNS('c')},
            (SELECT value FROM console_settings WHERE key = 'require_two_factor') AS for_all
     FROM sessions s JOIN coordinators c ON c.id = s.coordinator_id
     WHERE s.id_hash = ? AND s.expires_at > ? AND c.disabled_at IS NULL${seenAfter === undefined ? '' : ' AND s.last_seen_at > ?'}`,
    [idHash, now, ...(seenAfter === undefined ? [] : [seenAfter])],
  );
  if (!row) return undefined;
  const coordinator = coordinatorOf(row, row.role === 'owner' ? [] : await campaignsOf(db, row.id));
  return {
    publicId: row.public_id,
    coordinator,
    csrfToken: row.csrf_token,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastSeenAt: row.last_seen_at,
    secondFactor: Number(row.second_factor) === 1,
    twoFactorForAll: row.for_all === '1',
  };
}

/** End a session (log out). */
export async function deleteSession(db: SqlExecutor, idHash: string): Promise<void> {
  await db.run('DELETE FROM sessions WHERE id_hash = ?', [idHash]);
}

/** Append an entry to the audit log. */
export async function audit(db: SqlExecutor, entry: Omit<AuditEntry, 'seq'>): Promise<void> {
  await db.run('INSERT INTO audit_log (at, actor, action, detail, campaign_id) VALUES (?, ?, ?, ?, ?)', [
    entry.at,
    entry.actor,
    entry.action,
    JSON.stringify(entry.detail),
    entry.campaignId ?? null,
  ]);
}

/** The newest `limit` entries of the audit log (of one campaign, when given), newest first. */
export async function auditLog(db: SqlExecutor, limit = 200, campaignId?: string): Promise<AuditEntry[]> {
  const scope = campaignId === undefined ? '' : 'WHERE campaign_id = ?';
  const rows = await db.all<AuditRow>(`SELECT seq, at, actor, action, detail, campaign_id FROM audit_log ${scope} ORDER BY seq DESC LIMIT ?`, [
    ...(campaignId === undefined ? [] : [campaignId]),
    Math.max(0, Math.trunc(limit)),
  ]);
  return rows.map(auditEntryOf);
}

/** An audit_log row as both databases return it. */
export type AuditRow = { seq: number; at: string; actor: string; action: string; detail: unknown; campaign_id: string | null };

/** An audit entry from its row (the detail is JSON text on SQLite). */
export function auditEntryOf(r: AuditRow): AuditEntry {
  return {
    seq: Number(r.seq),
    at: r.at,
    actor: r.actor,
    action: r.action,
    detail: typeof r.detail === 'string' ? JSON.parse(r.detail) : (r.detail as Record<string, unknown>),
    ...(r.campaign_id !== null && { campaignId: r.campaign_id }),
  };
}
