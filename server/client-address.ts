/**
 * Who is asking, and over what: the one place that decides a request's client address (what
 * rate limits and live-stream caps count by) and whether it came over HTTPS.
 *
 * Behind a reverse proxy the socket's peer is the proxy, so every client would share one
 * bucket. Only peers listed in --trust-proxy are believed about the client: their
 * X-Forwarded-For is read from the right (the entry each trusted hop appended), skipping
 * trusted hops; the first untrusted entry is the client. Anyone else's X-Forwarded-* is
 * ignored, so a client cannot pick its own address or claim HTTPS.
 */
import { BlockList, isIP } from 'node:net';
import type { HttpBindings } from '@hono/node-server';
import type { Ctx } from './routes/context.ts';

/** The addresses whose X-Forwarded-For and X-Forwarded-Proto are believed. */
export interface TrustedProxies {
  /** The setting as given (for messages). */
  readonly text: string;
  has(address: string): boolean;
}

/** Trust no one: the default, and the right one for a server clients reach directly. */
export const NO_PROXY: TrustedProxies = { text: '', has: () => false };

/** "::ffff:10.0.0.1" (an IPv4 peer on a dual-stack socket) is 10.0.0.1. */
function plain(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return mapped ? mapped[1] : address;
}

/**
 * Parse --trust-proxy: comma-separated addresses, CIDR ranges and `loopback` (127.0.0.0/8
 * and ::1). Throws an Error naming the bad entry.
 */
export function parseTrustedProxies(text: string): TrustedProxies {
  const list = new BlockList();
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) {
    if (entry === 'loopback') {
      list.addSubnet('127.0.0.0', 8, 'ipv4');
      list.addAddress('::1', 'ipv6');
      continue;
    }
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address);
    const max = family === 4 ? 32 : 128;
    if (!family || extra !== undefined || (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= max))) {
      throw new Error(`FIELDSIGN_TRUST_PROXY / --trust-proxy: "${entry}" is not an IP address, a CIDR range (10.0.0.0/8) or "loopback"`);
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return {
    text: entries.join(','),
    has(candidate) {
      const address = plain(candidate);
      const family = isIP(address);
      return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

/** What a request needs for these questions: its socket, its headers, and whom to trust. */
export interface RequestOrigin {
  bindings: Partial<HttpBindings> | undefined;
  header(name: string): string | undefined;
  trusted: TrustedProxies;
}

/** The view of a Hono request that these functions read. */
export function requestOf(c: Ctx): RequestOrigin {
  return { bindings: c.env, header: (name) => c.req.header(name), trusted: c.var.app.trustedProxies };
}

function peerOf(request: RequestOrigin): string | undefined {
  const peer = request.bindings?.incoming?.socket?.remoteAddress;
  return peer === undefined ? undefined : plain(peer);
}

/** A header's comma-separated values, over all its lines. */
function listHeader(request: RequestOrigin, name: string): string[] {
  return (request.header(name) ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

/**
 * The address a request's limits are counted against. A request made without a socket (a
 * test's `app.request()`) counts as 'unknown'.
 */
export function clientAddress(request: RequestOrigin): string {
  const peer = peerOf(request);
  if (peer === undefined) return 'unknown';
  if (!request.trusted.has(peer)) return peer;
  let client = peer;
  for (const entry of listHeader(request, 'x-forwarded-for').reverse()) {
    const address = plain(entry.replace(/^\[(.*)\]$/, '$1'));
    // Garbage stops the walk: whoever wrote it is the last hop we can vouch for.
    if (!isIP(address)) break;
    client = address;
    if (!request.trusted.has(address)) break;
  }
  return client;
}

/** True when the request reached us over HTTPS: directly, or through a trusted proxy that says so. */
export function requestIsSecure(request: RequestOrigin): boolean {
  const socket = request.bindings?.incoming?.socket as { encrypted?: boolean } | undefined;
  if (socket?.encrypted) return true;
  const peer = peerOf(request);
  if (peer === undefined || !request.trusted.has(peer)) return false;
  return listHeader(request, 'x-forwarded-proto').at(-1)?.toLowerCase() === 'https';
}

/** True for a client on this machine (loopback; 'unknown': no socket, an in-process request). */
function isLocalClient(address: string): boolean {
  return /^127\./.test(address) || address === '::1' || address === 'unknown';
}

/** Forwarding headers: their presence from a peer we do not trust means a proxy we were not told about. */
const FORWARDING_HEADERS = ['x-forwarded-for', 'x-forwarded-proto', 'forwarded', 'via'];

/**
 * True when a password may be sent on this request: it came over HTTPS (directly or through a
 * trusted proxy), or from this machine with no proxy in between. A loopback peer that
 * forwards for others without being trusted does not count as local: the browser behind it
 * may be anywhere.
 */
export function mayCarrySecrets(request: RequestOrigin): boolean {
  if (requestIsSecure(request)) return true;
  const peer = peerOf(request);
  // Through a proxy, trusted or not, plain http is never this machine's browser: the hop to
  // the proxy may have crossed a network, and a header the walk could not read must not
  // leave the proxy's own loopback address standing in for the client.
  if (peer !== undefined && FORWARDING_HEADERS.some((name) => request.header(name) !== undefined)) return false;
  return isLocalClient(clientAddress(request));
}

/**
 * The origin clients use, for links they will open (enrollment QR codes): the public URL when
 * one is set, else this request's own (its Host; https only when the request was secure).
 */
export function publicOrigin(request: RequestOrigin, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl;
  const hostHeader = request.header('host') ?? '';
  const host = /^[\w.:[\]-]{1,255}$/.test(hostHeader) ? hostHeader : 'localhost';
  return `${requestIsSecure(request) ? 'https' : 'http'}://${host}`;
}
