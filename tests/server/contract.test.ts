/**
 * The API contract against the real server: every endpoint of src/shared/api/endpoints.ts is
 * called over HTTP (a coordinator signed in, tablets enrolled, signatures sent), what is sent
 * is checked against the endpoint's request schemas, and each answer must have a status the
 * endpoint lists and parse with its schema (strict objects: a renamed, missing or extra field
 * fails). The list and the server must agree both ways: no endpoint without a step here, no
 * step without an endpoint, every other method on a listed path is refused with 405, and the
 * server's own route table (server/routes.ts, keyed by the endpoints) holds the same routes
 * with the same guards.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { ENDPOINTS } from '../../src/shared/api/endpoints.ts';
import { isMedia, type Endpoint, type Method } from '../../src/shared/api/endpoint.ts';
import { TotalsSchema } from '../../src/shared/api/dashboard.ts';
import { ErrorResponseSchema } from '../../src/shared/protocol.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { createEnrollmentCode } from '../../server/devices.ts';
import { ROUTES } from '../../server/routes.ts';
import { batchOf, makeRecord } from '../helpers/records.ts';
import { openSse } from '../helpers/sse.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';
import { addAccount, secondFactorCode, signIn, type TestAccount } from '../helpers/accounts.ts';

const PASSWORD = 'a long contract test password';
const CAMPAIGN = DEFAULT_CAMPAIGN.id;
const COPY = 'contract-copy';

let server: TestServer;
let tablet: { deviceId: string; token: string };
let session: { cookie: string; csrfToken: string };
let ana: TestAccount;
const sent = [makeRecord(), makeRecord(), makeRecord()];

beforeAll(async () => {
  server = await startTestServer();
  ana = await addAccount(server.store, { email: 'ana@example.org', name: 'Ana', password: PASSWORD });
  tablet = await server.enroll('Contract rally');
  for (const record of sent) record.deviceId = tablet.deviceId;
});
afterAll(async () => {
  await server?.close();
});

const keyOf = (e: { method: string; path: string }) => `${e.method} ${e.path}`;
const endpointOf = (key: string) => ENDPOINTS.find((e) => keyOf(e) === key);

interface Answer {
  status: number;
  type: string;
  /** The JSON body, the text of anything else, or the first event of a stream. */
  body: unknown;
  setCookie?: string;
}

/** One call of an endpoint: what goes in it, who sends it, the status it should get. */
interface Step {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  as?: 'public' | 'device' | 'session';
  status: number;
}

/** The concrete URL of `endpoint` with `params` and `query`. */
function urlOf(endpoint: Endpoint, params: Record<string, string> = {}, query: Record<string, string> = {}): string {
  const path = endpoint.path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params[name]));
  const search = new URLSearchParams(query).toString();
  return `${server.url}${path}${search ? `?${search}` : ''}`;
}

function headersFor(as: Step['as'], method: string, body: unknown): Record<string, string> {
  return {
    ...(body !== undefined && { 'content-type': 'application/json' }),
    ...(as === 'device' && { authorization: `Bearer ${tablet.token}` }),
    ...(as === 'session' && { cookie: session.cookie, ...(method !== 'GET' && { 'x-csrf-token': session.csrfToken }) }),
  };
}

/** Call `endpoint` as `step` says, after checking what is sent against its request schemas. */
async function call(endpoint: Endpoint, step: Step): Promise<Answer> {
  const { params, query, body } = endpoint.request;
  if (params) expectParses(params, step.params ?? {}, 'path parameters');
  if (query) expectParses(query, step.query ?? {}, 'query');
  if (body) expectParses(body, step.body, 'request body');
  const url = urlOf(endpoint, step.params, step.query);
  const as = step.as ?? endpoint.auth;
  const headers = headersFor(as, endpoint.method, step.body);
  const expected = endpoint.responses[step.status];
  if (expected && isMedia(expected) && expected.events) {
    const stream = await openSse(url, { cookie: headers.cookie });
    try {
      return { status: stream.status, type: String(stream.headers['content-type']), body: stream.status === 200 ? await stream.next() : stream.body };
    } finally {
      stream.close();
    }
  }
  const res = await fetch(url, { method: endpoint.method, headers, body: step.body === undefined ? undefined : JSON.stringify(step.body) });
  const type = res.headers.get('content-type') ?? '';
  const text = await res.text();
  return { status: res.status, type, body: type.startsWith('application/json') ? JSON.parse(text) : text, setCookie: res.headers.get('set-cookie') ?? undefined };
}

