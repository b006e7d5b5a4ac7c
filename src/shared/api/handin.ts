/**
 * The hand-in package (one signed zip of what an organisation hands in) and the organisation's
 * public key that checks it: the console's wire types, shared by server and console.
 */
import * as z from 'zod/mini';
import { LANGUAGES } from '../campaign.ts';

/** informal: the PDF and CSV; per-country: the same split by the signers' country; paper: the blank collection sheets. */
export const HandinProfileSchema = z.enum(['informal', 'per-country', 'paper']);
export type HandinProfile = z.infer<typeof HandinProfileSchema>;

/** GET /api/console/export/handin-package.zip?campaign=&profile=&lang= (lang: the paper profile's one language). */
export const HandinPackageQuery = z.object({
  campaign: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/))),
  profile: z.optional(HandinProfileSchema),
  lang: z.optional(z.enum(LANGUAGES)),
});

/** GET /api/console/handin-key: the public key to publish (JWK) and its fingerprint. */
export const HandinKeySchema = z.strictObject({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string(),
  /** SHA-256 of the raw 32-byte public key, hex. */
  fingerprint: z.string(),
});
export type HandinKey = z.infer<typeof HandinKeySchema>;
