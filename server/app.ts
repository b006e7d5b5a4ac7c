/**
 * The Fieldsign HTTP app: Hono with the route table of routes.ts. Building the app is kept
 * apart from listening (main.ts): `createApp()` returns a Node request listener that tests
 * put behind an ephemeral port, and the Hono app's `request()`/`fetch` for tests that need
 * no socket at all.
 *
 * A request meets, in order: the app's state and security headers (middleware.ts), the
 * console's session gate (any /api/console/ path but login and session), then its route's
 * guards (HEAD refused, token, attempts, the body parsed with the contract) and handler; else
 * a 405 for a known path, else a 404
 * (or a file of the built PWA). Errors become the API's JSON error shape.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { RequestError, getRequestListener } from '@hono/node-server';
import type { IncomingMessage, ServerResponse } from 'node:http';
import './zod-locale.ts';
import { DEFAULT_STALE_AFTER_MS, DEFAULT_TOKEN_LIFETIME_MS } from './devices.ts';
import { createRateLimiters } from './rate-limit.ts';
import type { BodyLimits } from './http-body.ts';
import { HttpError, INTERNAL_ERROR, errorReply } from './http-reply.ts';
import { serveStatic } from './static-files.ts';
import type { Store } from './store/store.ts';
import type { Campaign } from '../src/shared/campaign.ts';
import { DEFAULT_CAMPAIGN } from '../src/shared/default-campaign.ts';
import { currentContent, importCampaign } from './campaigns.ts';
import { LiveSignals } from './console/live.ts';
import { publicCountWithPaper, totalsWithPaper } from './paper.ts';
import { StreamSlots, type StreamLimit } from './console/stream-slots.ts';
import { requireAccess, requireSession } from './console/session.ts';
import { NO_PROXY, parseTrustedProxies } from './client-address.ts';
import { appState, jsonBody, onError, requireDevice, withSecurityHeaders, type BodyContract } from './middleware.ts';
import { CONSOLE_PREFIX, ROUTES, type Route } from './routes.ts';
import { isHead, type AppContext, type AppEnv, type SessionTimes } from './routes/context.ts';

/** What the app needs to run. */
export interface AppOptions {
  store: Store;
  /** Folder of the built PWA; omit to serve the API only. */
  staticDir?: string;
  limits?: Partial<BodyLimits>;
  /** The database setting (--db): exports then run in worker threads that open it too. */
  db?: string;
  /** Where unexpected errors are reported. */
  log?: (message: string, error?: unknown) => void;
  /** The server clock; replaceable in tests. */
  now?: () => Date;
  /**
   * The campaign file the server was started with (imported into the store on start, and the
   * default campaign). Default: the built-in defenders petition.
   */
  campaign?: Campaign;
  /** Told to tablets at enrollment: how long they keep synced signers' data. Default 0. */
  tabletRetentionMs?: number;
  /** A tablet silent this long while holding unsynced signatures is flagged in the console. Default 2 h. */
  staleAfterMs?: number;
  /** Device tokens stop working this long after enrollment (S25); 0: never. Default 90 days. */
  tokenLifetimeMs?: number;
  /** Enrollment attempts per client address: burst and refill. Default 10, one per 30 s. */
  enrollLimit?: { capacity: number; refillMs: number };
  /** Failed token checks per client address before 429. Default 20, one per 3 s. */
  authFailureLimit?: { capacity: number; refillMs: number };
  /** Failed console sign-ins per address and per account (email). Default 5, one per minute. */
  loginLimit?: { capacity: number; refillMs: number };
  /** Invitation links opened or accepted per client address (a wrong token counts). Default 10, one per minute. */
  invitationLimit?: { capacity: number; refillMs: number };
  /** Live-update channel; pass one to observe changes in tests. */
  live?: LiveSignals;
  /** Open public counter streams, in all and per client address. Default 1,000 and 10. */
  publicStreams?: StreamLimit;
  /** The origin tablets and coordinators use (--public-url); default: each request's own. */
  publicUrl?: string;
  /** The reverse proxies believed about the client (--trust-proxy, client-address.ts); default: none. */
  trustProxy?: string;
  /** A console session's lifetime and idle timeout (--session-hours, --session-idle-minutes). Default 10 h and 60 min. */
  sessions?: Partial<SessionTimes>;
}

/** A console session lasts a working day, and ends after an hour unused. */
export const DEFAULT_SESSION_TIMES: SessionTimes = { lifetimeMs: 10 * 3_600_000, idleMs: 60 * 60_000 };

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The Node request handler (for `http.createServer`), `close()` to end its live streams and
 * stop following the store, and the Hono app's `request()` and `fetch` (no socket needed).
 */
