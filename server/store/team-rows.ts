/**
 * The team's rows (schema.ts, migration 11), the same on both databases: the accounts as an
 * owner lists and changes them, the invitations (their token kept only as its hash), and the
 * console's settings. What must hold whatever happens at once is checked in the write
 * transaction that changes it: an invitation is used once, and an enabled owner always remains.
 */
import type { Coordinator, NewCoordinator, Role } from './store.ts';
import type { SqlDatabase, SqlExecutor } from './sql.ts';
import { COORDINATOR_COLUMNS, campaignsOf, coordinatorOf, createCoordinator } from './console-rows.ts';

/** An account as the Team section lists it. */
export interface TeamMember extends Coordinator {
  createdAt: string;
  /** Its latest sign-in (or accepted invitation), from the audit log; null when it never signed in. */
  lastSignInAt: string | null;
}

/** An invitation as stored, without its token's hash. */
export interface InvitationRecord {
  id: string;
  email: string;
  role: Role;
  campaigns: string[];
  mayExportPersonalData: boolean;
  /** The owner who made it (email). */
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  revokedAt: string | null;
}

export interface NewInvitation extends Omit<InvitationRecord, 'usedAt' | 'revokedAt'> {
  tokenHash: string;
}

/** Why an invitation's token lets no one in. */
export type InvitationFailure = 'unknown' | 'expired' | 'used' | 'revoked';

/** What an account is changed to: its whole new role, campaigns and permission. */
export interface AccountUpdate {
  role: Role;
  campaigns: string[];
  mayExportPersonalData: boolean;
}

/** A change to an account: before and after, or why nothing changed. */
export type AccountChangeOutcome = { ok: true; before: Coordinator; after: Coordinator } | { ok: false; reason: 'unknown' | 'last-owner' };

type InvitationRow = {
  id: string;
  email: string;
  role: string;
  campaigns: string;
  may_export_personal: number;
  created_by: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  revoked_at: string | null;
};
const INVITATION_COLUMNS = 'id, email, role, campaigns, may_export_personal, created_by, created_at, expires_at, used_at, revoked_at';

function invitationOf(r: InvitationRow): InvitationRecord {
  return {
    id: r.id,
    email: r.email,
    role: r.role as Role,
    campaigns: JSON.parse(r.campaigns) as string[],
    mayExportPersonalData: Number(r.may_export_personal) === 1,
    createdBy: r.created_by,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    usedAt: r.used_at,
    revokedAt: r.revoked_at,
  };
}

/**
 * Every account, oldest first, with its latest sign-in. The audit log has no index by actor:
 * the team is a page an owner opens now and then, and the log is read once for all accounts.
 */
export async function teamMembers(db: SqlExecutor): Promise<TeamMember[]> {
  const rows = await db.all<Parameters<typeof coordinatorOf>[0] & { created_at: string; last_sign_in: string | null }>(
    `SELECT ${COORDINATOR_COLUMNS('c')}, c.created_at, s.last_sign_in FROM coordinators c
     LEFT JOIN (SELECT actor, MAX(at) AS last_sign_in FROM audit_log WHERE action IN ('login', 'invitation.accepted') GROUP BY actor) s ON s.actor = c.email
     ORDER BY c.created_at, c.email`,
  );
  const members: TeamMember[] = [];
  for (const row of rows) {
    members.push({ ...coordinatorOf(row, row.role === 'owner' ? [] : await campaignsOf(db, row.id)), createdAt: row.created_at, lastSignInAt: row.last_sign_in });
  }
  return members;
}

/** The account with this id, or undefined. */
export async function coordinatorById(db: SqlExecutor, id: string): Promise<Coordinator | undefined> {
  const row = await db.get<Parameters<typeof coordinatorOf>[0]>(`SELECT ${COORDINATOR_COLUMNS('c')} FROM coordinators c WHERE c.id = ?`, [id]);
  return row && coordinatorOf(row, row.role === 'owner' ? [] : await campaignsOf(db, row.id));
}

