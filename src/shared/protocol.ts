/**
 * The sync protocol and the signature record: one set of zod schemas imported by the kiosk
 * (browser) and by the server (Node). The server re-validates everything it receives with
 * these same schemas. Uses `zod/mini` to keep the kiosk bundle small.
 *
 * `payload` is a union: plaintext signer data, or a sealed (encrypted) payload in a sealed
 * campaign (S22, src/shared/seal.ts). Batch results are per record, with reasons; a refusal
 * of a whole request is one error shape, and an incompatible protocol says which side is too
 * old (S28).
 */
import * as z from 'zod/mini';
import { isCountryCode } from './countries.ts';
import { decodeInk, INK_LIMITS, InkDecodeError } from './ink.ts';
import { LANGUAGES } from './campaign.ts';
import { labelCheck, nameCheck, storableCheck } from './text-checks.ts';

/** Version of the batch protocol spoken by this build. */
export const PROTOCOL_VERSION = 1;
/** Oldest protocol version the server still accepts. */
export const MIN_PROTOCOL_VERSION = 1;
/** Most records one batch may carry. */
export const MAX_BATCH_RECORDS = 500;

const EMAIL = z.email();

/**
 * How a name is judged: as it arrives (nameCheck: a visible letter, no text-direction
 * controls), or as held (storableCheck only) once it is stored or sealed, since it was
 * judged by the rules of its day (a sealed one by no server at all): a signature is never
 * refused on the way out because a rule came later.
 */
type NameRule = (subject: string) => z.core.$ZodCheck<string>;

const signerSchema = (nameRule: NameRule) => z.object({
  name: z.string().check(
    z.trim(),
    z.minLength(1, 'Please enter your full name.'),
    z.maxLength(200, 'Please shorten your name to 200 characters.'),
    nameRule('The name'),
  ),
  email: z.optional(
    z.string().check(
      z.trim(),
      z.toLowerCase(),
      z.minLength(1, 'Please enter your email address.'),
      z.maxLength(254, 'That email address is too long.'),
      z.refine((s) => s === '' || z.safeParse(EMAIL, s).success, 'Please enter a valid email address, like name@example.org.'),
    ),
  ),
  /** Which fields are shown and required is the campaign's choice; the kiosk enforces it. */
  country: z.optional(z.string().check(z.refine(isCountryCode, 'Please choose your country.'))),
  postcode: z.optional(z.string().check(z.trim(), z.regex(/^[A-Za-z0-9][A-Za-z0-9 -]{0,15}$/, 'Please enter a valid postcode.'))),
  phone: z.optional(
    z.string().check(z.trim(), z.regex(/^\+?[0-9][0-9 ()-]{3,22}[0-9]$/, 'Please enter a valid phone number, digits only, with an optional +.')),
  ),
  /** Opt-in to future contact. Never pre-ticked; the signature stands without it. */
  optIn: z.boolean(),
});
/** The signer's own details, as typed on the form. */
export const SignerSchema = signerSchema(nameCheck);
export type Signer = z.infer<typeof SignerSchema>;

/** Packed vector strokes; see ink.ts. The refinement decodes them, so junk never gets stored. */
export const InkSchema = z.object({
  format: z.literal(1),
  width: z.int().check(z.gte(1), z.lte(10_000)),
  height: z.int().check(z.gte(1), z.lte(10_000)),
  data: z.string().check(
    z.minLength(1, 'The signature is empty.'),
    z.maxLength(INK_LIMITS.maxDataChars, 'The signature is too large.'),
    z.refine(inkDecodes, 'The signature strokes are malformed.'),
  ),
});
export type InkData = z.infer<typeof InkSchema>;

function inkDecodes(data: string): boolean {
  try {
    return decodeInk({ format: 1, width: 1, height: 1, data }).strokes.length > 0;
  } catch (e) {
    if (e instanceof InkDecodeError) return false;
    throw e;
  }
}

/** A signature typed instead of drawn (the accessible alternative), with what was attested. */
const typedSignatureSchema = (nameRule: NameRule) => z.object({
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(200), nameRule('The typed name')),
  /** The exact attestation wording the signer confirmed, with their name filled in. */
  attestation: z.string().check(z.minLength(1), z.maxLength(800), storableCheck('The attestation')),
});
export const TypedSignatureSchema = typedSignatureSchema(nameCheck);

