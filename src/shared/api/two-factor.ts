/**
 * Two-factor sign-in, set up and kept from the console: a new secret to scan (or type), the
 * first code that proves the app has it, the recovery codes that stand in for a lost phone
 * (shown once, kept by the server only as hashes), and turning it off where it is not required.
 */
import * as z from 'zod/mini';

/** POST /api/console/two-factor/setup: a new secret, not in use until a code confirms it. */
export const TwoFactorSetupSchema = z.strictObject({
  /** Base32, for typing into an authenticator app by hand. */
  secret: z.string(),
  /** The otpauth:// address the QR code holds. */
  uri: z.string(),
  /** The QR code of `uri`, as an SVG document. */
  qrSvg: z.string(),
});
export type TwoFactorSetup = z.infer<typeof TwoFactorSetupSchema>;

/** A code from the authenticator app (or, where the route says so, a recovery code). */
export const TwoFactorCodeSchema = z.object({ code: z.string().check(z.trim(), z.minLength(1, 'Enter the code.'), z.maxLength(64)) });

/** New recovery codes, each good for one sign-in: shown this once. */
export const RecoveryCodesSchema = z.strictObject({ recoveryCodes: z.array(z.string()) });
export type RecoveryCodes = z.infer<typeof RecoveryCodesSchema>;
