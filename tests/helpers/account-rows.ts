/**
 * Account rows that the Store interface of the #19 foundation reads but does not write yet:
 * a disabled account, recovery codes, an invitation, an owners' setting. Their writers are
 * parts A (two-factor) and B (the team) of #19; until they are merged, the tests that need
 * such rows (the store contract, the backup round trip, the route-by-role walk) write them
 * here, in the SQL of migration 11, on either database. When the store methods land, each of
 * these becomes a call to its method, in this one place.
 */
import { SqlStore } from '../../server/store/sql-store.ts';
import type { SqlExecutor } from '../../server/store/sql.ts';
import type { Role, Store } from '../../server/store/store.ts';

/** The SQL under a store (both stores are SqlStores; their driver is private to the store). */
function sqlOf(store: Store): Promise<SqlExecutor> {
  if (!(store instanceof SqlStore)) throw new Error('account-rows: not an SQL store');
  return store['ready'];
}

/** Disable an account, as an owner does: it can no longer sign in, and its sessions are no sessions. */
export async function disableAccount(store: Store, coordinatorId: string, at: string): Promise<void> {
  await (await sqlOf(store)).run('UPDATE coordinators SET disabled_at = ? WHERE id = ?', [at, coordinatorId]);
}

/** Keep the hashes of an account's recovery codes (unused), as confirming two-factor sign-in does. */
export async function addRecoveryCodes(store: Store, coordinatorId: string, codeHashes: string[]): Promise<void> {
  const db = await sqlOf(store);
  for (const hash of codeHashes) await db.run('INSERT INTO recovery_codes (coordinator_id, code_hash) VALUES (?, ?)', [coordinatorId, hash]);
}

/** An owners' setting of the console (`require_two_factor`: '1' requires two-factor sign-in of everyone). */
export async function setConsoleSetting(store: Store, key: string, value: string): Promise<void> {
  await (await sqlOf(store)).run('INSERT INTO console_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
}

export interface InvitationRow {
  id: string;
  tokenHash: string;
  email: string;
  role: Role;
  campaigns: string[];
  mayExportPersonalData: boolean;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
}

/** A pending invitation, its token kept as its hash only. */
export async function addInvitation(store: Store, i: InvitationRow): Promise<void> {
  await (await sqlOf(store)).run(
    `INSERT INTO invitations (id, token_hash, email, role, campaigns, may_export_personal, created_by, created_at, expires_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [i.id, i.tokenHash, i.email, i.role, JSON.stringify(i.campaigns), i.mayExportPersonalData ? 1 : 0, i.createdBy, i.createdAt, i.expiresAt],
  );
}

/** What a session row keeps beyond what `sessionByIdHash` answers (the sessions list's columns). */
export async function storedSession(store: Store, idHash: string): Promise<{ publicId: string; address: string; userAgent: string; secondFactor: boolean } | undefined> {
  const row = await (await sqlOf(store)).get<{ public_id: string; address: string; user_agent: string; second_factor: number }>(
    'SELECT public_id, address, user_agent, second_factor FROM sessions WHERE id_hash = ?',
    [idHash],
  );
  return row && { publicId: row.public_id, address: row.address, userAgent: row.user_agent, secondFactor: Number(row.second_factor) === 1 };
}
