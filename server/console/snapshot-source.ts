/**
 * One snapshot of a kind (the public total, the dashboard totals) shared by every open
 * stream of that kind. A change marks the snapshot stale; while anyone is subscribed it is
 * read again, at most once per `minIntervalMs` however many changes arrive and however many
 * streams are open, and the result goes to all of them.
 *
 *   fresh ──change──▶ stale ──(interval elapsed, subscribers)──▶ reading ──ok──▶ fresh
 *                       ▲                                          │  └─fail─▶ every subscriber
 *                       └──────── a change arrived while reading ──┘           told, dropped
 *
 * A new stream gets the cached snapshot only when it was read less than one interval ago (or
 * joins the read under way); otherwise it asks for a new read, since the store may have been
 * changed behind the app's back (another process writing the same SQLite file).
 *
 * A failed read is logged once and fails every subscriber that was waiting for it (their
 * streams close; the browser reconnects). Nothing here ever rejects to its caller.
 */

/** Someone who receives the snapshots: an open stream. */
export interface Subscriber<T> {
  next(snapshot: T): void;
  fail(error: unknown): void;
}

export interface SnapshotSourceOptions<T> {
  /** What the snapshot is, for the log ("the dashboard totals"). */
  name: string;
  read: () => Promise<T>;
  /** At most one read per this many ms. */
  minIntervalMs: number;
  log: (message: string, error?: unknown) => void;
}

export class SnapshotSource<T> {
  private readonly subscribers = new Set<Subscriber<T>>();
  /** Bumped by every change; a cached snapshot of an older version is stale. */
  private version = 0;
  private cached: { version: number; data: T; readAt: number } | undefined;
  /** The version being read, while a read is under way. */
  private reading: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastReadAt = Number.NEGATIVE_INFINITY;
  private readonly options: SnapshotSourceOptions<T>;

  constructor(options: SnapshotSourceOptions<T>) {
    this.options = options;
  }

  /** How many subscribers are waiting for snapshots. */
  get size(): number {
    return this.subscribers.size;
  }

  /**
   * Receive the current snapshot (at once when it is fresh, else when the pending read ends)
   * and every later one. Returns the unsubscribe function.
   */
  subscribe(subscriber: Subscriber<T>): () => void {
    this.subscribers.add(subscriber);
    const cached = this.cached;
    if (cached?.version === this.version && Date.now() - cached.readAt < this.options.minIntervalMs) subscriber.next(cached.data);
    else if (this.reading !== this.version) this.version++;
    this.ensureRead();
    return () => void this.subscribers.delete(subscriber);
  }

  /** What the snapshot shows has changed. */
  changed(): void {
    this.version++;
    this.ensureRead();
  }

  /** Stop any pending read (the app is closing). */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.subscribers.clear();
  }

  /** Schedule a read when someone waits for a snapshot newer than the cached one. */
  private ensureRead(): void {
    if (this.subscribers.size === 0 || this.reading !== undefined || this.timer) return;
    if (this.cached?.version === this.version) return;
    const wait = Math.max(0, this.options.minIntervalMs - (Date.now() - this.lastReadAt));
    this.timer = setTimeout(() => void this.read(), wait);
  }

  /** Read once and hand the result to every subscriber. Never rejects. */
  private async read(): Promise<void> {
    this.timer = undefined;
    const version = this.version;
    const readAt = Date.now();
    this.reading = version;
    this.lastReadAt = readAt;
    try {
      let data: T;
      try {
        data = await this.options.read();
      } catch (error) {
        const failed = [...this.subscribers];
        this.subscribers.clear();
        this.options.log(`Live updates: reading ${this.options.name} failed; closing ${failed.length} stream(s)`, error);
        for (const subscriber of failed) this.safely(() => subscriber.fail(error));
        return;
      }
      this.cached = { version, data, readAt };
      for (const subscriber of [...this.subscribers]) this.safely(() => subscriber.next(data));
    } finally {
      this.reading = undefined;
      this.ensureRead();
    }
  }

  /** A subscriber that throws is logged; the others still get the snapshot. */
  private safely(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.options.log(`Live updates: a stream of ${this.options.name} failed`, error);
    }
  }
}
