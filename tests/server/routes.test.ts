/**
 * The route table (server/routes.ts) through the real app, without a socket: `app.request()`
 * on an in-memory SQLite store. Every path of the table refuses other methods, unknown paths
 * are 404s in the API's error shape, every answer carries the security headers, and an
 * incompatible protocol says which side is too old (S28).
 */
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../server/app.ts';
import { createEnrollmentCode } from '../../server/devices.ts';
import { ROUTES, routesOf, type RouteSpec } from '../../server/routes.ts';
import { SqliteStore } from '../../server/store/sqlite.ts';
import { ErrorResponseSchema, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION } from '../../src/shared/protocol.ts';
import { batchOf, makeRecord } from '../helpers/records.ts';

let store: SqliteStore;
let app: App;
let device: { deviceId: string; token: string };

beforeAll(async () => {
  store = new SqliteStore(':memory:');
  app = createApp({ store, log: () => {} });
  const { code } = await createEnrollmentCode(store, 'Routes', 3_600_000, 'test');
  const res = await app.request('/api/v1/enroll', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ protocol: PROTOCOL_VERSION, code }) });
  expect(res.status).toBe(201);
  device = await res.json();
});
afterAll(async () => {
  app.close();
  await store.close();
});

/** A path of the table with its parameters filled with well-formed values. */
const sample = (path: string) => path.replace(/:(\w+)(\{(?:[^{}]|\{[^{}]*\})*\})?/g, (_, name: string) => (name === 'version' ? '1' : '00000000-0000-0000-0000-000000000000'));

describe('the route table', () => {
  it('lists each method and path once', () => {
    const keys = ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(ROUTES.filter((r) => r.path.startsWith('/api/console/') && r.auth !== 'session').map((r) => r.path)).toEqual(['/api/console/login', '/api/console/session', '/api/console/invitation', '/api/console/invitation/accept']);
  });

  it("takes each route's method, auth and path from its endpoint: the path is the endpoint's with the regexes removed", () => {
    for (const r of ROUTES) {
      expect(r.method, r.name).toBe(r.endpoint.method);
      expect(r.auth, r.name).toBe(r.endpoint.auth);
      expect(r.path.replace(/\{(?:[^{}]|\{[^{}]*\})*\}/g, ''), r.name).toBe(r.endpoint.path);
      // Every parameter is held to its schema's pattern, so a malformed one is a 404.
      for (const param of r.path.match(/:\w+(\{)?/g) ?? []) expect(param, `${r.name} ${param}`).toMatch(/\{$/);
    }
  });

  it('refuses a table whose written method and path are not its endpoint\'s, and one that reads a body its endpoint does not declare', () => {
    const table = Object.fromEntries(ROUTES.map((r) => [r.name, r])) as unknown as Parameters<typeof routesOf>[0];
    expect(routesOf(table)).toHaveLength(ROUTES.length);
    expect(() => routesOf({ ...table, totals: { ...table.totals, at: 'GET /api/console/total' } })).toThrow('totals: the table says GET /api/console/total, the endpoint GET /api/console/totals.');
    const withBody: RouteSpec = { ...table.totals, body: { maxBytes: 10, maxInflatedBytes: 10 } };
    expect(() => routesOf({ ...table, totals: withBody })).toThrow('totals: the route reads a body if and only if its endpoint has one.');
  });

  it('says what every session route needs (may), and none other, with its campaign taken from the path, the query or nowhere', () => {
    const needs = ['self', 'view', 'manage', 'personal', 'owner'];
    for (const r of ROUTES) {
      if (r.auth !== 'session') {
        expect(r.may, r.name).toBeUndefined();
        continue;
      }
      expect(needs, r.name).toContain(r.may);
      // A campaign's own routes name it in the path; a route whose query takes `campaign` is about that one.
      const wanted = r.endpoint.path.startsWith('/api/console/campaigns/:id') ? 'path' : r.endpoint.request.query && 'campaign' in r.endpoint.request.query.shape ? 'query' : 'none';
      expect(r.scope, r.name).toBe(wanted);
    }
    const scopes = Object.fromEntries(ROUTES.map((r) => [r.name, r.scope]));
    expect([scopes.getCampaign, scopes.publish, scopes.totals, scopes.contactsCsv, scopes.devices, scopes.signatureSvg, scopes.createCampaign]).toEqual(['path', 'path', 'query', 'query', 'none', 'none', 'none']);
    const table = Object.fromEntries(ROUTES.map((r) => [r.name, r])) as unknown as Parameters<typeof routesOf>[0];
    const { may: _may, ...withoutMay } = table.totals;
    expect(() => routesOf({ ...table, totals: withoutMay })).toThrow('totals: a session route, and only one, says what it needs (may).');
    expect(() => routesOf({ ...table, health: { ...table.health, may: 'view' } })).toThrow('health: a session route, and only one, says what it needs (may).');
  });

  it("parses a body with the endpoint's schema: 400 with the issues, in the route's own words where it has them", async () => {
    const post = (path: string, body: unknown) => app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const login = ErrorResponseSchema.parse(await (await post('/api/console/login', { email: 'ana@example.org' })).json()).error;
    expect(login).toMatchObject({ code: 'bad_request', message: 'Send an email and a password.', issues: [{ path: 'password' }] });
    const enroll = ErrorResponseSchema.parse(await (await post('/api/v1/enroll', { protocol: PROTOCOL_VERSION, code: 'short' })).json()).error;
    expect(enroll).toMatchObject({ code: 'bad_request', message: 'An enrollment code has 10 letters and digits, like 7K2QD-M9XHP.', issues: [{ path: 'code' }] });
  });

  it('answers a method no route of a public or tablet path takes with 405 in the error shape', async () => {
    const paths = new Map<string, Set<string>>();
    for (const r of ROUTES.filter((r) => r.auth !== 'session')) paths.set(r.path, (paths.get(r.path) ?? new Set()).add(r.method));
    for (const [path, methods] of paths) {
      const method = methods.has('DELETE') ? 'PUT' : 'DELETE';
      const res = await app.request(sample(path), { method });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(ErrorResponseSchema.parse(await res.json()).error.code).toBe('method_not_allowed');
    }
  });

  it('answers unknown paths 404 in the error shape, with the security headers', async () => {
    for (const path of ['/api/nothing', '/api/console', '/api/v1/batches/extra', '/api/public/campaigns/bad!id', '/nothing-here']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(404);
      expect(ErrorResponseSchema.parse(await res.json()).error.code).toBe('not_found');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    }
  });

  it('answers HEAD where GET is allowed, with the headers only', async () => {
    const res = await app.request('/api/health', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.text()).toBe('');
    expect((await app.request('/api/v1/campaigns', { method: 'HEAD', headers: { authorization: `Bearer ${device.token}` } })).status).toBe(405);
  });
});

describe('incompatible protocols', () => {
  const post = (path: string, body: unknown, token?: string) =>
    app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify(body),
    });

  it('S2, S28: a batch tells which side is too old, beside its code, message and supported range', async () => {
    for (const [protocol, reason, message] of [
      [PROTOCOL_VERSION + 1, 'server_too_old', /update the server/],
      [MIN_PROTOCOL_VERSION - 1, 'client_too_old', /update the app/],
    ] as const) {
      const res = await post('/api/v1/batches', batchOf([makeRecord({ deviceId: device.deviceId })], device.deviceId, protocol), device.token);
      expect(res.status).toBe(400);
      const { error } = ErrorResponseSchema.parse(await res.json());
      expect(error).toMatchObject({ code: 'incompatible_protocol', reason, supported: { min: MIN_PROTOCOL_VERSION, max: PROTOCOL_VERSION } });
      expect(error.message).toMatch(message);
    }
    expect(await store.count()).toBe(0);
  });

  it('S28: an enrollment tells which side is too old, and the code stays unused', async () => {
    const { code } = await createEnrollmentCode(store, 'Routes', 3_600_000, 'test');
    for (const [protocol, reason] of [
      [PROTOCOL_VERSION + 1, 'server_too_old'],
      [MIN_PROTOCOL_VERSION - 1, 'client_too_old'],
    ] as const) {
      const res = await post('/api/v1/enroll', { protocol, code });
      expect(res.status).toBe(400);
      expect(ErrorResponseSchema.parse(await res.json()).error).toMatchObject({ code: 'incompatible_protocol', reason });
    }
    expect((await post('/api/v1/enroll', { protocol: PROTOCOL_VERSION, code })).status).toBe(201);
  });
});

