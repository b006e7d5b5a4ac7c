/**
 * The sync engine's vocabulary: what it tells the UI (status, problems, what a "Sync now"
 * did) and what it is given (credentials, options). The loop itself is in engine.ts.
 */
import type { FieldsignDB } from '../db/db.ts';
import type { OutboxCounts } from '../db/outbox.ts';
import type { BatchReport } from '../shared/protocol.ts';
import type { ReportExtras } from './batch.ts';
import type { RetryProblem, Transport } from './transport.ts';

/** What the UI shows about sync. */
export interface SyncStatus extends OutboxCounts {
  phase: 'idle' | 'syncing' | 'waiting' | 'blocked';
  /** When the server last answered a batch, a report-only one included (tablet clock, ms; kept across reloads). */
  lastSyncAt?: number;
  /** The last problem, by kind (for a message in the volunteer's language); cleared by the next success. */
  problem?: SyncProblem;
  /** Details of the last problem, e.g. the server's own message. */
  lastError?: string;
  /** The tablet has no valid enrollment: sync waits until it is enrolled again. */
  needsEnrollment?: boolean;
  /** The server found this tablet's clock off by more than a few minutes. */
  clockSuspect?: boolean;
}

/** Kinds of sync problem the volunteer is told about. */
export type SyncProblem = RetryProblem | 'unconfirmed' | 'refused' | 'incompatible' | 'unauthorized' | 'token_expired' | 'not_enrolled';

/** What one call of {@link SyncEngine.syncNow} did, for the volunteer who pressed "Sync now". */
export interface SyncOutcome {
  /** Signatures the server took (accepted, or already held) during the call. */
  sent: number;
  /** Signatures the server refused during the call (set aside, never deleted). */
  refused: number;
  /** The server answered at least once during the call. */
  contacted: boolean;
  /** Why the call stopped short, when it did. */
  problem?: SyncProblem;
}

/** Who this tablet is to the server. */
export interface Credentials {
  deviceId: string;
  token: string;
  /** Retention set by the server at enrollment; overrides the engine option. */
  retentionMs?: number;
}

/** Options for {@link SyncEngine}. */
export interface SyncEngineOptions {
  db: FieldsignDB;
  transport: Transport;
  /** Read before every sync, so a re-enrollment takes effect at once. */
  credentials: () => Promise<Credentials | undefined>;
  /** Keep synced records' data this long before dropping it. Default 0: drop at once. */
  retentionMs?: number;
  /** A batch slower than this halves the next batch. Default 15 s. */
  slowBatchMs?: number;
  /** Most records per batch. Default 200. */
  maxRecords?: number;
  /** Most JSON bytes per batch (before compression). Default 1 MB. */
  maxBytes?: number;
  /** While records are pending, try at least this often. Default 20 s. */
  intervalMs?: number;
  /** First backoff delay; doubles per failure up to `maxBackoffMs`. Default 1 s. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Runs `fn` while holding the device-wide sync lock. Default: Web Locks, else in-process. */
  withLock?: <T>(fn: () => Promise<T>) => Promise<T>;
  /**
   * More for the report each batch carries (S21), beside the queue counts the engine adds:
   * storage, app version, erase total… Read before every batch; a failure sends the counts alone.
   */
  report?: (status: SyncStatus) => Promise<ReportExtras>;
  /** The server said this device is revoked (S12): wipe what may be wiped. Counts are re-read after it. */
  onRevoked?: () => Promise<void>;
  /** Whether the report has news worth a contact even with nothing to send (S24: a quick delete). */
  reportDue?: () => Promise<boolean>;
  /** The server took a batch carrying `report` (so `reportDue` can tell what it already knows). */
  onReported?: (report: BatchReport) => Promise<void>;
  random?: () => number;
}