/** Signer data and the signature in clear text: drawn strokes, or a typed name with attestation. */
const plainPayloadSchema = (nameRule: NameRule) => z
  .object({
    kind: z.literal('plain'),
    signer: signerSchema(nameRule),
    ink: z.optional(InkSchema),
    typed: z.optional(typedSignatureSchema(nameRule)),
  })
  .check(z.refine((p) => (p.ink === undefined) !== (p.typed === undefined), { message: 'A signature is either drawn (ink) or typed, not both or neither.', path: ['ink'] }));
export const PlainPayloadSchema = plainPayloadSchema(nameCheck);
/** A plain payload as held: opened from a seal, or read back from the server (see NameRule). */
export const HeldPlainPayloadSchema = plainPayloadSchema(storableCheck);

/**
 * Signer data and strokes encrypted on the tablet, in a sealed campaign (S22): a per-record
 * AES-256-GCM key wrapped for the coordinator's public key.
 */
export const SealedPayloadSchema = z.object({
  kind: z.literal('sealed'),
  alg: z.string().check(z.maxLength(64), z.regex(/^[\x20-\x7e]*$/)),
  keyId: z.string().check(z.maxLength(128), z.regex(/^[\x20-\x7e]*$/)),
  wrappedKey: z.string().check(z.maxLength(2048), z.regex(/^[A-Za-z0-9_-]*$/)),
  iv: z.string().check(z.maxLength(64), z.regex(/^[A-Za-z0-9_-]*$/)),
  ciphertext: z.string().check(z.maxLength(200_000), z.regex(/^[A-Za-z0-9_-]*$/)),
});

export const PayloadSchema = z.discriminatedUnion('kind', [PlainPayloadSchema, SealedPayloadSchema]);
const HeldPayloadSchema = z.discriminatedUnion('kind', [HeldPlainPayloadSchema, SealedPayloadSchema]);

/** Identifier of a campaign, device or event: short, URL-safe. */
const Slug = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9_-]+$/, 'Use letters, digits, - or _.'));

/** A base64url SHA-256 (43 characters): a chain link. */
const Link = z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/, 'A chain link is a base64url SHA-256.'));

/** A record's place in the hash chain of the device it was captured on. */
export const RecordChainSchema = z.object({
  /** The device id the record was captured under; it names the chain and survives re-enrollment. */
  device: Slug,
  /** 0, 1, 2… in capture order on that device. */
  seq: z.int().check(z.gte(0)),
  /** The previous record's link, or the chain's genesis link for seq 0. */
  prev: Link,
  link: Link,
});

/** The newest link of a device's chain, as the tablet reports it. */
export const ChainHeadSchema = z.object({ device: Slug, seq: z.int().check(z.gte(0)), link: Link });
export type ChainHead = z.infer<typeof ChainHeadSchema>;

/**
 * One signature as captured on a tablet. `id` is a UUID made once at capture and never
 * changed; it is what makes every retry idempotent.
 */
const signatureRecordSchema = <P extends typeof PayloadSchema | typeof HeldPayloadSchema>(payload: P) => z.object({
  id: z.uuid(),
  /** Version of this record's shape. */
  v: z.literal(1),
  deviceId: Slug,
  campaignId: Slug,
  campaignVersion: z.int().check(z.gte(0)),
  /**
   * The SHA-256 of the published version's content (src/shared/campaigns.ts), as the tablet
   * received it: proves which exact text the signer saw (S26). Absent from 0.1.0 tablets.
   */
  campaignHash: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/, 'A campaign hash is 43 base64url characters.'))),
  /** Version of the consent wording the signer saw (opt-in, attestation). */
  consentVersion: z.optional(z.int().check(z.gte(0))),
  /** Language the petition and form were shown in. */
  lang: z.optional(z.enum(LANGUAGES)),
  /** Capture time by the tablet's clock. Informational only: never used for ordering or dedup. */
  capturedAt: z.iso.datetime({ offset: true }),
  payload,
  /**
   * The signer's country in clear beside a sealed payload, for the dashboard, when the
   * campaign allows it (`sealing.countryInClear`). Never sent with a plain payload, which
   * already carries it.
   */
  country: z.optional(z.string().check(z.refine(isCountryCode, 'Unknown country code.'))),
  /** The record's place in its device's hash chain (see chain.ts): tamper evidence. */
  chain: z.optional(RecordChainSchema),
  /**
   * 128 random bits in a plain record, so that its chain link (kept on the tablet after the
   * signer's details are gone) cannot be matched against a guessed name, email and time.
   */
  nonce: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{22}$/, 'A nonce is 16 random bytes in base64url.'))),
});
export const SignatureRecordSchema = signatureRecordSchema(PayloadSchema);
/** A record as the server holds it, read back by the console (see NameRule). */
export const HeldSignatureRecordSchema = signatureRecordSchema(HeldPayloadSchema);
export type SignatureRecord = z.infer<typeof SignatureRecordSchema>;

