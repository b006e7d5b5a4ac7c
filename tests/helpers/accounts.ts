/**
 * Console accounts for tests: made straight in the store with a role, campaigns, the
 * personal-data permission and (as the product requires of owners and of anyone who may
 * export personal data) a confirmed TOTP secret and ten recovery codes; and the sign-in a
 * console does, with the code an authenticator app would show, computed here. A server takes
 * each 30-second TOTP step once per account, so a test that signs one account in more than
 * twice in a step goes on with its recovery codes, as a person without their phone would.
 */
import { randomUUID } from 'node:crypto';
import { hashPassword } from '../../server/console/passwords.ts';
import { newRecoveryCodes, newTotpSecret, recoveryCodeHash, totpCode } from '../../server/console/totp.ts';
import type { Role, Store } from '../../server/store/store.ts';
import { addRecoveryCodes } from './account-rows.ts';

export const TEST_PASSWORD = 'a long console password 2026';

export interface TestAccount {
  id: string;
  email: string;
  password: string;
  role: Role;
  /** Base32; undefined when the account has no two-factor sign-in. */
  totpSecret?: string;
  /** Its recovery codes not used yet (signIn uses them, first to last, once TOTP steps run out). */
  recoveryCodes?: string[];
}

export interface AccountOptions {
  email?: string;
  password?: string;
  name?: string;
  role?: Role;
  campaigns?: string[];
  mayExportPersonalData?: boolean;
  /** Default: on for an owner and for an account that may export personal data, as required. */
  twoFactor?: boolean;
}

/** Add an account to `store` (default: an owner who may export personal data, with two-factor on). */
export async function addAccount(store: Store, options: AccountOptions = {}): Promise<TestAccount> {
  const role = options.role ?? 'owner';
  const mayExportPersonalData = options.mayExportPersonalData ?? role === 'owner';
  const twoFactor = options.twoFactor ?? (role === 'owner' || mayExportPersonalData);
  const account: TestAccount = {
    id: randomUUID(),
    email: options.email ?? `${role}-${randomUUID().slice(0, 8)}@example.org`,
    password: options.password ?? TEST_PASSWORD,
    role,
    ...(twoFactor && { totpSecret: newTotpSecret(), recoveryCodes: newRecoveryCodes() }),
  };
  const created = await store.createCoordinator({
    id: account.id,
    email: account.email,
    name: options.name ?? 'Test Coordinator',
    role,
    campaigns: options.campaigns ?? [],
    mayExportPersonalData,
    passwordHash: await hashPassword(account.password),
    createdAt: new Date().toISOString(),
    ...(account.totpSecret && { totpSecret: account.totpSecret }),
  });
  if (!created) throw new Error(`addAccount: ${account.email} exists`);
  if (account.recoveryCodes) await addRecoveryCodes(store, account.id, account.recoveryCodes.map(recoveryCodeHash));
  return account;
}

/**
 * The authenticator's code for `secret`, one that the server has not accepted yet: a code is
 * accepted once per 30-second step, so a test that signs in twice in one step gets the next
 * step's code (accepted one step early).
 */
const lastStepUsed = new Map<string, number>();
export function totpNow(secret: string): string {
  const code = unusedTotpCode(secret);
  if (!code) throw new Error('totpNow: more than two sign-ins of one account in 30 s; wait for the next step');
  return code;
}

/** The code of the next step the server has not accepted, or undefined when both steps it would take are used. */
function unusedTotpCode(secret: string): string | undefined {
  const step = Math.floor(Date.now() / 30_000);
  const next = Math.max(step, (lastStepUsed.get(secret) ?? -Infinity) + 1);
  if (next > step + 1) return undefined;
  lastStepUsed.set(secret, next);
  return totpCode(secret, new Date(next * 30_000 + 1_000));
}

/** What `account` signs in with as its second factor: an unused TOTP code, else its next recovery code. */
export function secondFactorCode(account: Pick<TestAccount, 'email' | 'totpSecret' | 'recoveryCodes'>): string | undefined {
  if (!account.totpSecret) return undefined;
  const code = unusedTotpCode(account.totpSecret) ?? account.recoveryCodes?.shift();
  if (!code) throw new Error(`secondFactorCode: ${account.email} has signed in too often in 30 s, and has no recovery code left`);
  return code;
}

export interface SignedIn {
  cookie: string;
  csrfToken: string;
  /** The headers of a change: the cookie and the CSRF token. */
  headers: { cookie: string; 'x-csrf-token': string };
}

/** How a test reaches the server: its origin (fetch), or an in-process app's `request`. */
export type Reach = string | ((path: string, init: RequestInit) => Response | Promise<Response>);

export interface SignInOptions {
  headers?: Record<string, string>;
  /** A server on a clock of the test's own takes no code of the real time: sign in with a recovery code. */
  recoveryCode?: boolean;
}

/** Sign in as `account`, with its two-factor code when it has one. */
export async function signIn(server: Reach, account: Pick<TestAccount, 'email' | 'password' | 'totpSecret' | 'recoveryCodes'>, init: SignInOptions = {}): Promise<SignedIn> {
  const code = init.recoveryCode && account.totpSecret ? account.recoveryCodes?.shift() : secondFactorCode(account);
  const call = typeof server === 'string' ? (path: string, options: RequestInit) => fetch(`${server}${path}`, options) : server;
  const res = await call('/api/console/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: JSON.stringify({ email: account.email, password: account.password, ...(code && { code }) }),
  });
  if (res.status !== 200) throw new Error(`sign-in as ${account.email}: HTTP ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie, csrfToken, headers: { cookie, 'x-csrf-token': csrfToken } };
}
