/**
 * The OpenAPI 3.1 document of the whole HTTP API, generated from the endpoint list
 * (src/shared/api/endpoints.ts) with zod's JSON Schema output: what integrators read. A pure
 * function; the route that serves it (/api/openapi.json) only sends what this returns.
 *
 * Named schemas (every `…Schema` the contract and the protocol export) become
 * components.schemas, referenced by `$ref`; path and query parameters are listed one by one.
 */
import { SESSION_COOKIE } from './console/session.ts';
import * as z from 'zod/mini';
import { ENDPOINTS } from '../src/shared/api/endpoints.ts';
import { isMedia, type Endpoint, type ResponseBody } from '../src/shared/api/endpoint.ts';
import * as protocol from '../src/shared/protocol.ts';
import * as campaignDocument from '../src/shared/campaign.ts';
import * as campaigns from '../src/shared/campaigns.ts';
import * as tabletApi from '../src/shared/api/tablet.ts';
import * as sessionApi from '../src/shared/api/session.ts';
import * as dashboardApi from '../src/shared/api/dashboard.ts';
import * as devicesApi from '../src/shared/api/devices.ts';
import * as signaturesApi from '../src/shared/api/signatures.ts';
import * as campaignsApi from '../src/shared/api/campaigns.ts';

type Json = Record<string, unknown>;

const COMPONENT = '#/components/schemas/';

/** The OpenAPI document, built afresh on each call (cheap: a few ms). */
export function openApiDocument(endpoints: readonly Endpoint[] = ENDPOINTS): Json {
  const names = componentNames(endpoints);
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of names) registry.add(schema, { id });
  // One pass over every named schema, so each refers to the others by $ref. Input mode: a
  // plain object admits unknown fields (the server drops them); a strict one says so itself.
  const generated = z.toJSONSchema(registry, { io: 'input', unrepresentable: 'any', uri: (id) => `${COMPONENT}${id}` }).schemas;
  const schemas = Object.fromEntries(Object.entries(generated).map(([id, { $schema: _, $id: __, ...schema }]) => [id, schema]));
  const ref = (schema: z.ZodMiniType) => ({ $ref: `${COMPONENT}${names.get(schema)}` });

  const paths: Record<string, Record<string, Json>> = {};
  for (const endpoint of endpoints) {
    const path = endpoint.path.replace(/:(\w+)/g, '{$1}');
    (paths[path] ??= {})[endpoint.method.toLowerCase()] = operation(endpoint, ref);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Fieldsign API',
      version: String(protocol.PROTOCOL_VERSION),
      summary: 'Offline-first petition signatures: the tablets’ sync protocol, the coordinator console and the public counter.',
      description:
        'Tablets enroll with a one-time code for a bearer device token and send signatures in batches (docs/PROTOCOL.md gives the rules S1…). ' +
        'The console signs in for a session cookie; every change also sends the CSRF token from the sign-in answer in X-CSRF-Token. ' +
        'Every error is an ErrorResponse with a machine-readable code. Every GET also answers HEAD.',
    },
    tags: [
      { name: 'tablet', description: 'The sync protocol: enrollment, campaigns, batches' },
      { name: 'public', description: 'The big-screen counter: no personal data' },
      { name: 'console', description: 'The coordinator console' },
    ],
    paths,
    components: {
      schemas,
      securitySchemes: {
        deviceToken: { type: 'http', scheme: 'bearer', description: 'The device token a tablet received at enrollment.' },
        session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'Set by POST /api/console/login.' },
        csrfToken: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token', description: 'The `csrfToken` of the session; required on every change.' },
      },
    },
  };
}

