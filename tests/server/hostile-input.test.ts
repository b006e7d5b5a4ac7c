/**
 * Hostile input corpus against the real HTTP server (docs/PROTOCOL.md, S2, S5, S11, S13,
 * S14, S15, S17, S21). Every case must be refused with a 4xx and a JSON body (either
 * `{error:{code,message}}` or a per-record answer whose bad records are `invalid` with
 * issues), must store nothing, and must leave the server serving. The one exception is a bad
 * batch report (S21): it is ignored, and the batch's good records are stored as usual.
 *
 * Requests go through `node:http` with a fresh connection each (`agent: false`), so raw
 * paths, any method, any header and streamed bodies can be sent, and one refused request
 * can never poison the connection of the next.
 */
import { randomBytes, createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { createEnrollmentCode } from '../../server/devices.ts';
import { toBase64Url } from '../../src/shared/ink.ts';
import { BatchResponseSchema, ErrorResponseSchema, type ErrorResponse, type SignatureRecord } from '../../src/shared/protocol.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';
import { makeRecord } from '../helpers/records.ts';

type ErrorCode = ErrorResponse['error']['code'];
type Json = unknown;

interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string | number>;
  body?: string | Uint8Array;
}

interface RawResponse {
  /** 0 when the connection failed before any answer. */
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The socket error when no answer came. */
  error?: string;
}

interface Device {
  deviceId: string;
  token: string;
}

/** Where the server's unexpected errors (500s) land; must stay empty. */
const serverErrors: string[] = [];
let server: TestServer;
let staticRoot: string;
let A: Device;
let B: Device;
/** Enrolled then revoked. */
let C: Device;
let usedCode: string;
let expiredCode: string;
let cases = 0;

const SECRET = 'TOP-SECRET-MARKER-7f3a';
const MB = 1024 * 1024;
/** A value of this form is written as a bare JSON literal, e.g. `@@RAW:1e400@@` → 1e400. */
const raw = (literal: string) => `@@RAW:${literal}@@`;
const DELETE = Symbol('delete');

// ---------------------------------------------------------------------------------------
// HTTP plumbing

function target(): { host: string; port: string } {
  const u = new URL(server.url);
  return { host: u.hostname, port: u.port };
}

/** One request on a fresh connection; resolves with status 0 if the socket fails first. */
function send(req: RawRequest, base: TestServer = server): Promise<RawResponse> {
  const u = new URL(base.url);
  const headers: Record<string, string | number> = { ...req.headers };
  // node:http sends no length for a DELETE/OPTIONS body unless told, which desyncs the connection.
  const named = Object.keys(headers).map((k) => k.toLowerCase());
  if (req.body !== undefined && !named.includes('content-length') && !named.includes('transfer-encoding')) {
    headers['content-length'] = Buffer.byteLength(req.body);
  }
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: RawResponse) => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    const r = httpRequest(
      { host: u.hostname, port: u.port, method: req.method ?? 'POST', path: req.path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (e) => done({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), error: e.message }));
      },
    );
    r.on('error', (e: NodeJS.ErrnoException) => done({ status: 0, headers: {}, text: '', error: e.code ?? e.message }));
    r.end(req.body);
  });
}

/**
 * Send headers, then stream `chunk` repeatedly (at most `total` bytes) until the server
 * answers. With `declaredLength` a Content-Length is sent, otherwise the body is chunked.
 */
