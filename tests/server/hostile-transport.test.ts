/**
 * The hostile-input corpus, transport cases: content type, encoding, UTF-8, JSON and size of a
 * request body (S15, S17). Every case must be refused with a 4xx and a JSON body, store
 * nothing and leave the server serving (tests/helpers/hostile-server.ts says how each is
 * checked; the hostile values are in tests/helpers/hostile-corpus.ts, the raw HTTP in
 * tests/helpers/raw-http.ts).
 */
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MB, rawJson } from '../helpers/hostile-corpus.ts';
import {
  A, afterTheCorpus, batchHeaders, expectServing, hostile, postBatch, sendStreaming, useHostileServer, validRecord,
} from '../helpers/hostile-server.ts';

useHostileServer();

describe('hostile transport: content type, encoding, UTF-8, JSON, size (S17, S15)', () => {
  const good = () => rawJson({ protocol: 1, deviceId: A.deviceId, records: [validRecord()] });

  it.each([
    ['no content type', undefined],
    ['text/plain', 'text/plain'],
    ['an empty content type', ''],
    ['form encoding', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=xyz'],
    ['application/jsonx', 'application/jsonx'],
    ['text/json', 'text/json'],
    ['application/json-patch+json', 'application/json-patch+json'],
    ['application/xml', 'application/xml'],
    ['a content type with a trailing escape', 'application/json\\u0000'],
  ])('S17: wrong content type (%s) → 415', async (label, type) => {
    const headers: Record<string, string> = { authorization: `Bearer ${A.token}` };
    if (type !== undefined) headers['content-type'] = type;
    await hostile(label, { path: '/api/v1/batches', headers, body: good() }, { status: 415, code: 'unsupported_media_type' });
  });

  it.each(['deflate', 'br', 'compress', 'x-gzip', 'zstd', 'gzip, gzip', 'identity, gzip', '*', 'gzip;q=1', 'chunked'])(
    'S17: unsupported Content-Encoding "%s" → 415',
    async (encoding) => {
      await hostile(`encoding ${encoding}`, postBatch(gzipSync(good()), A, { 'content-encoding': encoding }), { status: 415, code: 'unsupported_media_type' });
    },
  );

  it.each([
    ['a lone 0xFF byte', Buffer.from([0x7b, 0xff, 0x7d])],
    ['an overlong "/" (C0 AF)', Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')])],
    ['a UTF-8 encoded surrogate (ED A0 80)', Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')])],
    ['a truncated multi-byte sequence', Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xe2, 0x82]), Buffer.from('"}')])],
    ['Latin-1 text', Buffer.from('{"protocol":1,"deviceId":"caf\xe9","records":[]}', 'latin1')],
    ['UTF-16LE with a BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"protocol":1}', 'utf16le')])],
    ['invalid UTF-8 inside a signer name', () => Buffer.from(good().replace(/"name":"[^"]*"/, '"name":"\u0001BAD\u0001"').replace(/\u0001/g, '\u00ff'), 'latin1')],
    ['a code point above U+10FFFF (F4 90 80 80)', Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xf4, 0x90, 0x80, 0x80]), Buffer.from('"}')])],
  ])('S17: invalid UTF-8 (%s) → 400', async (label, bytes) => {
    const body = typeof bytes === 'function' ? bytes() : bytes;
    await hostile(label, postBatch(new Uint8Array(body)), { status: 400, code: 'bad_request' });
  });

  it.each([
    ['an empty body', ''],
    ['a truncated object', '{"protocol":1,'],
    ['a trailing comma', '{"protocol":1,}'],
    ['single quotes', "{'protocol':1}"],
    ['a bare NaN', '{"protocol":NaN,"deviceId":"x","records":[]}'],
    ['Infinity', '{"protocol":Infinity}'],
    ['undefined', 'undefined'],
    ['two concatenated documents', '{"a":1}{"b":2}'],
    ['a comment', '{"protocol":1 /* hi */}'],
    ['an unterminated string', '{"protocol":"1'],
    ['a raw NUL byte outside strings', '{"protocol":1\u0000}'],
    ['a raw control character inside a string', '{"deviceId":"a\u0001b"}'],
    ['only whitespace', '   \n\t  '],
    ['a lone surrogate escape pair broken mid-way', '{"a":"\\ud800\\u"}'],
    ['hex numbers', '{"protocol":0x1}'],
  ])('S17: invalid JSON (%s) → 400 invalid_json', async (label, text) => {
    await hostile(label, postBatch(text), { status: 400, code: 'invalid_json' });
  });

  it('S17: a body declaring a Content-Length over 4 MB → 413 before it is sent', async () => {
    await hostile('declared 5 MB', () => sendStreaming('/api/v1/batches', batchHeaders(), 64 * 1024, 5 * MB), { status: 413, code: 'payload_too_large' });
  });

  it('S17: a full 5 MB body with Content-Length → 413', async () => {
    const body = rawJson({ protocol: 1, deviceId: A.deviceId, records: [], pad: 'x'.repeat(5 * MB) });
    await hostile('5 MB body', postBatch(body), { status: 413, code: 'payload_too_large' });
  });

  it('S17: a streamed (chunked) body growing past 4 MB → 413', async () => {
    await hostile('chunked 6 MB', () => sendStreaming('/api/v1/batches', batchHeaders(), 6 * MB), { status: 413, code: 'payload_too_large' });
  });

  it('S15: a gzip body over 4 MB on the wire (incompressible) → 413', async () => {
    const noise = randomBytes(5 * MB).toString('base64');
    await hostile('gzip 5 MB wire', postBatch(gzipSync(rawJson({ pad: noise })), A, { 'content-encoding': 'gzip' }), { status: 413, code: 'payload_too_large' });
  });

  it('S15: a gzip bomb (50 MB of spaces in 50 KB) → 413', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * MB, 0x20), { level: 9 });
    expect(bomb.length).toBeLessThan(MB);
    await hostile('gzip bomb', postBatch(bomb, A, { 'content-encoding': 'gzip' }), { status: 413, code: 'payload_too_large' });
  });

  it('S15: a gzip bomb that inflates to valid JSON just over 8 MB → 413', async () => {
    const json = rawJson({ protocol: 1, deviceId: A.deviceId, records: [], pad: ' '.repeat(8 * MB + 10) });
    await hostile('gzip 8 MB+ JSON', postBatch(gzipSync(json), A, { 'content-encoding': 'gzip' }), { status: 413, code: 'payload_too_large' });
  });

  it.each([
    ['random bytes', () => randomBytes(512)],
    ['a gzip header then garbage', () => Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0x03]), randomBytes(200)])],
    ['a truncated gzip stream', () => gzipSync(good()).subarray(0, 40)],
    ['a wrong CRC', () => {
      const gz = Buffer.from(gzipSync(good()));
      gz[gz.length - 6] ^= 0xff;
      return gz;
    }],
    ['a wrong length trailer', () => {
      const gz = Buffer.from(gzipSync(good()));
      gz[gz.length - 1] ^= 0xff;
      return gz;
    }],
    ['plain JSON labelled gzip', () => Buffer.from(good())],
    ['an empty gzip body', () => Buffer.alloc(0)],
    ['a zlib (deflate) stream labelled gzip', () => Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])],
  ])('S17: corrupt gzip (%s) → 400', async (label, make) => {
    await hostile(label, postBatch(new Uint8Array(make()), A, { 'content-encoding': 'gzip' }), { status: 400, code: 'bad_request' });
  });

  it('S17: gzip of invalid UTF-8 → 400, gzip of invalid JSON → 400 invalid_json', async () => {
    await hostile('gzip invalid utf-8', postBatch(gzipSync(Buffer.from([0x7b, 0xff, 0x7d])), A, { 'content-encoding': 'gzip' }), { status: 400, code: 'bad_request' });
    await hostile('gzip invalid json', postBatch(gzipSync('{"protocol":'), A, { 'content-encoding': 'gzip' }), { status: 400, code: 'invalid_json' });
  });

  it('S17: the server keeps serving after the transport cases', expectServing);
});

afterTheCorpus('transport', 59);
