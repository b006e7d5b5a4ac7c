/**
 * Checking a coordinator's sign-in against its limits, apart from HTTP (the route,
 * console/routes.ts: login, maps the outcome to an answer). In order:
 *
 * 0. When the password checks are all taken and their queue is full, `busy` at once: a storm
 *    of sign-ins costs no database write for the ones the server could not check anyway.
 * 1. One attempt of the client's address, then one of the account (its email, known or not),
 *    both taken BEFORE the password is looked at: when either is empty the answer is
 *    `limited`, whatever the password, so a limited answer never tells a right guess from a
 *    wrong one, and a guess from yet another address is not even hashed. Taking first (not
 *    checking, then taking on failure) is what keeps guesses sent in parallel, from one
 *    instance or several, within the limit.
 * 2. The password, in one of the bounded password-check slots (passwords.ts). When the server
 *    is too busy for it, `busy`, and both attempts are given back: nothing was checked.
 * 3. A right password gives both attempts back (a successful sign-in costs nothing, so the
 *    coordinators of one office behind one address can all sign in); a wrong one keeps them.
 *    An address limited while the account was not keeps its attempt spent.
 * 4. An account with two-factor sign-in needs its code too: without one, `code-needed` (the
 *    attempts given back: the password was right); a wrong code keeps them, exactly as a wrong
 *    password does, so codes are limited like passwords. A code is an authenticator's (each
 *    time step accepted once) or a recovery code (each used once).
 */
import type { RateLimiter } from '../rate-limit.ts';
import type { Coordinator, SignInAccount, Store } from '../store/store.ts';
import { DUMMY_HASH, PasswordChecksBusy, passwordChecksFull, verifyPassword } from './passwords.ts';
import { isTotpCode, recoveryCodeHash, totpStep } from './totp.ts';

/** What a sign-in attempt came to. `secondFactor`: how the code was given, when one was. */
export type SignInOutcome =
  | { kind: 'signed-in'; coordinator: Coordinator; secondFactor?: 'totp' | 'recovery-code' }
  | { kind: 'wrong' }
  | { kind: 'disabled' }
  | { kind: 'code-needed' }
  | { kind: 'wrong-code'; coordinator: Coordinator }
  | { kind: 'limited'; waitMs: number }
  | { kind: 'busy' };

/** The two limits a sign-in is counted against. */
export interface SignInLimits {
  perAddress: RateLimiter;
  perAccount: RateLimiter;
}

/** What a sign-in sends. */
export interface Credentials {
  email: string;
  password: string;
  code?: string;
}

/** Check the credentials, from `client` (its address), against the limits (see the steps above). */
export async function checkSignIn(store: Store, limits: SignInLimits, client: string, { email, password, code }: Credentials, now: Date): Promise<SignInOutcome> {
  const account = email.trim().toLowerCase();
  if (passwordChecksFull()) return { kind: 'busy' };
  const addressWait = await limits.perAddress.take(client);
  if (addressWait > 0) return { kind: 'limited', waitMs: addressWait };
  const accountWait = await limits.perAccount.take(account);
  if (accountWait > 0) return { kind: 'limited', waitMs: accountWait };
  const giveBack = () => Promise.all([limits.perAddress.giveBack(client), limits.perAccount.giveBack(account)]);

  const coordinator = await store.coordinatorByEmail(account);
  let right: boolean;
  try {
    // An unknown email is checked against a dummy hash: the time taken does not reveal accounts.
    right = await verifyPassword(password, coordinator?.passwordHash ?? DUMMY_HASH);
  } catch (error) {
    if (!(error instanceof PasswordChecksBusy)) throw error;
    await giveBack();
    return { kind: 'busy' };
  }
  if (!coordinator || !right) return { kind: 'wrong' };
  if (coordinator.disabledAt) return { kind: 'disabled' };
  const { passwordHash: _hash, totpSecret, ...found } = coordinator;
  if (!totpSecret) {
    await giveBack();
    return { kind: 'signed-in', coordinator: found };
  }
  if (!code?.trim()) {
    await giveBack();
    return { kind: 'code-needed' };
  }
  const secondFactor = await checkCode(store, coordinator, totpSecret, code, now);
  if (!secondFactor) return { kind: 'wrong-code', coordinator: found };
  await giveBack();
  return { kind: 'signed-in', coordinator: found, secondFactor };
}

/** Whether `code` is the account's current authenticator code (not used before) or one of its unused recovery codes. */
export async function checkCode(store: Store, account: Pick<SignInAccount, 'id'>, secret: string, code: string, now: Date): Promise<'totp' | 'recovery-code' | undefined> {
  if (isTotpCode(code)) {
    const step = totpStep(secret, code, now);
    return step !== undefined && (await store.acceptTotpStep(account.id, step)) ? 'totp' : undefined;
  }
  return (await store.useRecoveryCode(account.id, recoveryCodeHash(code), now.toISOString())) ? 'recovery-code' : undefined;
}
