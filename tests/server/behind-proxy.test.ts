/**
 * The server behind a reverse proxy (--public-url, --trust-proxy; README, Deploy), through a
 * real socket: rate limits count the client the trusted proxy names, the console's
 * cross-site check compares Origin with the public URL (the proxy may rewrite Host), the
 * enrollment link carries the public URL, and a sign-in over plain http from another machine
 * is refused before the password is looked at. Each fails on the old code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';
import { addAccount } from '../helpers/accounts.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';

const PASSWORD = 'correct horse battery staple';
const PUBLIC_URL = 'https://sign.example.org';
let server: TestServer;
let direct: TestServer;

beforeAll(async () => {
  server = await startTestServer({ publicUrl: PUBLIC_URL, trustProxy: 'loopback', loginLimit: { capacity: 2, refillMs: 60_000 }, enrollLimit: { capacity: 3, refillMs: 60_000 } });
  direct = await startTestServer({ loginLimit: { capacity: 2, refillMs: 60_000 } });
  // A manager of the default campaign without the personal-data permission: no second factor
  // is required of her, so her many sign-ins here are about the proxy alone.
  for (const s of [server, direct]) {
    await addAccount(s.store, { email: 'ana@example.org', name: 'Ana', password: PASSWORD, role: 'manager', campaigns: [DEFAULT_CAMPAIGN.id] });
  }
});
afterAll(async () => {
  await server.close();
  await direct.close();
});

/** A request as the proxy passes it on for `client`; `https`: the client used HTTPS. */
function viaProxy(path: string, client: string, init: RequestInit & { https?: boolean } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('x-forwarded-for', client);
  headers.set('x-forwarded-proto', init.https === false ? 'http' : 'https');
  return fetch(`${server.url}${path}`, { ...init, headers });
}

function login(client: string, password: string, https = true, target = viaProxy): Promise<Response> {
  return target('/api/console/login', client, { method: 'POST', https, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ana@example.org', password }) });
}

async function signedIn(client: string): Promise<{ cookie: string; csrf: string }> {
  const res = await login(client, PASSWORD);
  expect(res.status).toBe(200);
  return { cookie: res.headers.get('set-cookie')!.split(';')[0], csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
}

describe('behind a trusted proxy', () => {
  it('counts enrollment attempts per real client, not per proxy', async () => {
    const enroll = (client: string) =>
      viaProxy('/api/v1/enroll', client, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ protocol: 1, code: 'AAAAA-AAAAA' }) });
    const guesser = [];
    for (let i = 0; i < 4; i++) guesser.push((await enroll('203.0.113.66')).status);
    expect(guesser).toEqual([403, 403, 403, 429]);
    // Another client behind the same proxy is not locked out by the guesser.
    expect((await enroll('198.51.100.23')).status).toBe(403);
  });

  it('accepts console changes whose Origin is the public URL, though the proxy rewrote Host', async () => {
    const session = await signedIn('198.51.100.1');
    const create = (origin: string) =>
      viaProxy('/api/console/codes', '198.51.100.1', {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: session.cookie, 'x-csrf-token': session.csrf, origin },
        body: JSON.stringify({ event: 'March', hours: 2 }),
      });
    const created = await create(PUBLIC_URL);
    expect(created.status).toBe(201);
    const body = (await created.json()) as { code: string; link: string };
    // The link and QR code carry the public address, not the one this request used.
    expect(body.link).toBe(`${PUBLIC_URL}/?enroll=${body.code}`);
    // The Host the server saw (127.0.0.1:port) is no longer what Origin is compared with.
    const hostOrigin = server.url;
    for (const origin of [hostOrigin, 'https://evil.example', 'https://sign.example.org.evil.example']) {
      const refused = await create(origin);
      expect(refused.status, origin).toBe(403);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toBe('Cross-site request refused.');
    }
  });

  it('refuses a sign-in over plain http from another machine, before the password or the limits', async () => {
    for (const password of [PASSWORD, 'a wrong guess, 1', 'a wrong guess, 2', 'a wrong guess, 3']) {
      const res = await login('198.51.100.77', password, false);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^Signing in needs a secure connection.*https:\/\//);
      expect(res.headers.get('set-cookie')).toBeNull();
    }
    // Four refusals and none of them counted: the login limit (2) is untouched for the same
    // client once it comes over HTTPS, and the right password signs in.
    expect((await login('198.51.100.77', PASSWORD, true)).status).toBe(200);
  });

  it('names the session cookie __Host-, Secure, for this host only', async () => {
    const res = await login('198.51.100.2', PASSWORD);
    expect(res.headers.get('set-cookie')).toMatch(/^__Host-fieldsign_session=[\w-]+; Path=\/; HttpOnly; Secure; SameSite=Strict; Max-Age=\d+$/);
  });
});

describe('with no proxy trusted', () => {
  it('ignores X-Forwarded-For: a client cannot choose its own bucket', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await login(`203.0.113.${i + 1}`, 'a wrong guess', true, (path, client, init) => fetch(`${direct.url}${path}`, { ...init, headers: { ...init?.headers, 'x-forwarded-for': client } }))).status);
    // The forwarded headers mark an untrusted proxy in front: refused as insecure, never evaluated.
    expect(statuses).toEqual([403, 403, 403]);
  });

  it('signs in from this machine over plain http (a trial on localhost), and counts its failures', async () => {
    const plain = (password: string) => fetch(`${direct.url}/api/console/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ana@example.org', password }) });
    expect((await plain(PASSWORD)).status).toBe(200);
    expect([(await plain('wrong one')).status, (await plain('wrong two')).status, (await plain('wrong three')).status]).toEqual([401, 401, 429]);
  });
});
