/**
 * Who the client is, behind a proxy or not (server/client-address.ts): the socket's peer
 * unless that peer is a trusted proxy; then the right-most untrusted X-Forwarded-For entry.
 * X-Forwarded-Proto only from a trusted peer. Each case fails on the old code, which took the
 * socket's address and believed anyone's X-Forwarded-Proto.
 */
import { describe, expect, it } from 'vitest';
import { clientAddress, mayCarrySecrets, NO_PROXY, parseTrustedProxies, publicOrigin, requestIsSecure, type RequestOrigin, type TrustedProxies } from '../../server/client-address.ts';

function request(peer: string | undefined, headers: Record<string, string> = {}, trusted: TrustedProxies = NO_PROXY, encrypted = false): RequestOrigin {
  return {
    bindings: peer === undefined ? undefined : ({ incoming: { socket: { remoteAddress: peer, encrypted } } } as never),
    header: (name) => headers[name],
    trusted,
  };
}

const loopback = parseTrustedProxies('loopback');

describe('parseTrustedProxies', () => {
  it('reads addresses, CIDR ranges and loopback, IPv4 and IPv6', () => {
    const trusted = parseTrustedProxies(' 10.0.0.0/8 , 192.0.2.7, 2001:db8::/32,loopback ');
    for (const address of ['10.1.2.3', '192.0.2.7', '2001:db8::1', '127.0.0.1', '127.9.9.9', '::1', '::ffff:10.0.0.9']) expect(trusted.has(address), address).toBe(true);
    for (const address of ['11.0.0.1', '192.0.2.8', '2001:db9::1', 'garbage', '']) expect(trusted.has(address), address).toBe(false);
    expect(parseTrustedProxies('').has('127.0.0.1')).toBe(false);
  });

  it('refuses what is not an address, with the setting and the entry named', () => {
    for (const bad of ['localhost', '10.0.0.0/33', '10.0.0.1/8/2', '::1/129', '300.1.1.1', '10.0.0.0/x']) {
      expect(() => parseTrustedProxies(bad)).toThrow(new RegExp(`--trust-proxy: "${bad.replace(/[./]/g, '\\$&')}" is not an IP address`));
    }
  });
});

describe('clientAddress', () => {
  it('is the socket peer when no proxy is trusted, whatever X-Forwarded-For claims', () => {
    expect(clientAddress(request('198.51.100.4', { 'x-forwarded-for': '203.0.113.9' }))).toBe('198.51.100.4');
    expect(clientAddress(request('127.0.0.1', { 'x-forwarded-for': '203.0.113.9' }))).toBe('127.0.0.1');
    expect(clientAddress(request('::ffff:198.51.100.4'))).toBe('198.51.100.4');
    expect(clientAddress(request(undefined))).toBe('unknown');
  });

  it('behind a trusted proxy, is the right-most entry the proxies did not add', () => {
    expect(clientAddress(request('127.0.0.1', { 'x-forwarded-for': '203.0.113.9' }, loopback))).toBe('203.0.113.9');
    // A client that sends its own X-Forwarded-For gets its real address appended: the forged one is ignored.
    expect(clientAddress(request('127.0.0.1', { 'x-forwarded-for': '1.2.3.4, 203.0.113.9' }, loopback))).toBe('203.0.113.9');
    // Two trusted hops (a load balancer, then Caddy).
    const two = parseTrustedProxies('loopback, 10.0.0.0/8');
    expect(clientAddress(request('127.0.0.1', { 'x-forwarded-for': '1.2.3.4, 203.0.113.9, 10.0.0.5' }, two))).toBe('203.0.113.9');
    expect(clientAddress(request('127.0.0.1', { 'x-forwarded-for': '[2001:db8::7]' }, loopback))).toBe('2001:db8::7');
  });

  it('stops at garbage, and is the proxy itself when it forwards nothing', () => {
    expect(clientAddress(request('127.0.0.1', { 'x-forwarded-for': '203.0.113.9, not-an-ip' }, loopback))).toBe('127.0.0.1');
    expect(clientAddress(request('127.0.0.1', {}, loopback))).toBe('127.0.0.1');
    expect(clientAddress(request('127.0.0.1', { 'x-forwarded-for': '127.0.0.5' }, loopback))).toBe('127.0.0.5');
  });
});

describe('requestIsSecure and mayCarrySecrets', () => {
  it('believes X-Forwarded-Proto only from a trusted proxy', () => {
    expect(requestIsSecure(request('198.51.100.4', { 'x-forwarded-proto': 'https' }))).toBe(false);
    expect(requestIsSecure(request('127.0.0.1', { 'x-forwarded-proto': 'https' }))).toBe(false);
    expect(requestIsSecure(request('127.0.0.1', { 'x-forwarded-proto': 'https' }, loopback))).toBe(true);
    expect(requestIsSecure(request('127.0.0.1', { 'x-forwarded-proto': 'http' }, loopback))).toBe(false);
    expect(requestIsSecure(request('198.51.100.4', {}, NO_PROXY, true))).toBe(true);
  });

  it('lets a password travel only over HTTPS or from this machine with no proxy in between', () => {
    expect(mayCarrySecrets(request('127.0.0.1'))).toBe(true);
    expect(mayCarrySecrets(request('::1'))).toBe(true);
    expect(mayCarrySecrets(request(undefined))).toBe(true);
    expect(mayCarrySecrets(request('192.168.1.20'))).toBe(false);
    expect(mayCarrySecrets(request('192.168.1.20', { 'x-forwarded-proto': 'https' }))).toBe(false);
    // A proxy on this machine that we were not told to trust: the browser may be anywhere.
    expect(mayCarrySecrets(request('127.0.0.1', { 'x-forwarded-for': '203.0.113.9' }))).toBe(false);
    expect(mayCarrySecrets(request('127.0.0.1', { 'x-forwarded-for': '203.0.113.9' }, loopback))).toBe(false);
    expect(mayCarrySecrets(request('127.0.0.1', { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' }, loopback))).toBe(true);
    // A trusted proxy's entry the walk cannot read (a port, brackets with a port) must not
    // leave the proxy's own loopback address standing in for a browser that may be anywhere.
    for (const forwarded of ['1.2.3.4:5555', '[2001:db8::1]:443', 'unknown']) {
      expect(mayCarrySecrets(request('127.0.0.1', { 'x-forwarded-for': forwarded }, loopback)), forwarded).toBe(false);
      expect(mayCarrySecrets(request('127.0.0.1', { 'x-forwarded-for': forwarded, 'x-forwarded-proto': 'https' }, loopback)), forwarded).toBe(true);
    }
  });
});

describe('publicOrigin', () => {
  it('is the public URL when set, else the request’s own with https only when vouched for', () => {
    expect(publicOrigin(request('127.0.0.1', { host: 'internal:8080' }), 'https://sign.example.org')).toBe('https://sign.example.org');
    expect(publicOrigin(request('198.51.100.4', { host: 'sign.example.org', 'x-forwarded-proto': 'https' }), undefined)).toBe('http://sign.example.org');
    expect(publicOrigin(request('127.0.0.1', { host: 'sign.example.org', 'x-forwarded-proto': 'https' }, loopback), undefined)).toBe('https://sign.example.org');
    expect(publicOrigin(request('127.0.0.1', { host: 'evil"><script>' }), undefined)).toBe('http://localhost');
  });
});