/** Path parameters that fit the endpoint's schema: the default campaign's id, a fresh UUID or 1. */
function sampleParams(endpoint: Endpoint): Record<string, string> {
  const shape = (endpoint.request.params?.shape ?? {}) as Record<string, z.ZodMiniType>;
  return Object.fromEntries(Object.entries(shape).map(([name, schema]) => [name, [CAMPAIGN, randomUUID(), '1'].find((v) => z.safeParse(schema, v).success)!]));
}

function expectParses(schema: z.ZodMiniType, value: unknown, what: string): void {
  const parsed = z.safeParse(schema, value);
  expect(parsed.success, `${what} ${JSON.stringify(value)?.slice(0, 200)}: ${parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`).toBe(true);
}

/** The answer has a status its endpoint lists, and the body that status promises. */
function expectConforms(endpoint: Endpoint, answer: Answer): void {
  const key = keyOf(endpoint);
  expect(Object.keys(endpoint.responses), `${key} answered ${answer.status} ${JSON.stringify(answer.body)?.slice(0, 300)}`).toContain(String(answer.status));
  const promised = endpoint.responses[answer.status];
  if (promised === null) return expect(answer.body, `${key} ${answer.status} has no body`).toBe('');
  if (isMedia(promised)) {
    expect(answer.type.split(';')[0], key).toBe(promised.media.split(';')[0]);
    if (promised.events) expectParses(promised.events, answer.body, `${key}: an event`);
    else expect(String(answer.body).length, `${key}: the file`).toBeGreaterThan(0);
    return;
  }
  expect(answer.type, key).toMatch(/^application\/json/);
  expectParses(promised, answer.body, `${key} ${answer.status}`);
}

