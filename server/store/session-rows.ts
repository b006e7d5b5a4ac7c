/**
 * What an account does with its own sessions and password, and the audit log read whole, the
 * same on both databases: the sessions list (each by its public id, never the cookie's hash),
 * ending one or all but one, the last-seen time, a new password hash, and the audit log page
 * by page, oldest first, for its CSV download.
 */
import type { AccountSession, AuditEntry } from './store.ts';
import type { SqlExecutor } from './sql.ts';
import { auditEntryOf, type AuditRow } from './console-rows.ts';

/** Mark the session used at `at`, unless it was marked at or after `notBefore` (one write a minute, not one a request). */
export async function touchSession(db: SqlExecutor, idHash: string, at: string, notBefore: string): Promise<void> {
  await db.run('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ? AND last_seen_at < ?', [at, idHash, notBefore]);
}

/** The account's sessions that are unexpired at `now` and were used after `seenAfter`, the latest used first. */
export async function accountSessions(db: SqlExecutor, coordinatorId: string, now: string, seenAfter: string): Promise<AccountSession[]> {
  const rows = await db.all<Record<'id_hash' | 'public_id' | 'created_at' | 'last_seen_at' | 'expires_at' | 'address' | 'user_agent', string>>(
    `SELECT id_hash, public_id, created_at, last_seen_at, expires_at, address, user_agent FROM sessions
     WHERE coordinator_id = ? AND expires_at > ? AND last_seen_at > ? ORDER BY last_seen_at DESC, created_at DESC`,
    [coordinatorId, now, seenAfter],
  );
  return rows.map((r) => ({
    idHash: r.id_hash,
    publicId: r.public_id,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    expiresAt: r.expires_at,
    address: r.address ?? '',
    userAgent: r.user_agent ?? '',
  }));
}

/** End the account's session with this public id; false when the account has none such. */
export async function endAccountSession(db: SqlExecutor, coordinatorId: string, publicId: string): Promise<boolean> {
  return (await db.run('DELETE FROM sessions WHERE coordinator_id = ? AND public_id = ?', [coordinatorId, publicId])) > 0;
}

/** End every session of the account but the one with `keepIdHash`; answers how many ended. */
export async function endOtherSessions(db: SqlExecutor, coordinatorId: string, keepIdHash: string): Promise<number> {
  return db.run('DELETE FROM sessions WHERE coordinator_id = ? AND id_hash <> ?', [coordinatorId, keepIdHash]);
}

/** Store the account's new password hash; false when there is no such account. */
export async function setPasswordHash(db: SqlExecutor, coordinatorId: string, passwordHash: string): Promise<boolean> {
  return (await db.run('UPDATE coordinators SET password_hash = ? WHERE id = ?', [passwordHash, coordinatorId])) === 1;
}

/** At most `limit` audit entries after `afterSeq`, oldest first: one page of the whole log. */
export async function auditPage(db: SqlExecutor, afterSeq: number, limit: number): Promise<AuditEntry[]> {
  const rows = await db.all<AuditRow>('SELECT seq, at, actor, action, detail, campaign_id FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?', [
    Math.max(0, Math.trunc(afterSeq)),
    Math.max(0, Math.trunc(limit)),
  ]);
  return rows.map(auditEntryOf);
}
