/**
 * Console sessions: a random id in a Secure, HttpOnly, SameSite=Strict cookie (the server
 * keeps only its hash), and a CSRF token that every change must echo in X-CSRF-Token.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { sha256 } from '../devices.ts';
import { HttpError } from '../http-body.ts';
import type { Session, Store } from '../store/store.ts';

export const SESSION_COOKIE = 'fieldsign_session';
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

/** The session id from the request's cookie, if any. */
export function sessionId(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=') || undefined;
  }
  return undefined;
}

/**
 * The request's valid session, or 401. For anything but GET/HEAD it also demands the CSRF
 * token in X-CSRF-Token and, when the browser sends one, a same-origin Origin header.
 */
export async function requireSession(store: Store, req: IncomingMessage, now: Date): Promise<Session & { idHash: string }> {
  const session = await currentSession(store, req, now);
  if (!session) throw new HttpError(401, 'unauthorized', 'Please sign in to the console.');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const origin = req.headers.origin;
    if (origin !== undefined && hostOf(origin) !== req.headers.host) throw new HttpError(403, 'forbidden', 'Cross-site request refused.');
    const token = String(req.headers['x-csrf-token'] ?? '');
    const a = Buffer.from(token);
    const b = Buffer.from(session.csrfToken);
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new HttpError(403, 'forbidden', 'Missing or wrong CSRF token. Reload the console.');
  }
  return session;
}

/** The request's valid session, or undefined: for asking "is anyone signed in?", which is not an error. */
export async function currentSession(store: Store, req: IncomingMessage, now: Date): Promise<(Session & { idHash: string }) | undefined> {
  const id = sessionId(req);
  if (!id) return undefined;
  const idHash = sha256(id);
  const session = await store.sessionByIdHash(idHash, now.toISOString());
  return session && { ...session, idHash };
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}
