/**
 * Signing in to the console: a session cookie (Secure, HttpOnly, SameSite=Strict) and a CSRF
 * token that every change echoes in X-CSRF-Token.
 */
import * as z from 'zod/mini';

/** POST /api/console/login. The email is trimmed and lowercased by the server. */
export const LoginSchema = z.object({ email: z.string().check(z.maxLength(254)), password: z.string().check(z.maxLength(200)) });
export type LoginRequest = z.infer<typeof LoginSchema>;

/** The signed-in coordinator, as the console shows them. */
export const CoordinatorSchema = z.strictObject({ email: z.string(), name: z.string() });
export type Coordinator = z.infer<typeof CoordinatorSchema>;

/** A session: who is signed in, and the token to echo on every change. */
export const SessionInfoSchema = z.strictObject({ coordinator: CoordinatorSchema, csrfToken: z.string().check(z.minLength(1)) });
export type SessionInfo = z.infer<typeof SessionInfoSchema>;

/** GET /api/console/session, signed out: answered 200, not 401 (it is a question, not an error). */
export const SignedOutSchema = z.strictObject({ coordinator: z.null() });

/** GET /api/console/session: the session, or no coordinator. */
export const SessionAnswerSchema = z.union([SessionInfoSchema, SignedOutSchema]);
