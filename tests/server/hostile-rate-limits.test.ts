/**
 * The hostile-input corpus, rate-limit cases: rate limits on anything guessable (S14). Every
 * case must be refused with a 4xx and a JSON body, store nothing and leave the server serving
 * (tests/helpers/hostile-server.ts says how each is checked; the hostile values are in
 * tests/helpers/hostile-corpus.ts, the raw HTTP in tests/helpers/raw-http.ts).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnrollmentCode } from '../../server/devices.ts';
import { rawJson } from '../helpers/hostile-corpus.ts';
import {
  afterTheCorpus, enrollWith, expectRefusal, hostile, postEnroll, send, useHostileServer, validRecord, type Device, type RawResponse,
} from '../helpers/hostile-server.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';

useHostileServer();

describe('rate limits on anything guessable (S14)', () => {
  let limited: TestServer;
  let quick: TestServer;
  let device: Device;

  beforeAll(async () => {
    limited = await startTestServer(); // the default limits: 10 enrollments, 20 failed token checks
    quick = await startTestServer({ enrollLimit: { capacity: 2, refillMs: 300 }, authFailureLimit: { capacity: 2, refillMs: 300 } });
    const { code } = await createEnrollmentCode(limited.store, 'rally', 3_600_000, 'test');
    device = await enrollWith(code, limited); // uses 1 of the 10 enrollment attempts
  });
  afterAll(async () => {
    await limited?.close();
    await quick?.close();
  });

  function expectRateLimited(res: RawResponse, maxSeconds: number, label: string): void {
    expectRefusal(res, { status: 429, code: 'rate_limited' }, label);
    const retryAfter = Number(res.headers['retry-after']);
    expect(Number.isInteger(retryAfter), `${label}: Retry-After ${res.headers['retry-after']}`).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(maxSeconds);
  }

  it('S14: bad enrollment codes: 10 attempts per address, then 429 rate_limited with Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) {
      const { res } = await hostile(`bad code ${i}`, postEnroll({ protocol: 1, code: i % 2 ? '00000-00000' : 'nope' }), { status: i % 2 ? 403 : 400 }, limited);
      statuses.push(res.status);
    }
    expect(statuses.every((s) => s === 400 || s === 403)).toBe(true);
    const { res } = await hostile('enroll over the limit', postEnroll({ protocol: 1, code: '00000-00000' }), { status: 429, code: 'rate_limited' }, limited);
    expectRateLimited(res, 30, 'enroll 429');
    // Even a genuine code is refused now, and stays unused.
    const { code } = await createEnrollmentCode(limited.store, 'rally', 3_600_000, 'test');
    const again = await hostile('live code while limited', postEnroll({ protocol: 1, code }), { status: 429, code: 'rate_limited' }, limited);
    expectRateLimited(again.res, 30, 'enroll 429 live');
  });

  it('S14: bad tokens: 20 failed checks per address, then 429 rate_limited with Retry-After', async () => {
    const batch = rawJson({ protocol: 1, deviceId: device.deviceId, records: [validRecord(device)] });
    for (let i = 0; i < 20; i++) {
      const authorization = i % 2 ? `Bearer ${randomBytes(32).toString('base64url')}` : 'Bearer short';
      await hostile(`bad token ${i}`, { path: '/api/v1/batches', headers: { 'content-type': 'application/json', authorization }, body: batch }, { status: 401, code: 'unauthorized' }, limited);
    }
    const { res } = await hostile(
      'token over the limit',
      { path: '/api/v1/batches', headers: { 'content-type': 'application/json', authorization: `Bearer ${randomBytes(32).toString('base64url')}` }, body: batch },
      { status: 429, code: 'rate_limited' },
      limited,
    );
    expectRateLimited(res, 3, 'token 429');
    // A genuine tablet behind the same address is never locked out by someone else's bad tokens.
    const ok = await send({ path: '/api/v1/batches', headers: { 'content-type': 'application/json', authorization: `Bearer ${device.token}` }, body: batch }, limited);
    expect(ok.status, ok.text).toBe(200);
  });

  it('S14: a limited address gets its attempts back over time', async () => {
    for (let i = 0; i < 2; i++) await hostile(`quick bad code ${i}`, postEnroll({ protocol: 1, code: '00000-00000' }), { status: 403 }, quick);
    const { res } = await hostile('quick enroll limited', postEnroll({ protocol: 1, code: '00000-00000' }), { status: 429, code: 'rate_limited' }, quick);
    expectRateLimited(res, 1, 'quick enroll 429');
    for (let i = 0; i < 2; i++) await hostile(`quick bad token ${i}`, { path: '/api/v1/batches', headers: { 'content-type': 'application/json' }, body: '{}' }, { status: 401 }, quick);
    const tokenLimited = await hostile('quick token limited', { path: '/api/v1/batches', headers: { 'content-type': 'application/json' }, body: '{}' }, { status: 429, code: 'rate_limited' }, quick);
    expectRateLimited(tokenLimited.res, 1, 'quick token 429');
    await new Promise((resolve) => setTimeout(resolve, 400));
    await hostile('quick enroll recovered', postEnroll({ protocol: 1, code: '00000-00000' }), { status: 403, code: 'enrollment_refused' }, quick);
    await hostile('quick token recovered', { path: '/api/v1/batches', headers: { 'content-type': 'application/json' }, body: '{}' }, { status: 401, code: 'unauthorized' }, quick);
  });

  it('S14: a rate-limited address still gets /api/health', async () => {
    const res = await send({ method: 'GET', path: '/api/health' }, limited);
    expect(res.status).toBe(200);
  });
});

afterTheCorpus('rate-limit', 40);
