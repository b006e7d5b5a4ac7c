/**
 * The console's signatures: the searchable list, one signature's strokes as SVG, deletion on
 * a data-subject request, and the stored records as they are (sealed ones still sealed), for
 * the console to open with the coordinator's key in the browser.
 */
import * as z from 'zod/mini';
import { LANGUAGES } from '../campaign.ts';
import { ChainHeadSchema, HeldSignatureRecordSchema } from '../protocol.ts';

/** Query parameters are text; the server clamps numbers to their range and ignores junk. */
const Digits = z.optional(z.string().check(z.regex(/^\d+$/)));
/** `?campaign=<id>`: the campaign the request concerns (default: the default campaign). */
const CampaignParam = z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/)));

/** `?campaign=` alone. */
export const CampaignScopeQuery = z.object({ campaign: CampaignParam });

/** GET /api/console/signatures: newest first; `before`/`after` are a row's seq (cursors), `offset` only echoed with them. */
export const SignaturesQuery = z.object({
  campaign: CampaignParam,
  /** Matches name, email or id (at most 200 characters are used). */
  q: z.optional(z.string()),
  offset: Digits,
  /** 1–200, default 50. */
  limit: Digits,
  before: Digits,
  after: Digits,
  /** `1`: only possible duplicates. */
  duplicates: z.optional(z.string()),
  /** `1`: only those matching no published version (S26). */
  problems: z.optional(z.string()),
  version: Digits,
  lang: z.optional(z.string()),
  /** `only`: only signatures set aside; `exclude`: only those in the hand-in. */
  setAside: z.optional(z.enum(['only', 'exclude'])),
});

/** Why a coordinator set a signature aside from the hand-in (it is kept, counted apart and audited). */
export const SetAsideReasonSchema = z.enum(['duplicate', 'test', 'withdrawn', 'unreadable', 'other']);
export type SetAsideReason = z.infer<typeof SetAsideReasonSchema>;
export const SET_ASIDE_REASONS = SetAsideReasonSchema.options;

/** A signature's place outside the hand-in: why, a note, when and by whom (a coordinator's email). */
export const SetAsideSchema = z.strictObject({ reason: SetAsideReasonSchema, note: z.nullable(z.string()), at: z.string(), by: z.string() });
export type SetAside = z.infer<typeof SetAsideSchema>;

/** Why a signature matches no published version (S26). */
export const VersionProblemSchema = z.enum(['unknown-campaign', 'unknown-version', 'hash-mismatch']);
export type VersionProblem = z.infer<typeof VersionProblemSchema>;

/** One line of the list; the signer's details are null for a sealed signature. */
export const SignatureRowSchema = z.strictObject({
  /** Arrival order on the server: the cursor for the next and previous pages. */
  seq: z.int(),
  id: z.string(),
  name: z.nullable(z.string()),
  email: z.nullable(z.string()),
  country: z.nullable(z.string()),
  optIn: z.nullable(z.boolean()),
  typed: z.boolean(),
  lang: z.nullable(z.enum(LANGUAGES)),
  campaignVersion: z.int(),
  versionProblem: z.nullable(VersionProblemSchema),
  /** Captured after the campaign was closed (it still counts: a tablet may have been offline). */
  capturedAfterClose: z.boolean(),
  deviceId: z.string(),
  capturedAt: z.string(),
  receivedAt: z.string(),
  clockSuspect: z.boolean(),
  possibleDuplicate: z.boolean(),
  /** Set aside from the hand-in (optional: older servers do not send it). */
  setAside: z.optional(z.nullable(SetAsideSchema)),
});
export type SignatureRow = z.infer<typeof SignatureRowSchema>;

export const SignaturePageSchema = z.strictObject({
  total: z.int(),
  /** A search found more than `total` (10,000) matches and stopped counting. */
  totalCapped: z.optional(z.literal(true)),
  offset: z.int(),
  rows: z.array(SignatureRowSchema),
});
export type SignaturePage = z.infer<typeof SignaturePageSchema>;

