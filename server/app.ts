/**
 * The Fieldsign HTTP app: routes only. Each handler parses, then calls a function that holds
 * the logic. Building the app is kept apart from listening (main.ts), so tests drive it
 * on an ephemeral port against a temporary database.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import './zod-locale.ts';
import { DEFAULT_STALE_AFTER_MS, DEFAULT_TOKEN_LIFETIME_MS, authenticate, enroll, recordReport } from './devices.ts';
import { ingestBatch } from './ingest.ts';
import { RateLimiter } from './rate-limit.ts';
import { HttpError, readJsonBody, type BodyLimits } from './http-body.ts';
import { serveStatic } from './static-files.ts';
import type { Store } from './store/store.ts';
import type { ErrorResponse, FieldIssue } from '../src/shared/protocol.ts';
import type { Campaign } from '../src/shared/campaign.ts';
import { DEFAULT_CAMPAIGN } from '../src/shared/default-campaign.ts';
import { createHash } from 'node:crypto';
import { currentContent, importCampaign, tabletCampaigns } from './campaigns.ts';
import { handleConsole } from './console/routes.ts';
import { LiveSignals } from './console/live.ts';
import { StreamSlots, type StreamLimit } from './console/stream-slots.ts';
import { clientAddress } from './client-address.ts';

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
  /** Failed console logins per address and per email. Default 5, one per minute. */
  loginLimit?: { capacity: number; refillMs: number };
  /** Live-update channel; pass one to observe changes in tests. */
  live?: LiveSignals;
  /** Open public counter streams, in all and per client address. Default 1,000 and 10. */
  publicStreams?: StreamLimit;
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** The request handler, and `close()` to end its live streams and stop following the store. */
export type App = RequestHandler & { close(): void };

/** Default caps on the public counter's live streams. */
export const DEFAULT_PUBLIC_STREAMS: StreamLimit = { total: 1_000, perAddress: 10 };

/** Default body limits: a batch of 500 typical signatures is well under 2 MB. */
export const DEFAULT_LIMITS: BodyLimits = { maxBytes: 4 * 1024 * 1024, maxInflatedBytes: 8 * 1024 * 1024 };

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
    "worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  'cross-origin-opener-policy': 'same-origin',
};

