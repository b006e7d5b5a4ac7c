/**
 * The console's own rows (schema.ts), the same on both databases: coordinators, their
 * sessions (the session id and the CSRF token, stored as the id's hash), and the audit log.
 */
import type { AuditEntry, Coordinator, NewCoordinator, Session } from './store.ts';
import type { SqlExecutor } from './sql.ts';

/** Add a coordinator; false when the email is taken. */
export async function createCoordinator(db: SqlExecutor, c: NewCoordinator): Promise<boolean> {
  const changed = await db.run(
    'INSERT INTO coordinators (id, email, name, password_hash, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING',
    [c.id, c.email, c.name, c.passwordHash, c.createdAt],
  );
  return changed === 1;
}

/** The coordinator with this email, with the password hash to check a login against. */
export async function coordinatorByEmail(db: SqlExecutor, email: string): Promise<(Coordinator & { passwordHash: string }) | undefined> {
  const row = await db.get<Record<string, string>>('SELECT id, email, name, password_hash FROM coordinators WHERE email = ?', [email]);
  return row && { id: row.id, email: row.email, name: row.name, passwordHash: row.password_hash };
}

/** Store a new session, dropping the expired ones first. */
export async function createSession(db: SqlExecutor, s: { idHash: string; coordinatorId: string; csrfToken: string; createdAt: string; expiresAt: string }): Promise<void> {
  await db.run('DELETE FROM sessions WHERE expires_at <= ?', [s.createdAt]);
  await db.run('INSERT INTO sessions (id_hash, coordinator_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)', [
    s.idHash,
    s.coordinatorId,
    s.csrfToken,
    s.createdAt,
    s.expiresAt,
  ]);
}

/** The live session with this id hash, and its coordinator. */
export async function sessionByIdHash(db: SqlExecutor, idHash: string, now: string): Promise<Session | undefined> {
  const row = await db.get<Record<string, string>>(
    `SELECT s.csrf_token, s.expires_at, c.id, c.email, c.name FROM sessions s JOIN coordinators c ON c.id = s.coordinator_id
     WHERE s.id_hash = ? AND s.expires_at > ?`,
    [idHash, now],
  );
  return row && { csrfToken: row.csrf_token, expiresAt: row.expires_at, coordinator: { id: row.id, email: row.email, name: row.name } };
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
  const rows = await db.all<{ seq: number; at: string; actor: string; action: string; detail: unknown; campaign_id: string | null }>(
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
