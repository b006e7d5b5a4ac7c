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
 *   waiting ── retry timer, `online`, syncNow ──► syncing (the problem stays shown until then)
 *
 * An answered batch, a report-only one included (sent when the queue drains, and by the
 * volunteer's "Sync now" even with nothing to send), is the last sync; it is kept in the
 * database, so a reload still knows it.
 *
 * A record leaves `pending` only when the server answered for *that id*. Only one sync runs
 * per device at a time, across tabs, through a Web Lock.
 *
 * The problem shown is the cause, not the last symptom: once the browser has said it is
 * offline, a failed request stays "offline" until the browser says it is back online or the
 * server answers, so one outage never reads as two different faults.
 */
import { acknowledge, counts, nextBatch, purgeSynced, quarantine, type OutboxCounts } from '../db/outbox.ts';
import { getLastSyncAt, setLastSyncAt } from '../db/meta.ts';
import type { BatchReport } from '../shared/protocol.ts';
import { backoffDelay, batchReport, batchRequest, isOffline, judged, type ReportExtras } from './batch.ts';
import type { SendResult } from './transport.ts';
import type { SyncEngineOptions, SyncOutcome, SyncProblem, SyncStatus } from './sync-types.ts';

export type { Credentials, SyncEngineOptions, SyncOutcome, SyncProblem, SyncStatus } from './sync-types.ts';

export class SyncEngine {
  private readonly opts: Required<Omit<SyncEngineOptions, 'withLock' | 'onRevoked' | 'report' | 'reportDue' | 'onReported'>> &
    Pick<SyncEngineOptions, 'withLock' | 'onRevoked' | 'report' | 'reportDue' | 'onReported'>;
  private status: SyncStatus = { phase: 'idle', pending: 0, quarantined: 0, synced: 0 };
  private readonly listeners = new Set<(s: SyncStatus) => void>();
  private running: Promise<SyncOutcome> | null = null;
  private again = false;
  /** A pass folded into the running one must also contact the server with nothing to send. */
  private againContact = false;
  /** What the running call did so far. */
  private outcome: SyncOutcome = { sent: 0, refused: 0, contacted: false };
  /** The browser said it was offline and has not said it is back since (see the header). */
  private offlineSeen = false;
  private lastSyncLoaded = false;
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private intervalTimer: ReturnType<typeof setInterval> | undefined;
  private batchLimit: number;
  private readonly onOnline = () => {
    this.offlineSeen = false;
    void this.syncNow();
  };

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

  /** Re-read the counts from the database (e.g. after a signature was stored), and the last sync once. */
  async refresh(): Promise<void> {
    const patch: Partial<SyncStatus> = await counts(this.opts.db);
    if (!this.lastSyncLoaded) {
      this.lastSyncLoaded = true;
      const stored = await getLastSyncAt(this.opts.db).catch(() => undefined);
      if (stored !== undefined && stored > (this.status.lastSyncAt ?? 0)) patch.lastSyncAt = stored;
    }
    this.update(patch);
  }

  /**
   * Sync until the queue is empty or a failure asks to wait, and say what was done. Calls made
   * while a sync runs are folded into one more pass, so a burst of triggers costs one extra
   * round at most. With `contact`, the server is asked even with nothing to send (the
   * volunteer's "Sync now": it proves the link and brings the last sync up to date).
   */
  syncNow({ contact = false }: { contact?: boolean } = {}): Promise<SyncOutcome> {
    if (this.running) {
      this.again = true;
      this.againContact ||= contact;
      return this.running;
    }
    clearTimeout(this.retryTimer);
    this.outcome = { sent: 0, refused: 0, contacted: false };
    this.running = (async () => {
      try {
        if (!this.lastSyncLoaded) await this.refresh();
        let pass = contact;
        do {
          this.again = false;
          this.againContact = false;
          await this.lock(() => this.drain(pass));
          pass = this.againContact;
        } while (this.again && this.status.phase === 'idle');
        const stopped = this.status.phase === 'waiting' || this.status.phase === 'blocked';
        return { ...this.outcome, ...(stopped && this.status.problem && { problem: this.status.problem }) };
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

  /** Send batches until nothing is pending, or stop on the first failure; `contact`: report even with nothing to send. */
  private async drain(contact: boolean): Promise<void> {
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
        const due = sent || contact || (await this.opts.reportDue?.().catch(() => false));
        if (!due) return;
        if (contact && isOffline()) return this.backoff('offline', 'offline');
        const credentials = await this.opts.credentials();
        if (!credentials) {
          if (contact) this.notEnrolled();
          return;
        }
        const report = await this.report(now);
        const answer = await transport.send(batchRequest(credentials.deviceId, report, []), credentials.token);
        if (answer.kind === 'ok') {
          await this.opts.onReported?.(report).catch(() => undefined);
          await this.answered({ problem: undefined, lastError: undefined, clockSuspect: answer.response.clock?.suspect ?? this.status.clockSuspect });
        } else if (contact) {
          // Only the volunteer's own request is worth a message: an automatic report retries with the next batch.
          await this.failed(answer.kind === 'rejected' ? { kind: 'retry', problem: 'server', reason: answer.message } : answer);
        }
        return;
      }
      sent = true;
      if (isOffline()) return this.backoff('offline', 'offline');
      const credentials = await this.opts.credentials();
      if (!credentials) return this.notEnrolled();
      this.update({ phase: 'syncing', needsEnrollment: false });
      const report = await this.report(this.status);
      const started = Date.now();
      const result = await transport.send(batchRequest(credentials.deviceId, report, batch), credentials.token);

      if (result.kind === 'ok') {
        await this.opts.onReported?.(report).catch(() => undefined);
        const { acked, refused } = judged(batch, result.response);
        await acknowledge(db, acked, Date.now(), credentials.retentionMs ?? this.opts.retentionMs);
        await quarantine(db, refused);
        this.outcome.sent += acked.length;
        this.outcome.refused += refused.length;
        // A good link grows the batch back; a slow one shrinks it.
        const slow = Date.now() - started > this.opts.slowBatchMs;
        this.batchLimit = slow ? Math.max(1, Math.floor(batch.length / 2)) : Math.min(this.opts.maxRecords, this.batchLimit * 2);
        await this.answered({
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
      if (result.kind !== 'rejected') return this.failed(result);
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

  /** The server answered a batch: note when (kept across reloads), and that the link works. */
  private async answered(patch: Partial<SyncStatus>): Promise<void> {
    const at = Date.now();
    this.failures = 0;
    this.offlineSeen = false;
    this.outcome.contacted = true;
    this.update({ ...patch, lastSyncAt: at });
    await setLastSyncAt(this.opts.db, at).catch(() => undefined);
  }

  /** Nothing can be sent before the tablet is enrolled. */
  private notEnrolled(): void {
    this.update({ phase: 'blocked', needsEnrollment: true, problem: 'not_enrolled', lastError: 'This tablet is not enrolled yet.' });
  }

  /** A batch was not taken: wait and retry, or block until an update or a new enrollment. */
  private async failed(result: Exclude<SendResult, { kind: 'ok' } | { kind: 'rejected' }>): Promise<void> {
    if (result.kind === 'retry') return this.backoff(result.problem, result.reason, result.retryAfterMs);
    if (result.kind === 'incompatible') {
      this.update({ phase: 'blocked', problem: 'incompatible', lastError: result.message });
      return;
    }
    // Unauthorized. Revoked (not merely an unknown token): the tablet wipes what was synced or
    // exported. A failed wipe is tried again at the next contact; the tablet blocks either way.
    if (result.code === 'device_revoked' && this.opts.onRevoked) {
      await this.opts.onRevoked().catch(() => undefined);
      this.update(await counts(this.opts.db));
    }
    const problem = result.code === 'token_expired' ? 'token_expired' : 'unauthorized';
    this.update({ phase: 'blocked', needsEnrollment: true, problem, lastError: result.message });
  }

  /** S21: the tablet's account of itself: its queue, plus whatever the report option adds. */
  private async report(queue: OutboxCounts): Promise<BatchReport> {
    let extras: ReportExtras | undefined;
    try {
      extras = await this.opts.report?.(this.status);
    } catch {
      // The extras are nice to have; the counts alone still tell the console what matters.
    }
    return batchReport(queue, extras);
  }

  private backoff(problem: SyncProblem, reason: string, retryAfterMs?: number): void {
    // A request that failed while the browser still has not said it is back online is the
    // same outage, not a new fault (see the header).
    if (problem === 'offline') this.offlineSeen = true;
    else if (problem === 'network' && this.offlineSeen) [problem, reason] = ['offline', 'offline'];
    this.failures++;
    // A failing or slow link shrinks the batch; being offline says nothing about the link.
    if (problem !== 'offline') this.batchLimit = Math.max(1, Math.floor(this.batchLimit / 2));
    const delay = backoffDelay(this.failures, { baseMs: this.opts.baseBackoffMs, maxMs: this.opts.maxBackoffMs }, this.opts.random, retryAfterMs);
    this.update({ phase: 'waiting', problem, lastError: reason });
    clearTimeout(this.retryTimer);
    // The status stays 'waiting' with its problem until the retry has an outcome, so the
    // message does not blink away at every attempt.
    this.retryTimer = setTimeout(() => void this.syncNow(), delay);
  }

  private update(patch: Partial<SyncStatus>): void {
    this.status = { ...this.status, ...patch };
    for (const listener of this.listeners) listener(this.status);
  }
}
