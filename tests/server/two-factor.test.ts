/**
 * Two-factor sign-in (#19 part A), through the real app without a socket (`app.request()`), on
 * SQLite, with the server's clock in the test's hands so that each TOTP time step is chosen:
 * setting it up and confirming it, a code accepted once and one step either side only,
 * recovery codes each used once, wrong codes limited like passwords wherever they are typed,
 * the account's other sessions ended on confirmation, a session that must set it up refused
 * everything else, turning it off only where it is not required, and the CLI's reset.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../server/app.ts';
import { ROUTES } from '../../server/routes.ts';
import { totpCode } from '../../server/console/totp.ts';
import { resetTwoFactor } from '../../server/console/two-factor.ts';
import { sha256 } from '../../server/devices.ts';
import { SqliteStore } from '../../server/store/sqlite.ts';
import { ErrorResponseSchema } from '../../src/shared/protocol.ts';
import { SessionAnswerSchema, SessionInfoSchema } from '../../src/shared/api/session.ts';
import { RecoveryCodesSchema, TwoFactorSetupSchema } from '../../src/shared/api/two-factor.ts';
import { addAccount, type AccountOptions, type TestAccount } from '../helpers/accounts.ts';
import { cli } from '../helpers/app-process.ts';

const STEP_MS = 30_000;
/** The server's clock: the middle of a time step, moved by the tests. */
let clock = Math.floor(Date.now() / STEP_MS) * STEP_MS + STEP_MS / 2;
const stepAt = (offset: number) => new Date(clock + offset * STEP_MS);
/** The authenticator's code `offset` steps from the server's now. */
const codeAt = (secret: string, offset = 0) => totpCode(secret, stepAt(offset));
/** Move the server's clock on by whole steps (so that a new code may be accepted). */
const tick = (steps = 1) => (clock += steps * STEP_MS);

let store: SqliteStore;
let app: App;
/** A request over TLS (sign-ins are refused over plain http from elsewhere), from `address`. */
const from = (address: string) => ({ incoming: { socket: { remoteAddress: address, encrypted: true } } }) as never;
const LOCAL = from('127.0.0.1');
/** Each account signs in from an address of its own, so that one test's wrong codes do not spend another's attempts. */
const addresses = new Map<string, string>();
const addressOf = (email: string) => addresses.get(email) ?? addresses.set(email, `10.19.0.${addresses.size + 1}`).get(email)!;
const LOGIN_CAPACITY = 4;

beforeAll(() => {
  store = new SqliteStore(':memory:');
  app = createApp({ store, log: () => {}, now: () => new Date(clock), loginLimit: { capacity: LOGIN_CAPACITY, refillMs: 3_600_000 } });
});
afterAll(async () => {
  app.close();
  await store.close();
});

interface Session {
  headers: { cookie: string; 'x-csrf-token': string };
}

