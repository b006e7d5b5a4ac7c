/**
 * The server the hostile-input corpus runs against (tests/server/hostile-*.test.ts), and what
 * every hostile case checks (docs/PROTOCOL.md, S2, S5, S11, S13, S14, S15, S17, S21). Every
 * case must be refused with a 4xx and a JSON body (either `{error:{code,message}}` or a
 * per-record answer whose bad records are `invalid` with issues), must store nothing, and
 * must leave the server serving. The one exception is a bad batch report (S21): it is
 * ignored, and the batch's good records are stored as usual.
 *
 * A test file calls `useHostileServer()` once at its top: it starts a real HTTP server on a
 * temporary SQLite file with a static root (a secret beside it, which no route may serve),
 * enrolls tablets A and B, enrolls then revokes C, keeps a used and an expired enrollment
 * code, and stores two signatures, so that "unchanged" is not trivially "empty". The
 * bindings below (`server`, `A`, `B`, `C`, …) are live: they hold those once `beforeAll` ran.
 * `afterTheCorpus(n)` closes a file: the server still serves, no request hit a 500, and the
 * file ran at least `n` hostile cases.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { createEnrollmentCode } from '../../server/devices.ts';
import { BatchResponseSchema, ErrorResponseSchema, type ErrorResponse, type SignatureRecord } from '../../src/shared/protocol.ts';
import { rawJson, SECRET, setPath } from './hostile-corpus.ts';
import { startTestServer, type TestServer } from './http-server.ts';
import { sendRaw, sendStreamingRaw, type RawRequest, type RawResponse } from './raw-http.ts';
import { makeRecord } from './records.ts';

export type { RawRequest, RawResponse } from './raw-http.ts';

type ErrorCode = ErrorResponse['error']['code'];
/** A parsed JSON body. */
export type Json = unknown;

/** An enrolled tablet. */
export interface Device {
  deviceId: string;
  token: string;
}

/** Where the server's unexpected errors (500s) land; must stay empty. */
const serverErrors: string[] = [];
export let server: TestServer;
let staticRoot: string;
export let A: Device;
export let B: Device;
/** Enrolled then revoked. */
export let C: Device;
export let usedCode: string;
export let expiredCode: string;
let cases = 0;

// ---------------------------------------------------------------------------------------
// Requests

/** One request on a fresh connection; resolves with status 0 if the socket fails first. */
export function send(req: RawRequest, base: TestServer = server): Promise<RawResponse> {
  return sendRaw(base.url, req);
}

/**
 * Send headers, then stream `chunk` repeatedly (at most `total` bytes) until the server
 * answers. With `declaredLength` a Content-Length is sent, otherwise the body is chunked.
 */
export function sendStreaming(path: string, headers: Record<string, string | number>, total: number, declaredLength?: number): Promise<RawResponse> {
  return sendStreamingRaw(server.url, path, headers, total, declaredLength);
}

export function batchHeaders(device: Device | undefined = A, extra: Record<string, string> = {}): Record<string, string> {
  return { 'content-type': 'application/json', ...(device && { authorization: `Bearer ${device.token}` }), ...extra };
}

/** A batch request; a string or bytes body is sent as is (raw text), anything else as JSON. */
export function postBatch(body: Json | string | Uint8Array, device: Device | undefined = A, extra: Record<string, string> = {}): RawRequest {
  const text = typeof body === 'string' || body instanceof Uint8Array ? body : rawJson(body);
  return { path: '/api/v1/batches', headers: batchHeaders(device, extra), body: text };
}

/** An enrollment request; a string or bytes body is sent as is, anything else as JSON. */
export function postEnroll(body: Json | string | Uint8Array, extra: Record<string, string> = {}): RawRequest {
  const text = typeof body === 'string' || body instanceof Uint8Array ? body : rawJson(body);
  return { path: '/api/v1/enroll', headers: { 'content-type': 'application/json', ...extra }, body: text };
}

export async function enrollWith(code: string, base: TestServer = server): Promise<Device> {
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

export async function snapshot(base: TestServer = server): Promise<Snapshot> {
  return { count: await base.store.count(), conflicts: await base.store.conflictCount(), devices: (await base.store.listDevices()).length };
}

export function expectNotPolluted(): void {
  const probe = {} as Record<string, unknown>;
  for (const key of ['polluted', 'id', 'v', 'deviceId', 'protocol', 'records', 'isAdmin']) {
    expect(probe[key], `Object.prototype.${key}`).toBeUndefined();
  }
  expect(Object.prototype).not.toHaveProperty('polluted');
  expect(Array.prototype).not.toHaveProperty('polluted');
}

/** How a hostile case must be refused. */
export interface Expectation {
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
export function expectRefusal(res: RawResponse, want: Expectation, label: string): Json {
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
export async function hostile(label: string, req: RawRequest | (() => Promise<RawResponse>), want: Expectation, base: TestServer = server): Promise<{ res: RawResponse; body: Json }> {
  cases++;
  const before = await snapshot(base);
  const res = typeof req === 'function' ? await req() : await send(req, base);
  const body = expectRefusal(res, want, label);
  expect(await snapshot(base), `${label}: database changed`).toEqual(before);
  expectNotPolluted();
  return { res, body };
}

export async function expectServing(): Promise<void> {
  const res = await send({ method: 'GET', path: '/api/health' });
  expect(res.status).toBe(200);
  expect(JSON.parse(res.text)).toMatchObject({ ok: true });
}

// ---------------------------------------------------------------------------------------
// Records

export function validRecord(device: Device = A): SignatureRecord {
  return makeRecord({ deviceId: device.deviceId });
}

/** A valid record of `device` with `path` set to `value` (or deleted, for DELETE). */
export function mutated(path: string, value: unknown, device: Device = A): Record<string, unknown> {
  const record = structuredClone(validRecord(device)) as unknown as Record<string, unknown>;
  setPath(record, path, value);
  return record;
}

// ---------------------------------------------------------------------------------------
// Setup and the end of a file

/** Start the server and its tablets before the file's cases, close it after (see the top). */
export function useHostileServer(): void {
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
      // Rate limits are tested on their own (S14, hostile-rate-limits.test.ts); here they would only get in the way.
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
}

/**
 * The last describe of a file: the server still serves and accepts a valid batch, no request
 * hit a 500, and the file ran at least `minCases` hostile cases (over all the files, the
 * corpus runs at least 100).
 */
export function afterTheCorpus(section: string, minCases: number): void {
  describe(`after the ${section} corpus`, () => {
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

    it(`ran at least ${minCases} hostile cases`, () => {
      console.log(`hostile-input (${section}): ${cases} hostile cases run`);
      expect(cases).toBeGreaterThanOrEqual(minCases);
    });
  });
}
