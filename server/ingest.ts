/**
 * Ingestion: the one path by which signatures enter the server (network sync, and the CLI's
 * import of a transfer file). Parses the batch with the shared schemas, judges each record on
 * its own, and hands the valid ones to the store in one transaction. Knows nothing of HTTP:
 * it returns a typed outcome, which the batch route (routes/tablet.ts) answers.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import {
  BatchReportSchema,
  BatchRequestSchema,
  PROTOCOL_VERSION,
  SignatureRecordSchema,
  protocolMismatch,
  toFieldIssues,
  type BatchReport,
  type BatchResponse,
  type FieldIssue,
  type IncompatibleReason,
  type RecordResult,
  type SignatureRecord,
} from '../src/shared/protocol.ts';
import type { IngestItem, IngestSource, Store } from './store/store.ts';
import { canonicalJson } from '../src/shared/canonical-json.ts';
import { SEAL_ALG } from '../src/shared/seal.ts';

/** A tablet clock more than this far from the server's is flagged (never refused). */
export const CLOCK_TOLERANCE_MS = 5 * 60_000;
/** A capture time older than this, by the server's clock, is flagged too. */
const OLDEST_PLAUSIBLE_MS = 365 * 24 * 3600_000;

/** Context of one ingestion. */
export interface IngestContext {
  /** The authenticated device sending the batch. Omitted for a coordinator's file import. */
  deviceId?: string;
  source: IngestSource;
  now?: Date;
}

/** What became of one batch. */
export type IngestOutcome =
  /**
   * Every record was judged (S5). `anyInvalid`: at least one was refused. `report`: the
   * tablet's account of itself (S21), parsed on its own: undefined when absent or broken,
   * which never refuses the batch.
   */
  | { kind: 'judged'; response: BatchResponse; anyInvalid: boolean; report: BatchReport | undefined }
  /** The envelope is not a batch. */
  | { kind: 'malformed'; issues: FieldIssue[] }
  /** S2, S28: the batch speaks a protocol this server does not. */
  | { kind: 'incompatible'; reason: IncompatibleReason }
  /** S11: the batch names another device than the one sending it. */
  | { kind: 'wrong_device' };

/** Store the records of one batch; see docs/PROTOCOL.md for the rules (S-numbers below). */
export async function ingestBatch(store: Store, body: unknown, context: IngestContext): Promise<IngestOutcome> {
  const now = context.now ?? new Date();
  const envelope = z.safeParse(BatchRequestSchema, body);
  if (!envelope.success) return { kind: 'malformed', issues: toFieldIssues(envelope.error) };
  const { protocol, deviceId, records, sentAt } = envelope.data;
  const mismatch = protocolMismatch(protocol);
  if (mismatch) return { kind: 'incompatible', reason: mismatch };

  // S11: a token writes only as its own device.
  if (context.deviceId !== undefined && deviceId !== context.deviceId) return { kind: 'wrong_device' };

  // S9: the server's clock is the one that counts; a wrong tablet clock is flagged, never refused.
  const skewMs = sentAt ? Date.parse(sentAt) - now.getTime() : undefined;
  const batchSuspect = skewMs !== undefined && Math.abs(skewMs) > CLOCK_TOLERANCE_MS;
  const results: RecordResult[] = new Array(records.length);
  const valid: Array<{ index: number; item: IngestItem }> = [];
  let sealingProblem: string | undefined;
  records.forEach((raw, index) => {
    const parsed = z.safeParse(SignatureRecordSchema, raw);
    const id = recordLabel(raw, index);
    if (!parsed.success) {
      results[index] = { id, status: 'invalid', issues: toFieldIssues(parsed.error, `records.${index}`) };
    } else if (context.source === 'sync' && parsed.data.deviceId !== deviceId) {
      results[index] = {
        id,
        status: 'invalid',
        issues: [{ path: `records.${index}.deviceId`, message: 'The record belongs to another device than the batch.' }],
      };
    } else if ((sealingProblem = sealingIssue(parsed.data))) {
      results[index] = { id, status: 'invalid', issues: [{ path: `records.${index}.payload`, message: sealingProblem }] };
    } else {
      const captured = Date.parse(parsed.data.capturedAt);
      const clockSuspect =
        batchSuspect || captured > now.getTime() + CLOCK_TOLERANCE_MS || captured < now.getTime() - OLDEST_PLAUSIBLE_MS;
      valid.push({ index, item: { record: parsed.data, hash: recordHash(parsed.data), clockSuspect } });
    }
  });

  const receivedAt = now.toISOString();
  const outcomes = await store.ingest(valid.map((v) => v.item), receivedAt, context.source);
  valid.forEach(({ index, item }, i) => {
    results[index] = { id: item.record.id, status: outcomes[i] };
  });

  const anyInvalid = results.some((r) => r.status === 'invalid');
  const clock = skewMs === undefined ? undefined : { skewMs, suspect: batchSuspect };
  const report = z.safeParse(BatchReportSchema, envelope.data.report);
  return {
    kind: 'judged',
    response: { protocol: PROTOCOL_VERSION, receivedAt, results, ...(clock && { clock }) },
    anyInvalid,
    report: report.success ? report.data : undefined,
  };
}

