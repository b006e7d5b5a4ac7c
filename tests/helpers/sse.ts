/**
 * A server-sent-events client for tests, on node:http so that a test can choose the local
 * address it connects from (127.0.0.2, …: another "client" on the loopback) and send cookies.
 * Collects every `data:` message as parsed JSON; a refusal is read as its status and JSON body.
 */
import { request, type IncomingHttpHeaders } from 'node:http';

export interface SseStream<T = unknown> {
  status: number;
  headers: IncomingHttpHeaders;
  /** The JSON body of a refusal (non-200). */
  body?: unknown;
  /** Every message so far. */
  messages: T[];
  /** The next message not yet taken by `next()`; rejects after `timeoutMs`. */
  next(timeoutMs?: number): Promise<T>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  isEnded(): boolean;
  /** Close from the client side. */
  close(): void;
}

export function openSse<T = unknown>(url: string, options: { cookie?: string; localAddress?: string } = {}): Promise<SseStream<T>> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...(options.cookie && { cookie: options.cookie }) }, localAddress: options.localAddress, agent: false });
    req.on('error', reject);
    req.on('response', (res) => {
      const messages: T[] = [];
      let taken = 0;
      let buffer = '';
      let ended = false;
      const waiters = new Set<() => void>();
      const ended$ = new Promise<void>((done) => {
        res.on('close', () => {
          ended = true;
          for (const wake of waiters) wake();
          done();
        });
      });
      res.on('error', () => {});
      res.setEncoding('utf8');
      if (res.statusCode !== 200) {
        let text = '';
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            /* not JSON: kept as text */
          }
          resolve({ status: res.statusCode!, headers: res.headers, body, messages, next: () => Promise.reject(new Error('refused')), ended: ended$, isEnded: () => true, close: () => req.destroy() });
        });
        return;
      }
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const data = event.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          if (data) messages.push(JSON.parse(data) as T);
        }
        for (const wake of waiters) wake();
      });
      resolve({
        status: 200,
        headers: res.headers,
        messages,
        ended: ended$,
        isEnded: () => ended,
        close: () => req.destroy(),
        next(timeoutMs = 5_000) {
          return new Promise<T>((done, fail) => {
            const check = () => {
              if (taken < messages.length) {
                cleanup();
                done(messages[taken++]);
              } else if (ended) {
                cleanup();
                fail(new Error('the stream ended'));
              }
            };
            const timer = setTimeout(() => {
              cleanup();
              fail(new Error(`no message within ${timeoutMs} ms`));
            }, timeoutMs);
            const cleanup = () => {
              clearTimeout(timer);
              waiters.delete(check);
            };
            waiters.add(check);
            check();
          });
        },
      });
    });
    req.end();
  });
}
