/**
 * The hostile-input corpus, route cases: methods, unknown paths and path traversal (S17).
 * Every case must be refused with a 4xx and a JSON body, store nothing and leave the server
 * serving (tests/helpers/hostile-server.ts says how each is checked; the hostile values are in
 * tests/helpers/hostile-corpus.ts, the raw HTTP in tests/helpers/raw-http.ts).
 */
import { describe, expect, it } from 'vitest';
import { SECRET } from '../helpers/hostile-corpus.ts';
import type { ErrorResponse } from '../../src/shared/protocol.ts';
import {
  afterTheCorpus, batchHeaders, expectServing, hostile, send, useHostileServer,
} from '../helpers/hostile-server.ts';

useHostileServer();

describe('hostile routes: methods, unknown paths, traversal (S17)', () => {
  it.each([
    ...['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'PURGE'].map((m) => [m, '/api/v1/batches'] as const),
    ...['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'].map((m) => [m, '/api/v1/enroll'] as const),
  ])('S17: %s %s → 405', async (method, path) => {
    await hostile(`${method} ${path}`, { method, path, headers: batchHeaders() }, { status: 405, code: 'method_not_allowed' });
  });

  it.each(['/api/v1/batches', '/api/v1/enroll'])('S17: HEAD %s → 405 (no body)', async (path) => {
    await hostile(`HEAD ${path}`, { method: 'HEAD', path }, { status: 405, noBody: true });
  });

  it.each(['POST', 'DELETE'])('S17: %s /api/health (a read-only route) → 405', async (method) => {
    await hostile(`${method} /api/health`, { method, path: '/api/health', headers: { 'content-type': 'application/json' }, body: '{}' }, { status: 405, code: 'method_not_allowed' });
  });

  it.each([
    ['POST', '/api'],
    ['POST', '/api/'],
    ['POST', '/api/v1'],
    ['POST', '/api/v1/'],
    ['POST', '/api/v1/batches/'],
    ['POST', '/api/v1/Batches'],
    ['POST', '/api/v2/batches'],
    ['POST', '/api/v1/batch'],
    ['POST', '/api/v1/batches;jsessionid=1'],
    ['POST', '/api/v1/batches%2f..%2fenroll'],
    ['POST', '/api/v1/batches%00'],
    ['GET', '/api/health/extra'],
    ['GET', '/api/admin'],
    ['GET', '/api/v1/devices'],
    ['POST', '/API/v1/batches'],
    ['POST', '/'],
    ['PUT', '/index.html'],
    ['GET', '/nope.js'],
    ['GET', '/assets/missing.js'],
    ['GET', `/api/${'x'.repeat(6000)}`],
  ])('S17: %s %s → 404', async (method, path) => {
    const { body } = await hostile(`${method} ${path.slice(0, 60)}`, { method, path, headers: { ...batchHeaders(), accept: 'application/json' }, body: method === 'GET' ? undefined : '{}' }, { status: 404, code: 'not_found' });
    expect((body as ErrorResponse).error.message.length).toBeLessThan(300);
  });

  const TRAVERSALS = [
    '/../secret.txt',
    '/../../etc/passwd',
    '/../../../../../../etc/passwd',
    '/%2e%2e/secret.txt',
    '/%2E%2E/%2E%2E/etc/passwd',
    '/.%2e/secret.txt',
    '/..%2fsecret.txt',
    '/..%2f..%2f..%2fetc%2fpasswd',
    '/%2e%2e%2fsecret.txt',
    '/%252e%252e%252fsecret.txt',
    '/..%5csecret.txt',
    '/..\\secret.txt',
    '/%c0%ae%c0%ae/secret.txt',
    '/%c0%af..%c0%afsecret.txt',
    '/secret.txt%00.html',
    '/index.html%00/../../secret.txt',
    '/assets/../../secret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/....//secret.txt',
    '/..;/secret.txt',
    '/%2fetc%2fpasswd',
    '/%2f%2e%2e%2fsecret.txt',
    '/file:%2f%2f%2fetc%2fpasswd',
    '/%',
    '/%zz',
  ];

  it.each(TRAVERSALS)('S17: GET %s → 404, never a file outside the app', async (path) => {
    const { res } = await hostile(`GET ${path}`, { method: 'GET', path, headers: { accept: 'application/json' } }, { status: 404, code: 'not_found' });
    expect(res.text).not.toContain(SECRET);
    expect(res.text).not.toMatch(/root:.*:0:0:/);
  });

  it('S17: traversal paths asked for as pages fall back to index.html at most, never to the file', async () => {
    for (const path of TRAVERSALS) {
      const res = await send({ method: 'GET', path, headers: { accept: 'text/html' } });
      expect(res.status, path).toBeLessThan(500);
      expect(res.text, path).not.toContain(SECRET);
      expect(res.text, path).not.toMatch(/root:.*:0:0:/);
      if (res.status === 200) expect(res.text, path).toContain('<title>Fieldsign</title>');
    }
  });

  it.each(['//[', '//a:b@[/x', 'http://[/', '//x:99999/'])('S17: an unparseable request target %s → 4xx, not 500', async (path) => {
    await hostile(`target ${path}`, { method: 'GET', path, headers: { accept: 'application/json' } }, { status: [400, 404], code: ['bad_request', 'not_found'] });
  });

  it('S17: the static files still serve normally', async () => {
    const res = await send({ method: 'GET', path: '/assets/app.js' });
    expect(res.status).toBe(200);
    expect(res.text).toBe('console.log(1)');
  });

  it('S17: the server keeps serving after the route cases', expectServing);
});

afterTheCorpus('route', 66);
