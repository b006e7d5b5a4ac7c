/**
 * The client address that per-client limits count by (rate limits, live-stream caps). For now
 * the socket's peer; behind a reverse proxy every client shares the proxy's address, which a
 * trusted-proxy setting will change here, in this one place.
 */
import type { IncomingMessage } from 'node:http';

/** The address a request's limits are counted against. */
export function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}
