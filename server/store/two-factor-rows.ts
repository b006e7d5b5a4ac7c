/**
 * Two-factor sign-in's rows (schema.ts, migration 11), the same on both databases: the secret
 * being set up (`totp_pending`) until a code confirms it and it becomes `totp_secret`, the
 * recovery codes (hashes only, each used once), and the sessions that a change of second
 * factor ends or marks.
 */
import type { SqlDatabase, SqlExecutor } from './sql.ts';

/** An account's two secrets: the confirmed one (two-factor is on) and the one being set up. */
export interface TotpSecrets {
  secret?: string;
  pending?: string;
}

/** The account's confirmed and pending TOTP secrets. */
export async function totpSecrets(db: SqlExecutor, coordinatorId: string): Promise<TotpSecrets> {
  const row = await db.get<{ totp_secret: string | null; totp_pending: string | null }>('SELECT totp_secret, totp_pending FROM coordinators WHERE id = ?', [coordinatorId]);
  return { ...(row?.totp_secret && { secret: row.totp_secret }), ...(row?.totp_pending && { pending: row.totp_pending }) };
}

/** Keep `secret` as the one being set up (null: none), replacing any earlier one. */
export async function setPendingTotp(db: SqlExecutor, coordinatorId: string, secret: string | null): Promise<void> {
  await db.run('UPDATE coordinators SET totp_pending = ? WHERE id = ?', [secret, coordinatorId]);
}

/** Replace the account's recovery codes with `codeHashes` (the old ones stop working). */
async function putRecoveryCodes(tx: SqlExecutor, coordinatorId: string, codeHashes: string[]): Promise<void> {
  await tx.run('DELETE FROM recovery_codes WHERE coordinator_id = ?', [coordinatorId]);
  for (const hash of new Set(codeHashes)) await tx.run('INSERT INTO recovery_codes (coordinator_id, code_hash) VALUES (?, ?)', [coordinatorId, hash]);
}

/**
 * Turn two-factor on with the pending secret, if it is still `pending` (a setup begun again
 * meanwhile in another tab wins), and give the account `codeHashes` as its recovery codes.
 */
export async function confirmTotp(db: SqlDatabase, coordinatorId: string, pending: string, codeHashes: string[]): Promise<boolean> {
  return db.transaction('write', async (tx) => {
    const changed = await tx.run('UPDATE coordinators SET totp_secret = totp_pending, totp_pending = NULL WHERE id = ? AND totp_pending = ?', [coordinatorId, pending]);
    if (changed !== 1) return false;
    await putRecoveryCodes(tx, coordinatorId, codeHashes);
    return true;
  });
}

/** New recovery codes for an account with two-factor on; false when it is off. */
export async function replaceRecoveryCodes(db: SqlDatabase, coordinatorId: string, codeHashes: string[]): Promise<boolean> {
  return db.transaction('write', async (tx) => {
    const on = await tx.get('SELECT 1 AS on_ FROM coordinators WHERE id = ? AND totp_secret IS NOT NULL', [coordinatorId]);
    if (!on) return false;
    await putRecoveryCodes(tx, coordinatorId, codeHashes);
    return true;
  });
}

/**
 * Turn two-factor off: no secret, none pending, no recovery codes. The last accepted time
 * step is kept, so that no code of a step already used is ever accepted again.
 */
export async function turnOffTotp(db: SqlDatabase, coordinatorId: string): Promise<void> {
  await db.transaction('write', async (tx) => {
    await tx.run('UPDATE coordinators SET totp_secret = NULL, totp_pending = NULL WHERE id = ?', [coordinatorId]);
    await tx.run('DELETE FROM recovery_codes WHERE coordinator_id = ?', [coordinatorId]);
  });
}

/** How many of the account's recovery codes are still unused. */
export async function unusedRecoveryCodes(db: SqlExecutor, coordinatorId: string): Promise<number> {
  const row = await db.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM recovery_codes WHERE coordinator_id = ? AND used_at IS NULL', [coordinatorId]);
  return Number(row?.n ?? 0);
}

/** End every session of the account but the one of `keepIdHash` (all, without it); answers how many ended. */
export async function endSessionsOf(db: SqlExecutor, coordinatorId: string, keepIdHash?: string): Promise<number> {
  if (keepIdHash === undefined) return db.run('DELETE FROM sessions WHERE coordinator_id = ?', [coordinatorId]);
  return db.run('DELETE FROM sessions WHERE coordinator_id = ? AND id_hash <> ?', [coordinatorId, keepIdHash]);
}

/** Mark a session as signed in with a second factor (its account has just proved one). */
export async function markSecondFactor(db: SqlExecutor, idHash: string): Promise<void> {
  await db.run('UPDATE sessions SET second_factor = 1 WHERE id_hash = ?', [idHash]);
}