/** Each named schema: the contract's and the protocol's exports by name (`FooSchema` → `Foo`), then any other an endpoint uses. */
function componentNames(endpoints: readonly Endpoint[]): Map<z.ZodMiniType, string> {
  const names = new Map<z.ZodMiniType, string>();
  const modules = [protocol, campaignDocument, campaigns, tabletApi, sessionApi, dashboardApi, devicesApi, signaturesApi, campaignsApi];
  for (const module of modules) {
    for (const [name, value] of Object.entries(module)) {
      if (name.endsWith('Schema') && isSchema(value) && !names.has(value)) names.set(value, name.slice(0, -'Schema'.length));
    }
  }
  for (const endpoint of endpoints) {
    const bodies: Array<[string, z.ZodMiniType | undefined]> = [
      ['Request', endpoint.request.body],
      ...Object.entries(endpoint.responses).map(([status, body]): [string, z.ZodMiniType | undefined] => [status, isMedia(body) ? body.events : (body ?? undefined)]),
    ];
    for (const [suffix, schema] of bodies) if (schema && !names.has(schema)) names.set(schema, `${operationId(endpoint)}${suffix}`);
  }
  return names;
}

function isSchema(value: unknown): value is z.ZodMiniType {
  return typeof value === 'object' && value !== null && '_zod' in value;
}

/** `GET /api/console/campaigns/:id` → `getConsoleCampaignsId`. */
function operationId({ method, path }: Endpoint): string {
  const words = path.replace(/^\/api\//, '').split(/[^A-Za-z0-9]+/).filter(Boolean);
  return method.toLowerCase() + words.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}

function operation(endpoint: Endpoint, ref: (schema: z.ZodMiniType) => Json): Json {
  const { params, query, body } = endpoint.request;
  const tag = endpoint.path.startsWith('/api/console/') ? 'console' : endpoint.path.startsWith('/api/public/') ? 'public' : 'tablet';
  const changes = endpoint.method !== 'GET';
  const security = { public: [], device: [{ deviceToken: [] }], session: [changes ? { session: [], csrfToken: [] } : { session: [] }] }[endpoint.auth];
  return {
    operationId: operationId(endpoint),
    summary: endpoint.summary,
    tags: [tag],
    security,
    ...((params || query) && { parameters: [...parameters(params, 'path'), ...parameters(query, 'query')] }),
    ...(body && { requestBody: { required: true, content: { 'application/json': { schema: ref(body) } } } }),
    responses: {
      ...Object.fromEntries(Object.entries(endpoint.responses).map(([status, answer]) => [status, response(Number(status), answer, ref)])),
      default: { description: 'Any other error (405 for another method, 500)', content: { 'application/json': { schema: ref(protocol.ErrorResponseSchema) } } },
    },
  };
}

/** Each property of a params or query object as an OpenAPI parameter. */
function parameters(schema: z.ZodMiniObject | undefined, where: 'path' | 'query'): Json[] {
  if (!schema) return [];
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return { name, in: where, required: where === 'path' || (json.required ?? []).includes(name), ...(description !== undefined && { description }), schema: rest };
  });
}

const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'Done; no content',
  304: 'Not modified (the If-None-Match tag still holds)',
  400: 'Bad request: the body or a field is wrong (issues name the fields)',
  401: 'Not signed in, or the device token is missing, unknown, revoked or expired',
  403: 'Refused: wrong CSRF token or origin, a code that does not work, or another device’s batch',
  404: 'No such thing',
  409: 'Conflicts with what is stored',
  413: 'The body is too large',
  415: 'Not JSON, or an unsupported Content-Encoding',
  422: 'Some records are invalid; every record has its result',
  429: 'Too many attempts or streams: see Retry-After',
  503: 'The server is at capacity for this: see Retry-After',
};

function response(status: number, answer: ResponseBody, ref: (schema: z.ZodMiniType) => Json): Json {
  const description = REASONS[status] ?? `HTTP ${status}`;
  if (answer === null) return { description };
  if (isMedia(answer)) {
    const schema = answer.events
      ? { type: 'string', description: `Server-sent events; each \`data:\` line is one JSON value of ${ref(answer.events).$ref}`, 'x-event-data': ref(answer.events) }
      : { type: 'string', format: 'binary' };
    return { description: answer.description, content: { [answer.media]: { schema } } };
  }
  return { description, content: { 'application/json': { schema: ref(answer) } } };
}