/** Build the request handler. */
export function createApp(options: AppOptions): App {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const log = options.log ?? ((message, error) => console.error(message, error));
  const now = options.now ?? (() => new Date());
  const served = options.campaign ?? DEFAULT_CAMPAIGN;
  const defaultCampaignId = served.id;
  const ready = importServedCampaign(options.store, served, log);
  const enrollLimiter = new RateLimiter(options.enrollLimit ?? { capacity: 10, refillMs: 30_000 });
  const authLimiter = new RateLimiter(options.authFailureLimit ?? { capacity: 20, refillMs: 3_000 });
  const loginLimiter = new RateLimiter(options.loginLimit ?? { capacity: 5, refillMs: 60_000 });
  const live = options.live ?? new LiveSignals({ log });
  // Every write path (sync, import, the console, another instance on PostgreSQL) reaches the
  // dashboards through the store, so the routes never signal changes themselves.
  const unsubscribe = options.store.onChange(() => live.changed());
  const tokenLifetimeMs = options.tokenLifetimeMs ?? DEFAULT_TOKEN_LIFETIME_MS;
  const perCampaign = <T,>(read: (id: string) => Promise<T>, name: string) => {
    const sources = new Map<string, ReturnType<typeof live.source<T>>>();
    return (id: string) => {
      let source = sources.get(id);
      if (!source) sources.set(id, (source = live.source(`${name} of campaign ${id}`, () => read(id))));
      return source;
    };
  };
  const consoleContext = {
    store: options.store,
    staleAfterMs: options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS,
    tokenLifetimeMs,
    defaultCampaignId,
    exportDb: options.db,
    campaignContent: async (id: string) => (await currentContent(options.store, id)) ?? (id === defaultCampaignId ? served : undefined),
    now,
    live,
    publicTotal: perCampaign(async (id) => ({ total: await options.store.count(id) }), 'the public total'),
    dashboardTotals: perCampaign((id) => options.store.totals(id), 'the dashboard totals'),
    publicSlots: new StreamSlots(options.publicStreams ?? DEFAULT_PUBLIC_STREAMS),
    loginLimiter,
    checkLimit,
    sendJson,
  };

  /** Refuse with 429 when `limiter` has no attempt left for this client. */
  function checkLimit(limiter: RateLimiter, key: string): void {
    const wait = limiter.waitFor(key);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      throw new HttpError(429, 'rate_limited', `Too many attempts. Try again in ${seconds} s.`, undefined, seconds);
    }
  }

  const handler: RequestHandler = (req, res) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    route(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) {
        if (error.retryAfterS) res.setHeader('retry-after', String(error.retryAfterS));
        sendError(res, error.status, error.code, error.message, error.issues);
        return;
      }
      log(`${req.method} ${req.url} failed`, error);
      sendError(res, 500, 'internal', 'The server could not handle this request. Nothing was stored; try again.');
    });
  };
  return Object.assign(handler, {
    close() {
      unsubscribe();
      live.close();
    },
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      throw new HttpError(400, 'bad_request', 'The request target is not a valid URL.');
    }
    const path = url.pathname;
    await ready;

    if (path === '/api/health') {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method_not_allowed', 'Use GET for the health check.');
      return sendJson(res, 200, { ok: true, signatures: await options.store.count() });
    }
    if (path === '/api/v1/campaign') {
      // 0.1.0 tablets and the counter: the default campaign's current text.
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method_not_allowed', 'Use GET for the campaign.');
      const campaignJson = JSON.stringify((await currentContent(options.store, defaultCampaignId)) ?? served);
      const campaignTag = `"${createHash('sha256').update(campaignJson).digest('base64url').slice(0, 22)}"`;
      if (req.headers['if-none-match'] === campaignTag) {
        res.writeHead(304, { etag: campaignTag, 'cache-control': 'no-cache' });
        return void res.end();
      }
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', etag: campaignTag, 'cache-control': 'no-cache' });
      return void res.end(req.method === 'HEAD' ? undefined : campaignJson);
    }
    const client = clientAddress(req);
    /** The tablet sending this request; failed token checks are limited per address. */
    const tablet = () =>
      authenticate(options.store, req, now(), tokenLifetimeMs).catch((error: unknown) => {
        checkLimit(authLimiter, client);
        authLimiter.consume(client);
        throw error;
      });
    if (path === '/api/v1/campaigns') {
      // S27: the campaigns this tablet may show, each with its current version, open or closed.
      if (req.method !== 'GET') throw new HttpError(405, 'method_not_allowed', 'Use GET for the campaigns.');
      return sendJson(res, 200, await tabletCampaigns(options.store, await tablet(), defaultCampaignId));
    }
    if (path === '/api/v1/enroll') {
      if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'Use POST to enroll.');
      checkLimit(enrollLimiter, client);
      enrollLimiter.consume(client);
      const body = await readJsonBody(req, { maxBytes: 4096, maxInflatedBytes: 4096 });
      const reply = await enroll(options.store, body, now(), options.tabletRetentionMs ?? 0, tokenLifetimeMs);
      return sendJson(res, reply.status, reply.body);
    }
    if (path === '/api/v1/batches') {
      if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'Use POST to send a batch.');
      // A valid token always passes (256 random bits cannot be guessed), so tablets sharing
      // one address never lock each other out; failed checks are limited per address.
      const device = await tablet();
      const at = now();
      await options.store.touchDevice(device.id, at.toISOString());
      const body = await readJsonBody(req, limits);
      const reply = await ingestBatch(options.store, body, { deviceId: device.id, source: 'sync', now: at });
      // S21: only a batch the server took (a valid envelope) updates what the console shows.
      if ('results' in reply.body) await recordReport(options.store, device, (body as { report?: unknown }).report, at);
      return sendJson(res, reply.status, reply.body);
    }
    if (await handleConsole(req, res, url, consoleContext)) return;
    if (path.startsWith('/api/')) {
      throw new HttpError(404, 'not_found', `No API route ${path.slice(0, 100)}.`);
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && options.staticDir) {
      if (await serveStatic(options.staticDir, path, req, res)) return;
    }
    throw new HttpError(404, 'not_found', 'Not found.');
  }
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

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, code: ErrorResponse['error']['code'], message: string, issues?: FieldIssue[]): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // Stop reading a body we refused early (e.g. too large), then close the connection.
  if (status === 413) res.setHeader('connection', 'close');
  sendJson(res, status, { error: { code, message, ...(issues && { issues }) } } satisfies ErrorResponse);
}
