/**
 * Live updates by server-sent events: the console dashboard and the public counter are told
 * when signatures arrive. Each kind of snapshot is read once per change and shared by all
 * its open streams (snapshot-source.ts), at most once per interval; every stream sends a
 * comment every 25 s so proxies keep it open.
 *
 * Failures stay inside: a failed read closes the streams waiting for it and is logged; a
 * stream's own check (is the session still valid?) that fails closes that stream only.
 */
import { SnapshotSource } from './snapshot-source.ts';

export interface LiveOptions {
  /** At most one read of each snapshot per this many ms. Default 500. */
  minIntervalMs?: number;
  log?: (message: string, error?: unknown) => void;
}

/** What one stream adds to the shared snapshots. */
export interface StreamOptions {
  /**
   * Asked before each snapshot is sent on this stream: false ends the stream (e.g. the
   * session ended). Keep it cheap: it runs once per stream per update.
   */
  stillAllowed?: () => Promise<boolean>;
  /** Called once when the stream closes, however it closes. */
  onClose?: () => void;
}

const HEARTBEAT_MS = 25_000;

export class LiveSignals {
  private readonly sources = new Set<SnapshotSource<unknown>>();
  /** Each open stream's end function. */
  private readonly open = new Set<() => void>();
  private readonly minIntervalMs: number;
  private readonly log: (message: string, error?: unknown) => void;

  constructor(options: LiveOptions = {}) {
    this.minIntervalMs = options.minIntervalMs ?? 500;
    this.log = options.log ?? ((message, error) => console.error(message, error));
  }

  /** A snapshot kind whose streams share each read of `read()`. */
  source<T>(name: string, read: () => Promise<T>): SnapshotSource<T> {
    const source = new SnapshotSource<T>({ name, read, minIntervalMs: this.minIntervalMs, log: this.log });
    this.sources.add(source as SnapshotSource<unknown>);
    return source;
  }

  /** Something changed (signatures stored or deleted, devices changed). */
  changed(): void {
    for (const source of this.sources) source.changed();
  }

  /** How many streams are open. */
  get streams(): number {
    return this.open.size;
  }

  /**
   * An SSE stream, as a Response, that sends each snapshot of `source` as a `data:` line: the
   * current one at once (or as soon as it is read) and one after every change. It ends when
   * the client leaves (the body is cancelled), when `stillAllowed` says no, or on close().
   * `head`: the headers only; no stream is opened (and `onClose` runs at once).
   */
  stream<T>(source: SnapshotSource<T>, options: StreamOptions & { head?: boolean } = {}): Response {
    const headers = {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    };
    if (options.head) {
      options.onClose?.();
      return new Response(null, { status: 200, headers });
    }
    const encoder = new TextEncoder();
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    let closed = false;
    let unsubscribe = () => {};
    const write = (text: string) => {
      if (!closed) controller.enqueue(encoder.encode(text));
    };
    const heartbeat = setInterval(() => write(': keep-alive\n\n'), HEARTBEAT_MS);
    const end = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
      this.open.delete(end);
      try {
        controller.close();
      } catch {
        // Cancelled by the client already.
      }
      options.onClose?.();
    };
    // The client may leave before the first byte (even while the route was still awaiting the
    // database): the body is then cancelled, unread, and the slot and the heartbeat are given back.
    const body = new ReadableStream<Uint8Array>({
      start: (c) => void (controller = c),
      cancel: end,
    });

    // The newest snapshot not yet sent; sends one at a time, so a slow check never lets an
    // older snapshot overtake a newer one.
    let pending: { data: T } | undefined;
    let sending = false;
    const send = async () => {
      sending = true;
      try {
        while (pending && !closed) {
          const { data } = pending;
          pending = undefined;
          if (options.stillAllowed && !(await options.stillAllowed())) return end();
          write(`data: ${JSON.stringify(data)}\n\n`);
        }
      } catch (error) {
        this.log('Live updates: checking a stream failed; closing it', error);
        end();
      } finally {
        sending = false;
      }
    };
    this.open.add(end);
    unsubscribe = source.subscribe({
      next: (data) => {
        pending = { data };
        if (!sending) void send();
      },
      fail: end,
    });
    return new Response(body, { status: 200, headers });
  }

  /** End every stream and stop reading (the server is closing). */
  close(): void {
    for (const end of [...this.open]) end();
    for (const source of this.sources) source.close();
  }
}
