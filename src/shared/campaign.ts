/**
 * A campaign: the petition a tablet collects signatures for, as a document validated by
 * zod. The server serves it (GET /api/v1/campaign) and the tablet caches it for offline
 * use, so a coordinator can change the petition without a new build.
 */
import * as z from 'zod/mini';

/** Languages the kiosk has UI catalogs for. */
export const LANGUAGES = ['en', 'fr', 'es', 'ar'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Right-to-left languages among them. */
export const RTL_LANGUAGES: ReadonlySet<string> = new Set(['ar']);

const Text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));

/** The words of a petition in one language, including the consent wording. */
export const CampaignTextSchema = z.object({
  title: Text(300),
  intro: z.array(Text(4000)).check(z.maxLength(20)),
  call: Text(500),
  demands: z.array(Text(2000)).check(z.minLength(1), z.maxLength(20)),
  closing: z.optional(Text(2000)),
  /** The opt-in to future contact; the checkbox is never pre-ticked. */
  optIn: Text(500),
  /** What a signer who types instead of drawing confirms. `{name}` is their typed name. */
  attestation: Text(500),
});
export type CampaignText = z.infer<typeof CampaignTextSchema>;

/** Whether a signer field is shown, and if so whether it must be filled. */
export const FieldRuleSchema = z.object({ shown: z.boolean(), required: z.boolean() });
export type FieldRule = z.infer<typeof FieldRuleSchema>;

export const SIGNER_FIELDS = ['name', 'email', 'country', 'postcode', 'phone'] as const;
export type SignerField = (typeof SIGNER_FIELDS)[number];

export const CampaignSchema = z
  .object({
    id: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'Use 1–64 letters, digits, - or _.')),
    /** Bumped whenever the petition text changes. */
    version: z.int().check(z.gte(1)),
    /** Bumped whenever the consent wording (opt-in, attestation) changes. */
    consentVersion: z.int().check(z.gte(1)),
    languages: z.array(z.enum(LANGUAGES)).check(z.minLength(1)),
    defaultLanguage: z.enum(LANGUAGES),
    text: z.partialRecord(z.enum(LANGUAGES), CampaignTextSchema),
    fields: z.object({
      name: FieldRuleSchema,
      email: FieldRuleSchema,
      country: FieldRuleSchema,
      postcode: FieldRuleSchema,
      phone: FieldRuleSchema,
    }),
    theme: z.object({ color: z.string().check(z.regex(/^#[0-9a-fA-F]{6}$/, 'Use a colour like #1a1a2e.')) }),
    /** A small logo: a same-origin path or a data: URL of an SVG/PNG image. */
    logo: z.optional(
      z.string().check(z.maxLength(100_000), z.regex(/^(\/[\w./-]*|data:image\/(svg\+xml|png);base64,[A-Za-z0-9+/=]+)$/, 'Use a path like /logo.svg or a data:image URL.')),
    ),
    /**
     * Sealed signatures: the coordinator's public key (from `npm run cli -- keygen`). With it,
     * the tablet encrypts each signer's details and strokes before storing them.
     */
    sealing: z.optional(
      z.object({
        alg: z.literal('A256GCM+RSA-OAEP-256'),
        keyId: z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/, 'A key id is the key\'s 43-character thumbprint.')),
        publicKeyJwk: z.object({ kty: z.literal('RSA'), n: z.string().check(z.maxLength(2000)), e: z.string().check(z.maxLength(20)) }),
        /** Keep the signer's country in clear beside the sealed data, for the dashboard. */
        countryInClear: z.boolean(),
      }),
    ),
    /** The kiosk's walk-away reset: idle time before the countdown, and the countdown itself. */
    kiosk: z.optional(
      z.object({
        idleSeconds: z.int().check(z.gte(5), z.lte(3600)),
        countdownSeconds: z.int().check(z.gte(3), z.lte(120)),
      }),
    ),
  })
  .check(
    z.refine((c) => c.languages.every((l) => c.text[l]), { message: 'Every offered language needs its text.', path: ['text'] }),
    z.refine((c) => c.languages.includes(c.defaultLanguage), { message: 'The default language must be offered.', path: ['defaultLanguage'] }),
    z.refine((c) => c.fields.name.shown && c.fields.name.required, { message: 'A petition always asks for the signer’s name.', path: ['fields', 'name'] }),
    z.refine((c) => SIGNER_FIELDS.every((f) => c.fields[f].shown || !c.fields[f].required), {
      message: 'A hidden field cannot be required.',
      path: ['fields'],
    }),
  );
export type Campaign = z.infer<typeof CampaignSchema>;

/** The kiosk's walk-away timing when a campaign does not set `kiosk`: 90 s idle, then a 15 s countdown. */
export const DEFAULT_KIOSK_TIMING: KioskTiming = { idleSeconds: 90, countdownSeconds: 15 };
export type KioskTiming = NonNullable<Campaign['kiosk']>;

/** The campaign's walk-away timing, or the defaults. */
export function kioskTiming(campaign: Pick<Campaign, 'kiosk'>): KioskTiming {
  return campaign.kiosk ?? DEFAULT_KIOSK_TIMING;
}

/** The campaign text in `lang`, falling back to the campaign's default language. */
export function campaignText(campaign: Campaign, lang: string): CampaignText {
  return campaign.text[lang as Language] ?? campaign.text[campaign.defaultLanguage]!;
}