export type App = RequestHandler & {
  close(): void;
  request: Hono<AppEnv>['request'];
  fetch: Hono<AppEnv>['fetch'];
};

/** Default caps on the public counter's live streams. */
export const DEFAULT_PUBLIC_STREAMS: StreamLimit = { total: 1_000, perAddress: 10 };

/** Default body limits: a batch of 500 typical signatures is well under 2 MB. */
export const DEFAULT_LIMITS: BodyLimits = { maxBytes: 4 * 1024 * 1024, maxInflatedBytes: 8 * 1024 * 1024 };

/** Build the app. */
export function createApp(options: AppOptions): App {
  const ctx = appContext(options);
  // Every write path (sync, import, the console, another instance on PostgreSQL) reaches the
  // dashboards through the store, so the routes never signal changes themselves.
  const unsubscribe = options.store.onChange(() => ctx.live.changed());

  // The path as the client sent it (not percent-decoded), as the routes and static files expect.
  const hono = new Hono<AppEnv>({ getPath: (request) => new URL(request.url).pathname });
  hono.onError(onError(ctx.log));
  hono.use('*', appState(ctx));
  const sessionless = new Set(ROUTES.filter((r) => r.auth !== 'session' && r.path.startsWith(CONSOLE_PREFIX)).map((r) => r.path));
  // Hono's `/api/console/*` also matches `/api/console` itself, which is no console path (a 404 like any unknown API path).
  const behindSession = (path: string) => path.startsWith(CONSOLE_PREFIX) && !sessionless.has(path);
  hono.use(`${CONSOLE_PREFIX}*`, async (c, next) => (behindSession(c.req.path) ? requireSession(c, next) : next()));
  for (const route of ROUTES) {
    const handlers: MiddlewareHandler<AppEnv>[] = [...guards(route), (c) => Promise.resolve(route.handler(c))];
    hono.on(route.method, [route.path], ...(handlers as [MiddlewareHandler<AppEnv>]));
  }
  for (const [path, message] of wrongMethodMessages(ROUTES)) {
    hono.all(path, () => {
      throw new HttpError(405, 'method_not_allowed', message);
    });
  }
  hono.all('*', async (c) => {
    const path = c.req.path;
    if (path.startsWith(CONSOLE_PREFIX)) throw new HttpError(404, 'not_found', `No console route ${path.slice(0, 100)}.`);
    if (path.startsWith('/api/')) throw new HttpError(404, 'not_found', `No API route ${path.slice(0, 100)}.`);
    if ((c.req.method === 'GET' || c.req.method === 'HEAD') && ctx.staticDir) {
      const file = await serveStatic(ctx.staticDir, {
        pathname: path,
        accept: c.req.header('accept') ?? null,
        acceptEncoding: c.req.header('accept-encoding') ?? null,
        head: isHead(c),
      });
      if (file) return file;
    }
    throw new HttpError(404, 'not_found', 'Not found.');
  });

  const listener = getRequestListener(hono.fetch, {
    // A request without a Host header (HTTP/1.0) is still answered; one whose target is not a
    // URL is a 400, and so is one with an invalid Host (RFC 9112, 3.2; before Hono it was served).
    hostname: 'localhost',
    errorHandler: (error) => {
      if (error instanceof RequestError) {
        const message = /host/i.test(error.message) ? 'The Host header is not valid.' : 'The request target is not a valid URL.';
        return withSecurityHeaders(errorReply(new HttpError(400, 'bad_request', message)));
      }
      ctx.log('A request failed outside its route', error);
      return withSecurityHeaders(errorReply(INTERNAL_ERROR));
    },
  });
  return Object.assign((req: IncomingMessage, res: ServerResponse) => void listener(withWhatwgTarget(req), res), {
    close() {
      unsubscribe();
      ctx.live.close();
    },
    request: hono.request,
    fetch: hono.fetch,
  });
}

/**
 * node-server refuses a backslash in the path (400); a browser, and this server before it,
 * read it as WHATWG URLs do, as a slash. So `/..\secret.txt` stays a 404, never a 400.
 */
function withWhatwgTarget(req: IncomingMessage): IncomingMessage {
  const target = req.url ?? '/';
  const query = target.indexOf('?');
  if (!(query === -1 ? target : target.slice(0, query)).includes('\\')) return req;
  try {
    const url = new URL(target, 'http://localhost');
    req.url = url.pathname + url.search;
  } catch {
    // Not a URL at all: node-server answers it (errorHandler above).
  }
  return req;
}

