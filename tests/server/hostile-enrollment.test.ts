/**
 * The hostile-input corpus, enrollment cases: enrollment codes that are wrong, used, expired
 * or malformed (S2, S13, S17). Every case must be refused with a 4xx and a JSON body, store
 * nothing and leave the server serving (tests/helpers/hostile-server.ts says how each is
 * checked; the hostile values are in tests/helpers/hostile-corpus.ts, the raw HTTP in
 * tests/helpers/raw-http.ts).
 */
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createEnrollmentCode } from '../../server/devices.ts';
import { MB, raw, rawJson } from '../helpers/hostile-corpus.ts';
import type { ErrorResponse } from '../../src/shared/protocol.ts';
import {
  afterTheCorpus, enrollWith, expectServing, expiredCode, hostile, postEnroll, sendStreaming, server, snapshot, usedCode, useHostileServer, type RawRequest, type Expectation, type Json,
} from '../helpers/hostile-server.ts';

useHostileServer();

describe('hostile enrollment (S13, S2, S17)', () => {
  const UNKNOWN = '00000-00000';

  it.each<[string, () => Json | string]>([
    ['null', () => null],
    ['an array', () => []],
    ['a number', () => 42],
    ['a bare code string', () => JSON.stringify(UNKNOWN)],
    ['an empty object', () => ({})],
    ['code missing', () => ({ protocol: 1 })],
    ['code null', () => ({ protocol: 1, code: null })],
    ['code a number', () => ({ protocol: 1, code: 1234567890 })],
    ['code an array', () => ({ protocol: 1, code: [UNKNOWN] })],
    ['code an object', () => ({ protocol: 1, code: { $gt: '' } })],
    ['code empty', () => ({ protocol: 1, code: '' })],
    ['code too short', () => ({ protocol: 1, code: 'ABC' })],
    ['code of 9 characters', () => ({ protocol: 1, code: '7K2QD-M9XH' })],
    ['code of 11 characters', () => ({ protocol: 1, code: '7K2QD-M9XHPQ' })],
    ['code of 41 characters', () => ({ protocol: 1, code: '7'.repeat(41) })],
    ['code of 3 000 characters', () => ({ protocol: 1, code: '7'.repeat(3_000) })],
    ['code with U (not Crockford)', () => ({ protocol: 1, code: 'UUUUU-UUUUU' })],
    ['code with a NUL byte', () => ({ protocol: 1, code: '7K2QD\u0000M9XHP' })],
    ['code in full-width digits', () => ({ protocol: 1, code: '７Ｋ２ＱＤ-Ｍ９ＸＨＰ' })],
    ['code with a path', () => ({ protocol: 1, code: '../../etc/passwd' })],
    ['code with a SQL injection', () => ({ protocol: 1, code: "' OR 1=1 --" })],
    ['code with punctuation', () => ({ protocol: 1, code: '7K2QD.M9XHP' })],
    ['protocol missing', () => ({ code: UNKNOWN })],
    ['protocol "1"', () => ({ protocol: '1', code: UNKNOWN })],
    ['protocol 1.5', () => ({ protocol: 1.5, code: UNKNOWN })],
    ['protocol null', () => ({ protocol: null, code: UNKNOWN })],
    ['protocol 1e400', () => ({ protocol: raw('1e400'), code: UNKNOWN })],
    ['label a number', () => ({ protocol: 1, code: UNKNOWN, label: 3 })],
    ['label an object', () => ({ protocol: 1, code: UNKNOWN, label: { toString: 'x' } })],
    ['label of 81 characters', () => ({ protocol: 1, code: UNKNOWN, label: 'L'.repeat(81) })],
    ['label null', () => ({ protocol: 1, code: UNKNOWN, label: null })],
  ])('S13, S17: enrollment with %s → 400', async (label, make) => {
    await hostile(`enroll ${label}`, postEnroll(make()), { status: 400, code: 'bad_request' });
  });

  it.each([
    ['0', 0],
    ['2', 2],
    ['-1', -1],
    ['99', 99],
  ])('S2: enrollment with protocol %s → 400 incompatible_protocol', async (label, protocol) => {
    await hostile(`enroll protocol ${label}`, postEnroll({ protocol, code: UNKNOWN }), { status: 400, code: 'incompatible_protocol' });
  });

  it.each([
    ['an unknown code', () => UNKNOWN],
    ['another unknown code', () => 'ZZZZZ-ZZZZZ'],
    ['an unknown lowercase code', () => 'abcde-fghjk'],
    ['an unknown code with look-alikes (O, I, L)', () => 'OOOOO-IILL1'],
    ['a random well-formed code', () => randomBytes(10).toString('hex').slice(0, 10).toUpperCase()],
  ])('S13: %s → 403 enrollment_refused', async (label, code) => {
    await hostile(`enroll ${label}`, postEnroll({ protocol: 1, code: code() }), { status: 403, code: 'enrollment_refused' });
  });

  it('S13: an expired code → 403 enrollment_refused, saying it expired', async () => {
    const { body } = await hostile('expired code', postEnroll({ protocol: 1, code: expiredCode }), { status: 403, code: 'enrollment_refused' });
    expect((body as ErrorResponse).error.message).toMatch(/expired/i);
  });

  it('S13: a replayed (already used) code → 403 enrollment_refused, saying it was used', async () => {
    const { body } = await hostile('used code', postEnroll({ protocol: 1, code: usedCode }), { status: 403, code: 'enrollment_refused' });
    expect((body as ErrorResponse).error.message).toMatch(/already used/i);
    // Also the same code spelt differently (lowercase, no dash): still the same used code.
    await hostile('used code respelt', postEnroll({ protocol: 1, code: usedCode.replace('-', '').toLowerCase() }), { status: 403, code: 'enrollment_refused' });
  });

  it('S13, S17: a live code sent hostilely is never consumed: it still enrolls afterwards', async () => {
    const { code } = await createEnrollmentCode(server.store, 'rally', 3_600_000, 'test');
    await hostile('live code, protocol 2', postEnroll({ protocol: 2, code }), { status: 400, code: 'incompatible_protocol' });
    await hostile('live code, text/plain', postEnroll({ protocol: 1, code }, { 'content-type': 'text/plain' }), { status: 415, code: 'unsupported_media_type' });
    await hostile('live code, bad label', postEnroll({ protocol: 1, code, label: ['x'] }), { status: 400, code: 'bad_request' });
    await hostile('live code, gzip bomb', postEnroll(gzipSync(Buffer.alloc(10 * MB, 0x20)), { 'content-encoding': 'gzip' }), { status: 413, code: 'payload_too_large' });
    await hostile('live code, brotli', postEnroll(rawJson({ protocol: 1, code }), { 'content-encoding': 'br' }), { status: 415, code: 'unsupported_media_type' });
    const before = await snapshot();
    const device = await enrollWith(code);
    expect(device.token.length).toBeGreaterThanOrEqual(20);
    expect(await snapshot()).toEqual({ ...before, devices: before.devices + 1 });
    // …and only once.
    await hostile('live code replayed', postEnroll({ protocol: 1, code }), { status: 403, code: 'enrollment_refused' });
  });

  it.each([
    ['invalid JSON', () => postEnroll('{"protocol":1,"code":')],
    ['invalid UTF-8', () => postEnroll(new Uint8Array([0x7b, 0xff, 0x7d]))],
    ['a 5 KB body', () => postEnroll(rawJson({ protocol: 1, code: UNKNOWN, label: 'x'.repeat(5000) }))],
    ['a gzip bomb', () => postEnroll(gzipSync(Buffer.alloc(MB, 0x20)), { 'content-encoding': 'gzip' })],
    ['corrupt gzip', () => postEnroll(randomBytes(64), { 'content-encoding': 'gzip' })],
    ['no content type', (): RawRequest => ({ path: '/api/v1/enroll', body: rawJson({ protocol: 1, code: UNKNOWN }) })],
  ])('S17: enrollment with %s → 4xx', async (label, make) => {
    const want: Record<string, Expectation> = {
      'invalid JSON': { status: 400, code: 'invalid_json' },
      'invalid UTF-8': { status: 400, code: 'bad_request' },
      'a 5 KB body': { status: 413, code: 'payload_too_large' },
      'a gzip bomb': { status: 413, code: 'payload_too_large' },
      'corrupt gzip': { status: 400, code: 'bad_request' },
      'no content type': { status: 415, code: 'unsupported_media_type' },
    };
    await hostile(`enroll ${label}`, make(), want[label]);
  });

  it('S17: a streamed (chunked) enrollment body over 4 KB → 413', async () => {
    await hostile('enroll chunked', () => sendStreaming('/api/v1/enroll', { 'content-type': 'application/json' }, 256 * 1024), { status: 413, code: 'payload_too_large' });
  });

  it('S17: the server keeps serving after the enrollment cases', expectServing);
});

afterTheCorpus('enrollment', 56);
