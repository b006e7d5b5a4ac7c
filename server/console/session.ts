/**
 * Console sessions: a random id in a Secure, HttpOnly, SameSite=Strict cookie (the server
 * keeps only its hash), and a CSRF token that every change must echo in X-CSRF-Token. The
 * check is middleware (requireSession), mounted on every session route of routes.ts.
 *
 * A session ends `sessions.lifetimeMs` after sign-in (--session-hours), or once unused for
 * `sessions.idleMs` (--session-idle-minutes): each request through the middleware marks it
 * used, at most once a minute, so that a busy console costs no write per request.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { sha256 } from '../devices.ts';
import { HttpError } from '../http-reply.ts';
import type { Session } from '../store/store.ts';
import { campaignOf, type AppContext, type AppEnv, type ConsoleSession, type Ctx } from '../routes/context.ts';
import { clientAddress, mayCarrySecrets, requestOf } from '../client-address.ts';
import { refusal, type Need } from './access.ts';

/**
 * `__Host-`: the browser keeps it only if it is Secure, for this exact host and path /, so
 * no other site under the same domain, and no plain-http page, can set or overwrite it.
 */
export const SESSION_COOKIE = '__Host-fieldsign_session';
/** A session's last-seen time is written at most this often: the idle timeout is that precise. */
export const LAST_SEEN_EVERY_MS = 60_000;

/** A browser's User-Agent, as far as a sessions list needs it. */
const MAX_USER_AGENT = 300;

/**
 * Start a session for the request `c` (its address and browser are what the account's
 * sessions list shows); returns the Set-Cookie header value and the CSRF token.
 */
export async function startSession(c: Ctx, coordinatorId: string, secondFactor: boolean): Promise<{ cookie: string; csrfToken: string; idHash: string }> {
  const { store, now, sessions } = c.var.app;
  const at = now();
  const id = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  await store.createSession({
    idHash: sha256(id),
    publicId: randomBytes(12).toString('base64url'),
    coordinatorId,
    csrfToken,
    createdAt: at.toISOString(),
    expiresAt: new Date(at.getTime() + sessions.lifetimeMs).toISOString(),
    address: clientAddress(requestOf(c)),
    userAgent: (c.req.header('user-agent') ?? '').slice(0, MAX_USER_AGENT),
    secondFactor,
  });
  const maxAge = Math.floor(sessions.lifetimeMs / 1000);
  return { cookie: `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=${maxAge}`, csrfToken, idHash: sha256(id) };
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

/** The session with this id hash while it lives: unexpired, of an enabled account, and used within the idle timeout. */
export function liveSession(app: Pick<AppContext, 'store' | 'now' | 'sessions'>, idHash: string): Promise<Session | undefined> {
  const now = app.now();
  return app.store.sessionByIdHash(idHash, now.toISOString(), new Date(now.getTime() - app.sessions.idleMs).toISOString());
}

/** The valid session of a Cookie header, or undefined: for asking "is anyone signed in?", which is not an error. */
export async function currentSession(app: Pick<AppContext, 'store' | 'now' | 'sessions'>, cookieHeader: string | null | undefined): Promise<ConsoleSession | undefined> {
  const id = sessionId(cookieHeader);
  if (!id) return undefined;
  const idHash = sha256(id);
  const session = await liveSession(app, idHash);
  return session && { ...session, idHash };
}

/** Mark the session used now, when its last mark is a minute old or more (the idle timeout counts from it). */
async function markUsed(app: Pick<AppContext, 'store' | 'now'>, session: ConsoleSession): Promise<void> {
  const now = app.now().getTime();
  if (now - Date.parse(session.lastSeenAt) < LAST_SEEN_EVERY_MS) return;
  await app.store.touchSession(session.idHash, new Date(now).toISOString(), new Date(now - LAST_SEEN_EVERY_MS).toISOString());
}

/**
 * Middleware: the request's valid session in `c.var.session`, or 401. For anything but
 * GET/HEAD it also demands the CSRF token in X-CSRF-Token and, when the browser sends one, a
 * same-origin Origin header (403). Runs once per request however often it is mounted.
 */
export const requireSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.get('session')) return next();
  const session = await currentSession(c.var.app, c.req.header('cookie'));
  if (!session) throw new HttpError(401, 'unauthorized', 'Please sign in to the console.');
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
    const origin = c.req.header('origin');
    if (origin !== undefined && !sameOrigin(origin, c)) throw new HttpError(403, 'forbidden', 'Cross-site request refused.');
    const a = Buffer.from(c.req.header('x-csrf-token') ?? '');
    const b = Buffer.from(session.csrfToken);
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new HttpError(403, 'forbidden', 'Missing or wrong CSRF token. Reload the console.');
  }
  await markUsed(c.var.app, session);
  c.set('session', session);
  return next();
};

/** Where a route's campaign is named: the path's `:id`, `?campaign=` (or the default), or nowhere. */
export type CampaignScope = 'path' | 'query' | 'none';

/**
 * Middleware after requireSession: 403 with a clear message unless the account may do what
 * `need` names, of the route's campaign (access.ts). A route about no campaign is judged by
 * role; its handler judges the items it touches (mayReach).
 */
export function requireAccess(need: Need, scope: CampaignScope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const campaignId = scope === 'path' ? c.req.param('id') : scope === 'query' ? campaignOf(c) : undefined;
    const refused = refusal(c.var.session, need, campaignId);
    if (refused) throw new HttpError(403, refused.code, refused.message);
    return next();
  };
}

/** Whether the request's account may do what `need` names of an item of `campaignId` (a signature, a paper count). */
export function mayReach(c: Ctx, need: Need, campaignId: string): boolean {
  return refusal(c.var.session, need, campaignId) === undefined;
}

/** Throw the 403 of `need` on `campaignId` unless the request's account may. */
export function assertMay(c: Ctx, need: Need, campaignId: string): void {
  const refused = refusal(c.var.session, need, campaignId);
  if (refused) throw new HttpError(403, refused.code, refused.message);
}

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
