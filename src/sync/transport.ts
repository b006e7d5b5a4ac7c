/**
 * The network side of sync: sends one batch and classifies the answer into the few cases
 * the engine acts on. Plain TypeScript, no UI imports.
 */
import * as z from 'zod/mini';
import {
  BatchResponseSchema,
  EnrollResponseSchema,
  ErrorResponseSchema,
  PROTOCOL_VERSION,
  type BatchRequest,
  type BatchResponse,
  type EnrollResponse,
} from '../shared/protocol.ts';

/** Why a batch must be tried again. */
export type RetryProblem = 'offline' | 'network' | 'server' | 'unreadable';

/** What became of one attempt to send a batch. */
export type SendResult =
  /** The server judged each record; see `response.results`. */
  | { kind: 'ok'; response: BatchResponse }
  /** Nothing was decided (offline, timeout, 5xx, 429): try the same records again later. */
  | { kind: 'retry'; problem: RetryProblem; reason: string; retryAfterMs?: number }
  /** The server and this app speak different protocol versions: an update is needed. */
  | { kind: 'incompatible'; message: string }
  /** The tablet's token is missing, unknown or revoked: it must be enrolled again. `code`: the server's error code, e.g. 'device_revoked'. */
  | { kind: 'unauthorized'; message: string; code?: string }
  /** The server refused the batch as a whole (e.g. too large, malformed). */
  | { kind: 'rejected'; status: number; message: string };

/** Sends batches somewhere. The engine only ever talks to this. */
export interface Transport {
  send(batch: BatchRequest, token: string): Promise<SendResult>;
}

/** Options for {@link httpTransport}. */
export interface HttpTransportOptions {
  /** Origin and path prefix of the API; '' for the page's own origin. */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Abort an attempt after this long. Default 30 s. */
  timeoutMs?: number;
  /** Gzip bodies larger than this many bytes when the browser can. Default 1024. */
  compressAbove?: number;
}

/** A transport that POSTs batches to /api/v1/batches as (gzipped) JSON. */
export function httpTransport(options: HttpTransportOptions = {}): Transport {
  const { baseUrl = '', timeoutMs = 30_000, compressAbove = 1024 } = options;
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  return {
    async send(batch, token) {
      const json = JSON.stringify(batch);
      const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
      let body: BodyInit = json;
      if (json.length > compressAbove && typeof CompressionStream === 'function') {
        body = await gzip(json);
        headers['content-encoding'] = 'gzip';
      }
      let res: Response;
      try {
        res = await doFetch(`${baseUrl}/api/v1/batches`, {
          method: 'POST',
          headers,
          body,
          signal: timeoutSignal(timeoutMs),
          cache: 'no-store',
        });
      } catch (error) {
        return navigator.onLine === false
          ? { kind: 'retry', problem: 'offline', reason: 'offline' }
          : { kind: 'retry', problem: 'network', reason: `network error: ${(error as Error).message}` };
      }
      return classify(res);
    },
  };
}

async function classify(res: Response): Promise<SendResult> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  if (res.status === 200 || res.status === 422) {
    const parsed = z.safeParse(BatchResponseSchema, body);
    if (parsed.success) return { kind: 'ok', response: parsed.data };
    return { kind: 'retry', problem: 'unreadable', reason: `unreadable answer from the server (HTTP ${res.status})` };
  }
  if (res.status === 429 || res.status >= 500 || res.status === 408) {
    return { kind: 'retry', problem: 'server', reason: `server busy or failing (HTTP ${res.status})`, retryAfterMs: retryAfter(res.headers.get('retry-after')) };
  }
  const error = z.safeParse(ErrorResponseSchema, body);
  const message = error.success ? error.data.error.message : `HTTP ${res.status}`;
  if (error.success && error.data.error.code === 'incompatible_protocol') return { kind: 'incompatible', message };
  if (res.status === 401 || res.status === 403) return { kind: 'unauthorized', message, ...(error.success && { code: error.data.error.code }) };
  return { kind: 'rejected', status: res.status, message };
}

/** Milliseconds to wait from a Retry-After header (seconds or an HTTP date). */
export function retryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Trade an enrollment code for a device token. Throws an Error with a message for the volunteer. */
export async function enrollDevice(code: string, label: string | undefined, baseUrl = ''): Promise<EnrollResponse> {
  let res: Response;
  try {
    res = await fetch(`${baseUrl}/api/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ protocol: PROTOCOL_VERSION, code, ...(label && { label }) }),
      cache: 'no-store',
    });
  } catch {
    throw Object.assign(new Error('Enrollment needs a connection to the server.'), { name: 'OfflineError' });
  }
  const body: unknown = await res.json().catch(() => undefined);
  const ok = z.safeParse(EnrollResponseSchema, body);
  if (res.ok && ok.success) return ok.data;
  const error = z.safeParse(ErrorResponseSchema, body);
  throw new Error(error.success ? error.data.error.message : `Enrollment failed (HTTP ${res.status}).`);
}

/**
 * A signal that aborts after `ms`: AbortSignal.timeout where the browser has it, else a timer
 * (AbortSignal.timeout came late to some engines: without this, every batch there would fail
 * as a network error).
 */
export function timeoutSignal(ms: number): AbortSignal {
  if (typeof AbortSignal.timeout === 'function') return AbortSignal.timeout(ms);
  const controller = new AbortController();
  setTimeout(() => controller.abort(new DOMException('The request timed out.', 'TimeoutError')), ms);
  return controller.signal;
}

async function gzip(text: string): Promise<ArrayBuffer> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Response(stream).arrayBuffer();
}
