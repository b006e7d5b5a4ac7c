/**
 * The sync engine: one loop that owns triggering, batching, backoff and recovery.
 * UI code only calls `start`, `syncNow` and `subscribe`; it knows nothing else about sync.
 *
 *            trigger (app start, `online`, timer, syncNow, new signature)
 *   idle ───────────────────────────────────────────────► syncing
 *    ▲                                                      │ send the oldest pending batch
 *    │ queue empty                                          ▼
 *    └──────────────────────────────── per-record results: ack → synced (data dropped),
 *                                      refused → quarantined; loop while records remain
 *   syncing ── offline / 5xx / 429 ──► waiting (backoff with jitter, Retry-After honoured)
 *   syncing ── incompatible protocol ─► blocked (records kept; the app must update)
 *   syncing ── token refused (401) ────► blocked (records kept; the tablet must re-enroll)
 *
 * A record leaves `pending` only when the server answered for *that id*. Only one sync runs
 * per device at a time, across tabs, through a Web Lock.
 */
import type { FieldsignDB } from '../db/db.ts';
import { acknowledge, counts, nextBatch, purgeSynced, quarantine, type OutboxCounts } from '../db/outbox.ts';
import * as z from 'zod/mini';
import { BatchReportSchema, PROTOCOL_VERSION, type BatchReport } from '../shared/protocol.ts';
import type { RetryProblem, Transport } from './transport.ts';

/** What the UI shows about sync. */
export interface SyncStatus extends OutboxCounts {
  phase: 'idle' | 'syncing' | 'waiting' | 'blocked';
  /** When the server last answered a batch (tablet clock, ms). */
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
  report?: (status: SyncStatus) => Promise<Omit<BatchReport, 'pending' | 'quarantined'>>;
  /** The server said this device is revoked (S12): wipe what may be wiped. Counts are re-read after it. */
  onRevoked?: () => Promise<void>;
  /** Whether the report has news worth a contact even with nothing to send (S24: a quick delete). */
  reportDue?: () => Promise<boolean>;
  /** The server took a batch carrying `report` (so `reportDue` can tell what it already knows). */
  onReported?: (report: BatchReport) => Promise<void>;
  random?: () => number;
}

export class SyncEngine {
  private readonly opts: Required<Omit<SyncEngineOptions, 'withLock' | 'onRevoked' | 'report' | 'reportDue' | 'onReported'>> &
    Pick<SyncEngineOptions, 'withLock' | 'onRevoked' | 'report' | 'reportDue' | 'onReported'>;
  private status: SyncStatus = { phase: 'idle', pending: 0, quarantined: 0, synced: 0 };
  private readonly listeners = new Set<(s: SyncStatus) => void>();
  private running: Promise<void> | null = null;
  private again = false;
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private intervalTimer: ReturnType<typeof setInterval> | undefined;
  private batchLimit: number;
  private readonly onOnline = () => void this.syncNow();

  constructor(options: SyncEngineOptions) {
    this.opts = {
      maxRecords: 200,
      maxBytes: 1_000_000,
      intervalMs: 20_000,
      baseBackoffMs: 1_000,
      maxBackoffMs: 5 * 60_000,
      retentionMs: 0,
      slowBatchMs: 15_000,
      random: Math.random,
      ...options,
    };
    this.batchLimit = this.opts.maxRecords;
  }

  /** Begin syncing: now, whenever the browser comes online, and periodically while records wait. */
  start(): void {
    globalThis.addEventListener?.('online', this.onOnline);
    this.intervalTimer = setInterval(() => {
      if (this.status.pending > 0 && this.status.phase === 'idle') void this.syncNow();
    }, this.opts.intervalMs);
    void this.syncNow();
  }

  /** Stop all timers and listeners. A sync in flight finishes on its own. */
  stop(): void {
    globalThis.removeEventListener?.('online', this.onOnline);
    clearInterval(this.intervalTimer);
    clearTimeout(this.retryTimer);
  }

  /** Current status. */
  get current(): SyncStatus {
    return this.status;
  }

  /** Be told of every status change; returns the unsubscribe function. */
  subscribe(listener: (s: SyncStatus) => void): () => void {
    this.listeners.add(listener);
    listener(this.status);
    return () => this.listeners.delete(listener);
  }

  /** Re-read the counts from the database (e.g. after a signature was stored). */
  async refresh(): Promise<void> {
    this.update(await counts(this.opts.db));
  }

  /**
   * Sync until the queue is empty or a failure asks to wait. Calls made while a sync runs
   * are folded into one more pass, so a burst of triggers costs one extra round at most.
   */
  syncNow(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    clearTimeout(this.retryTimer);
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.lock(() => this.drain());
        } while (this.again && this.status.phase === 'idle');
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private lock<T>(fn: () => Promise<T>): Promise<T> {
    if (this.opts.withLock) return this.opts.withLock(fn);
    const locks = (globalThis.navigator as Navigator | undefined)?.locks;
    return locks ? locks.request('fieldsign-sync', fn) : fn();
  }