export async function createInvitation(db: SqlExecutor, i: NewInvitation): Promise<void> {
  await db.run(
    `INSERT INTO invitations (id, token_hash, email, role, campaigns, may_export_personal, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [i.id, i.tokenHash, i.email, i.role, JSON.stringify(i.campaigns), i.mayExportPersonalData ? 1 : 0, i.createdBy, i.createdAt, i.expiresAt],
  );
}

/** The invitations not used, revoked nor expired at `now`, newest first. */
export async function pendingInvitations(db: SqlExecutor, now: string): Promise<InvitationRecord[]> {
  const rows = await db.all<InvitationRow>(
    `SELECT ${INVITATION_COLUMNS} FROM invitations WHERE used_at IS NULL AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC, id`,
    [now],
  );
  return rows.map(invitationOf);
}

/** Revoke a pending invitation: what it was, or undefined when there is no pending one with this id. */
export async function revokeInvitation(db: SqlDatabase, id: string, at: string): Promise<InvitationRecord | undefined> {
  return db.transaction('write', async (tx) => {
    const changed = await tx.run('UPDATE invitations SET revoked_at = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?', [at, id, at]);
    if (changed !== 1) return undefined;
    const row = await tx.get<InvitationRow>(`SELECT ${INVITATION_COLUMNS} FROM invitations WHERE id = ?`, [id]);
    return row && invitationOf(row);
  });
}

/** The invitation behind a token's hash, if it still lets someone in at `now`. */
export async function invitationByTokenHash(db: SqlExecutor, tokenHash: string, now: string): Promise<{ ok: true; invitation: InvitationRecord } | { ok: false; reason: InvitationFailure }> {
  const row = await db.get<InvitationRow>(`SELECT ${INVITATION_COLUMNS} FROM invitations WHERE token_hash = ?`, [tokenHash]);
  if (!row) return { ok: false, reason: 'unknown' };
  const invitation = invitationOf(row);
  if (invitation.usedAt) return { ok: false, reason: 'used' };
  if (invitation.revokedAt) return { ok: false, reason: 'revoked' };
  if (invitation.expiresAt <= now) return { ok: false, reason: 'expired' };
  return { ok: true, invitation };
}

/**
 * Use an invitation and make its account, in one transaction: the invitation works once,
 * before it expires, unless revoked, and only while its email has no account ('taken'). On
 * failure nothing is written.
 */
export async function redeemInvitation(
  db: SqlDatabase,
  tokenHash: string,
  now: string,
  account: Pick<NewCoordinator, 'id' | 'name' | 'passwordHash'>,
): Promise<{ ok: true; invitation: InvitationRecord; coordinator: Coordinator } | { ok: false; reason: InvitationFailure | 'taken' }> {
  return db.transaction('write', async (tx) => {
    const found = await invitationByTokenHash(tx, tokenHash, now);
    if (!found.ok) return found;
    const { invitation } = found;
    if (await tx.get('SELECT 1 AS taken FROM coordinators WHERE email = ?', [invitation.email])) return { ok: false as const, reason: 'taken' as const };
    await tx.run('UPDATE invitations SET used_at = ? WHERE id = ?', [now, invitation.id]);
    await createCoordinator(tx, { ...account, email: invitation.email, role: invitation.role, campaigns: invitation.campaigns, mayExportPersonalData: invitation.mayExportPersonalData, createdAt: now });
    return { ok: true as const, invitation: { ...invitation, usedAt: now }, coordinator: (await coordinatorById(tx, account.id))! };
  });
}

/** Whether `before`, an enabled owner, is the only one: no change may leave the console without an owner. */
async function lastEnabledOwner(tx: SqlExecutor, before: Coordinator): Promise<boolean> {
  if (before.role !== 'owner' || before.disabledAt) return false;
  const row = await tx.get<{ n: number }>(`SELECT COUNT(*) AS n FROM coordinators WHERE role = 'owner' AND disabled_at IS NULL AND id <> ?`, [before.id]);
  return Number(row?.n ?? 0) === 0;
}

/** Change an account's role, campaigns and permission (an owner keeps no campaign rows: it has them all). */
export async function changeAccount(db: SqlDatabase, id: string, update: AccountUpdate): Promise<AccountChangeOutcome> {
  return db.transaction('write', async (tx) => {
    const before = await coordinatorById(tx, id);
    if (!before) return { ok: false as const, reason: 'unknown' as const };
    if (update.role !== 'owner' && (await lastEnabledOwner(tx, before))) return { ok: false as const, reason: 'last-owner' as const };
    await tx.run('UPDATE coordinators SET role = ?, may_export_personal = ? WHERE id = ?', [update.role, update.mayExportPersonalData ? 1 : 0, id]);
    await tx.run('DELETE FROM coordinator_campaigns WHERE coordinator_id = ?', [id]);
    for (const campaign of new Set(update.role === 'owner' ? [] : update.campaigns)) {
      await tx.run('INSERT INTO coordinator_campaigns (coordinator_id, campaign_id) VALUES (?, ?)', [id, campaign]);
    }
    return { ok: true as const, before, after: (await coordinatorById(tx, id))! };
  });
}

/**
 * Disable an account (`disabledAt` a time) and end every session of it in the same
 * transaction, or enable it again (null). The last enabled owner cannot be disabled.
 */
export async function setDisabled(db: SqlDatabase, id: string, disabledAt: string | null): Promise<AccountChangeOutcome> {
  return db.transaction('write', async (tx) => {
    const before = await coordinatorById(tx, id);
    if (!before) return { ok: false as const, reason: 'unknown' as const };
    if (disabledAt !== null && (await lastEnabledOwner(tx, before))) return { ok: false as const, reason: 'last-owner' as const };
    await tx.run('UPDATE coordinators SET disabled_at = ? WHERE id = ?', [disabledAt, id]);
    if (disabledAt !== null) await tx.run('DELETE FROM sessions WHERE coordinator_id = ?', [id]);
    return { ok: true as const, before, after: (await coordinatorById(tx, id))! };
  });
}

/** Every console setting (key → value). */
export async function consoleSettings(db: SqlExecutor): Promise<Record<string, string>> {
  const rows = await db.all<{ key: string; value: string }>('SELECT key, value FROM console_settings ORDER BY key');
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

/** Set one console setting. */
export async function setConsoleSetting(db: SqlExecutor, key: string, value: string): Promise<void> {
  await db.run('INSERT INTO console_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
}
