/**
 * The console's "your account": the signed-in account's own sessions (each by a public id,
 * never the cookie; the browser named from its User-Agent by the server, never the header
 * itself) and changing its password. Runs anywhere: it imports only zod.
 */
import * as z from 'zod/mini';

/** One of the account's sessions, as its sessions list shows it. */
export const AccountSessionSchema = z.strictObject({
  /** The session's public id: what ends it (DELETE /api/console/sessions/:id). */
  id: z.string(),
  /** "Chrome 156 on Linux", "Firefox 128 on Windows", or "Unknown browser". */
  browser: z.string(),
  /** The client address it signed in from ('unknown' when the server could not tell). */
  address: z.string(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  /** The session this request came with. */
  current: z.boolean(),
});
export type AccountSessionView = z.infer<typeof AccountSessionSchema>;

/** GET /api/console/sessions: the account's live sessions, the latest used first. */
export const AccountSessionListSchema = z.strictObject({ sessions: z.array(AccountSessionSchema) });

/** DELETE /api/console/sessions/:id. */
export const SessionIdParams = z.object({ id: z.string().check(z.regex(/^[A-Za-z0-9_-]{8,64}$/)) });

/** POST /api/console/password: the current password, and the new one (the server judges its length). */
export const PasswordChangeSchema = z.object({
  current: z.string().check(z.maxLength(1000)),
  new: z.string().check(z.maxLength(1000)),
});
export type PasswordChange = z.infer<typeof PasswordChangeSchema>;

/** The password was changed; the account's other sessions ended. */
export const PasswordChangedSchema = z.strictObject({ otherSessionsEnded: z.int().check(z.gte(0)) });
