/**
 * One batch of the sync loop (engine.ts), apart from the loop itself: the request it sends,
 * the report it carries (S21), what the server's answer says of each record, and how long
 * to wait after a failure. Pure functions: the loop decides when each is used.
 */
import * as z from 'zod/mini';
import type { OutboxCounts } from '../db/outbox.ts';
import { BatchReportSchema, PROTOCOL_VERSION, type BatchReport, type BatchRequest, type BatchResponse, type FieldIssue, type SignatureRecord } from '../shared/protocol.ts';

/** The report less the counts, which the engine fills in itself. */
export type ReportExtras = Omit<BatchReport, 'pending' | 'quarantined'>;

/** The request carrying `records` (none: a contact that only reports) from device `deviceId`, stamped with the tablet's clock. */
export function batchRequest(deviceId: string, report: BatchReport, records: SignatureRecord[]): BatchRequest {
  return { protocol: PROTOCOL_VERSION, deviceId, sentAt: new Date().toISOString(), report, records };
}

/**
 * S21: the tablet's account of itself: its queue counts, plus the extras (storage, version,
 * erasures…). The server ignores a report that breaks the schema (an older one refused the
 * whole batch for it): then the counts go alone rather than be lost.
 */
export function batchReport({ pending, quarantined }: OutboxCounts, extras?: ReportExtras): BatchReport {
  const report = { ...extras, pending, quarantined };
  return z.safeParse(BatchReportSchema, report).success ? report : { pending, quarantined };
}

/** A record the server refused, and why, in words for the volunteer screen. */
export interface Refusal {
  id: string;
  reason: string;
}

/**
 * What the server's answer says of the records `batch` carried: those it took (accepted, or
 * already held) and those it refused. A result for an id the batch did not carry is ignored:
 * the tablet only ever acts on its own records.
 */
export function judged(batch: ReadonlyArray<Pick<SignatureRecord, 'id'>>, response: BatchResponse): { acked: string[]; refused: Refusal[] } {
  const sent = new Set(batch.map((r) => r.id));
  const acked: string[] = [];
  const refused: Refusal[] = [];
  for (const r of response.results) {
    if (!sent.has(r.id)) continue;
    if (r.status === 'accepted' || r.status === 'duplicate') acked.push(r.id);
    else refused.push({ id: r.id, reason: describeRefusal(r.status, r.issues) });
  }
  return { acked, refused };
}

function describeRefusal(status: string, issues?: FieldIssue[]): string {
  if (status === 'conflict') return 'The server already holds a different signature with this id.';
  const first = issues?.[0];
  return first ? `Invalid: ${first.path}: ${first.message}` : 'Invalid record.';
}

/** How backoff grows: from `baseMs`, doubling per failure, up to `maxMs`. */
export interface BackoffRange {
  baseMs: number;
  maxMs: number;
}

/**
 * How long to wait after the `failures`-th failure in a row: between half and all of the
 * doubled delay (jitter, so tablets that failed together do not retry together), and never
 * less than the server's Retry-After.
 */
export function backoffDelay(failures: number, { baseMs, maxMs }: BackoffRange, random: () => number, retryAfterMs?: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (failures - 1));
  return Math.max(retryAfterMs ?? 0, Math.round(ceiling / 2 + (random() * ceiling) / 2));
}

/** The browser says it has no network at all. */
export function isOffline(): boolean {
  return (globalThis.navigator as Navigator | undefined)?.onLine === false;
}
