import { SESSION_COOKIE } from '../../server/console/session.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../server/routes.ts';
import { batchOf, makeRecord } from '../helpers/records.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';
import { addAccount, secondFactorCode, type TestAccount } from '../helpers/accounts.ts';

const PASSWORD = 'correct horse battery staple';
let server: TestServer;
let device: { deviceId: string; token: string };
let ana: TestAccount;
/** Ana, as the session answer describes her: an owner (of every campaign) with two-factor sign-in. */
const ANA = { email: 'ana@example.org', name: 'Ana', role: 'owner', campaigns: 'all', mayExportPersonalData: true, twoFactor: 'on' };

beforeAll(async () => {
  server = await startTestServer({ loginLimit: { capacity: 3, refillMs: 60_000 } });
  ana = await addAccount(server.store, { email: 'ana@example.org', name: 'Ana', password: PASSWORD });
  device = await server.enroll('Nairobi march');
});
afterAll(async () => {
  await server.close();
});

async function login(email = 'ana@example.org', password = PASSWORD) {
  // Ana's right password comes with her second factor, as the console sends it.
  const code = email === ana.email && password === PASSWORD ? secondFactorCode(ana) : undefined;
  const res = await fetch(`${server.url}/api/console/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password, ...(code && { code }) }) });
  const cookie = res.headers.get('set-cookie') ?? '';
  return { res, cookie: cookie.split(';')[0], setCookie: cookie, body: res.status === 200 ? await res.json() : await res.json().catch(() => null) };
}

function sync(records: unknown[], report?: { pending: number; quarantined: number }) {
  return fetch(`${server.url}/api/v1/batches`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${device.token}` },
    body: JSON.stringify({ ...batchOf(records, device.deviceId), ...(report && { report }) }),
  });
}

/** Every route of the table that needs a session, its parameters filled with well-formed values. */
const SAMPLE_PARAMS: Record<string, string> = { id: '00000000-0000-0000-0000-000000000000', version: '1' };
const CONSOLE_ROUTES = ROUTES.filter((r) => r.auth === 'session').map((r) => [
  r.method,
  r.path.replace(/:(\w+)(\{(?:[^{}]|\{[^{}]*\})*\})?/g, (_, name: string) => SAMPLE_PARAMS[name] ?? 'x'),
]);

