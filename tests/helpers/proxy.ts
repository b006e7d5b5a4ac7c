/**
 * A loopback HTTP proxy for fault tests. It forwards every request to the upstream server,
 * and lets a test hold batch answers back (the server has already committed), drop them,
 * and observe how many batches are in flight at once.
 */
import { createServer, request, type Server } from 'node:http';

export interface BatchProxy {
  url: string;
  /** Hold each batch answer this long after the server answered it. */
  holdMs: number;
  /** Destroy the connection instead of answering (after the server committed). */
  dropAnswers: boolean;
  /** Batch requests started, answered, dropped; most in flight at once for one device token. */
  readonly stats: { started: number; answered: number; dropped: number; maxInFlight: number };
  /** Record ids carried by every batch request, in order. */
  readonly sentIds: string[];
  close(): Promise<void>;
}

export async function startBatchProxy(upstream: string): Promise<BatchProxy> {
  const target = new URL(upstream);
  const inFlightByToken = new Map<string, number>();
  const proxy: BatchProxy = {
    url: '',
    holdMs: 0,
    dropAnswers: false,
    stats: { started: 0, answered: 0, dropped: 0, maxInFlight: 0 },
    sentIds: [],
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
  const server: Server = createServer((req, res) => {
    const isBatch = req.url === '/api/v1/batches';
    const token = String(req.headers.authorization ?? '');
    const track = (delta: number) => {
      const n = (inFlightByToken.get(token) ?? 0) + delta;
      inFlightByToken.set(token, n);
      proxy.stats.maxInFlight = Math.max(proxy.stats.maxInFlight, n);
    };
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (isBatch) {
        proxy.stats.started++;
        track(1);
        void recordIds(body, req.headers['content-encoding']).then((ids) => proxy.sentIds.push(...ids));
      }
      const upstreamReq = request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host } },
        (up) => {
          const parts: Buffer[] = [];
          up.on('data', (c: Buffer) => parts.push(c));
          up.on('end', () => {
            const finish = () => {
              if (isBatch) track(-1);
              if (isBatch && proxy.dropAnswers) {
                proxy.stats.dropped++;
                res.destroy();
                return;
              }
              if (isBatch) proxy.stats.answered++;
              res.writeHead(up.statusCode ?? 502, up.headers);
              res.end(Buffer.concat(parts));
            };
            if (isBatch && proxy.holdMs > 0) setTimeout(finish, proxy.holdMs);
            else finish();
          });
        },
      );
      upstreamReq.on('error', () => {
        if (isBatch) track(-1);
        res.destroy();
      });
      upstreamReq.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  proxy.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return proxy;
}

async function recordIds(body: Buffer, encoding: string | string[] | undefined): Promise<string[]> {
  try {
    const { gunzipSync } = await import('node:zlib');
    const text = (encoding === 'gzip' ? gunzipSync(body) : body).toString('utf8');
    return (JSON.parse(text).records as Array<{ id: string }>).map((r) => r.id);
  } catch {
    return [];
  }
}