/** Every endpoint's step, in the order they run (later ones use what earlier ones made). */
const STEPS: Array<[key: string, step: Step | (() => Step)]> = [
  ['GET /api/health', { status: 200 }],
  ['GET /api/v1/campaign', { status: 200 }],
  ['GET /api/v1/campaigns', { status: 200 }],
  ['POST /api/v1/enroll', () => ({ body: { protocol: 1, code: enrollmentCode, label: 'Tablet 2' }, status: 201 })],
  ['POST /api/v1/batches', () => ({ body: { ...batchOf(sent, tablet.deviceId), sentAt: new Date().toISOString(), report: { pending: 0, quarantined: 0 } }, status: 200 })],
  ['POST /api/console/login', () => ({ body: { email: 'ana@example.org', password: PASSWORD, code: secondFactorCode(ana) }, status: 200 })],
  ['GET /api/console/session', { status: 200, as: 'session' }],
  ['GET /api/public/count', { query: { campaign: CAMPAIGN }, status: 200 }],
  ['GET /api/public/events', { query: { campaign: CAMPAIGN }, status: 200 }],
  ['GET /api/public/campaigns/:id', { params: { id: CAMPAIGN }, status: 200 }],
  ['GET /api/console/totals', { query: { campaign: CAMPAIGN }, status: 200 }],
  ['GET /api/console/events', { query: { campaign: CAMPAIGN }, status: 200 }],
  ['GET /api/console/devices', { status: 200 }],
  ['POST /api/console/devices/:id/revoke', () => ({ params: { id: secondTablet }, status: 200 })],
  ['POST /api/console/codes', { body: { event: 'Contract rally', hours: 2, campaigns: [CAMPAIGN] }, status: 201 }],
  ['GET /api/console/signatures', { query: { campaign: CAMPAIGN, q: '', offset: '0', limit: '10' }, status: 200 }],
  ['GET /api/console/signatures/:id/svg', { params: { id: sent[0].id }, status: 200 }],
  ['DELETE /api/console/signatures/:id', { params: { id: sent[2].id }, status: 204 }],
  ['POST /api/console/signatures/set-aside', { query: { campaign: CAMPAIGN }, body: { ids: [sent[0].id], reason: 'test', note: 'contract' }, status: 200 }],
  ['POST /api/console/signatures/restore', { query: { campaign: CAMPAIGN }, body: { filter: { setAside: 'only' } }, status: 200 }],
  ['GET /api/console/audit', { query: { campaign: CAMPAIGN }, status: 200 }],
  ['GET /api/console/audit.csv', { status: 200 }],
  ['GET /api/console/sessions', { status: 200 }],
  ['DELETE /api/console/sessions/:id', { params: { id: 'no-such-session-0' }, status: 404 }],
  ['POST /api/console/password', { body: { current: PASSWORD, new: PASSWORD }, status: 200 }],
  ['GET /api/console/records', { query: { campaign: CAMPAIGN, after: '0', limit: '1' }, status: 200 }],
  ['GET /api/console/export/handin.csv', { query: { campaign: CAMPAIGN }, status: 200 }],
  ['GET /api/console/export/contacts.csv', { query: { campaign: CAMPAIGN }, status: 200 }],
  ['GET /api/console/export/signatures.zip', { query: { campaign: CAMPAIGN }, status: 200 }],
  ['GET /api/console/export/handin.pdf', { query: { campaign: CAMPAIGN }, status: 200 }],
  ['GET /api/console/export/handin-package.zip', { query: { campaign: CAMPAIGN, profile: 'per-country' }, status: 200 }],
  ['GET /api/console/handin-key', { status: 200 }],
  ['GET /api/console/export/paper-sheets.pdf', { query: { campaign: CAMPAIGN, lang: 'en', pages: '2' }, status: 200 }],
  ['POST /api/console/paper-counts', { query: { campaign: CAMPAIGN }, body: { event: 'Contract rally', collectedOn: '2026-11-28', sheets: 2, signatures: 30, countries: { KE: 20 }, countedBy: 'Ana' }, status: 201 }],
  ['GET /api/console/paper-counts', { query: { campaign: CAMPAIGN }, status: 200 }],
  ['DELETE /api/console/paper-counts/:id', () => ({ params: { id: paperId }, status: 204 })],
  ['GET /api/console/campaigns', { status: 200 }],
  ['POST /api/console/campaigns', { body: { id: COPY, from: CAMPAIGN }, status: 201 }],
  ['GET /api/console/campaigns/:id', { params: { id: COPY }, status: 200 }],
  ['PATCH /api/console/campaigns/:id', { params: { id: COPY }, body: { goal: 1000, startsAt: null }, status: 200 }],
  ['PUT /api/console/campaigns/:id/draft', { params: { id: COPY }, body: { content: { ...DEFAULT_CAMPAIGN, id: COPY, theme: { color: '#224466' } } }, status: 200 }],
  ['POST /api/console/campaigns/:id/publish', { params: { id: COPY }, status: 200 }],
  ['POST /api/console/campaigns/:id/close', { params: { id: COPY }, status: 200 }],
  ['POST /api/console/campaigns/:id/reopen', { params: { id: COPY }, status: 200 }],
  ['GET /api/console/campaigns/:id/versions/:version', { params: { id: COPY, version: '1' }, status: 200 }],
  ['GET /api/openapi.json', { status: 200 }],
  // Two-factor: the owner has it on, so setup is refused (409), confirm has nothing pending
  // (409), new recovery codes take a current code, and an owner may not turn it off (403).
  ['POST /api/console/two-factor/setup', { status: 409 }],
  ['POST /api/console/two-factor/confirm', { body: { code: '000000' }, status: 409 }],
  ['POST /api/console/two-factor/recovery-codes', () => ({ body: { code: secondFactorCode(ana) }, status: 200 })],
  ['POST /api/console/two-factor/off', { body: { code: '000000' }, status: 403 }],
  // The team: an invitation, seen and accepted (public), then the new account changed, disabled, enabled.
  ['POST /api/console/team/invitations', { body: { email: 'new.viewer@example.org', role: 'viewer', campaigns: [CAMPAIGN], mayExportPersonalData: false }, status: 201 }],
  ['POST /api/console/invitation', () => ({ body: { token: invitationToken }, status: 200, as: 'public' })],
  ['POST /api/console/invitation/accept', () => ({ body: { token: invitationToken, name: 'New Viewer', password: 'a long viewer password 2026' }, status: 200, as: 'public' })],
  ['GET /api/console/team', { status: 200 }],
  ['PATCH /api/console/team/accounts/:id', () => ({ params: { id: invitedId }, body: { role: 'manager', campaigns: [CAMPAIGN] }, status: 200 })],
  ['POST /api/console/team/accounts/:id/disable', () => ({ params: { id: invitedId }, status: 200 })],
  ['POST /api/console/team/accounts/:id/enable', () => ({ params: { id: invitedId }, status: 200 })],
  ['DELETE /api/console/team/invitations/:id', { params: { id: randomUUID() }, status: 404 }],
  ['PATCH /api/console/settings', { body: { requireTwoFactorForAll: false }, status: 200 }],
  ['POST /api/console/logout', { status: 204 }],
];

