/**
 * The console's dashboard and audit log, and the public counter's total: figures only, no
 * personal data. The dashboard and the counter also come live, as server-sent events.
 */
import * as z from 'zod/mini';
import { SetAsideReasonSchema } from './signatures.ts';
import { PaperTotalsSchema } from './paper.ts';

const Count = z.int().check(z.gte(0));

/** The dashboard's figures, of one campaign (`?campaign=`). */
export const TotalsSchema = z.strictObject({
  /** Every stored signature, those set aside from the hand-in included. */
  total: Count,
  byEvent: z.array(z.strictObject({ event: z.string(), count: Count })),
  byDevice: z.array(z.strictObject({ deviceId: z.string(), label: z.nullable(z.string()), count: Count })),
  byCountry: z.array(z.strictObject({ country: z.string(), count: Count })),
  /** Signatures received per hour (server clock), oldest first. */
  hourly: z.array(z.strictObject({ hour: z.string(), count: Count })),
  /** Signatures set aside from the hand-in (within `total`), by reason; optional for older servers. */
  setAside: z.optional(z.strictObject({ total: Count, byReason: z.array(z.strictObject({ reason: SetAsideReasonSchema, count: Count })) })),
  /** Signatures collected on paper and counted by hand: apart from `total`, which is the tablets' alone. */
  paper: z.optional(PaperTotalsSchema),
});
export type Totals = z.infer<typeof TotalsSchema>;

/** Who did what, when: deletions, exports, devices, sign-ins. */
export const AuditEntrySchema = z.strictObject({
  seq: z.int(),
  at: z.string(),
  /** A coordinator's email, `cli (user)`, or `tablet:<id>`. */
  actor: z.string(),
  action: z.string(),
  detail: z.record(z.string(), z.unknown()),
  /** The campaign it concerns; absent when it concerns none (sign-ins, codes, tablets). */
  campaignId: z.optional(z.nullable(z.string())),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** GET /api/console/audit: the newest 500 entries, of one campaign when `?campaign=` is given. */
export const AuditLogSchema = z.strictObject({ entries: z.array(AuditEntrySchema) });

/** GET /api/public/count: a campaign's total, for the big-screen counter, and its paper count apart. */
// Not strict, unlike the console's own answers: a counter left open on a big screen for days
// keeps reading the fields it knows when a newer server adds one.
export const PublicCountSchema = z.object({
  /** The tablets' signatures (as counters already open read it). */
  total: Count,
  /** Signatures counted by hand from paper, on top of `total`; absent from servers before paper counts. */
  paper: z.optional(Count),
});
export type PublicCount = z.infer<typeof PublicCountSchema>;