describe('requests node-server turns away before the routes', () => {
  /** Send `head` as is on a fresh connection; the status line and the body of the answer. */
  async function raw(head: string): Promise<{ status: string; body: string }> {
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const text = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.write(head));
        let data = '';
        socket.on('data', (chunk) => (data += chunk));
        socket.on('end', () => resolve(data));
        socket.on('error', reject);
      });
      return { status: text.split('\r\n')[0], body: text.slice(text.indexOf('\r\n\r\n') + 4) };
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  it('answers a target that is no URL, or a bad Host, 400 in the error shape; HTTP/1.0 without Host is served', async () => {
    const bad = await raw('GET http://[bad/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(bad.status).toMatch(/ 400 /);
    expect(JSON.parse(bad.body).error).toEqual({ code: 'bad_request', message: 'The request target is not a valid URL.' });
    const host = await raw('GET /api/health HTTP/1.1\r\nHost: bad host!\r\nConnection: close\r\n\r\n');
    expect(host.status).toMatch(/ 400 /);
    expect(JSON.parse(host.body).error.code).toBe('bad_request');
    const old = await raw('GET /api/health HTTP/1.0\r\n\r\n');
    expect(old.status).toMatch(/ 200 /);
    expect(JSON.parse(old.body)).toMatchObject({ ok: true });
  });

  it('reads a backslash in the path as a slash, as browsers do: a 404, not a 400', async () => {
    const res = await raw('GET /..\\secret.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(res.status).toMatch(/ 404 /);
    expect(JSON.parse(res.body).error.code).toBe('not_found');
  });
});