/**
 * What a tablet says about itself with every batch (S21). Counts are snapshots; `erased` is a
 * running total since enrollment, so a retried or late report can never count twice.
 */
export const BatchReportSchema = z.object({
  pending: z.int().check(z.gte(0)),
  quarantined: z.int().check(z.gte(0)),
  /** The newest link of the tablet's current chain: anchors the end of the chain check. */
  chain: z.optional(ChainHeadSchema),
  /** Whether the browser made the tablet's storage persistent (not evicted under pressure). */
  persisted: z.optional(z.boolean()),
  /** Bytes the origin uses and may use, as the browser estimates them. */
  storage: z.optional(z.object({ usage: z.number().check(z.gte(0)), quota: z.number().check(z.gte(0)) })),
  /** The app build running on the tablet, e.g. "0.1.0+845501f". */
  appVersion: z.optional(z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[\x20-\x7e]+$/, 'The app version must be short printable text.'))),
  /** The tablet's last successful sync, by its own clock. */
  lastSyncAt: z.optional(z.iso.datetime({ offset: true })),
  /** Signatures erased on this tablet by the volunteer's quick delete since enrollment (a running total). */
  erased: z.optional(z.int().check(z.gte(0))),
});
export type BatchReport = z.infer<typeof BatchReportSchema>;

/**
 * The body of POST /api/v1/batches. Records are parsed one by one on the server so that one
 * bad record never blocks the rest, hence `unknown` here. The report too is parsed on its own
 * (server/ingest.ts; server/devices.ts: recordReport saves it), and one that breaks
 * BatchReportSchema is ignored: a bad report must never get the batch refused, or the tablet
 * would halve it down to lone good records and quarantine them (S15, S21).
 */
export const BatchRequestSchema = z.object({
  protocol: z.int(),
  deviceId: Slug,
  /** The tablet's clock when it sent the batch; lets the server flag a wrong clock. */
  sentAt: z.optional(z.iso.datetime({ offset: true })),
  /** The tablet's own account of itself, so the console can spot tablets holding unsynced signatures. */
  report: z.optional(z.unknown()),
  records: z.array(z.unknown()).check(z.maxLength(MAX_BATCH_RECORDS, `A batch holds at most ${MAX_BATCH_RECORDS} records.`)),
});
export type BatchRequest = {
  protocol: number;
  deviceId: string;
  sentAt?: string;
  report?: BatchReport;
  records: SignatureRecord[];
};

/** A field-level reason, e.g. `{ path: "payload.signer.email", message: "..." }`. */
export const IssueSchema = z.object({ path: z.string(), message: z.string() });
export type FieldIssue = z.infer<typeof IssueSchema>;

/** What happened to one record of a batch. */
export const RecordResultSchema = z.object({
  /** The record's id, or `#<index>` when the record had no usable id. */
  id: z.string(),
  status: z.enum(['accepted', 'duplicate', 'conflict', 'invalid']),
  issues: z.optional(z.array(IssueSchema)),
});
export type RecordResult = z.infer<typeof RecordResultSchema>;

