/**
 * The client address that per-client limits count by (rate limits, live-stream caps): the
 * socket's peer. Behind a reverse proxy every client shares the proxy's address; there is no
 * trusted-proxy setting, and one would belong here, in this one place.
 */
import type { IncomingMessage } from 'node:http';

/** The address a request's limits are counted against. */
export function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}
