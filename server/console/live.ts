/**
 * Live updates by server-sent events: the console dashboard and the public counter are
 * told when signatures arrive. Changes are coalesced (at most one event per interval per
 * stream), and every stream sends a comment every 25 s so proxies keep it open.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

type Listener = () => void;

export class LiveSignals {
  private readonly listeners = new Set<Listener>();

  /** Something changed (signatures stored or deleted, devices changed). */
  changed(): void {
    for (const listener of this.listeners) listener();
  }

  /** How many streams are open. */
  get streams(): number {
    return this.listeners.size;
  }

  /**
   * Serve an SSE stream that sends `snapshot()` as a `data:` line at once and after every
   * change (coalesced to one per `minIntervalMs`).
   */
  async stream(req: IncomingMessage, res: ServerResponse, snapshot: () => Promise<unknown>, minIntervalMs = 500): Promise<void> {
    // `snapshot` answering undefined (e.g. the session ended) closes the stream.
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    let last = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const send = async () => {
      timer = undefined;
      last = Date.now();
      const data = await snapshot();
      if (res.writableEnded) return;
      if (data === undefined) return void res.end();
      res.write(`data: ${JSON.stringify(data)}\n\n`);
    };
    const listener = () => {
      if (timer) return;
      timer = setTimeout(() => void send(), Math.max(0, minIntervalMs - (Date.now() - last)));
    };
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
    this.listeners.add(listener);
    req.on('close', () => {
      this.listeners.delete(listener);
      clearInterval(heartbeat);
      clearTimeout(timer);
    });
    await send();
  }
}