/** The answer to a batch: one result per record, in request order. */
export const BatchResponseSchema = z.object({
  protocol: z.int(),
  /** The server's clock: the time that counts for every record of the batch. */
  receivedAt: z.string(),
  results: z.array(RecordResultSchema),
  /** How far the tablet's clock is off, when the batch said what time it was sent. */
  clock: z.optional(z.object({ skewMs: z.number(), suspect: z.boolean() })),
});
export type BatchResponse = z.infer<typeof BatchResponseSchema>;

/** Machine-readable error codes of the API. */
export const ERROR_CODES = [
  'bad_request',
  'invalid_json',
  'unsupported_media_type',
  'payload_too_large',
  'incompatible_protocol',
  'not_found',
  'method_not_allowed',
  'unauthorized',
  'device_revoked',
  'token_expired',
  'forbidden',
  /** A console account that must set up two-factor sign-in may do nothing else until it has. */
  'two_factor_setup_required',
  /** The password was right; the account's two-factor code is needed too (console sign-in). */
  'second_factor_required',
  'enrollment_refused',
  'rate_limited',
  /** The server is at capacity for this (e.g. live streams); `Retry-After` says when to retry. */
  'unavailable',
  /** The request contradicts what is stored (e.g. publishing a draft that changes nothing). */
  'conflict',
  'internal',
] as const;

/** Enrollment codes: 10 Crockford base32 characters, shown as XXXXX-XXXXX. */
export const ENROLLMENT_CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Uppercase, drop separators and map look-alikes (O→0, I/L→1), as Crockford base32 does. */
export function normalizeEnrollmentCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

/** POST /api/v1/enroll: a tablet trades a one-time code for its device token. */
export const EnrollRequestSchema = z.object({
  protocol: z.int(),
  code: z.string().check(
    z.maxLength(40, 'The enrollment code is too long.'),
    z.refine((c) => /^[0-9A-HJKMNP-TV-Z]{10}$/.test(normalizeEnrollmentCode(c)), 'An enrollment code has 10 letters and digits, like 7K2QD-M9XHP.'),
  ),
  /** A name the coordinator will recognise, e.g. "Tablet 3". */
  label: z.optional(
    z.string().check(
      z.trim(),
      z.maxLength(80, 'The tablet name must be at most 80 characters.'),
      labelCheck('The tablet name'),
    ),
  ),
});

/** The answer to a successful enrollment. The token is shown once and never stored in clear. */
export const EnrollResponseSchema = z.object({
  deviceId: z.string(),
  token: z.string(),
  event: z.string(),
  /** How long the tablet keeps a signer's data after the server acknowledged it (S19). */
  retentionMs: z.optional(z.int().check(z.gte(0))),
  /** When the device token stops working (S25); absent when it never expires. */
  tokenExpiresAt: z.optional(z.iso.datetime({ offset: true })),
});
export type EnrollResponse = z.infer<typeof EnrollResponseSchema>;

/**
 * Why the two sides cannot talk (S28): the tablet's protocol is older than the server still
 * accepts (`client_too_old`: update the app), or newer than it speaks (`server_too_old`).
 */
export const INCOMPATIBLE_REASONS = ['client_too_old', 'server_too_old'] as const;
export type IncompatibleReason = (typeof INCOMPATIBLE_REASONS)[number];

/** S2, S28: which side is too old for a request speaking `protocol`; undefined when this server speaks it. */
export function protocolMismatch(protocol: number): IncompatibleReason | undefined {
  if (protocol < MIN_PROTOCOL_VERSION) return 'client_too_old';
  if (protocol > PROTOCOL_VERSION) return 'server_too_old';
  return undefined;
}

/** Every non-2xx answer of the API has this shape. */
export const ErrorResponseSchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    issues: z.optional(z.array(IssueSchema)),
    /** For `incompatible_protocol`: the range the server speaks. */
    supported: z.optional(z.object({ min: z.int(), max: z.int() })),
    /**
     * For `incompatible_protocol` (S28): which side is too old. Optional, so that an older
     * tablet, which never reads it, and an older server, which never sends it, still agree.
     */
    reason: z.optional(z.enum(INCOMPATIBLE_REASONS)),
  }),
});
export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;

/** Turn zod issues into path/message pairs a person can read. */
export function toFieldIssues(error: z.core.$ZodError, prefix = ''): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(root)',
    message: issue.message,
  }));
}
