/**
 * Console accounts for tests: made straight in the store with a role, campaigns, the
 * personal-data permission and (as the product requires of owners and of anyone who may
 * export personal data) a confirmed TOTP secret; and the sign-in a console does, with the
 * code an authenticator app would show, computed here.
 */
import { randomUUID } from 'node:crypto';
import { hashPassword } from '../../server/console/passwords.ts';
import { newTotpSecret, totpCode } from '../../server/console/totp.ts';
import type { Role, Store } from '../../server/store/store.ts';

export const TEST_PASSWORD = 'a long console password 2026';

export interface TestAccount {
  id: string;
  email: string;
  password: string;
  role: Role;
  /** Base32; undefined when the account has no two-factor sign-in. */
  totpSecret?: string;
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
export async function addAccount(store: Pick<Store, 'createCoordinator'>, options: AccountOptions = {}): Promise<TestAccount> {
  const role = options.role ?? 'owner';
  const mayExportPersonalData = options.mayExportPersonalData ?? role === 'owner';
  const twoFactor = options.twoFactor ?? (role === 'owner' || mayExportPersonalData);
  const account: TestAccount = {
    id: randomUUID(),
    email: options.email ?? `${role}-${randomUUID().slice(0, 8)}@example.org`,
    password: options.password ?? TEST_PASSWORD,
    role,
    ...(twoFactor && { totpSecret: newTotpSecret() }),
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
  return account;
}

/**
 * The authenticator's code for `secret`, one that the server has not accepted yet: a code is
 * accepted once per 30-second step, so a test that signs in twice in one step gets the next
 * step's code (accepted one step early).
 */
const lastStepUsed = new Map<string, number>();
export function totpNow(secret: string): string {
  const step = Math.floor(Date.now() / 30_000);
  const next = Math.max(step, (lastStepUsed.get(secret) ?? -Infinity) + 1);
  if (next > step + 1) throw new Error('totpNow: more than two sign-ins of one account in 30 s; wait for the next step');
  lastStepUsed.set(secret, next);
  return totpCode(secret, new Date(next * 30_000 + 1_000));
}

export interface SignedIn {
  cookie: string;
  csrfToken: string;
  /** The headers of a change: the cookie and the CSRF token. */
  headers: { cookie: string; 'x-csrf-token': string };
}

/** How a test reaches the server: its origin (fetch), or an in-process app's `request`. */
export type Reach = string | ((path: string, init: RequestInit) => Response | Promise<Response>);

/** Sign in as `account`, with its two-factor code when it has one. */
export async function signIn(server: Reach, account: Pick<TestAccount, 'email' | 'password' | 'totpSecret'>, init: { headers?: Record<string, string> } = {}): Promise<SignedIn> {
  const call = typeof server === 'string' ? (path: string, options: RequestInit) => fetch(`${server}${path}`, options) : server;
  const res = await call('/api/console/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: JSON.stringify({ email: account.email, password: account.password, ...(account.totpSecret && { code: totpNow(account.totpSecret) }) }),
  });
  if (res.status !== 200) throw new Error(`sign-in as ${account.email}: HTTP ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie, csrfToken, headers: { cookie, 'x-csrf-token': csrfToken } };
}
