/**
 * Setting up and keeping two-factor sign-in, apart from HTTP (two-factor-routes.ts maps each
 * outcome to an answer). The codes are TOTP (totp.ts); the secret is in use only once a code
 * of it has been typed back:
 *
 * 1. setup: a new secret is kept as pending (a second setup replaces it), never over one in use.
 * 2. confirm: a code of the pending secret turns it on (its time step is taken, so the same
 *    code cannot then sign in), ten recovery codes replace any old ones (shown once, kept as
 *    hashes), the account's other sessions end (whoever else was signed in must now show a
 *    code) and this session counts as signed in with a second factor.
 * 3. new recovery codes, or turning it off (only where it is not required), need a current
 *    code: the authenticator's or an unused recovery code, as signing in does.
 *
 * Every code typed here counts against the account's sign-in limit exactly as at sign-in (an
 * attempt taken first, given back when the code is right), so that these routes are no
 * cheaper way to guess codes. Each change is audited under the account.
 */
import type { RateLimiter } from '../rate-limit.ts';
import type { Store } from '../store/store.ts';
import { twoFactorRequired, type Access } from './access.ts';
import { checkCode } from './sign-in.ts';
import { newRecoveryCodes, newTotpSecret, recoveryCodeHash, totpStep, totpUri } from './totp.ts';

/** A signed-in account's session, as these steps need it. */
export interface TwoFactorSession extends Access {
  /** The session's id hash: the one session a confirmation keeps. */
  idHash: string;
}

/** What typing a code came to, when it did not do what was asked. */
export type CodeRefused = { kind: 'wrong-code' } | { kind: 'limited'; waitMs: number };

export type SetupOutcome = { kind: 'pending'; secret: string; uri: string } | { kind: 'already-on' };
export type ConfirmOutcome = { kind: 'on'; recoveryCodes: string[] } | { kind: 'no-setup' } | CodeRefused;
export type RenewOutcome = { kind: 'renewed'; recoveryCodes: string[] } | { kind: 'not-on' } | CodeRefused;
export type OffOutcome = { kind: 'off' } | { kind: 'required' } | { kind: 'not-on' } | CodeRefused;

/** Step 1: a new pending secret and its otpauth:// address, labelled with the account's email under `issuer`. */
export async function beginSetup(store: Store, { coordinator }: Access, issuer: string): Promise<SetupOutcome> {
  if (coordinator.twoFactorOn) return { kind: 'already-on' };
  const secret = newTotpSecret();
  await store.setPendingTotp(coordinator.id, secret);
  return { kind: 'pending', secret, uri: totpUri(secret, coordinator.email, issuer) };
}

/** Step 2: turn two-factor on with a code of the pending secret. */
export async function confirmSetup(store: Store, limiter: RateLimiter, session: TwoFactorSession, code: string, now: Date): Promise<ConfirmOutcome> {
  const { coordinator } = session;
  const { pending } = await store.totpSecrets(coordinator.id);
  if (!pending) return { kind: 'no-setup' };
  const refused = await codeAttempt(limiter, coordinator.email, async () => {
    const step = totpStep(pending, code, now);
    return step !== undefined && (await store.acceptTotpStep(coordinator.id, step));
  });
  if (refused) return refused;
  const recoveryCodes = newRecoveryCodes();
  // Another tab began a new setup since this secret was shown: this code is of the old one.
  if (!(await store.confirmTotp(coordinator.id, pending, recoveryCodes.map(recoveryCodeHash)))) return { kind: 'no-setup' };
  const otherSessionsEnded = await store.endSessionsOf(coordinator.id, session.idHash);
  await store.markSecondFactor(session.idHash);
  await audit(store, coordinator.email, 'two-factor.on', now, { otherSessionsEnded });
  return { kind: 'on', recoveryCodes };
}

/** Step 3: new recovery codes for a current code; the old ones stop working. */
export async function renewRecoveryCodes(store: Store, limiter: RateLimiter, { coordinator }: Access, code: string, now: Date): Promise<RenewOutcome> {
  const { secret } = await store.totpSecrets(coordinator.id);
  if (!secret) return { kind: 'not-on' };
  const refused = await codeAttempt(limiter, coordinator.email, async () => (await checkCode(store, coordinator, secret, code, now)) !== undefined);
  if (refused) return refused;
  const recoveryCodes = newRecoveryCodes();
  if (!(await store.replaceRecoveryCodes(coordinator.id, recoveryCodes.map(recoveryCodeHash)))) return { kind: 'not-on' };
  await audit(store, coordinator.email, 'two-factor.recovery-codes', now, { count: recoveryCodes.length });
  return { kind: 'renewed', recoveryCodes };
}

/** Step 3: turn two-factor off for a current code, unless the account must have it. */
export async function turnOff(store: Store, limiter: RateLimiter, access: Access, code: string, now: Date): Promise<OffOutcome> {
  const { coordinator } = access;
  if (twoFactorRequired(access)) return { kind: 'required' };
  const { secret } = await store.totpSecrets(coordinator.id);
  if (!secret) return { kind: 'not-on' };
  const refused = await codeAttempt(limiter, coordinator.email, async () => (await checkCode(store, coordinator, secret, code, now)) !== undefined);
  if (refused) return refused;
  await store.turnOffTotp(coordinator.id);
  await audit(store, coordinator.email, 'two-factor.off', now, {});
  return { kind: 'off' };
}

/**
 * For someone who lost both their phone and their recovery codes (the CLI, on the server
 * machine): two-factor off, the recovery codes void, every session ended. An account that
 * must have two-factor sets it up again at its next sign-in. False: no such account.
 */
export async function resetTwoFactor(store: Store, email: string, actor: string, now: Date): Promise<boolean> {
  const account = await store.coordinatorByEmail(email.trim().toLowerCase());
  if (!account) return false;
  await store.turnOffTotp(account.id);
  const sessionsEnded = await store.endSessionsOf(account.id);
  await audit(store, actor, 'two-factor.reset', now, { email: account.email, sessionsEnded });
  return true;
}

/** Run `check` with one of the account's sign-in attempts: kept when the code is wrong, given back when right. */
async function codeAttempt(limiter: RateLimiter, email: string, check: () => Promise<boolean>): Promise<CodeRefused | undefined> {
  const waitMs = await limiter.take(email);
  if (waitMs > 0) return { kind: 'limited', waitMs };
  if (!(await check())) return { kind: 'wrong-code' };
  await limiter.giveBack(email);
  return undefined;
}

async function audit(store: Store, actor: string, action: string, now: Date, detail: Record<string, unknown>): Promise<void> {
  await store.audit({ at: now.toISOString(), actor, action, detail });
}
