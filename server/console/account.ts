/**
 * The signed-in account's own sessions and password, apart from HTTP (account-routes.ts maps
 * the outcomes to answers). Everything here is about the account of the session that asks:
 * another account's session is, to it, no session at all.
 *
 * Changing the password:
 * 1. The new one is judged first (passwordProblem, as the CLI does): a refusal costs no attempt.
 * 2. One attempt of the account's sign-in limit (limiters.loginAccount) is taken before the
 *    current password is checked, exactly as a sign-in takes it: a stolen session cannot
 *    guess the password faster than a sign-in could.
 * 3. The current password is checked in the bounded password slots (passwords.ts); right,
 *    the attempt is given back; wrong, it is kept.
 * 4. The new hash is stored and every other session of the account ends; this one goes on.
 */
import type { PasswordChange, AccountSessionView } from '../../src/shared/api/account.ts';
import type { RateLimiter } from '../rate-limit.ts';
import type { Store } from '../store/store.ts';
import type { ConsoleSession, SessionTimes } from '../routes/context.ts';
import { browserName } from './browser-name.ts';
import { PasswordChecksBusy, hashPassword, passwordChecksFull, passwordProblem, verifyPassword } from './passwords.ts';

/** The account's live sessions (unexpired, not idle too long), the latest used first. */
export async function sessionsOf(store: Store, session: ConsoleSession, times: SessionTimes, now: Date): Promise<AccountSessionView[]> {
  const seenAfter = new Date(now.getTime() - times.idleMs).toISOString();
  const sessions = await store.accountSessions(session.coordinator.id, now.toISOString(), seenAfter);
  return sessions.map((s) => ({
    id: s.publicId,
    browser: browserName(s.userAgent),
    address: s.address || 'unknown',
    createdAt: s.createdAt,
    lastSeenAt: s.lastSeenAt,
    current: s.idHash === session.idHash,
  }));
}

/** What ending a session came to: another of the account's ended, this very one ended, or none such. */
export type EndSessionOutcome = 'ended' | 'ended-this-one' | 'none';

/** End the account's session `publicId`. */
export async function endSession(store: Store, session: ConsoleSession, publicId: string): Promise<EndSessionOutcome> {
  if (!(await store.endAccountSession(session.coordinator.id, publicId))) return 'none';
  return publicId === session.publicId ? 'ended-this-one' : 'ended';
}

/** What a password change came to. */
export type PasswordChangeOutcome =
  | { kind: 'changed'; otherSessionsEnded: number }
  | { kind: 'weak'; problem: string }
  | { kind: 'wrong' }
  | { kind: 'limited'; waitMs: number }
  | { kind: 'busy' };

/** Change the session's account's password (the steps above). */
export async function changePassword(store: Store, perAccount: RateLimiter, session: ConsoleSession, change: PasswordChange): Promise<PasswordChangeOutcome> {
  const problem = passwordProblem(change.new);
  if (problem) return { kind: 'weak', problem };
  if (passwordChecksFull()) return { kind: 'busy' };
  const { id, email } = session.coordinator;
  const wait = await perAccount.take(email);
  if (wait > 0) return { kind: 'limited', waitMs: wait };
  const account = await store.coordinatorByEmail(email);
  let right: boolean;
  try {
    right = !!account && (await verifyPassword(change.current, account.passwordHash));
  } catch (error) {
    if (!(error instanceof PasswordChecksBusy)) throw error;
    await perAccount.giveBack(email);
    return { kind: 'busy' };
  }
  if (!right) return { kind: 'wrong' };
  await perAccount.giveBack(email);
  await store.setPasswordHash(id, await hashPassword(change.new));
  return { kind: 'changed', otherSessionsEnded: await store.endOtherSessions(id, session.idHash) };
}