function sendStreaming(path: string, headers: Record<string, string | number>, total: number, declaredLength?: number): Promise<RawResponse> {
  const { host, port } = target();
  return new Promise((resolve) => {
    let answered = false;
    let settled = false;
    const done = (r: RawResponse) => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    const allHeaders = { ...headers, ...(declaredLength !== undefined ? { 'content-length': declaredLength } : { 'transfer-encoding': 'chunked' }) };
    const r = httpRequest({ host, port, method: 'POST', path, headers: allHeaders, agent: false }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        done({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
        r.destroy();
      });
      res.on('error', () => done({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    r.on('error', (e: NodeJS.ErrnoException) => {
      if (!answered) done({ status: 0, headers: {}, text: '', error: e.code ?? e.message });
    });
    const chunk = Buffer.alloc(64 * 1024, 0x20); // spaces: valid JSON whitespace
    let sent = 0;
    const pump = () => {
      while (!answered && !r.destroyed && sent < total) {
        sent += chunk.length;
        if (!r.write(chunk)) {
          r.once('drain', pump);
          return;
        }
      }
      // With a declared length, never finish the body: the server must refuse on the header alone.
      if (!answered && !r.destroyed && declaredLength === undefined) r.end();
    };
    r.write('{"pad":"');
    pump();
  });
}

function batchHeaders(device: Device | undefined = A, extra: Record<string, string> = {}): Record<string, string> {
  return { 'content-type': 'application/json', ...(device && { authorization: `Bearer ${device.token}` }), ...extra };
}

/** JSON text, with `raw(...)` placeholders turned into bare literals. */
function rawJson(value: Json): string {
  return JSON.stringify(value).replace(/"@@RAW:([^"@]*)@@"/g, '$1');
}

/** A batch request; a string or bytes body is sent as is (raw text), anything else as JSON. */
function postBatch(body: Json | string | Uint8Array, device: Device | undefined = A, extra: Record<string, string> = {}): RawRequest {
  const text = typeof body === 'string' || body instanceof Uint8Array ? body : rawJson(body);
  return { path: '/api/v1/batches', headers: batchHeaders(device, extra), body: text };
}

/** An enrollment request; a string or bytes body is sent as is, anything else as JSON. */
function postEnroll(body: Json | string | Uint8Array, extra: Record<string, string> = {}): RawRequest {
  const text = typeof body === 'string' || body instanceof Uint8Array ? body : rawJson(body);
  return { path: '/api/v1/enroll', headers: { 'content-type': 'application/json', ...extra }, body: text };
}

async function enrollWith(code: string, base: TestServer = server): Promise<Device> {
  const res = await send(postEnroll({ protocol: 1, code, label: 'hostile-test' }), base);
  expect(res.status, res.text).toBe(201);
  const body = JSON.parse(res.text) as Device;
  return { deviceId: body.deviceId, token: body.token };
}

// ---------------------------------------------------------------------------------------
// Assertions

interface Snapshot {
  count: number;
  conflicts: number;
  devices: number;
}

async function snapshot(base: TestServer = server): Promise<Snapshot> {
  return { count: await base.store.count(), conflicts: await base.store.conflictCount(), devices: (await base.store.listDevices()).length };
}

function expectNotPolluted(): void {
  const probe = {} as Record<string, unknown>;
  for (const key of ['polluted', 'id', 'v', 'deviceId', 'protocol', 'records', 'isAdmin']) {
    expect(probe[key], `Object.prototype.${key}`).toBeUndefined();
  }
  expect(Object.prototype).not.toHaveProperty('polluted');
  expect(Array.prototype).not.toHaveProperty('polluted');
}

interface Expectation {
  /** The status, or the acceptable statuses. */
  status: number | number[];
  /** Expected error code(s) for a whole-request refusal. */
  code?: ErrorCode | ErrorCode[];
  /** A per-record answer: every record of the batch must come back `invalid`. */
  invalidRecords?: number;
  /** HEAD: no body to inspect. */
  noBody?: boolean;
}

/** Check the refusal shape; returns the parsed body. */
function expectRefusal(res: RawResponse, want: Expectation, label: string): Json {
  const where = `${label} → ${res.status} ${res.error ?? ''} ${res.text.slice(0, 300)}`;
  expect(res.status, where).toBeGreaterThanOrEqual(400);
  expect(res.status, where).toBeLessThan(500);
  expect([want.status].flat(), where).toContain(res.status);
  expect(String(res.headers['content-type']), where).toMatch(/^application\/json/);
  if (want.noBody) return undefined;
  let body: Json;
  try {
    body = JSON.parse(res.text);
  } catch {
    expect.fail(`${where}: the body is not JSON`);
  }
  if (want.invalidRecords !== undefined) {
    const parsed = z.safeParse(BatchResponseSchema, body);
    expect(parsed.success, where).toBe(true);
    if (!parsed.success) return body;
    expect(parsed.data.results, where).toHaveLength(want.invalidRecords);
    for (const result of parsed.data.results) {
      expect(result.status, where).toBe('invalid');
      expect(result.issues?.length ?? 0, where).toBeGreaterThan(0);
      for (const issue of result.issues ?? []) {
        expect(issue.path.length, where).toBeGreaterThan(0);
        expect(issue.message.trim().length, where).toBeGreaterThan(0);
      }
    }
  } else {
    const parsed = z.safeParse(ErrorResponseSchema, body);
    expect(parsed.success, where).toBe(true);
    if (!parsed.success) return body;
    expect(parsed.data.error.message.trim().length, where).toBeGreaterThan(0);
    if (want.code) expect([want.code].flat(), where).toContain(parsed.data.error.code);
    if (parsed.data.error.issues) {
      for (const issue of parsed.data.error.issues) expect(issue.message.trim().length, where).toBeGreaterThan(0);
    }
  }
  return body;
}

/** Run one hostile case: it must be refused as expected, store nothing, pollute nothing. */
async function hostile(label: string, req: RawRequest | (() => Promise<RawResponse>), want: Expectation, base: TestServer = server): Promise<{ res: RawResponse; body: Json }> {
  cases++;
  const before = await snapshot(base);
  const res = typeof req === 'function' ? await req() : await send(req, base);
  const body = expectRefusal(res, want, label);
  expect(await snapshot(base), `${label}: database changed`).toEqual(before);
  expectNotPolluted();
  return { res, body };
}

async function expectServing(): Promise<void> {
  const res = await send({ method: 'GET', path: '/api/health' });
  expect(res.status).toBe(200);
  expect(JSON.parse(res.text)).toMatchObject({ ok: true });
}

// ---------------------------------------------------------------------------------------
// Hostile data builders

function validRecord(device: Device = A): SignatureRecord {
  return makeRecord({ deviceId: device.deviceId });
}

/** Set (or delete) a dotted path in a JSON-ish object, in place. */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = keys[keys.length - 1];
  if (value === DELETE) delete node[last];
  else node[last] = value;
}

function mutated(path: string, value: unknown, device: Device = A): Record<string, unknown> {
  const record = structuredClone(validRecord(device)) as unknown as Record<string, unknown>;
  setPath(record, path, value);
  return record;
}

const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** LEB128 varint bytes. */
function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}
const zigzag = (n: number) => varint(n >= 0 ? n * 2 : -n * 2 - 1);
const ink = (bytes: number[]) => toBase64Url(Uint8Array.from(bytes));
const points = (n: number) => Array.from({ length: n }, () => [0, 0, 0]).flat();

// ---------------------------------------------------------------------------------------
// Setup

beforeAll(async () => {
  staticRoot = mkdtempSync(join(tmpdir(), 'fieldsign-static-'));
  const publicDir = join(staticRoot, 'public');
  mkdirSync(join(publicDir, 'assets'), { recursive: true });
  writeFileSync(join(publicDir, 'index.html'), '<!doctype html><title>Fieldsign</title>');
  writeFileSync(join(publicDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(staticRoot, 'secret.txt'), SECRET);
  writeFileSync(join(staticRoot, 'secret'), SECRET);

  server = await startTestServer({
    staticDir: publicDir,
    // Rate limits are tested on their own (S14, below); here they would only get in the way.
    enrollLimit: { capacity: 1_000_000, refillMs: 1 },
    authFailureLimit: { capacity: 1_000_000, refillMs: 1 },
    log: (message, error) => serverErrors.push(`${message}: ${error instanceof Error ? error.stack : String(error)}`),
  });

  const codeA = await createEnrollmentCode(server.store, 'rally', 3_600_000, 'test');
  const codeB = await createEnrollmentCode(server.store, 'rally', 3_600_000, 'test');
  const codeC = await createEnrollmentCode(server.store, 'rally', 3_600_000, 'test');
  A = await enrollWith(codeA.code);
  B = await enrollWith(codeB.code);
  C = await enrollWith(codeC.code);
  expect(await server.store.revokeDevice(C.deviceId, new Date().toISOString())).toBe(true);
  usedCode = codeA.code;
  expiredCode = (await createEnrollmentCode(server.store, 'rally', 60_000, 'test', new Date(Date.now() - 3_600_000))).code;

  // Something stored already, so "unchanged" is not trivially "empty".
  const seed = await send(postBatch({ protocol: 1, deviceId: A.deviceId, records: [validRecord(), validRecord()] }));
  expect(seed.status, seed.text).toBe(200);
});

afterAll(async () => {
  await server?.close();
  if (staticRoot) rmSync(staticRoot, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------
// Cases

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

describe('hostile authentication (S11)', () => {
  const body = () => rawJson({ protocol: 1, deviceId: A.deviceId, records: [validRecord()] });
  const req = (authorization: string | undefined): RawRequest => ({
    path: '/api/v1/batches',
    headers: { 'content-type': 'application/json', ...(authorization !== undefined && { authorization }) },
    body: body(),
  });

  it.each<[string, () => string | undefined]>([
    ['no Authorization header', () => undefined],
    ['an empty Authorization header', () => ''],
    ['"Bearer" with no token', () => 'Bearer'],
    ['"Bearer " with a blank token', () => 'Bearer '],
    ['a token shorter than 20 characters', () => `Bearer ${'a'.repeat(19)}`],
    ['a token longer than 100 characters', () => `Bearer ${'a'.repeat(101)}`],
    ['a Basic credential', () => `Basic ${Buffer.from('admin:admin').toString('base64')}`],
    ['the token without a scheme', () => A.token],
    ['two spaces after Bearer', () => `Bearer  ${A.token}`],
    ['a token with one extra character', () => `Bearer ${A.token}x`],
    ['a token missing its last character', () => `Bearer ${A.token.slice(0, -1)}`],
    ['a well-formed random token', () => `Bearer ${randomBytes(32).toString('base64url')}`],
    ['the stored SHA-256 of a real token (a stolen database copy)', () => `Bearer ${createHash('sha256').update(A.token).digest('hex')}`],
    ['a JWT-looking token', () => 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.'],
    ['two tokens in one header', () => `Bearer ${A.token}, Bearer ${B.token}`],
    ['a token with base64 padding', () => `Bearer ${A.token}==`],
    ['a SQL injection as token', () => "Bearer ' OR '1'='1' -- aaaaaaaaaaaaaaa"],
    ['a device id instead of a token', () => `Bearer ${A.deviceId}`],
  ])('S11: %s → 401 unauthorized', async (label, authorization) => {
    await hostile(label, req(authorization()), { status: 401, code: 'unauthorized' });
  });

  it('S11: a revoked device’s token → 401 device_revoked', async () => {
    const batch = rawJson({ protocol: 1, deviceId: C.deviceId, records: [validRecord(C)] });
    await hostile('revoked', postBatch(batch, C), { status: 401, code: 'device_revoked' });
  });

  it('S11: token A with an envelope naming device B (forged device id) → 403 forbidden', async () => {
    const batch = rawJson({ protocol: 1, deviceId: B.deviceId, records: [validRecord(B)] });
    await hostile('forged envelope', postBatch(batch, A), { status: 403, code: 'forbidden' });
  });

  it('S11: token B with an envelope naming device A → 403 forbidden', async () => {
    const batch = rawJson({ protocol: 1, deviceId: A.deviceId, records: [validRecord(A)] });
    await hostile('forged envelope B→A', postBatch(batch, B), { status: 403, code: 'forbidden' });
  });

  it('S11: token A with an envelope naming a made-up device → 403 forbidden', async () => {
    const batch = rawJson({ protocol: 1, deviceId: 'device-test', records: [makeRecord()] });
    await hostile('made-up device', postBatch(batch, A), { status: 403, code: 'forbidden' });
  });

  it('S11: records naming device B inside A’s batch are each invalid (records.N.deviceId)', async () => {
    const records = [validRecord(B), validRecord(B), validRecord(B)];
    const { body } = await hostile('records of B in A’s batch', postBatch({ protocol: 1, deviceId: A.deviceId, records }), { status: 422, invalidRecords: 3 });
    const results = (body as { results: Array<{ id: string; issues: Array<{ path: string }> }> }).results;
    results.forEach((result, i) => {
      expect(result.id).toBe(records[i].id);
      expect(result.issues.map((issue) => issue.path)).toContain(`records.${i}.deviceId`);
    });
  });

  it('S11, S5: a forged record next to a good one: the good one is stored, the forged one is invalid', async () => {
    const good = validRecord(A);
    const forged = validRecord(B);
    const before = await snapshot();
    const res = await send(postBatch({ protocol: 1, deviceId: A.deviceId, records: [forged, good] }));
    expect(res.status).toBe(422);
    const body = JSON.parse(res.text) as { results: Array<{ id: string; status: string }> };
    expect(body.results.map((r) => [r.id, r.status])).toEqual([[forged.id, 'invalid'], [good.id, 'accepted']]);
    expect(await snapshot()).toEqual({ ...before, count: before.count + 1 });
    const stored = (await server.store.list({ limit: 10_000 })).find((s) => s.id === good.id);
    expect(stored?.deviceId).toBe(A.deviceId);
  });

  it('S17: the server keeps serving after the authentication cases', expectServing);
});

describe('hostile batch envelopes (S2, S15, S17)', () => {
  const env = (overrides: Record<string, unknown>, drop: string[] = []): Record<string, unknown> => {
    const base: Record<string, unknown> = { protocol: 1, deviceId: A.deviceId, records: [validRecord()], ...overrides };
    for (const key of drop) delete base[key];
    return base;
  };

  it.each<[string, () => Json]>([
    ['null', () => null],
    ['a number', () => 42],
    ['a string', () => JSON.stringify('batch')],
    ['true', () => true],
    ['an empty array', () => []],
    ['an array holding the batch', () => [env({})]],
    ['an empty object', () => ({})],
    ['protocol missing', () => env({}, ['protocol'])],
    ['protocol null', () => env({ protocol: null })],
    ['protocol "1"', () => env({ protocol: '1' })],
    ['protocol 1.5', () => env({ protocol: 1.5 })],
    ['protocol true', () => env({ protocol: true })],
    ['protocol [1]', () => env({ protocol: [1] })],
    ['protocol {}', () => env({ protocol: {} })],
    ['protocol "NaN"', () => env({ protocol: 'NaN' })],
    ['protocol 1e400 (Infinity)', () => env({ protocol: raw('1e400') })],
    ['protocol 2^53', () => env({ protocol: 2 ** 53 })],
    ['protocol 1e308', () => env({ protocol: raw('1e308') })],
    ['deviceId missing', () => env({}, ['deviceId'])],
    ['deviceId null', () => env({ deviceId: null })],
    ['deviceId a number', () => env({ deviceId: 42 })],
    ['deviceId empty', () => env({ deviceId: '' })],
    ['deviceId 65 characters', () => env({ deviceId: 'a'.repeat(65) })],
    ['deviceId with a path', () => env({ deviceId: '../../etc/passwd' })],
    ['deviceId with a NUL byte', () => env({ deviceId: `${A.deviceId}\u0000` })],
    ['deviceId an array', () => env({ deviceId: [A.deviceId] })],
    ['deviceId an object', () => env({ deviceId: { $ne: null } })],
    ['deviceId a huge string', () => env({ deviceId: 'x'.repeat(200_000) })],
    ['sentAt null', () => env({ sentAt: null })],
    ['sentAt a number', () => env({ sentAt: Date.now() })],
    ['sentAt empty', () => env({ sentAt: '' })],
    ['sentAt "yesterday"', () => env({ sentAt: 'yesterday' })],
    ['sentAt "NaN"', () => env({ sentAt: 'NaN' })],
    ['sentAt 30 February', () => env({ sentAt: '2026-02-30T10:00:00Z' })],
    ['sentAt without a zone', () => env({ sentAt: '2026-11-24T10:00:00' })],
    ['records missing', () => env({}, ['records'])],
    ['records null', () => env({ records: null })],
    ['records an object', () => env({ records: {} })],
    ['records an object with numeric keys', () => env({ records: { 0: validRecord(), length: 1 } })],
    ['records a string', () => env({ records: 'x' })],
    ['records a number', () => env({ records: 1 })],
    ['records 501 numbers', () => env({ records: Array.from({ length: 501 }, (_, i) => i) })],
    ['records 501 valid records', () => env({ records: Array.from({ length: 501 }, () => validRecord()) })],
    ['records 100 000 empty objects', () => env({ records: Array.from({ length: 100_000 }, () => ({})) })],
  ])('S17: a batch with %s → 400 with issues', async (label, make) => {
    const { body } = await hostile(label, postBatch(make()), { status: 400, code: 'bad_request' });
    const issues = (body as ErrorResponse).error.issues;
    expect(issues?.length ?? 0, label).toBeGreaterThan(0);
  });

  it.each<[string, number | string]>([
    ['0', 0],
    ['-1', -1],
    ['-0', raw('-0')],
    ['2', 2],
    ['99', 99],
    ['2^31', 2 ** 31],
    ['-2^31', -(2 ** 31)],
  ])('S2: protocol %s → 400 incompatible_protocol with supported {min,max}', async (label, protocol) => {
    const { body } = await hostile(`protocol ${label}`, postBatch(env({ protocol })), { status: 400, code: 'incompatible_protocol' });
    expect((body as ErrorResponse).error.supported).toEqual({ min: 1, max: 1 });
  });

  it('S15: exactly 500 bad records is a batch (per-record answer, 500 invalid results)', async () => {
    const records = Array.from({ length: 500 }, (_, i) => ({ id: `not-a-uuid-${i}`, v: 1 }));
    await hostile('500 bad records', postBatch(env({ records })), { status: 422, invalidRecords: 500 });
  });

  it('S21: a good report replaces the last one (the cases below must leave it as it is)', async () => {
    const res = await send(postBatch(env({ report: { pending: 3, quarantined: 2 } })));
    expect(res.status, res.text).toBe(200);
    expect((await server.store.listDevices()).find((d) => d.id === A.deviceId)?.lastReport).toMatchObject({ pending: 3, quarantined: 2 });
  });

  const withReport = (fields: Record<string, unknown>) => env({ report: { pending: 1, quarantined: 0, ...fields } });
  it.each<[string, () => Json]>([
    ['a string', () => env({ report: 'all fine' })],
    ['an array', () => env({ report: [1, 0] })],
    ['pending -1', () => withReport({ pending: -1 })],
    ['pending 1.5', () => withReport({ pending: 1.5 })],
    ['quarantined "0"', () => withReport({ quarantined: '0' })],
    ['persisted "yes"', () => withReport({ persisted: 'yes' })],
    ['persisted 1', () => withReport({ persisted: 1 })],
    ['storage a number', () => withReport({ storage: 5_000_000 })],
    ['storage.usage -1', () => withReport({ storage: { usage: -1, quota: 10 } })],
    ['storage.quota "10"', () => withReport({ storage: { usage: 1, quota: '10' } })],
    ['storage.quota 1e400 (Infinity)', () => withReport({ storage: { usage: 1, quota: raw('1e400') } })],
    ['storage without a quota', () => withReport({ storage: { usage: 1 } })],
    ['appVersion a number', () => withReport({ appVersion: 1.2 })],
    ['appVersion empty', () => withReport({ appVersion: '' })],
    ['appVersion of 65 characters', () => withReport({ appVersion: '1'.repeat(65) })],
    ['appVersion a huge string', () => withReport({ appVersion: 'v'.repeat(200_000) })],
    ['appVersion with a NUL byte and a newline', () => withReport({ appVersion: '0.1.0\u0000\n' })],
    ['appVersion with non-ASCII text', () => withReport({ appVersion: 'versión 1 ‮' })],
    ['lastSyncAt "yesterday"', () => withReport({ lastSyncAt: 'yesterday' })],
    ['lastSyncAt a number', () => withReport({ lastSyncAt: Date.now() })],
    ['lastSyncAt without a zone', () => withReport({ lastSyncAt: '2026-11-24T10:00:00' })],
    ['erased -1', () => withReport({ erased: -1 })],
    ['erased 1.5', () => withReport({ erased: 1.5 })],
    ['erased "3"', () => withReport({ erased: '3' })],
    ['erased 2^53', () => withReport({ erased: 2 ** 53 })],
    ['erased 1e400 (Infinity)', () => withReport({ erased: raw('1e400') })],
  ])('S5, S21: a batch whose report has %s → its records are judged and stored as usual; the report is not kept', async (label, make) => {
    const reportBefore = (await server.store.listDevices()).find((d) => d.id === A.deviceId)?.lastReport;
    const before = await snapshot();
    const batch = make() as { records: SignatureRecord[] };
    const res = await send(postBatch(batch));
    const where = `report ${label} → ${res.status} ${res.text.slice(0, 300)}`;
    // A refused batch would make the tablet halve it down to lone good records and quarantine them.
    expect(res.status, where).toBe(200);
    const parsed = z.safeParse(BatchResponseSchema, JSON.parse(res.text));
    expect(parsed.success, where).toBe(true);
    expect(parsed.data?.results, where).toEqual(batch.records.map((r) => ({ id: r.id, status: 'accepted' })));
    expect(await server.store.getSignature(batch.records[0].id), where).toBeDefined();
    expect(await snapshot(), where).toEqual({ ...before, count: before.count + batch.records.length });
    expect(reportBefore, 'the good report before').toMatchObject({ pending: 3, quarantined: 2 });
    expect((await server.store.listDevices()).find((d) => d.id === A.deviceId)?.lastReport, `${label}: report changed`).toEqual(reportBefore);
    expectNotPolluted();
  });


  it('S17: the server keeps serving after the envelope cases', expectServing);
});

/** Field paths of a valid plain record, and wrong values for each. */
const FIELD_PATHS = [
  'id',
  'v',
  'deviceId',
  'campaignId',
  'campaignVersion',
  'capturedAt',
  'payload',
  'payload.kind',
  'payload.signer',
  'payload.signer.name',
  'payload.signer.email',
  'payload.signer.country',
  'payload.signer.optIn',
  'payload.ink',
  'payload.ink.format',
  'payload.ink.width',
  'payload.ink.height',
  'payload.ink.data',
] as const;

const MUTATIONS: Array<[string, unknown]> = [
  ['missing', DELETE],
  ['null', null],
  ['a number', 42],
  ['a negative number', -1],
  ['a fraction', 1.5],
  ['true', true],
  ['an array', []],
  ['an object', {}],
  ['an empty string', ''],
  ['a 100k-character string', 'x'.repeat(100_000)],
  ['a string with NUL bytes', 'a\u0000b'],
  ['"NaN"', 'NaN'],
  ['a huge number', 1e308],
  ['Infinity (1e400)', raw('1e400')],
];

/** Mutations that are, correctly, valid values for that field. */
const STILL_VALID = new Set([
  'campaignVersion=a number',
  'payload.ink.width=a number',
  'payload.ink.height=a number',
  'payload.signer.optIn=true',
  'payload.signer.name="NaN"',
  'campaignId="NaN"',
  // Which signer fields a campaign asks for is its choice; the kiosk enforces "required".
  'payload.signer.email=missing',
  'payload.signer.country=missing',
]);

const MUTATION_CASES = FIELD_PATHS.flatMap((path) =>
  MUTATIONS.filter(([label]) => !STILL_VALID.has(`${path}=${label}`)).map(([label, value]) => [path, label, value] as const),
);

describe('hostile records: every field of a record, wrong (S5)', () => {
  it.each(MUTATION_CASES)('S5: %s set to %s → that record is invalid with issues', async (path, label, value) => {
    const record = mutated(path, value);
    const { body } = await hostile(`${path}=${label}`, postBatch({ protocol: 1, deviceId: A.deviceId, records: [record] }), { status: 422, invalidRecords: 1 });
    const result = (body as { results: Array<{ id: string; issues: Array<{ path: string }> }> }).results[0];
    expect(result.id).toBe(path === 'id' ? '#0' : record.id);
    expect(result.issues.every((issue) => issue.path.startsWith('records.0'))).toBe(true);
  });

  it('S5: all the mutated records in one batch: each is judged alone, and one good record is still stored', async () => {
    const bad = MUTATION_CASES.slice(0, 200).map(([path, , value]) => mutated(path, value));
    const good = validRecord();
    const before = await snapshot();
    const res = await send(postBatch({ protocol: 1, deviceId: A.deviceId, records: [...bad, good] }));
    expect(res.status).toBe(422);
    const body = JSON.parse(res.text) as { results: Array<{ id: string; status: string }> };
    expect(body.results).toHaveLength(bad.length + 1);
    expect(body.results.slice(0, -1).every((r) => r.status === 'invalid')).toBe(true);
    expect(body.results.at(-1)).toEqual({ id: good.id, status: 'accepted' });
    expect(await snapshot()).toEqual({ ...before, count: before.count + 1 });
  });

  it.each<[string, () => unknown]>([
    ['a record that is null', () => null],
    ['a record that is a number', () => 7],
    ['a record that is a string', () => 'record'],
    ['a record that is an array', () => [validRecord()]],
    ['a record that is an empty object', () => ({})],
    ['v: 2 (a future record shape)', () => mutated('v', 2)],
    ['v: "1"', () => mutated('v', '1')],
    ['id: a UUID with braces', () => mutated('id', `{${crypto.randomUUID()}}`)],
    ['id: a UUID with a NUL byte', () => mutated('id', `${crypto.randomUUID()}\u0000`)],
    ['id: hex that is not a UUID', () => mutated('id', 'deadbeef')],
    ['id: a SQL injection', () => mutated('id', "'); DROP TABLE signatures; --")],
    ['deviceId: a path', () => mutated('deviceId', '../../etc/passwd')],
    ['campaignId: 65 characters', () => mutated('campaignId', 'c'.repeat(65))],
    ['campaignId: spaces', () => mutated('campaignId', 'protect defenders')],
    ['campaignId: unicode', () => mutated('campaignId', 'défenseurs')],
    ['campaignVersion: 2^53', () => mutated('campaignVersion', 2 ** 53)],
    ['campaignVersion: -0.5', () => mutated('campaignVersion', -0.5)],
    ['campaignVersion: "1"', () => mutated('campaignVersion', '1')],
    ['capturedAt: 30 February', () => mutated('capturedAt', '2026-02-30T12:00:00Z')],
    ['capturedAt: 29 February of a common year', () => mutated('capturedAt', '2026-02-29T12:00:00Z')],
    ['capturedAt: hour 24', () => mutated('capturedAt', '2026-11-24T24:00:00Z')],
    ['capturedAt: no zone', () => mutated('capturedAt', '2026-11-24T12:00:00')],
    ['capturedAt: a date only', () => mutated('capturedAt', '2026-11-24')],
    ['capturedAt: epoch milliseconds as a string', () => mutated('capturedAt', '1764000000000')],
    ['capturedAt: a six-digit year', () => mutated('capturedAt', '+275760-09-13T00:00:00Z')],
    ['capturedAt: an offset of +25:00', () => mutated('capturedAt', '2026-11-24T12:00:00+25:00')],
    ['payload.kind: "constructor"', () => mutated('payload.kind', 'constructor')],
    ['payload.kind: "__proto__"', () => mutated('payload.kind', '__proto__')],
    ['payload.kind: "toString"', () => mutated('payload.kind', 'toString')],
    ['payload.kind: "hasOwnProperty"', () => mutated('payload.kind', 'hasOwnProperty')],
    ['payload.kind: "PLAIN"', () => mutated('payload.kind', 'PLAIN')],
    ['payload.kind: "sealed" without its fields', () => mutated('payload.kind', 'sealed')],
    ['a sealed payload with a non-base64url key', () => mutated('payload', { kind: 'sealed', alg: 'RSA-OAEP', keyId: 'k', wrappedKey: 'a+b/c=', iv: 'AAAA', ciphertext: 'AAAA' })],
    ['a sealed payload with ciphertext over 200 000 chars', () => mutated('payload', { kind: 'sealed', alg: 'x', keyId: 'k', wrappedKey: 'A', iv: 'A', ciphertext: 'A'.repeat(200_001) })],
    ['a sealed payload with a 65-character alg', () => mutated('payload', { kind: 'sealed', alg: 'a'.repeat(65), keyId: 'k', wrappedKey: 'A', iv: 'A', ciphertext: 'A' })],
    ['signer.name: only spaces', () => mutated('payload.signer.name', '    ')],
    ['signer.name: 201 characters', () => mutated('payload.signer.name', 'n'.repeat(201))],
    ['signer.name: a control character', () => mutated('payload.signer.name', 'Ann\u0007e')],
    ['signer.name: DEL', () => mutated('payload.signer.name', 'Ann\u007fe')],
    ['signer.name: a C1 control', () => mutated('payload.signer.name', 'Ann\u0085e')],
    ['signer.name: a lone high surrogate', () => mutated('payload.signer.name', 'Ann\ud800e')],
    ['signer.name: a lone low surrogate', () => mutated('payload.signer.name', 'Ann\udc00e')],
    ['signer.name: a newline (header injection)', () => mutated('payload.signer.name', 'Ann\r\nX-Evil: 1')],
    ['signer.email: no @', () => mutated('payload.signer.email', 'nobody.example.org')],
    ['signer.email: no TLD', () => mutated('payload.signer.email', 'a@b')],
    ['signer.email: 255 characters', () => mutated('payload.signer.email', `${'e'.repeat(243)}@example.org`)],
    ['signer.email: two @', () => mutated('payload.signer.email', 'a@b@example.org')],
    ['signer.email: a NUL byte', () => mutated('payload.signer.email', 'a\u0000@example.org')],
    ['signer.email: a script', () => mutated('payload.signer.email', '<script>alert(1)</script>@x.org')],
    ['signer.email: only spaces', () => mutated('payload.signer.email', '   ')],
    ['signer.country: lowercase', () => mutated('payload.signer.country', 'fr')],
    ['signer.country: unknown code', () => mutated('payload.signer.country', 'ZZ')],
    ['signer.country: "constructor"', () => mutated('payload.signer.country', 'constructor')],
    ['signer.country: "__proto__"', () => mutated('payload.signer.country', '__proto__')],
    ['signer.country: a list of codes', () => mutated('payload.signer.country', 'FR DE')],
    ['signer.optIn: "true"', () => mutated('payload.signer.optIn', 'true')],
    ['signer.optIn: 1', () => mutated('payload.signer.optIn', 1)],
  ])('S5: %s → invalid with issues', async (label, make) => {
    await hostile(label, postBatch({ protocol: 1, deviceId: A.deviceId, records: [make()] }), { status: 422, invalidRecords: 1 });
  });

  it('S17: the server keeps serving after the record cases', expectServing);
});

describe('hostile ink: negative sizes and malformed strokes (S5)', () => {
  it.each<[string, Record<string, unknown>]>([
    ['width 0', { width: 0 }],
    ['width -1', { width: -1 }],
    ['width -600', { width: -600 }],
    ['height -200', { height: -200 }],
    ['width 10 001', { width: 10_001 }],
    ['height 1e20', { height: 1e20 }],
    ['width 1e-400 (rounds to 0)', { width: raw('1e-400') }],
    ['width -1e400', { width: raw('-1e400') }],
    ['width 600.5', { width: 600.5 }],
    ['width "600"', { width: '600' }],
    ['height "NaN"', { height: 'NaN' }],
    ['format 0', { format: 0 }],
    ['format 2', { format: 2 }],
    ['format "1"', { format: '1' }],
    ['unknown flags', { data: ink([2, 1, 1, 0, 0, 0]) }],
    ['no strokes', { data: ink([0, 0]) }],
    ['an empty stroke', { data: ink([0, 1, 0]) }],
    ['a negative stroke count (huge varint)', { data: ink([0, 0xff, 0xff, 0xff, 0xff, 0x0f]) }],
    ['501 strokes', { data: ink([0, ...varint(501), ...Array.from({ length: 501 }, () => [1, 0, 0, 0]).flat()]) }],
    ['20 001 points', { data: ink([0, 1, ...varint(20_001), ...points(20_001)]) }],
    ['an x coordinate out of range', { data: ink([0, 1, 1, ...zigzag(200_001), 0, 0]) }],
    ['a negative y coordinate out of range', { data: ink([0, 1, 1, 0, ...zigzag(-200_001), 0]) }],
    ['pressure above 255', { data: ink([1, 1, 1, 0, 0, 0, ...zigzag(256)]) }],
    ['negative pressure', { data: ink([1, 1, 1, 0, 0, 0, ...zigzag(-1)]) }],
    ['a varint longer than 5 bytes', { data: ink([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]) }],
    ['data ending mid-stroke', { data: ink([0, 1, 2, 0, 0, 0]) }],
    ['data ending mid-varint', { data: ink([0, 1, 1, 0x80]) }],
    ['trailing bytes', { data: ink([0, 1, 1, 0, 0, 0, 7]) }],
    ['standard base64 characters', { data: 'AAAA+/==' }],
    ['base64 padding', { data: 'AAE=' }],
    ['a length of 4n+1', { data: 'AAAAA' }],
    ['whitespace in the data', { data: 'AAEB AAAA' }],
    ['non-ASCII data', { data: 'ÀÀÀÀ' }],
    ['data over 96 000 characters', { data: 'A'.repeat(96_004) }],
    ['all-zero data', { data: 'AAAAAAAA' }],
  ])('S5: ink with %s → invalid', async (label, overrides) => {
    const record = structuredClone(validRecord()) as unknown as { payload: { ink: Record<string, unknown> } };
    Object.assign(record.payload.ink, overrides);
    await hostile(`ink ${label}`, postBatch({ protocol: 1, deviceId: A.deviceId, records: [record] }), { status: 422, invalidRecords: 1 });
  });

  it('S17: the server keeps serving after the ink cases', expectServing);
});

describe('deep nesting and prototype pollution (S17, S5)', () => {
  const DEPTH = 100_000;
  const recordText = (record: unknown) => JSON.stringify(record);
  const batchText = (recordsText: string) => `{"protocol":1,"deviceId":${JSON.stringify(A.deviceId)},"records":[${recordsText}]}`;

  it('S17: a body of 100 000 nested arrays → 400', async () => {
    await hostile('deep array body', postBatch(deepArray(DEPTH)), { status: 400, code: ['bad_request', 'invalid_json'] });
  });

  it('S17: a body of 100 000 nested objects → 400', async () => {
    await hostile('deep object body', postBatch(deepObject(DEPTH)), { status: 400, code: ['bad_request', 'invalid_json'] });
  });

  it('S17: 100 000 nested arrays, gzipped → 400', async () => {
    await hostile('deep gzip body', postBatch(gzipSync(deepArray(DEPTH)), A, { 'content-encoding': 'gzip' }), { status: 400, code: ['bad_request', 'invalid_json'] });
  });

  it('S5: a record that is 100 000 nested arrays → invalid', async () => {
    await hostile('deep record', postBatch(batchText(deepArray(DEPTH))), { status: 422, invalidRecords: 1 });
  });

  it('S5: a signer name of 100 000 nested arrays → invalid', async () => {
    const text = recordText(mutated('payload.signer.name', '@@DEEP@@')).replace('"@@DEEP@@"', deepArray(DEPTH));
    await hostile('deep name', postBatch(batchText(text)), { status: 422, invalidRecords: 1 });
  });

  it('S5: ink data of 100 000 nested objects → invalid', async () => {
    const text = recordText(mutated('payload.ink.data', '@@DEEP@@')).replace('"@@DEEP@@"', deepObject(DEPTH));
    await hostile('deep ink', postBatch(batchText(text)), { status: 422, invalidRecords: 1 });
  });

  it('S5: an unknown key of 100 000 nested arrays on an otherwise bad record → invalid', async () => {
    const text = recordText({ ...mutated('payload.signer.email', 'bad'), extra: '@@DEEP@@' }).replace('"@@DEEP@@"', deepArray(DEPTH));
    await hostile('deep extra key', postBatch(batchText(text)), { status: 422, invalidRecords: 1 });
  });

  it('S17: deep nesting as a sentAt value → 400', async () => {
    const text = `{"protocol":1,"deviceId":${JSON.stringify(A.deviceId)},"sentAt":${deepArray(DEPTH)},"records":[]}`;
    await hostile('deep sentAt', postBatch(text), { status: 400, code: 'bad_request' });
  });

  const POLLUTERS = [
    ['__proto__', '{"polluted":"yes","isAdmin":true}'],
    ['constructor', '{"prototype":{"polluted":"yes"}}'],
    ['prototype', '{"polluted":"yes"}'],
  ] as const;

  it.each(POLLUTERS)('S17: a top-level "%s" key holding a whole batch → 400, nothing polluted', async (key, payload) => {
    const inner = `{"protocol":1,"deviceId":${JSON.stringify(A.deviceId)},"records":[${recordText(validRecord())}],${payload.slice(1)}`;
    await hostile(`top ${key}`, postBatch(`{"${key}":${inner}}`), { status: 400, code: 'bad_request' });
  });

  it.each(POLLUTERS)('S5: a record whose fields all hide under "%s" → invalid, nothing polluted', async (key, payload) => {
    const record = recordText(validRecord());
    await hostile(`record ${key}`, postBatch(batchText(`{"${key}":${record.slice(0, -1)},${payload.slice(1)}}`)), { status: 422, invalidRecords: 1 });
  });

  it.each(
    POLLUTERS.flatMap(([key, payload]) =>
      ['', 'payload.', 'payload.signer.', 'payload.ink.'].map((at) => [key, at || '(record)', payload, at] as const),
    ),
  )('S5: "%s" injected at %s of a record with a bad email → invalid, nothing polluted', async (key, _where, payload, at) => {
    const record = mutated('payload.signer.email', 'not-an-email');
    const marker = '@@POLLUTE@@';
    if (at === '') record[marker] = 1;
    else setPath(record, `${at}${marker}`, 1);
    const text = recordText(record).replace(`"${marker}":1`, `"${key}":${payload}`);
    expect(text).toContain(`"${key}"`);
    await hostile(`${key} at ${at}`, postBatch(batchText(text)), { status: 422, invalidRecords: 1 });
  });

  it('S17: "__proto__" keys in an enrollment request → 400, nothing polluted', async () => {
    await hostile('enroll __proto__', postEnroll('{"__proto__":{"protocol":1,"code":"00000-00000","polluted":"yes"}}'), { status: 400, code: 'bad_request' });
    await hostile('enroll constructor', postEnroll('{"protocol":1,"code":{"constructor":{"prototype":{"polluted":"yes"}}}}'), { status: 400, code: 'bad_request' });
  });

  it('S4, S5: a valid record carrying __proto__/constructor/prototype keys at every level is stored without them', async () => {
    const record = validRecord();
    const text = recordText(record)
      .replace(/^\{/, '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},')
      .replace('"signer":{', '"signer":{"__proto__":{"isAdmin":true},"prototype":{"polluted":"yes"},')
      .replace('"ink":{', '"ink":{"__proto__":{"polluted":"yes"},');
    const res = await send(postBatch(batchText(text)));
    expect(res.status, res.text).toBe(200);
    expect(JSON.parse(res.text).results).toEqual([{ id: record.id, status: 'accepted' }]);
    const stored = (await server.store.list({ limit: 10_000 })).find((s) => s.id === record.id);
    expect(stored?.record).toEqual(record);
    expect(JSON.stringify(stored?.record)).not.toMatch(/polluted|isAdmin|__proto__|prototype/);
    expectNotPolluted();
  });

  it('S17: the server keeps serving after the nesting and pollution cases', expectServing);
});

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

describe('after the whole corpus', () => {
  it('S17: the server still answers /api/health and still accepts a valid batch', async () => {
    await expectServing();
    const records = [validRecord(), validRecord(), validRecord()];
    const before = await snapshot();
    const res = await send(postBatch({ protocol: 1, deviceId: A.deviceId, sentAt: new Date().toISOString(), records }));
    expect(res.status, res.text).toBe(200);
    expect(JSON.parse(res.text).results).toEqual(records.map((r) => ({ id: r.id, status: 'accepted' })));
    expect(await snapshot()).toEqual({ ...before, count: before.count + 3 });
    // And gzipped, as the kiosk sends bodies over 1 KB.
    const more = [validRecord()];
    const gz = await send(postBatch(gzipSync(rawJson({ protocol: 1, deviceId: A.deviceId, records: more })), A, { 'content-encoding': 'gzip' }));
    expect(gz.status, gz.text).toBe(200);
  });

  it('S17: no request hit an unexpected server error (500)', () => {
    expect(serverErrors, serverErrors.join('\n\n')).toEqual([]);
  });

  it('ran at least 100 hostile cases', () => {
    console.log(`hostile-input: ${cases} hostile cases run`);
    expect(cases).toBeGreaterThanOrEqual(100);
  });
});