/** Lengths, in base64url characters, of what a well-formed sealed payload holds. */
const SEALED_SHAPE = {
  iv: 16, // 12 bytes
  wrappedKey: { min: 342, max: 1366 }, // an RSA block of 2048 to 8192 bits
  keyId: 43, // a SHA-256 thumbprint
  minCiphertext: 22, // at least GCM's 16-byte tag
};

/**
 * S22: why a record breaks the sealing rules, or undefined. A sealed payload must be one a
 * coordinator can open (the known algorithm, well-formed parts): anything else could never
 * be read, so it is refused now, while the tablet still holds it, rather than stored
 * unreadable. The country in clear may only accompany a sealed payload.
 *
 * A plain record in a sealed campaign is accepted: a tablet that signed people before it
 * fetched the campaign's key has already held and sent them in clear, and refusing them now
 * would only lose them (promise 1). The console counts them ("arrived unsealed"); tablets
 * that have the key never store a plain record.
 */
export function sealingIssue(record: SignatureRecord): string | undefined {
  const { payload } = record;
  if (payload.kind === 'plain') return record.country !== undefined ? 'A country in clear goes only with a sealed payload.' : undefined;
  if (payload.alg !== SEAL_ALG) return `Sealed with "${payload.alg}", which no coordinator can open with this version (it opens ${SEAL_ALG}).`;
  if (!/^[A-Za-z0-9_-]{43}$/.test(payload.keyId)) return 'The sealed payload does not name a valid coordinator key id.';
  if (payload.iv.length !== SEALED_SHAPE.iv) return 'The sealed payload has an iv of the wrong size.';
  if (payload.wrappedKey.length < SEALED_SHAPE.wrappedKey.min || payload.wrappedKey.length > SEALED_SHAPE.wrappedKey.max) {
    return 'The sealed payload has a wrapped key of the wrong size.';
  }
  if (payload.ciphertext.length < SEALED_SHAPE.minCiphertext) return 'The sealed payload is too short to hold a signature.';
  return undefined;
}

/** The id to report for a record: its own id when it has a plausible one, else its position. */
function recordLabel(raw: unknown, index: number): string {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof raw === 'object' && raw !== null && typeof id === 'string' && /^[0-9a-fA-F-]{1,64}$/.test(id) ? id : `#${index}`;
}

/**
 * S4: the identity of a signature's content. The sending device is left out, so a record
 * re-sent after its tablet was re-enrolled (new device id) is still a duplicate, not a conflict.
 */
export function recordHash(record: SignatureRecord): string {
  return contentHash({ ...record, deviceId: undefined });
}

/** SHA-256 of the record's canonical JSON (keys sorted), so key order never makes a conflict. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
