/**
 * The console's tablets: the Devices list, revoking one, and the enrollment codes that enroll
 * new ones. A device's last report is the batch report it sent (S21) with the server's time.
 */
import * as z from 'zod/mini';
import { BatchReportSchema } from '../protocol.ts';
import { labelCheck } from '../text-checks.ts';

/** What a tablet last said about itself (S21): its batch report, and `at`, the server's clock when it came. */
export const DeviceReportSchema = z.extend(BatchReportSchema, { at: z.string() });
export type DeviceReport = z.infer<typeof DeviceReportSchema>;

const Time = z.string();

/** An enrolled tablet, as the server stores it. */
export const DeviceSchema = z.strictObject({
  id: z.string(),
  event: z.string(),
  label: z.nullable(z.string()),
  enrolledAt: Time,
  revokedAt: z.nullable(Time),
  lastSeenAt: z.nullable(Time),
  /** What the tablet last said about itself; null before its first report. */
  lastReport: z.nullable(DeviceReportSchema),
  /** The campaigns it may show; null for a tablet enrolled before campaigns (the default one). */
  campaigns: z.nullable(z.array(z.string())),
});
export type Device = z.infer<typeof DeviceSchema>;

/** A device as the console and the CLI show it. */
export const DeviceViewSchema = z.extend(DeviceSchema, {
  /** When its token stops working; null when tokens never expire. */
  tokenExpiresAt: z.nullable(Time),
  /** Set when it holds unsynced signatures and has been silent longer than the threshold: go and find it. */
  silent: z.nullable(z.strictObject({ forMs: z.number(), unsynced: z.int() })),
});
export type DeviceView = z.infer<typeof DeviceViewSchema>;

/** GET /api/console/devices: every tablet (silent ones first), and the silence threshold used. */
export const DeviceListSchema = z.strictObject({
  devices: z.array(DeviceViewSchema),
  /** Silent longer than this while holding unsynced signatures: flagged (`--stale-after`). */
  staleAfterMs: z.number(),
});
export type DeviceList = z.infer<typeof DeviceListSchema>;

export const DeviceIdParams = z.object({ id: z.string().check(z.regex(/^[\w-]{1,64}$/)) });

/** POST /api/console/devices/:id/revoke: the device revoked. */
export const RevokedSchema = z.strictObject({ revoked: z.string() });

/** POST /api/console/codes: a one-time code for tablets at `event`. */
export const CodeRequestSchema = z.object({
  event: z.string().check(
    z.trim(),
    z.minLength(1, 'Name the event.'),
    z.maxLength(120),
    labelCheck('The event name'),
  ),
  /** How long the code works, in hours (default 24). */
  hours: z.optional(z.number().check(z.gte(0.1), z.lte(720))),
  /** The campaigns the tablet may show; default: the default campaign. */
  campaigns: z.optional(z.array(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/))).check(z.minLength(1), z.maxLength(50))),
});
export type CodeRequest = z.infer<typeof CodeRequestSchema>;

/** The code made, as XXXXX-XXXXX, with the enrollment link and its QR code. */
export const EnrollmentCodeSchema = z.strictObject({
  code: z.string().check(z.regex(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/)),
  expiresAt: Time,
  event: z.string(),
  /** The campaigns the enrolled tablet may show. */
  campaigns: z.array(z.string()),
  link: z.string(),
  qrSvg: z.string(),
});
export type EnrollmentCode = z.infer<typeof EnrollmentCodeSchema>;
