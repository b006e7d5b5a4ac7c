/**
 * Signing in to the console: a session cookie (Secure, HttpOnly, SameSite=Strict) and a CSRF
 * token that every change echoes in X-CSRF-Token. The account's role and campaigns come with
 * the session, so that the console shows only what the account may do (the server checks
 * every route regardless: server/console/access.ts).
 */
import * as z from 'zod/mini';

/** What an account is: an owner (everything), a campaign manager or a viewer of the campaigns given. */
export const ROLES = ['owner', 'manager', 'viewer'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

/**
 * POST /api/console/login. The email is trimmed and lowercased by the server. `code`: the
 * authenticator app's 6 digits, or a recovery code, for an account with two-factor sign-in.
 */
export const LoginSchema = z.object({
  email: z.string().check(z.maxLength(254)),
  password: z.string().check(z.maxLength(200)),
  code: z.optional(z.string().check(z.maxLength(64))),
});
export type LoginRequest = z.infer<typeof LoginSchema>;

/**
 * Two-factor sign-in of an account: on; off; or required (for an owner, anyone who may export
 * personal data, or everyone when an owner says so) and not set up yet, when the session
 * allows nothing but setting it up.
 */
export const TwoFactorStateSchema = z.enum(['on', 'off', 'setup-required']);
export type TwoFactorState = z.infer<typeof TwoFactorStateSchema>;

/** The signed-in account, as the console shows it. `campaigns`: the ids it has, or 'all' (an owner). */
export const CoordinatorSchema = z.strictObject({
  email: z.string(),
  name: z.string(),
  role: RoleSchema,
  campaigns: z.union([z.literal('all'), z.array(z.string())]),
  mayExportPersonalData: z.boolean(),
  twoFactor: TwoFactorStateSchema,
});
export type Coordinator = z.infer<typeof CoordinatorSchema>;

/** A session: who is signed in, and the token to echo on every change. */
export const SessionInfoSchema = z.strictObject({ coordinator: CoordinatorSchema, csrfToken: z.string().check(z.minLength(1)) });
export type SessionInfo = z.infer<typeof SessionInfoSchema>;

/** GET /api/console/session, signed out: answered 200, not 401 (it is a question, not an error). */
export const SignedOutSchema = z.strictObject({ coordinator: z.null() });

/** GET /api/console/session: the session, or no coordinator. */
export const SessionAnswerSchema = z.union([SessionInfoSchema, SignedOutSchema]);
