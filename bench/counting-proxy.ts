/**
 * A loopback TCP proxy that counts the bytes each way, put in front of the server by the
 * slow-link benchmark (slow-link.ts) to measure what a sync really sends, headers included.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

/** Counts the bytes each way through a loopback TCP proxy in front of `target`. */
export interface CountingProxy {
  url: string;
  up: number;
  down: number;
  reset(): void;
  close(): Promise<void>;
}

/** Start a proxy to `target` (an http://127.0.0.1:port URL) on a free port. */
export async function countingProxy(target: string): Promise<CountingProxy> {
  const { port } = new URL(target);
  const sockets = new Set<Socket>();
  const proxy: CountingProxy = {
    url: '',
    up: 0,
    down: 0,
    reset() {
      proxy.up = 0;
      proxy.down = 0;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
  const server: Server = createServer((client) => {
    const upstream = connect(Number(port), '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (d: Buffer) => (proxy.up += d.length));
    upstream.on('data', (d: Buffer) => (proxy.down += d.length));
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  proxy.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return proxy;
}
