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
 */
import type { RateLimiter } from '../rate-limit.ts';
import type { Coordinator, Store } from '../store/store.ts';
import { DUMMY_HASH, PasswordChecksBusy, passwordChecksFull, verifyPassword } from './passwords.ts';

/** What a sign-in attempt came to. */
export type SignInOutcome =
  | { kind: 'signed-in'; coordinator: Coordinator }
  | { kind: 'wrong' }
  | { kind: 'limited'; waitMs: number }
  | { kind: 'busy' };

/** The two limits a sign-in is counted against. */
export interface SignInLimits {
  perAddress: RateLimiter;
  perAccount: RateLimiter;
}

/** Check `email` and `password`, from `client` (its address), against the limits (see the steps above). */
export async function checkSignIn(store: Store, limits: SignInLimits, client: string, email: string, password: string): Promise<SignInOutcome> {
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
  await giveBack();
  return { kind: 'signed-in', coordinator: { id: coordinator.id, email: coordinator.email, name: coordinator.name } };
}