describe('console access', () => {
  it('every console route refuses a request without a valid session', async () => {
    for (const [method, path] of CONSOLE_ROUTES) {
      for (const cookie of ['', `${SESSION_COOKIE}=forged-session-id`]) {
        const res = await fetch(`${server.url}${path}`, { method, headers: cookie ? { cookie } : {} });
        expect(res.status, `${method} ${path} ${cookie}`).toBe(401);
        expect((await res.json()).error.code).toBe('unauthorized');
      }
    }
    expect(CONSOLE_ROUTES.length).toBeGreaterThanOrEqual(15);
  });

  it('answers "am I signed in?" with 200 either way: no coordinator and no CSRF token without a session', async () => {
    for (const cookie of ['', `${SESSION_COOKIE}=forged-session-id`]) {
      const res = await fetch(`${server.url}/api/console/session`, { headers: cookie ? { cookie } : {} });
      expect(res.status, cookie).toBe(200);
      expect(await res.json()).toEqual({ coordinator: null });
    }
    const { cookie, body } = await login();
    const res = await fetch(`${server.url}/api/console/session`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ coordinator: ANA, csrfToken: body.csrfToken });
    expect((await fetch(`${server.url}/api/console/session`, { method: 'POST', headers: { cookie } })).status).toBe(405);
  });

  it('signs in with a Secure, HttpOnly, SameSite=Strict cookie and refuses a wrong password', async () => {
    const wrong = await login('ana@example.org', 'not the password at all');
    expect(wrong.res.status).toBe(401);
    expect(wrong.setCookie).toBe('');
    const unknown = await login('nobody@example.org', PASSWORD);
    expect(unknown.res.status).toBe(401);
    const ok = await login();
    expect(ok.res.status).toBe(200);
    expect(ok.setCookie).toMatch(/HttpOnly/);
    expect(ok.setCookie).toMatch(/Secure/);
    expect(ok.setCookie).toMatch(/SameSite=Strict/);
    expect(ok.body.coordinator).toEqual(ANA);
    const totals = await fetch(`${server.url}/api/console/totals`, { headers: { cookie: ok.cookie } });
    expect(totals.status).toBe(200);
  });

  it('demands the CSRF token on every change, and a same-origin Origin', async () => {
    const { cookie, body } = await login();
    const post = (headers: Record<string, string>) =>
      fetch(`${server.url}/api/console/codes`, { method: 'POST', headers: { 'content-type': 'application/json', cookie, ...headers }, body: JSON.stringify({ event: 'Rally' }) });
    expect((await post({})).status).toBe(403);
    expect((await post({ 'x-csrf-token': 'wrong' })).status).toBe(403);
    expect((await post({ 'x-csrf-token': body.csrfToken, origin: 'https://evil.example' })).status).toBe(403);
    const ok = await post({ 'x-csrf-token': body.csrfToken });
    expect(ok.status).toBe(201);
    const code = await ok.json();
    expect(code.code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    expect(code.qrSvg).toMatch(/^<svg/);
    expect(code.link).toContain(`?enroll=${code.code}`);
  });

  it('rate-limits failed logins', async () => {
    const limited = await startTestServer({ loginLimit: { capacity: 2, refillMs: 60_000 } });
    try {
      const attempt = () => fetch(`${limited.url}/api/console/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'x@example.org', password: 'wrong password!' }) });
      expect((await attempt()).status).toBe(401);
      expect((await attempt()).status).toBe(401);
      const third = await attempt();
      expect(third.status).toBe(429);
      expect(third.headers.get('retry-after')).toBeTruthy();
    } finally {
      await limited.close();
    }
  });

  it('logout ends the session on the server', async () => {
    const { cookie, body } = await login();
    const out = await fetch(`${server.url}/api/console/logout`, { method: 'POST', headers: { cookie, 'x-csrf-token': body.csrfToken } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect((await fetch(`${server.url}/api/console/totals`, { headers: { cookie } })).status).toBe(401);
  });
});

describe('console data', () => {
  it('S21: totals break down by event, device, country and hour; devices show their reported queue', async () => {
    const { cookie } = await login();
    await sync([makeRecord({ deviceId: device.deviceId }), makeRecord({ deviceId: device.deviceId })], { pending: 7, quarantined: 1 });
    const totals = await (await fetch(`${server.url}/api/console/totals`, { headers: { cookie } })).json();
    expect(totals.total).toBeGreaterThanOrEqual(2);
    expect(totals.byEvent).toContainEqual({ event: 'Nairobi march', count: expect.any(Number) });
    expect(totals.byCountry[0]).toMatchObject({ country: 'FR' });
    expect(totals.hourly.at(-1).hour).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00:00Z$/);
    const { devices } = await (await fetch(`${server.url}/api/console/devices`, { headers: { cookie } })).json();
    const mine = devices.find((d: { id: string }) => d.id === device.deviceId);
    expect(mine.lastReport).toMatchObject({ pending: 7, quarantined: 1 });
    expect(mine.lastSeenAt).toBeTruthy();
  });

  it('flags possible duplicate signers (same email, or same name and country) and drops none', async () => {
    const { cookie } = await login();
    const a = makeRecord({ deviceId: device.deviceId, name: 'Jo Doe', email: 'jo@example.org' });
    const b = makeRecord({ deviceId: device.deviceId, name: 'Joanna D.', email: ' JO@example.org ' });
    const c = makeRecord({ deviceId: device.deviceId, name: 'JO DOE', email: 'other@example.org' });
    const d = makeRecord({ deviceId: device.deviceId, name: 'Unique Person', email: 'unique@example.org' });
    await sync([a, b, c, d]);
    const list = await (await fetch(`${server.url}/api/console/signatures?limit=200`, { headers: { cookie } })).json();
    const flag = (id: string) => list.rows.find((r: { id: string }) => r.id === id)?.possibleDuplicate;
    expect([flag(a.id), flag(b.id), flag(c.id), flag(d.id)]).toEqual([true, true, true, false]);
    const search = await (await fetch(`${server.url}/api/console/signatures?q=unique`, { headers: { cookie } })).json();
    expect(search.rows.map((r: { id: string }) => r.id)).toEqual([d.id]);
  });

  it('S20: deletes a signer on request, for good: audited, and a re-sync does not bring it back', async () => {
    const { cookie, body } = await login();
    const record = makeRecord({ deviceId: device.deviceId, name: 'Forget Me' });
    await sync([record]);
    const svg = await fetch(`${server.url}/api/console/signatures/${record.id}/svg`, { headers: { cookie } });
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(await svg.text()).toMatch(/^<svg[\s\S]*<path/);
    const before = await server.store.count();
    const del = await fetch(`${server.url}/api/console/signatures/${record.id}`, { method: 'DELETE', headers: { cookie, 'x-csrf-token': body.csrfToken } });
    expect(del.status).toBe(204);
    expect(await server.store.count()).toBe(before - 1);
    const again = await sync([record]);
    expect((await again.json()).results).toEqual([{ id: record.id, status: 'duplicate' }]);
    expect(await server.store.count()).toBe(before - 1);
    const { entries } = await (await fetch(`${server.url}/api/console/audit`, { headers: { cookie } })).json();
    expect(entries[0]).toMatchObject({ actor: 'ana@example.org', action: 'delete-signature', detail: { id: record.id } });
  });

  it('streams live totals to the console and the public counter, which carries no personal data', async () => {
    const { cookie } = await login();
    const controller = new AbortController();
    const stream = await fetch(`${server.url}/api/console/events`, { headers: { cookie }, signal: controller.signal });
    const publicStream = await fetch(`${server.url}/api/public/events`, { signal: controller.signal });
    expect(stream.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = stream.body!.getReader();
    const publicReader = publicStream.body!.getReader();
    const nextData = async (r: ReadableStreamDefaultReader<Uint8Array>) => {
      let text = '';
      while (!/data: .*\n\n/.test(text)) text += new TextDecoder().decode((await r.read()).value);
      return JSON.parse(/data: (.*)\n\n/.exec(text)![1]);
    };
    const first = await nextData(reader);
    const firstPublic = await nextData(publicReader);
    expect(firstPublic).toEqual({ total: first.total });
    await sync([makeRecord({ deviceId: device.deviceId, name: 'Live Signer' })]);
    expect((await nextData(reader)).total).toBe(first.total + 1);
    const update = await nextData(publicReader);
    expect(update).toEqual({ total: first.total + 1 });
    expect(JSON.stringify(update)).not.toContain('Live Signer');
    controller.abort();
  });
});