  /** Send batches until nothing is pending, or stop on the first failure. */
  private async drain(): Promise<void> {
    const { db, transport } = this.opts;
    await purgeSynced(db);
    this.update(await counts(db));
    let sent = false;
    for (;;) {
      const batch = await nextBatch(db, this.batchLimit, this.opts.maxBytes);
      if (batch.length === 0) {
        const now = await counts(db);
        this.update({ phase: 'idle', ...now });
        // Tell the server the queue is drained, so the console shows this tablet's true count;
        // also with nothing sent when the report has news of its own (a quick delete's total).
        const due = sent || (await this.opts.reportDue?.().catch(() => false));
        const credentials = due ? await this.opts.credentials() : undefined;
        if (credentials) {
          const report = await this.report(now);
          const answer = await transport.send(
            { protocol: PROTOCOL_VERSION, deviceId: credentials.deviceId, sentAt: new Date().toISOString(), report, records: [] },
            credentials.token,
          );
          if (answer.kind === 'ok') await this.opts.onReported?.(report).catch(() => undefined);
        }
        return;
      }
      sent = true;
      if ((globalThis.navigator as Navigator | undefined)?.onLine === false) return this.backoff('offline', 'offline');
      const credentials = await this.opts.credentials();
      if (!credentials) {
        this.update({ phase: 'blocked', needsEnrollment: true, problem: 'not_enrolled', lastError: 'This tablet is not enrolled yet.' });
        return;
      }
      this.update({ phase: 'syncing', needsEnrollment: false });
      const report = await this.report(this.status);
      const started = Date.now();
      const result = await transport.send(
        {
          protocol: PROTOCOL_VERSION,
          deviceId: credentials.deviceId,
          sentAt: new Date().toISOString(),
          report,
          records: batch,
        },
        credentials.token,
      );

      if (result.kind === 'ok') {
        await this.opts.onReported?.(report).catch(() => undefined);
        const sent = new Set(batch.map((r) => r.id));
        const acked: string[] = [];
        const refused: Array<{ id: string; reason: string }> = [];
        for (const r of result.response.results) {
          if (!sent.has(r.id)) continue; // only ever act on ids this batch carried
          if (r.status === 'accepted' || r.status === 'duplicate') acked.push(r.id);
          else refused.push({ id: r.id, reason: describeRefusal(r.status, r.issues) });
        }
        await acknowledge(db, acked, Date.now(), credentials.retentionMs ?? this.opts.retentionMs);
        await quarantine(db, refused);
        this.failures = 0;
        // A good link grows the batch back; a slow one shrinks it.
        const slow = Date.now() - started > this.opts.slowBatchMs;
        this.batchLimit = slow ? Math.max(1, Math.floor(batch.length / 2)) : Math.min(this.opts.maxRecords, this.batchLimit * 2);
        this.update({
          lastSyncAt: Date.now(),
          lastError: undefined,
          problem: undefined,
          clockSuspect: result.response.clock?.suspect ?? this.status.clockSuspect,
          ...(await counts(db)),
        });
        if (acked.length + refused.length === 0) {
          // The server answered without judging any record we sent: do not spin on it.
          return this.backoff('unconfirmed', 'the server did not confirm any signature in the batch');
        }
        continue;
      }
      if (result.kind === 'retry') return this.backoff(result.problem, result.reason, result.retryAfterMs);
      if (result.kind === 'incompatible') {
        this.update({ phase: 'blocked', problem: 'incompatible', lastError: result.message });
        return;
      }
      if (result.kind === 'unauthorized') {
        // Revoked (not merely an unknown token): the tablet wipes what was synced or exported.
        // A failed wipe is tried again at the next contact; the tablet blocks either way.
        if (result.code === 'device_revoked' && this.opts.onRevoked) {
          await this.opts.onRevoked().catch(() => undefined);
          this.update(await counts(db));
        }
        const problem = result.code === 'token_expired' ? 'token_expired' : 'unauthorized';
        this.update({ phase: 'blocked', needsEnrollment: true, problem, lastError: result.message });
        return;
      }
      // Refused as a whole: halve the batch to isolate the cause; a single refused record is
      // set aside (kept, visible) so it cannot block every signature behind it.
      if (batch.length > 1) {
        this.batchLimit = Math.max(1, Math.floor(batch.length / 2));
        continue;
      }
      await quarantine(db, [{ id: batch[0].id, reason: `refused by the server: ${result.message}` }]);
      this.update({ problem: 'refused', lastError: result.message, ...(await counts(db)) });
    }
  }

  /** S21: the tablet's account of itself: its queue, plus whatever the report option adds. */
  private async report({ pending, quarantined }: OutboxCounts): Promise<BatchReport> {
    let more: Omit<BatchReport, 'pending' | 'quarantined'> | undefined;
    try {
      more = await this.opts.report?.(this.status);
    } catch {
      // The extras are nice to have; the counts alone still tell the console what matters.
    }
    // The server ignores a report that breaks the schema (an older one refused the whole
    // batch for it): send the counts alone rather than lose them.
    const report = { ...more, pending, quarantined };
    return z.safeParse(BatchReportSchema, report).success ? report : { pending, quarantined };
  }

  private backoff(problem: SyncProblem, reason: string, retryAfterMs?: number): void {
    this.failures++;
    // A failing or slow link shrinks the batch; being offline says nothing about the link.
    if (problem !== 'offline') this.batchLimit = Math.max(1, Math.floor(this.batchLimit / 2));
    const ceiling = Math.min(this.opts.maxBackoffMs, this.opts.baseBackoffMs * 2 ** (this.failures - 1));
    const delay = Math.max(retryAfterMs ?? 0, Math.round(ceiling / 2 + (this.opts.random() * ceiling) / 2));
    this.update({ phase: 'waiting', problem, lastError: reason });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.update({ phase: 'idle' });
      void this.syncNow();
    }, delay);
  }

  private update(patch: Partial<SyncStatus>): void {
    this.status = { ...this.status, ...patch };
    for (const listener of this.listeners) listener(this.status);
  }
}

function describeRefusal(status: string, issues?: Array<{ path: string; message: string }>): string {
  if (status === 'conflict') return 'The server already holds a different signature with this id.';
  const first = issues?.[0];
  return first ? `Invalid: ${first.path}: ${first.message}` : 'Invalid record.';
}
