/**
 * The client address that per-client limits count by (rate limits, live-stream caps): the
 * socket's peer, from the node-server bindings. A request made without a socket (a test's
 * `app.request()`) counts as 'unknown'. Behind a reverse proxy every client shares the
 * proxy's address; there is no trusted-proxy setting, and one would belong here, in this one place.
 */
import type { HttpBindings } from '@hono/node-server';

/** The address a request's limits are counted against. */
export function clientAddress(bindings: Partial<HttpBindings> | undefined): string {
  return bindings?.incoming?.socket?.remoteAddress ?? 'unknown';
}
