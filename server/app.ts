/**
 * The Fieldsign HTTP app: routes only. Each handler parses, then calls a function that holds
 * the logic. Building the app is kept apart from listening (main.ts), so tests drive it
 * on an ephemeral port against a temporary database.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import './zod-locale.ts';
import { ingestBatch } from './ingest.ts';
import { HttpError, readJsonBody, type BodyLimits } from './http-body.ts';
import { serveStatic } from './static-files.ts';
import type { Store } from './store/store.ts';
import type { ErrorResponse } from '../src/shared/protocol.ts';

/** What the app needs to run. */
export interface AppOptions {
  store: Store;
  /** Folder of the built PWA; omit to serve the API only. */
  staticDir?: string;
  limits?: Partial<BodyLimits>;
  /** Where unexpected errors are reported. */
  log?: (message: string, error?: unknown) => void;
  /** The server clock; replaceable in tests. */
  now?: () => Date;
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

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
export function createApp(options: AppOptions): RequestHandler {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const log = options.log ?? ((message, error) => console.error(message, error));
  const now = options.now ?? (() => new Date());

  return (req, res) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    route(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) {
        sendError(res, error.status, error.code, error.message);
        return;
      }
      log(`${req.method} ${req.url} failed`, error);
      sendError(res, 500, 'internal', 'The server could not handle this request. Nothing was stored; try again.');
    });
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;

    if (path === '/api/health') {
      return sendJson(res, 200, { ok: true, signatures: await options.store.count() });
    }
    if (path === '/api/v1/batches') {
      if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'Use POST to send a batch.');
      const body = await readJsonBody(req, limits);
      const reply = await ingestBatch(options.store, body, now());
      return sendJson(res, reply.status, reply.body);
    }
    if (path.startsWith('/api/')) {
      throw new HttpError(404, 'not_found', `No API route ${path.slice(0, 100)}.`);
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && options.staticDir) {
      if (await serveStatic(options.staticDir, path, req, res)) return;
    }
    throw new HttpError(404, 'not_found', 'Not found.');
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

function sendError(res: ServerResponse, status: number, code: ErrorResponse['error']['code'], message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // Stop reading a body we refused early (e.g. too large), then close the connection.
  if (status === 413) res.setHeader('connection', 'close');
  sendJson(res, status, { error: { code, message } } satisfies ErrorResponse);
}