let enrollmentCode = '';
let secondTablet = '';
let paperId = '';
let invitationToken = '';
let invitedId = '';

describe('every endpoint of the contract, against the real server', () => {
  it('has a step here for every endpoint, and an endpoint for every step', () => {
    expect(STEPS.map(([key]) => key).sort()).toEqual(ENDPOINTS.map(keyOf).sort());
  });

  for (const [key, step] of STEPS) {
    it(key, async () => {
      const endpoint = endpointOf(key);
      if (!endpoint) throw new Error(`${key} is not in the contract`);
      if (key === 'POST /api/v1/enroll') enrollmentCode = (await createEnrollmentCode(server.store, 'Contract rally', 3_600_000, 'test')).code;
      if (key === 'POST /api/console/devices/:id/revoke') secondTablet = (await server.enroll('Revoked rally')).deviceId;
      const taken = typeof step === 'function' ? step() : step;
      const answer = await call(endpoint, taken);
      if (key === 'POST /api/console/login') session = { cookie: (answer.setCookie ?? '').split(';')[0], csrfToken: (answer.body as { csrfToken: string }).csrfToken };
      if (key === 'POST /api/console/paper-counts') paperId = (answer.body as { id: string }).id;
      // New recovery codes void the old: later sign-ins of Ana use the new ones.
      if (key === 'POST /api/console/two-factor/recovery-codes' && answer.status === 200) ana.recoveryCodes = [...(answer.body as { recoveryCodes: string[] }).recoveryCodes];
      if (key === 'POST /api/console/team/invitations') invitationToken = new URL((answer.body as { link: string }).link).hash.replace('#invite=', '');
      if (key === 'GET /api/console/team') invitedId = (answer.body as { accounts: Array<{ id: string; email: string }> }).accounts.find((a) => a.email === 'new.viewer@example.org')?.id ?? '';
      expect(answer.status, `${key}: ${JSON.stringify(answer.body)?.slice(0, 300)}`).toBe(taken.status);
      expectConforms(endpoint, answer);
    });
  }
});

