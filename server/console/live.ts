/**
 * Live updates by server-sent events: the console dashboard and the public counter are told
 * when signatures arrive. Each kind of snapshot is read once per change and shared by all
 * its open streams (snapshot-source.ts), at most once per interval; every stream sends a
 * comment every 25 s so proxies keep it open.
 *
 * Failures stay inside: a failed read closes the streams waiting for it and is logged; a
 * stream's own check (is the session still valid?) that fails closes that stream only.
 */
import type { ServerResponse } from 'node:http';
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
   * Serve an SSE stream that sends each snapshot of `source` as a `data:` line: the current
   * one at once (or as soon as it is read) and one after every change.
   */
  stream<T>(res: ServerResponse, source: SnapshotSource<T>, options: StreamOptions = {}): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    let closed = false;
    let unsubscribe = () => {};
    const write = (text: string) => {
      if (!closed && !res.destroyed && !res.writableEnded) res.write(text);
    };
    const heartbeat = setInterval(() => write(': keep-alive\n\n'), HEARTBEAT_MS);
    const end = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
      this.open.delete(end);
      if (!res.writableEnded) res.end();
      options.onClose?.();
    };
    res.on('close', end);
    // The client may have gone while the route was still awaiting the database: its 'close'
    // has fired already, and the slot and the heartbeat would never be given back.
    if (res.destroyed || res.socket?.destroyed) end();

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
  }

  /** End every stream and stop reading (the server is closing). */
  close(): void {
    for (const end of [...this.open]) end();
    for (const source of this.sources) source.close();
  }
}
