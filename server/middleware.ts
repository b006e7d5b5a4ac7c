/**
 * The app's middleware, in the order a request meets it (app.ts mounts it, routes.ts names
 * it per route): security headers on every answer, the one JSON error shape, waiting for the
 * served campaign, and the per-route guards: attempts per client address, the tablet's token,
 * the JSON body within its limits.
 * The console's session and CSRF check is console/session.ts.
 */
import type { ErrorHandler, MiddlewareHandler } from 'hono';
import * as z from 'zod/mini';
import { toFieldIssues } from '../src/shared/protocol.ts';
import { authenticate, type TokenCheck } from './devices.ts';
import { clientAddress, requestOf } from './client-address.ts';
import { readJsonBody, UploadAborted, type BodyLimits } from './http-body.ts';
import { HttpError, INTERNAL_ERROR, errorReply } from './http-reply.ts';
import { takeAttempt, type RateLimiter } from './rate-limit.ts';
import type { AppContext, AppEnv } from './routes/context.ts';

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
    "worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  'cross-origin-opener-policy': 'same-origin',
};

/** The security headers on every answer; a route's own (the signature SVG's CSP) wins. */
export function withSecurityHeaders(response: Response): Response {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) if (!response.headers.has(name)) response.headers.set(name, value);
  return response;
}

/** Middleware: put the app's state in `c.var.app`, wait for the served campaign, add the security headers. */
export function appState(app: AppContext): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('app', app);
    await app.ready;
    await next();
    withSecurityHeaders(c.res);
  };
}

/**
 * The error handler: an HttpError is answered in the API's error shape; anything else is a
 * fault of the server's, logged, and answered 500 "Nothing was stored".
 */
export function onError(log: (message: string, error?: unknown) => void): ErrorHandler<AppEnv> {
  return (error, c) => {
    if (error instanceof HttpError) return errorReply(error);
    const url = new URL(c.req.url);
    if (error instanceof UploadAborted) {
      // One short line, no stack: a dropped connection is routine in the field, not a fault.
      // The answer stays the retryable "nothing was stored" (no one is there to read it; a
      // 4xx could make a tablet that did read it set its records aside).
      log(`${c.req.method} ${url.pathname}: ${error.message}`);
      return errorReply(INTERNAL_ERROR);
    }
    log(`${c.req.method} ${url.pathname}${url.search} failed`, error);
    return errorReply(INTERNAL_ERROR);
  };
}

/** Middleware: one attempt of the client's address from `limiter` (429 with Retry-After when none is left). */
export function attemptsPerAddress(pick: (app: AppContext) => RateLimiter): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await takeAttempt(pick(c.var.app), clientAddress(requestOf(c)));
    return next();
  };
}

/** A body's schema from the contract, and the 400 message for a body it refuses. */
export interface BodyContract {
  schema: z.ZodMiniType;
  invalid: (issues: readonly z.core.$ZodIssue[]) => string;
}

/**
 * Middleware: the JSON body, read within `limits` (on the wire, and inflated: a gzip bomb
 * stops at the limit), in `c.var.body`; 413, 415 or 400 otherwise (http-body.ts).
 * 'batch': the app's batch limits (AppOptions.limits). With a `contract`, what is put in
 * `c.var.body` is the body as its schema parsed it, or the request is answered 400 with the
 * issues.
 */
export function jsonBody(limits: BodyLimits | 'batch', contract?: BodyContract): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const body = await readJsonBody(c.req.raw, limits === 'batch' ? c.var.app.batchLimits : limits);
    if (!contract) {
      c.set('body', body);
      return next();
    }
    const parsed = z.safeParse(contract.schema, body);
    if (!parsed.success) throw new HttpError(400, 'bad_request', contract.invalid(parsed.error.issues), toFieldIssues(parsed.error));
    c.set('body', parsed.data);
    return next();
  };
}

/** What a tablet is told when its token does not let it in (all 401). */
const TOKEN_REFUSALS: Record<Exclude<TokenCheck, { ok: true }>['refusal'], (expiresAt?: string) => HttpError> = {
  not_enrolled: () => new HttpError(401, 'unauthorized', 'This tablet is not enrolled. Enroll it with a code from the coordinator.'),
  unknown_token: () => new HttpError(401, 'unauthorized', 'This tablet’s token is not recognised. Enroll it again with a new code.'),
  revoked: () =>
    new HttpError(401, 'device_revoked', 'This tablet was revoked by a coordinator. Its signatures are kept on it: enroll it again with a new code to send them.'),
  expired: (expiresAt) =>
    new HttpError(
      401,
      'token_expired',
      `This tablet’s enrollment expired on ${expiresAt}. Its signatures are kept on it: enroll it again with a new code from the coordinator to send them.`,
    ),
};

/**
 * Middleware: the tablet behind the bearer token in `c.var.device`, or 401. A valid token
 * always passes (256 random bits cannot be guessed), so tablets sharing one address never
 * lock each other out, and a valid token never touches the rate-limit buckets (no write per
 * batch); failed checks are limited per address (429 once they run out).
 */
export const requireDevice: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { store, now, tokenLifetimeMs, limiters } = c.var.app;
  const check = await authenticate(store, c.req.header('authorization'), now(), tokenLifetimeMs);
  if (!check.ok) {
    await takeAttempt(limiters.authFailure, clientAddress(requestOf(c)));
    throw TOKEN_REFUSALS[check.refusal](check.refusal === 'expired' ? check.expiresAt : undefined);
  }
  c.set('device', check.device);
  return next();
};