describe('the answers besides the usual one', () => {
  it('the campaign answers 304 to its own ETag', async () => {
    const first = await fetch(`${server.url}/api/v1/campaign`);
    const again = await fetch(`${server.url}/api/v1/campaign`, { headers: { 'if-none-match': first.headers.get('etag') ?? '' } });
    expectConforms(endpointOf('GET /api/v1/campaign')!, { status: again.status, type: '', body: await again.text() });
    expect(again.status).toBe(304);
  });

  it('a batch with an invalid record is answered 422 with every result', async () => {
    const body = batchOf([{ ...makeRecord({ deviceId: tablet.deviceId }) }, { id: 'not-a-record' }], tablet.deviceId);
    const answer = await call(endpointOf('POST /api/v1/batches')!, { body, status: 422 });
    expect(answer.status).toBe(422);
    expectConforms(endpointOf('POST /api/v1/batches')!, answer);
  });

  it('signed out, "am I signed in?" is answered with no coordinator', async () => {
    const answer = await call(endpointOf('GET /api/console/session')!, { status: 200, as: 'public' });
    expect(answer.body).toEqual({ coordinator: null });
    expectConforms(endpointOf('GET /api/console/session')!, answer);
  });

  it('every route that needs a session or a device token answers 401 with an ErrorResponse without one', async () => {
    const guarded = ENDPOINTS.filter((e) => e.auth !== 'public');
    expect(guarded.length).toBeGreaterThan(20);
    for (const endpoint of guarded) {
      const res = await fetch(urlOf(endpoint, sampleParams(endpoint)), { method: endpoint.method });
      const answer = { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.json() };
      expect(answer.status, keyOf(endpoint)).toBe(401);
      expectConforms(endpoint, answer);
    }
  });

  it('error answers are ErrorResponses under a status their endpoint lists', async () => {
    const { cookie, csrfToken } = await signIn(server.url, ana);
    session = { cookie, csrfToken };
    const cases: Array<[key: string, step: Step]> = [
      ['GET /api/console/signatures/:id/svg', { params: { id: randomUUID() }, status: 404 }],
      ['GET /api/public/campaigns/:id', { params: { id: 'no-such-campaign' }, status: 404 }],
      ['POST /api/console/campaigns', { body: { id: COPY }, status: 409 }],
      ['POST /api/console/codes', { body: { event: 'Rally', campaigns: ['no-such-campaign'] }, status: 400 }],
      ['GET /api/console/campaigns/:id/versions/:version', { params: { id: COPY, version: '99' }, status: 404 }],
    ];
    for (const [key, step] of cases) {
      const endpoint = endpointOf(key)!;
      const answer = await call(endpoint, step);
      expect(answer.status, key).toBe(step.status);
      expectConforms(endpoint, answer);
      expectParses(ErrorResponseSchema, answer.body, key);
    }
  });
});

describe('the list and the server agree', () => {

  it('every other method on a listed path is refused with 405 (no route the list lacks there)', async () => {
    const methods: Method[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
    const byPath = Map.groupBy(ENDPOINTS, (e) => e.path);
    for (const [path, listed] of byPath) {
      for (const method of methods.filter((m) => !listed.some((e) => e.method === m))) {
        const as = listed[0].auth === 'session' ? 'session' : listed[0].auth === 'device' ? 'device' : 'public';
        const res = await fetch(urlOf(listed[0], sampleParams(listed[0])), { method, headers: headersFor(as, method, undefined) });
        expect(res.status, `${method} ${path}`).toBe(405);
        expectParses(ErrorResponseSchema, await res.json(), `${method} ${path}`);
      }
    }
  });

  it('the server’s own route list is the contract’s', () => {
    // The router's table (server/routes.ts) is keyed by the endpoints' names, so this holds by
    // construction; checked still: the same routes, paths (without their regexes) and guards, both ways.
    const listed = new Set(ENDPOINTS.map((e) => `${keyOf(e)} ${e.auth}`));
    const served = new Set(ROUTES.map((r) => `${r.method} ${r.path.replace(/\{(?:[^{}]|\{[^{}]*\})*\}/g, '')} ${r.auth}`));
    expect([...served].sort()).toEqual([...listed].sort());
    for (const endpoint of ENDPOINTS) expect(ROUTES.filter((r) => r.endpoint === endpoint), keyOf(endpoint)).toHaveLength(1);
    expect(ROUTES.length).toBe(ENDPOINTS.length);
  });

  it('a path next to a listed one is not found', async () => {
    for (const path of ['/api/console/totals/extra', '/api/v1/batch', '/api/public/counts', '/api/console/campaigns/x/y']) {
      const res = await fetch(`${server.url}${path}`, { headers: headersFor('session', 'GET', undefined) });
      expect(res.status, path).toBe(404);
    }
  });

  it('the schemas are strict: a renamed field fails, an extra one too', async () => {
    const res = await fetch(`${server.url}/api/console/totals`, { headers: headersFor('session', 'GET', undefined) });
    const totals = (await res.json()) as Record<string, unknown>;
    expect(z.safeParse(TotalsSchema, totals).success).toBe(true);
    const { byEvent, ...rest } = totals;
    expect(z.safeParse(TotalsSchema, { ...rest, byEvents: byEvent }).success).toBe(false);
    expect(z.safeParse(TotalsSchema, { ...totals, extra: 1 }).success).toBe(false);
  });
});
