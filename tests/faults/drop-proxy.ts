/**
 * A loopback HTTP proxy that loses answers AFTER the server committed them: for a fraction
 * of batch requests it forwards the request, waits for the server's whole response (so the
 * batch is in the database), then destroys the tablet's socket instead of replying.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host'];

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = { ...headers };
  for (const name of HOP_BY_HOP) delete out[name];
  return out;
}

export interface DropProxyOptions {
  upstreamPort: number;
  /** Fraction of successful (HTTP 200) batch answers to drop. */
  dropRate: number;
  random?: () => number;
}

export class DropProxy {
  /** Change at any time; 0 stops dropping. */
  dropRate: number;
  /** Batch answers the server gave (HTTP 200) that the tablet never received. */
  dropped = 0;
  /** Batch answers passed on to the tablet. */
  delivered = 0;
  /** Requests that could not reach the server (down or killed mid-request). */
  upstreamFailures = 0;
  url = '';
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly random: () => number;
  private readonly opts: DropProxyOptions;

  constructor(opts: DropProxyOptions) {
    this.opts = opts;
    this.dropRate = opts.dropRate;
    this.random = opts.random ?? Math.random;
  }

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('error', () => req.socket.destroy());
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const isBatch = req.method === 'POST' && req.url === '/api/v1/batches';
        const up = request(
          {
            host: '127.0.0.1',
            port: this.opts.upstreamPort,
            method: req.method,
            path: req.url,
            headers: { ...endToEnd(req.headers), host: `127.0.0.1:${this.opts.upstreamPort}`, 'content-length': String(body.length) },
            agent: false,
          },
          (upRes) => {
            const answer: Buffer[] = [];
            upRes.on('data', (c: Buffer) => answer.push(c));
            upRes.on('error', () => {
              this.upstreamFailures++;
              req.socket.destroy();
            });
            upRes.on('end', () => {
              if (!upRes.complete) {
                this.upstreamFailures++;
                req.socket.destroy();
                return;
              }
              if (isBatch && upRes.statusCode === 200 && this.random() < this.dropRate) {
                // The server has committed and answered: the tablet never hears of it.
                this.dropped++;
                req.socket.destroy();
                return;
              }
              if (isBatch) this.delivered++;
              res.writeHead(upRes.statusCode ?? 502, endToEnd(upRes.headers));
              res.end(Buffer.concat(answer));
            });
          },
        );
        up.setTimeout(15_000, () => up.destroy(new Error('upstream timeout')));
        up.on('error', () => {
          // Server down or killed mid-request: the tablet sees a broken connection, as it would.
          this.upstreamFailures++;
          req.socket.destroy();
        });
        up.end(body);
      });
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(0, '127.0.0.1', done);
    });
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((done) => server.close(() => done()));
  }
}