/** A route's middleware before its handler: HEAD refused where it must be, its auth, its own, its body. */
function guards(route: Route): MiddlewareHandler<AppEnv>[] {
  const refuseHead = route.head === false ? [refuseHeadWith(route.wrongMethod ?? `Use ${route.method}.`)] : [];
  const auth = route.auth === 'device' ? [requireDevice] : route.auth === 'session' ? [requireSession, requireAccess(route.may!, route.scope)] : [];
  return [...refuseHead, ...auth, ...(route.before ?? []), ...(route.body ? [jsonBody(route.body, bodyContract(route))] : [])];
}

/** The endpoint's body schema, when the route's body is judged by the contract. */
function bodyContract(route: Route): BodyContract | undefined {
  const schema = route.endpoint.request.body;
  if (!schema || route.judge === 'handler') return undefined;
  return { schema, invalid: route.invalidBody ?? ((issues) => issues[0].message) };
}

function refuseHeadWith(message: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (isHead(c)) throw new HttpError(405, 'method_not_allowed', message);
    return next();
  };
}

/** Each path of the table, with what another method on it is told. */
function wrongMethodMessages(routes: Route[]): Map<string, string> {
  const messages = new Map<string, string>();
  for (const route of routes) messages.set(route.path, route.wrongMethod ?? `Use ${route.method}.`);
  return messages;
}

/** The state the routes share, from the options. */
function appContext(options: AppOptions): AppContext {
  const { store } = options;
  const log = options.log ?? ((message, error) => console.error(message, error));
  const served = options.campaign ?? DEFAULT_CAMPAIGN;
  const defaultCampaignId = served.id;
  const live = options.live ?? new LiveSignals({ log });
  const perCampaign = <T,>(read: (id: string) => Promise<T>, name: string) => {
    const sources = new Map<string, ReturnType<typeof live.source<T>>>();
    return (id: string) => {
      let source = sources.get(id);
      if (!source) sources.set(id, (source = live.source(`${name} of campaign ${id}`, () => read(id))));
      return source;
    };
  };
  const now = options.now ?? (() => new Date());
  const loginLimit = options.loginLimit ?? { capacity: 5, refillMs: 60_000 };
  return {
    store,
    now,
    log,
    ready: importServedCampaign(store, served, log),
    defaultCampaignId,
    served,
    campaignContent: async (id) => (await currentContent(store, id)) ?? (id === defaultCampaignId ? served : undefined),
    exportDb: options.db,
    staticDir: options.staticDir,
    batchLimits: { ...DEFAULT_LIMITS, ...options.limits },
    tabletRetentionMs: options.tabletRetentionMs ?? 0,
    staleAfterMs: options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS,
    tokenLifetimeMs: options.tokenLifetimeMs ?? DEFAULT_TOKEN_LIFETIME_MS,
    live,
    publicTotal: perCampaign((id) => publicCountWithPaper(store, id), 'the public total'),
    dashboardTotals: perCampaign((id) => totalsWithPaper(store, id), 'the dashboard totals'),
    publicSlots: new StreamSlots(options.publicStreams ?? DEFAULT_PUBLIC_STREAMS),
    publicUrl: options.publicUrl,
    trustedProxies: options.trustProxy ? parseTrustedProxies(options.trustProxy) : NO_PROXY,
    sessions: { ...DEFAULT_SESSION_TIMES, ...options.sessions },
    limiters: createRateLimiters(
      store,
      now,
      {
        enroll: options.enrollLimit ?? { capacity: 10, refillMs: 30_000 },
        authFailure: options.authFailureLimit ?? { capacity: 20, refillMs: 3_000 },
        login: loginLimit,
        loginAccount: loginLimit,
        invitation: options.invitationLimit ?? { capacity: 10, refillMs: 60_000 },
      },
      log,
    ),
  };
}

/**
 * The campaign file the server was started with goes into the store (a new campaign, or its
 * next version when the text changed; see importCampaign). Instances starting together may
 * race to publish the same version: the loser finds it published and has nothing to do.
 */
async function importServedCampaign(store: Store, campaign: Campaign, log: (message: string, error?: unknown) => void): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const outcome = await importCampaign(store, campaign, 'server (startup)');
      if (outcome.kind !== 'unchanged') log(`Campaign "${campaign.id}": ${outcome.kind === 'created' ? 'created' : outcome.kind === 'published' ? 'published' : 'text recorded for'} version ${outcome.version}.`);
      return;
    } catch (error) {
      if (attempt >= 3) return log(`Could not bring the campaign "${campaign.id}" into the store`, error);
    }
  }
}