async function login(account: Pick<TestAccount, 'email' | 'password'>, code?: string) {
  const res = await app.request('/api/console/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: account.email, password: account.password, code }) }, from(addressOf(account.email)));
  const body = await res.json();
  if (res.status !== 200) return { status: res.status, error: ErrorResponseSchema.parse(body).error, session: undefined };
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  const info = SessionInfoSchema.parse(body);
  return { status: 200, info, session: { headers: { cookie, 'x-csrf-token': info.csrfToken } } as Session, error: undefined };
}

async function signedIn(account: TestAccount, code?: string): Promise<Session> {
  const { session, error } = await login(account, code ?? (account.totpSecret && codeAt(account.totpSecret)));
  if (!session) throw new Error(`sign-in refused: ${error?.message}`);
  return session;
}

function post(session: Session, path: string, body?: unknown) {
  return app.request(path, { method: 'POST', headers: { ...session.headers, ...(body !== undefined && { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) }, LOCAL);
}

async function twoFactorOf(session: Session) {
  const answer = SessionAnswerSchema.parse(await (await app.request('/api/console/session', { headers: session.headers })).json());
  return answer.coordinator?.twoFactor ?? 'signed out';
}

async function auditActions(email: string) {
  return (await store.auditLog(500)).filter((e) => e.actor === email).map((e) => ({ action: e.action, detail: e.detail }));
}

/** An account without two-factor yet, signed in (a fresh one per test: the limits are per account). */
async function withoutTwoFactor(options: AccountOptions = {}) {
  const account = await addAccount(store, { twoFactor: false, ...options });
  return { account, session: await signedIn(account) };
}

/** Set up two-factor for a signed-in account; its secret and recovery codes. */
async function setUp(session: Session) {
  const setup = TwoFactorSetupSchema.parse(await (await post(session, '/api/console/two-factor/setup')).json());
  const res = await post(session, '/api/console/two-factor/confirm', { code: codeAt(setup.secret) });
  expect(res.status).toBe(200);
  return { secret: setup.secret, recoveryCodes: RecoveryCodesSchema.parse(await res.json()).recoveryCodes };
}

describe('setting up two-factor sign-in', () => {
  it('gives a secret to scan or type, and turns it on only for a code of that secret, answering ten recovery codes', async () => {
    const { account, session } = await withoutTwoFactor();
    expect(await twoFactorOf(session)).toBe('setup-required');

    const res = await post(session, '/api/console/two-factor/setup');
    expect(res.status).toBe(200);
    const setup = TwoFactorSetupSchema.parse(await res.json());
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(setup.uri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(setup.secret);
    expect(decodeURIComponent(uri.pathname)).toContain(account.email);
    expect(setup.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    // Pending is not on: signing in still asks no code, and the session still must set it up.
    expect(await twoFactorOf(session)).toBe('setup-required');
    expect((await login(account)).status).toBe(200);

    const wrong = await post(session, '/api/console/two-factor/confirm', { code: codeAt(setup.secret, 5) });
    expect(wrong.status).toBe(400);
    expect(ErrorResponseSchema.parse(await wrong.json()).error.issues?.[0]?.path).toBe('code');

    const confirmCode = codeAt(setup.secret);
    const right = await post(session, '/api/console/two-factor/confirm', { code: confirmCode });
    expect(right.status).toBe(200);
    const { recoveryCodes } = RecoveryCodesSchema.parse(await right.json());
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[0-9a-z]{5}-[0-9a-z]{5}$/);
    expect(await twoFactorOf(session)).toBe('on');
    expect((await app.request('/api/console/totals', { headers: session.headers })).status).toBe(200);

    // Signing in now needs the code, and not the one that confirmed: each step is accepted once.
    expect((await login(account)).error?.code).toBe('second_factor_required');
    expect((await login(account, confirmCode)).status).toBe(401);
    tick();
    expect((await login(account, codeAt(setup.secret))).status).toBe(200);
    expect((await auditActions(account.email)).map((e) => e.action)).toContain('two-factor.on');
    // Set up again while it is on: refused, so that a stolen session cannot swap the secret without a code.
    expect((await post(session, '/api/console/two-factor/setup')).status).toBe(409);
  });

  it('ends the account\'s other sessions on confirmation, and keeps this one, now signed in with a second factor', async () => {
    const { account, session } = await withoutTwoFactor();
    const other = await signedIn(account);
    const stranger = await withoutTwoFactor();
    /** The session's row, found by the hash of its cookie's id, as the server keeps it. */
    const row = async () => store.sessionByIdHash(sha256(session.headers.cookie.split('=')[1]), new Date(clock).toISOString());
    expect((await row())?.secondFactor).toBe(false);
    await setUp(session);
    expect((await row())?.secondFactor).toBe(true);
    expect(await twoFactorOf(other)).toBe('signed out');
    expect((await post(other, '/api/console/logout')).status).toBe(401);
    expect(await twoFactorOf(session)).toBe('on');
    expect(await twoFactorOf(stranger.session)).toBe('setup-required');
    expect((await auditActions(account.email)).find((e) => e.action === 'two-factor.on')?.detail).toEqual({ otherSessionsEnded: 1 });
  });

  it('a session that must set it up may reach only its own routes (two-factor, sessions, password, sign-out): everything else is 403 two_factor_setup_required', async () => {
    const { session } = await withoutTwoFactor({ role: 'viewer', campaigns: ['protect-defenders'], mayExportPersonalData: false });
    // An owner must have it; a viewer needs it only when the owners require it of everyone.
    const owner = await withoutTwoFactor();
    // Each parameter well-formed (a campaign's id, else a UUID), so that the router matches the route.
    const sample = (path: string) =>
      path.replace(/:(\w+)(\{(?:[^{}]|\{[^{}]*\})*\})?/g, (_, name: string) => (name === 'version' ? '1' : path.startsWith('/api/console/campaigns/') ? 'protect-defenders' : '00000000-0000-0000-0000-000000000000'));
    const own = ROUTES.filter((r) => r.auth === 'session' && r.may === 'self').map((r) => r.name);
    // The account's own: two-factor, its sessions and password, sign-out.
    expect(own.sort()).toEqual(['accountSessions', 'changePassword', 'endSession', 'logout', 'twoFactorConfirm', 'twoFactorOff', 'twoFactorRecoveryCodes', 'twoFactorSetup']);
    for (const route of ROUTES.filter((r) => r.auth === 'session' && r.may !== 'self')) {
      const res = await app.request(sample(route.path), { method: route.method, headers: { ...owner.session.headers, 'content-type': 'application/json' }, body: route.method === 'GET' ? undefined : '{}' }, LOCAL);
      expect(res.status, route.name).toBe(403);
      expect(ErrorResponseSchema.parse(await res.json()).error, route.name).toMatchObject({ code: 'two_factor_setup_required', message: expect.stringMatching(/^Set up two-factor sign-in first/) });
    }
    const setupRes = await post(owner.session, '/api/console/two-factor/setup');
    expect(setupRes.status, await setupRes.clone().text()).toBe(200);
    expect(await twoFactorOf(owner.session)).toBe('setup-required');
    expect((await post(owner.session, '/api/console/logout')).status).toBe(204);
    // The viewer, who needs none, is let through.
    expect(await twoFactorOf(session)).toBe('off');
    expect((await app.request('/api/console/totals', { headers: session.headers })).status).toBe(200);
  });
});

describe('codes at sign-in', () => {
  it('accepts a code once: the same code, or any of an earlier step, never again', async () => {
    const account = await addAccount(store);
    const code = codeAt(account.totpSecret!);
    expect((await login(account, code)).status).toBe(200);
    const replay = await login(account, code);
    expect(replay.status).toBe(401);
    expect(replay.error?.message).toMatch(/^Wrong code/);
    // A step before the accepted one is refused too, though within the window.
    expect((await login(account, codeAt(account.totpSecret!, -1))).status).toBe(401);
    expect((await login(account, codeAt(account.totpSecret!, 1))).status).toBe(200);
  });

  it('accepts a code one step early or late (a phone\'s clock drifts), not two', async () => {
    const account = await addAccount(store);
    const secret = account.totpSecret!;
    expect((await login(account, codeAt(secret, -2))).status).toBe(401);
    expect((await login(account, codeAt(secret, 2))).status).toBe(401);
    expect((await login(account, codeAt(secret, -1))).status).toBe(200);
    tick(2);
    expect((await login(account, codeAt(secret, 1))).status).toBe(200);
  });

  it('takes a recovery code once, however it is typed, and audits how many are left', async () => {
    const { account, session } = await withoutTwoFactor();
    const { recoveryCodes } = await setUp(session);
    expect((await login(account, ` ${recoveryCodes[3].toUpperCase()} `)).status).toBe(200);
    expect((await login(account, recoveryCodes[3])).status).toBe(401);
    expect((await login(account, recoveryCodes[4].replace('-', ''))).status).toBe(200);
    const used = (await auditActions(account.email)).filter((e) => e.action === 'two-factor.recovery-code-used');
    expect(used.map((e) => e.detail)).toEqual([{ left: 8, address: addressOf(account.email) }, { left: 9, address: addressOf(account.email) }]);
  });
});

describe('keeping two-factor sign-in', () => {
  it('new recovery codes for a current code: the old ones stop working, the new ones work', async () => {
    const { account, session } = await withoutTwoFactor();
    const { secret, recoveryCodes: old } = await setUp(session);
    expect((await post(session, '/api/console/two-factor/recovery-codes', { code: 'nope-nope1' })).status).toBe(400);
    tick();
    const res = await post(session, '/api/console/two-factor/recovery-codes', { code: codeAt(secret) });
    expect(res.status).toBe(200);
    const { recoveryCodes: fresh } = RecoveryCodesSchema.parse(await res.json());
    expect(fresh).toHaveLength(10);
    expect((await login(account, old[0])).status).toBe(401);
    expect((await login(account, fresh[0])).status).toBe(200);
    expect(await store.unusedRecoveryCodes(account.id)).toBe(9);
    expect((await auditActions(account.email)).map((e) => e.action)).toContain('two-factor.recovery-codes');
  });

  it('turns off only where it is not required: an owner is refused 403, a viewer who chose it may', async () => {
    const owner = await addAccount(store);
    const ownerSession = await signedIn(owner);
    tick();
    const refused = await post(ownerSession, '/api/console/two-factor/off', { code: codeAt(owner.totpSecret!) });
    expect(refused.status).toBe(403);
    expect(ErrorResponseSchema.parse(await refused.json()).error.message).toMatch(/must sign in with two-factor/);
    expect(await twoFactorOf(ownerSession)).toBe('on');

    const viewer = await addAccount(store, { role: 'viewer', campaigns: ['protect-defenders'], twoFactor: true });
    const viewerSession = await signedIn(viewer);
    tick();
    expect((await post(viewerSession, '/api/console/two-factor/off', { code: codeAt(viewer.totpSecret!) })).status).toBe(204);
    expect(await twoFactorOf(viewerSession)).toBe('off');
    expect((await login(viewer)).status).toBe(200);
    expect((await auditActions(viewer.email)).map((e) => e.action)).toContain('two-factor.off');
  });

  it('counts wrong codes on these routes against the account\'s sign-in limit: once spent, even the right code and the right password are 429', async () => {
    const viewer = await addAccount(store, { role: 'viewer', campaigns: ['protect-defenders'], twoFactor: true });
    const session = await signedIn(viewer);
    tick();
    for (let i = 0; i < LOGIN_CAPACITY; i++) expect((await post(session, '/api/console/two-factor/off', { code: String(100000 + i) })).status).toBe(400);
    const right = await post(session, '/api/console/two-factor/off', { code: codeAt(viewer.totpSecret!) });
    expect(right.status).toBe(429);
    expect(right.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await post(session, '/api/console/two-factor/recovery-codes', { code: codeAt(viewer.totpSecret!) })).status).toBe(429);
    expect((await login(viewer, codeAt(viewer.totpSecret!))).status).toBe(429);
    expect(await twoFactorOf(session)).toBe('on');
  });

  it('a right code gives its attempt back: many confirmations and renewals never lock the account out', async () => {
    const { session } = await withoutTwoFactor();
    const { secret } = await setUp(session);
    for (let i = 0; i < LOGIN_CAPACITY + 2; i++) {
      tick();
      expect((await post(session, '/api/console/two-factor/recovery-codes', { code: codeAt(secret) })).status).toBe(200);
    }
  });
});

describe('coordinator reset-two-factor (the CLI, for a lost phone)', () => {
  it('turns it off, voids the recovery codes, ends every session, and is audited under the CLI actor', async () => {
    const { account, session } = await withoutTwoFactor();
    const { recoveryCodes } = await setUp(session);
    expect(await resetTwoFactor(store, ` ${account.email.toUpperCase()}`, 'cli:admin', new Date(clock))).toBe(true);
    expect(await twoFactorOf(session)).toBe('signed out');
    expect(await store.unusedRecoveryCodes(account.id)).toBe(0);
    expect(await store.totpSecrets(account.id)).toEqual({});
    // An owner must have it: signing in again lands on its setup.
    const again = await login(account, recoveryCodes[0]);
    expect(again.info?.coordinator.twoFactor).toBe('setup-required');
    const entry = (await store.auditLog(50)).find((e) => e.action === 'two-factor.reset');
    expect(entry).toMatchObject({ actor: 'cli:admin', detail: { email: account.email, sessionsEnded: 1 } });
    expect(await resetTwoFactor(store, 'nobody@example.org', 'cli:admin', new Date(clock))).toBe(false);
  });

  it('runs as `npm run cli -- coordinator reset-two-factor --email E` on the server\'s database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldsign-reset-'));
    try {
      const dbPath = join(dir, 'fieldsign.db');
      const fileStore = new SqliteStore(dbPath);
      const account = await addAccount(fileStore);
      await fileStore.createSession({ idHash: 'h', publicId: 'p', coordinatorId: account.id, csrfToken: 't', createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 3_600_000).toISOString(), address: '', userAgent: '', secondFactor: true });
      await fileStore.close();
      expect(cli(['coordinator', 'reset-two-factor', '--email', account.email, '--db', dbPath])).toMatch(/is off, its recovery codes void and its sessions ended/);
      const after = new SqliteStore(dbPath);
      expect(await after.totpSecrets(account.id)).toEqual({});
      expect(await after.sessionByIdHash('h', new Date().toISOString())).toBeUndefined();
      expect((await after.auditLog(5))[0]).toMatchObject({ action: 'two-factor.reset', actor: expect.stringMatching(/^cli \(/), detail: { email: account.email, sessionsEnded: 1 } });
      await after.close();
      expect(() => cli(['coordinator', 'reset-two-factor', '--email', 'nobody@example.org', '--db', dbPath])).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
