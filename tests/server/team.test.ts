/**
 * The team (issue #19), through the real app without a socket (`app.request()`) on an SQLite
 * file, its rows read straight from the database: an owner invites by a one-time link that
 * works once, expires and can be withdrawn, and whose token the server never keeps; accepting
 * makes the account with exactly what was granted and signs it in; a role change reaches an
 * open session at once; disabling ends the account's sessions at once, never of oneself nor
 * of the last owner; only owners reach the team's routes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../server/app.ts';
import { sha256 } from '../../server/devices.ts';
import { ROUTES } from '../../server/routes.ts';
import { SqliteStore } from '../../server/store/sqlite.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { addAccount, signIn, TEST_PASSWORD, type SignedIn, type TestAccount } from '../helpers/accounts.ts';

const CAMPAIGN = DEFAULT_CAMPAIGN.id;
const OTHER = 'other-campaign';
const NEW_PASSWORD = 'the invited person’s own passphrase';

let dir: string;
let store: SqliteStore;
let app: App;
let raw: DatabaseSync;
let owner: TestAccount;
let ownerSession: SignedIn;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fieldsign-team-'));
  store = new SqliteStore(join(dir, 'fieldsign.db'));
  // Every request here comes from one address: the invitation limit is the last test's to try.
  app = createApp({ store, log: () => {}, invitationLimit: { capacity: 1_000, refillMs: 1_000 } });
  owner = await addAccount(store, { email: 'owner@example.org', name: 'Olga Owner' });
  await store.createCampaign({ id: OTHER, status: 'draft', draft: null, createdAt: new Date().toISOString() });
  ownerSession = await signIn(app.request, owner);
  raw = new DatabaseSync(join(dir, 'fieldsign.db'), { readOnly: true });
});
afterAll(async () => {
  raw?.close();
  app?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer<T = any> {
  status: number;
  body: T;
  cookie?: string;
}

/** Call the app as `as` (a session, or no one). */
async function call<T = any>(method: string, path: string, body?: unknown, as?: SignedIn): Promise<Answer<T>> {
  const res = await app.request(path, {
    method,
    headers: { ...as?.headers, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const setCookie = res.headers.get('set-cookie');
  return { status: res.status, body: text ? JSON.parse(text) : undefined, ...(setCookie && { cookie: setCookie.split(';')[0] }) };
}

const asOwner = <T = any>(method: string, path: string, body?: unknown) => call<T>(method, path, body, ownerSession);

/** Invite `email` as the owner; the token from the link. */
async function invite(email: string, grant: { role?: string; campaigns?: string[]; mayExportPersonalData?: boolean; hours?: number } = {}) {
  const res = await asOwner('POST', '/api/console/team/invitations', { email, role: 'viewer', campaigns: [CAMPAIGN], mayExportPersonalData: false, ...grant });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const token = /\/console\/#invite=([A-Za-z0-9_-]{43})$/.exec(res.body.link)?.[1];
  expect(token, res.body.link).toBeDefined();
  return { id: res.body.id as string, token: token!, link: res.body.link as string };
}

/** Accept an invitation; the new account's session as a test signs in with. */
async function accept(token: string, name = 'Vera Viewer') {
  const res = await call('POST', '/api/console/invitation/accept', { token, name, password: NEW_PASSWORD });
  const session: SignedIn | undefined = res.status === 200 ? { cookie: res.cookie!, csrfToken: res.body.csrfToken, headers: { cookie: res.cookie!, 'x-csrf-token': res.body.csrfToken } } : undefined;
  return { ...res, session };
}

const sessionsOf = (id: string) => (raw.prepare('SELECT COUNT(*) AS n FROM sessions WHERE coordinator_id = ?').get(id) as { n: number }).n;
const auditOf = (action: string) => (raw.prepare('SELECT actor, detail FROM audit_log WHERE action = ? ORDER BY seq').all(action) as Array<{ actor: string; detail: string }>);

describe('invitations', () => {
  it('work once, keep only the hash of their token, and make the account with what was granted, signed in', async () => {
    const { id, token, link } = await invite('vera@example.org');
    expect(link.startsWith('http')).toBe(true);

    // Only the hash is stored; neither the table nor the audit log holds the token.
    const row = raw.prepare('SELECT * FROM invitations WHERE id = ?').get(id) as Record<string, unknown>;
    expect(row.token_hash).toBe(sha256(token));
    expect(JSON.stringify(raw.prepare('SELECT * FROM invitations').all())).not.toContain(token);
    expect(JSON.stringify(raw.prepare('SELECT * FROM audit_log').all())).not.toContain(token);
    expect(JSON.parse(auditOf('invitation.created').at(-1)!.detail)).toMatchObject({ email: 'vera@example.org', role: 'viewer', campaigns: [CAMPAIGN], mayExportPersonalData: false });

    // The pending invitation is listed, without its link.
    const team = await asOwner('GET', '/api/console/team');
    expect(team.body.invitations.map((i: { id: string }) => i.id)).toContain(id);
    expect(JSON.stringify(team.body)).not.toContain(token);

    const shown = await call('POST', '/api/console/invitation', { token });
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ email: 'vera@example.org', role: 'viewer', mayExportPersonalData: false, invitedBy: { name: 'Olga Owner', email: owner.email } });
    expect(shown.body.campaigns.map((c: { id: string }) => c.id)).toEqual([CAMPAIGN]);

    const accepted = await accept(token);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.coordinator).toEqual({ email: 'vera@example.org', name: 'Vera Viewer', role: 'viewer', campaigns: [CAMPAIGN], mayExportPersonalData: false, twoFactor: 'off' });
    // Signed in: the cookie works for what a viewer may do, and no more.
    expect((await call('GET', `/api/console/totals?campaign=${CAMPAIGN}`, undefined, accepted.session)).status).toBe(200);
    expect((await call('GET', '/api/console/team', undefined, accepted.session)).status).toBe(403);
    expect(auditOf('invitation.accepted').at(-1)!.actor).toBe('vera@example.org');

    // Once: the same link again, opened or accepted, is refused, and makes nothing.
    expect((await call('POST', '/api/console/invitation', { token })).status).toBe(410);
    const again = await accept(token, 'Someone Else');
    expect(again.status).toBe(410);
    expect(again.body.error.message).toMatch(/already been used/);
    expect((raw.prepare('SELECT COUNT(*) AS n FROM coordinators WHERE email = ?').get('vera@example.org') as { n: number }).n).toBe(1);
    // The pending list no longer holds it, and an email with an account cannot be invited.
    expect((await asOwner('GET', '/api/console/team')).body.invitations.map((i: { id: string }) => i.id)).not.toContain(id);
    expect((await asOwner('POST', '/api/console/team/invitations', { email: 'Vera@Example.org', role: 'viewer', campaigns: [CAMPAIGN], mayExportPersonalData: false })).status).toBe(409);
  });

  it('give a manager exactly the campaigns and permission granted; an account that may export personal data must set up two-factor first', async () => {
    const { token } = await invite('mario@example.org', { role: 'manager', campaigns: [OTHER], mayExportPersonalData: true });
    const accepted = await accept(token, 'Mario Manager');
    expect(accepted.body.coordinator).toEqual({ email: 'mario@example.org', name: 'Mario Manager', role: 'manager', campaigns: [OTHER], mayExportPersonalData: true, twoFactor: 'setup-required' });
    expect((await call('GET', `/api/console/totals?campaign=${OTHER}`, undefined, accepted.session)).body.error.code).toBe('two_factor_setup_required');
    const member = (await asOwner('GET', '/api/console/team')).body.accounts.find((a: { email: string }) => a.email === 'mario@example.org');
    expect(member).toMatchObject({ role: 'manager', campaigns: [OTHER], mayExportPersonalData: true, twoFactor: 'setup-required', disabledAt: null });
    expect(member.lastSignInAt).not.toBeNull();
  });

  it('expire after the hours they were made for', async () => {
    // An app and store of their own, whose clock only moves forward (the rate limits' buckets keep times).
    const own = new SqliteStore(':memory:');
    let offsetMs = 0;
    const timed = createApp({ store: own, log: () => {}, now: () => new Date(Date.now() + offsetMs) });
    try {
      const send = async (path: string, body: unknown, as?: SignedIn) => {
        const res = await timed.request(path, { method: 'POST', headers: { ...as?.headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return { status: res.status, body: await res.json() };
      };
      const theOwner = await signIn(timed.request, await addAccount(own, { email: 'owner@example.org' }));
      const made = await send('/api/console/team/invitations', { email: 'late@example.org', role: 'viewer', campaigns: [CAMPAIGN], mayExportPersonalData: false, hours: 1 }, theOwner);
      const token = made.body.link.split('#invite=')[1];
      offsetMs = 59 * 60_000;
      expect((await send('/api/console/invitation', { token })).status).toBe(200);
      offsetMs = 61 * 60_000;
      const shown = await send('/api/console/invitation', { token });
      expect(shown.status).toBe(410);
      expect(shown.body.error.message).toMatch(/expired/);
      expect((await send('/api/console/invitation/accept', { token, name: 'Late', password: NEW_PASSWORD })).status).toBe(410);
      expect(await own.coordinatorByEmail('late@example.org')).toBeUndefined();
    } finally {
      timed.close();
      await own.close();
    }
  });

  it('can be withdrawn while pending: the link stops working at once', async () => {
    const { id, token } = await invite('withdrawn@example.org');
    expect((await asOwner('DELETE', `/api/console/team/invitations/${id}`)).status).toBe(204);
    expect((await call('POST', '/api/console/invitation', { token })).body.error.message).toMatch(/withdrawn/);
    expect((await accept(token)).status).toBe(410);
    expect((await asOwner('DELETE', `/api/console/team/invitations/${id}`)).status).toBe(404);
    expect(JSON.parse(auditOf('invitation.revoked').at(-1)!.detail)).toEqual({ invitation: id, email: 'withdrawn@example.org' });
  });

  it('refuse what cannot be granted, an unknown token, and a short password (the invitation stays usable)', async () => {
    const post = (grant: Record<string, unknown>) => asOwner('POST', '/api/console/team/invitations', { email: 'x@example.org', role: 'viewer', campaigns: [CAMPAIGN], mayExportPersonalData: false, ...grant });
    expect((await post({ campaigns: ['no-such-campaign'] })).body.error.message).toBe('There is no campaign "no-such-campaign".');
    expect((await post({ campaigns: [] })).status).toBe(400);
    expect((await post({ mayExportPersonalData: true })).body.error.message).toMatch(/viewer .* cannot export personal data/);
    expect((await post({ hours: 169 })).status).toBe(400);

    expect((await call('POST', '/api/console/invitation', { token: 'A'.repeat(43) })).status).toBe(404);
    const { token } = await invite('short@example.org');
    const short = await call('POST', '/api/console/invitation/accept', { token, name: 'Shorty', password: 'too short' });
    expect(short.status).toBe(400);
    expect(short.body.error.message).toMatch(/at least 12 characters/);
    expect((await accept(token, 'Shorty')).status).toBe(200);
  });

  it('are limited per address: every try counts, a wrong token too', async () => {
    // A store of its own: the limits' buckets live in the store, and the app above has used this address's.
    const own = new SqliteStore(':memory:');
    const limited = createApp({ store: own, log: () => {}, invitationLimit: { capacity: 3, refillMs: 3_600_000 } });
    try {
      const tryToken = (path: string, body: object) => limited.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await tryToken('/api/console/invitation', { token: 'B'.repeat(43) })).status);
      statuses.push((await tryToken('/api/console/invitation/accept', { token: 'B'.repeat(43), name: 'Guess', password: NEW_PASSWORD })).status);
      expect(statuses).toEqual([404, 404, 404, 429]);
    } finally {
      limited.close();
      await own.close();
    }
  });
});

describe('accounts', () => {
  let viewer: TestAccount;
  let viewerSession: SignedIn;

  beforeAll(async () => {
    viewer = await addAccount(store, { role: 'viewer', campaigns: [CAMPAIGN] });
    viewerSession = await signIn(app.request, viewer);
  });

  it('a role change reaches an open session at once, and is audited before and after', async () => {
    const audit = `/api/console/audit?campaign=${CAMPAIGN}`;
    expect((await call('GET', audit, undefined, viewerSession)).status).toBe(403);
    const changed = await asOwner('PATCH', `/api/console/team/accounts/${viewer.id}`, { role: 'manager' });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toMatchObject({ role: 'manager', campaigns: [CAMPAIGN], mayExportPersonalData: false });
    expect((await call('GET', audit, undefined, viewerSession)).status).toBe(200);
    expect((await call('GET', '/api/console/session', undefined, viewerSession)).body.coordinator.role).toBe('manager');
    expect(JSON.parse(auditOf('account.changed').at(-1)!.detail)).toEqual({
      account: viewer.email,
      before: { role: 'viewer', campaigns: [CAMPAIGN], mayExportPersonalData: false },
      after: { role: 'manager', campaigns: [CAMPAIGN], mayExportPersonalData: false },
    });

    // Another campaign instead: the old one is refused at once.
    await asOwner('PATCH', `/api/console/team/accounts/${viewer.id}`, { campaigns: [OTHER], role: 'viewer' });
    expect((await call('GET', `/api/console/totals?campaign=${CAMPAIGN}`, undefined, viewerSession)).status).toBe(403);
    expect((await call('GET', `/api/console/totals?campaign=${OTHER}`, undefined, viewerSession)).status).toBe(200);
    await asOwner('PATCH', `/api/console/team/accounts/${viewer.id}`, { campaigns: [CAMPAIGN] });
  });

  it('disabling ends its sessions at once (the open cookie gets 401), and it cannot sign in until enabled', async () => {
    expect((await call('GET', `/api/console/totals?campaign=${CAMPAIGN}`, undefined, viewerSession)).status).toBe(200);
    expect(sessionsOf(viewer.id)).toBeGreaterThan(0);
    const disabled = await asOwner('POST', `/api/console/team/accounts/${viewer.id}/disable`);
    expect(disabled.status).toBe(200);
    expect(disabled.body.disabledAt).not.toBeNull();
    expect(sessionsOf(viewer.id)).toBe(0);
    expect((await call('GET', `/api/console/totals?campaign=${CAMPAIGN}`, undefined, viewerSession)).status).toBe(401);
    await expect(signIn(app.request, viewer)).rejects.toThrow(/HTTP 403/);
    expect(auditOf('account.disabled').at(-1)).toMatchObject({ actor: owner.email, detail: JSON.stringify({ account: viewer.email }) });

    expect((await asOwner('POST', `/api/console/team/accounts/${viewer.id}/enable`)).body.disabledAt).toBeNull();
    viewerSession = await signIn(app.request, viewer);
    expect((await call('GET', `/api/console/totals?campaign=${CAMPAIGN}`, undefined, viewerSession)).status).toBe(200);
    expect(auditOf('account.enabled').length).toBe(1);
  });

  it('never disables oneself, nor disables or demotes the last enabled owner', async () => {
    const self = await asOwner('POST', `/api/console/team/accounts/${owner.id}/disable`);
    expect(self.status).toBe(409);
    expect(self.body.error.message).toMatch(/your own account/);
    const demoted = await asOwner('PATCH', `/api/console/team/accounts/${owner.id}`, { role: 'manager', campaigns: [CAMPAIGN] });
    expect(demoted.status).toBe(409);
    expect(demoted.body.error.message).toMatch(/only enabled owner/);
    // The store holds the rule itself, whoever asks (two owners disabling each other at once).
    expect(await store.setAccountDisabled(owner.id, new Date().toISOString())).toEqual({ ok: false, reason: 'last-owner' });
    expect((await call('GET', '/api/console/session', undefined, ownerSession)).body.coordinator.role).toBe('owner');

    // With a second owner, the first may step down.
    const second = await addAccount(store, { role: 'owner' });
    expect((await asOwner('POST', `/api/console/team/accounts/${second.id}/disable`)).status).toBe(200);
    expect((await asOwner('PATCH', `/api/console/team/accounts/${owner.id}`, { role: 'manager', campaigns: [CAMPAIGN] })).status).toBe(409);
    await asOwner('POST', `/api/console/team/accounts/${second.id}/enable`);
  });

  it('requiring two-factor for everyone reaches a viewer without it at once', async () => {
    expect((await asOwner('PATCH', '/api/console/settings', { requireTwoFactorForAll: true })).body).toEqual({ requireTwoFactorForAll: true });
    try {
      const refused = await call('GET', `/api/console/totals?campaign=${CAMPAIGN}`, undefined, viewerSession);
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('two_factor_setup_required');
      expect((await asOwner('GET', '/api/console/team')).body.settings).toEqual({ requireTwoFactorForAll: true });
      expect(JSON.parse(auditOf('settings.changed').at(-1)!.detail)).toEqual({ before: { requireTwoFactorForAll: false }, after: { requireTwoFactorForAll: true } });
    } finally {
      await asOwner('PATCH', '/api/console/settings', { requireTwoFactorForAll: false });
    }
    expect((await call('GET', `/api/console/totals?campaign=${CAMPAIGN}`, undefined, viewerSession)).status).toBe(200);
  });
});

describe('the team routes', () => {
  const TEAM_ROUTES = ['team', 'invite', 'revokeInvitation', 'changeAccount', 'disableAccount', 'enableAccount', 'changeConsoleSettings'];
  const sample = (path: string) => path.replace(/:(\w+)\{[^}]*\}+/g, () => '00000000-0000-0000-0000-000000000000');

  it('are for owners only: a manager who may export personal data and a viewer both get 403 on every one', async () => {
    const routes = ROUTES.filter((r) => TEAM_ROUTES.includes(r.name));
    expect(routes).toHaveLength(TEAM_ROUTES.length);
    const manager = await signIn(app.request, await addAccount(store, { role: 'manager', campaigns: [CAMPAIGN], mayExportPersonalData: true }));
    const viewer = await signIn(app.request, await addAccount(store, { role: 'viewer', campaigns: [CAMPAIGN], password: TEST_PASSWORD }));
    for (const route of routes) {
      expect(route.may, route.name).toBe('owner');
      for (const as of [manager, viewer]) {
        const res = await call(route.method, sample(route.path), route.endpoint.request.body ? {} : undefined, as);
        expect(res.status, `${route.method} ${route.path}`).toBe(403);
        expect(res.body.error.message).toMatch(/Only an owner/);
      }
    }
  });
});