/** A signature's id in a path. */
export const SignatureIdParams = z.object({ id: z.string().check(z.regex(/^[0-9a-fA-F-]{36}$/)) });

/** GET /api/console/records: the page after arrival seq `after` (default 0); `limit` 1–1000, default 200. */
export const RecordsQuery = z.object({ campaign: CampaignParam, after: Digits, limit: Digits });

/** One stored record, as the console receives it. */
export const RecordRowSchema = z.strictObject({
  seq: z.int(),
  id: z.string(),
  deviceId: z.string(),
  receivedAt: z.string(),
  record: HeldSignatureRecordSchema,
});
export type RecordRow = z.infer<typeof RecordRowSchema>;

/** A chain head a tablet reported, with its count of signatures erased by quick delete (see chain-check.ts). */
export const ReportedHeadSchema = z.extend(ChainHeadSchema, { erased: z.optional(z.int()), waiting: z.optional(z.int()) });

/** Where a signature deleted on request sat in its chain, as its tombstone kept it (no personal data). */
export const DeletedChainPlaceSchema = z.object({ device: z.string(), seq: z.int(), link: z.string(), id: z.optional(z.string()) });

export const RecordsPageSchema = z.strictObject({
  records: z.array(RecordRowSchema),
  /** The `after` of the next page, or null when this was the last. */
  next: z.nullable(z.int()),
  /** The chain head each tablet last reported. */
  heads: z.array(ReportedHeadSchema),
  /** Tablets' names by device id, for the verdicts. */
  tablets: z.array(z.strictObject({ id: z.string(), label: z.nullable(z.string()) })),
  /** The campaign's sealing key id, or null for an unsealed campaign. */
  sealingKeyId: z.nullable(z.string()),
  /**
   * On the first page: signatures deleted on a data-subject request (how many, from the audit
   * log) and the chain places their tombstones kept, so the chain check counts those gaps as
   * deleted, not missing (S20).
   */
  deletedOnRequest: z.optional(z.strictObject({ count: z.int(), places: z.array(DeletedChainPlaceSchema) })),
});
export type RecordsPage = z.infer<typeof RecordsPageSchema>;

/** The signatures page's filter, as a bulk action names it (the same fields as the search's). */
export const SignatureFilterSchema = z.strictObject({
  q: z.optional(z.string().check(z.maxLength(200))),
  duplicates: z.optional(z.boolean()),
  problems: z.optional(z.boolean()),
  version: z.optional(z.int().check(z.nonnegative())),
  lang: z.optional(z.string().check(z.maxLength(8))),
  setAside: z.optional(z.enum(['only', 'exclude'])),
});
export type SignatureFilter = z.infer<typeof SignatureFilterSchema>;

/** At most this many ids in one request; a larger set goes by filter. */
export const MAX_IDS_PER_CHANGE = 1000;

/** Which signatures a set-aside or restore concerns: listed by id, or all that match a filter. */
const Targets = {
  ids: z.optional(z.array(z.string().check(z.regex(/^[0-9a-fA-F-]{36}$/))).check(z.minLength(1), z.maxLength(MAX_IDS_PER_CHANGE))),
  filter: z.optional(SignatureFilterSchema),
};

/** POST /api/console/signatures/set-aside?campaign=: `ids` or `filter` (exactly one), why, and a note. */
export const SetAsideRequestSchema = z.strictObject({
  ...Targets,
  reason: SetAsideReasonSchema,
  note: z.optional(z.nullable(z.string().check(z.maxLength(500)))),
});
export type SetAsideRequest = z.infer<typeof SetAsideRequestSchema>;

/** POST /api/console/signatures/restore?campaign=: back into the hand-in, by `ids` or `filter`. */
export const RestoreRequestSchema = z.strictObject(Targets);
export type RestoreRequest = z.infer<typeof RestoreRequestSchema>;

/** How many signatures the action changed (those already so are not counted). */
export const ChangedSchema = z.strictObject({ changed: z.int() });
