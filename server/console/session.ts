/**
 * Console sessions: a random id in a Secure, HttpOnly, SameSite=Strict cookie (the server
 * keeps only its hash), and a CSRF token that every change must echo in X-CSRF-Token. The
 * check is middleware (requireSession), mounted on every session route of routes.ts.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { sha256 } from '../devices.ts';
import { HttpError } from '../http-reply.ts';
import type { Store } from '../store/store.ts';
import type { AppEnv, ConsoleSession, Ctx } from '../routes/context.ts';
import { mayCarrySecrets, requestOf } from '../client-address.ts';

/**
 * `__Host-`: the browser keeps it only if it is Secure, for this exact host and path /, so
 * no other site under the same domain, and no plain-http page, can set or overwrite it.
 */
export const SESSION_COOKIE = '__Host-fieldsign_session';
/** Sessions last a working day. */
export const SESSION_MS = 10 * 3600_000;

/** Start a session; returns the Set-Cookie header value and the CSRF token. */
export async function startSession(store: Store, coordinatorId: string, now: Date): Promise<{ cookie: string; csrfToken: string }> {
  const id = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  await store.createSession({
    idHash: sha256(id),
    coordinatorId,
    csrfToken,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + SESSION_MS).toISOString(),
  });
  return { cookie: `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=${SESSION_MS / 1000}`, csrfToken };
}

/** The cookie that ends the session in the browser. */
export const CLEAR_COOKIE = `${SESSION_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0`;

/** The session id from a Cookie header, if any. */
export function sessionId(cookieHeader: string | null | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=') || undefined;
  }
  return undefined;
}

/** The valid session of a Cookie header, or undefined: for asking "is anyone signed in?", which is not an error. */
export async function currentSession(store: Store, cookieHeader: string | null | undefined, now: Date): Promise<ConsoleSession | undefined> {
  const id = sessionId(cookieHeader);
  if (!id) return undefined;
  const idHash = sha256(id);
  const session = await store.sessionByIdHash(idHash, now.toISOString());
  return session && { ...session, idHash };
}

/**
 * Middleware: the request's valid session in `c.var.session`, or 401. For anything but
 * GET/HEAD it also demands the CSRF token in X-CSRF-Token and, when the browser sends one, a
 * same-origin Origin header (403). Runs once per request however often it is mounted.
 */
export const requireSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.get('session')) return next();
  const session = await currentSession(c.var.app.store, c.req.header('cookie'), c.var.app.now());
  if (!session) throw new HttpError(401, 'unauthorized', 'Please sign in to the console.');
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
    const origin = c.req.header('origin');
    if (origin !== undefined && !sameOrigin(origin, c)) throw new HttpError(403, 'forbidden', 'Cross-site request refused.');
    const a = Buffer.from(c.req.header('x-csrf-token') ?? '');
    const b = Buffer.from(session.csrfToken);
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new HttpError(403, 'forbidden', 'Missing or wrong CSRF token. Reload the console.');
  }
  c.set('session', session);
  return next();
};

/**
 * Is `origin` this console's own? With a public URL, it must be exactly that origin (a
 * proxy may rewrite Host, so Host proves nothing); without one, its host must be the Host.
 */
function sameOrigin(origin: string, c: Ctx): boolean {
  const { publicUrl } = c.var.app;
  if (publicUrl) return origin === publicUrl;
  try {
    return new URL(origin).host === c.req.header('host');
  } catch {
    return false;
  }
}

/**
 * Middleware before sign-in: refuse (403) a sign-in that would send the password, and get
 * back a session cookie, in clear over a network: not HTTPS and not from this machine.
 * It runs before the password is read or any attempt counted.
 */
export const refuseInsecureSignIn: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!mayCarrySecrets(requestOf(c))) {
    throw new HttpError(
      403,
      'forbidden',
      'Signing in needs a secure connection: this page was opened over plain http from another machine, so your password would cross the network unprotected. ' +
        'Open the console at its https:// address. (Behind a reverse proxy, start the server with --trust-proxy naming the proxy; see the README, Deploy.)',
    );
  }
  return next();
};
