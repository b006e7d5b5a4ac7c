import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeInk } from '../../src/shared/ink.ts';
import { inkToSvg } from '../../src/shared/ink-svg.ts';
import { batchOf, makeRecord } from '../helpers/records.ts';
import { importTransferFile } from '../../server/transfer-file.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';

let server: TestServer;
let device: { deviceId: string; token: string };
beforeAll(async () => {
  server = await startTestServer();
  device = await server.enroll();
});
afterAll(async () => {
  await server.close();
});

/** A record captured on the enrolled test device. */
function rec(overrides: Parameters<typeof makeRecord>[0] = {}) {
  return makeRecord({ deviceId: device.deviceId, ...overrides });
}

/** A batch of `records` from the enrolled test device. */
function batch(records: unknown[], protocol?: number) {
  return batchOf(records, device.deviceId, protocol);
}

function post(body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/api/v1/batches`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${device.token}`, ...headers },
    body: (typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body)) as BodyInit,
  });
}

describe('POST /api/v1/batches', () => {
  it('S5: stores a valid batch and answers "accepted" for each id', async () => {
    const before = await server.store.count();
    const records = [rec({ name: 'Nadia Murad' }), rec(), rec()];
    const res = await post(batch(records));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.results).toEqual(records.map((r) => ({ id: r.id, status: 'accepted' })));
    expect(Date.parse(body.receivedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(await server.store.count()).toBe(before + 3);
    const stored = (await server.store.list({ limit: 1000 })).find((s) => s.id === records[0].id);
    expect(stored?.record).toEqual(records[0]);
  });

  it('S3, S4: the same batch twice stores nothing new and answers as if accepted ("duplicate")', async () => {
    const sent = batch([rec(), rec()]);
    await post(sent);
    const before = await server.store.count();
    const res = await post(sent);
    expect(res.status).toBe(200);
    expect((await res.json()).results.map((r: { status: string }) => r.status)).toEqual(['duplicate', 'duplicate']);
    expect(await server.store.count()).toBe(before);
  });

  it('S4: never overwrites: same id with different content is a conflict and the first copy stays', async () => {
    const original = rec({ name: 'First Copy' });
    await post(batch([original]));
    const altered = { ...original, payload: { ...original.payload, signer: { ...(original.payload as { signer: object }).signer, name: 'Second Copy' } } };
    const res = await post(batch([altered]));
    expect((await res.json()).results).toEqual([{ id: original.id, status: 'conflict' }]);
    const stored = (await server.store.list({ limit: 1000 })).find((s) => s.id === original.id);
    expect(JSON.stringify(stored?.record)).toContain('First Copy');
  });

  it('S5: an invalid record gets a 422 naming the field, and the valid ones are still stored', async () => {
    const good = rec();
    const bad = rec({ email: 'nobody-at-example' });
    const before = await server.store.count();
    const res = await post(batch([good, bad]));
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.results[0]).toEqual({ id: good.id, status: 'accepted' });
    expect(body.results[1]).toMatchObject({ id: bad.id, status: 'invalid' });
    expect(body.results[1].issues).toContainEqual({ path: 'records.1.payload.signer.email', message: expect.stringMatching(/valid email/) });
    expect(await server.store.count()).toBe(before + 1);
  });

  it('S11: a record claiming another device than its batch is refused', async () => {
    const res = await post(batch([rec({ deviceId: 'someone-else' })]));
    expect(res.status).toBe(422);
    expect((await res.json()).results[0].issues[0].path).toBe('records.0.deviceId');
  });

  it('S15: accepts a gzip-compressed batch', async () => {
    const record = rec();
    const res = await post(gzipSync(JSON.stringify(batch([record]))), { 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect((await res.json()).results).toEqual([{ id: record.id, status: 'accepted' }]);
  });

  it.each([
    ['malformed JSON', '{"protocol":1,', {}, 400, 'invalid_json'],
    ['wrong content type', JSON.stringify({ protocol: 1, deviceId: 'x', records: [] }), { 'content-type': 'text/plain' }, 415, 'unsupported_media_type'],
    ['a missing records array', JSON.stringify({ protocol: 1, deviceId: 'x' }), {}, 400, 'bad_request'],
    ['an oversized body', JSON.stringify({ pad: 'x'.repeat(5 * 1024 * 1024) }), {}, 413, 'payload_too_large'],
    ['a gzip bomb', gzipSync(Buffer.alloc(50 * 1024 * 1024, 32)), { 'content-encoding': 'gzip' }, 413, 'payload_too_large'],
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), {}, 400, 'bad_request'],
  ])('S17: refuses %s with a clear JSON error', async (_label, body, headers, status, code) => {
    const before = await server.store.count();
    const res = await post(body, headers as Record<string, string>);
    expect(res.status).toBe(status);
    const json = await res.json();
    expect(json.error.code).toBe(code);
    expect(json.error.message.length).toBeGreaterThan(10);
    expect(await server.store.count()).toBe(before);
  });

  it('S2: tells a client with a newer protocol that an update is needed', async () => {
    const res = await post(batch([rec()], 99));
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error).toMatchObject({ code: 'incompatible_protocol', supported: { min: 1, max: 1 } });
    expect(error.message).toMatch(/update/i);
  });

  it('keeps serving after all of the above', async () => {
    const res = await fetch(`${server.url}/api/health`);
    expect(await res.json()).toMatchObject({ ok: true });
  });
});

describe('the SQLite store', () => {
  it('S8: runs WAL with synchronous=FULL', () => {
    expect(server.store.pragmas()).toEqual({ journalMode: 'wal', synchronous: 2, secureDelete: 1 });
  });

  it('renders a stored signature back to SVG with the strokes that were sent', async () => {
    const record = rec();
    await post(batch([record]));
    const stored = (await server.store.list({ limit: 1000 })).find((s) => s.id === record.id)!;
    if (stored.record.payload.kind !== 'plain') throw new Error('expected plain payload');
    const svg = inkToSvg(decodeInk(stored.record.payload.ink!));
    const sent = decodeInk((record.payload as { ink: Parameters<typeof decodeInk>[0] }).ink);
    expect((svg.match(/<path /g) ?? []).length).toBe(sent.strokes.length);
    const first = sent.strokes[0][0];
    expect(svg).toContain(`M${first.x} ${first.y}`);
  });

});

describe('devices and access', () => {
  it('S11: refuses a batch without a token, with an unknown token, or naming another device', async () => {
    const before = await server.store.count();
    const noToken = await post(batch([rec()]), { authorization: '' });
    expect(noToken.status).toBe(401);
    expect((await noToken.json()).error.code).toBe('unauthorized');
    const unknown = await post(batch([rec()]), { authorization: 'Bearer ' + 'x'.repeat(43) });
    expect(unknown.status).toBe(401);
    const other = await server.enroll('Other rally');
    const forged = await post(batchOf([rec()], other.deviceId));
    expect(forged.status).toBe(403);
    expect((await forged.json()).error.code).toBe('forbidden');
    expect(await server.store.count()).toBe(before);
  });

  it('S11, S12: a revoked device gets 401 device_revoked with a re-enroll message', async () => {
    const tablet = await server.enroll();
    await server.store.revokeDevice(tablet.deviceId, new Date().toISOString());
    const res = await fetch(`${server.url}/api/v1/batches`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tablet.token}` },
      body: JSON.stringify(batchOf([makeRecord({ deviceId: tablet.deviceId })], tablet.deviceId)),
    });
    expect(res.status).toBe(401);
    const { error } = await res.json();
    expect(error.code).toBe('device_revoked');
    expect(error.message).toMatch(/enroll/);
  });

  it('S13: an enrollment code works once, and an expired one not at all', async () => {
    const { createEnrollmentCode, sha256 } = await import('../../server/devices.ts');
    const enroll = (code: string) =>
      fetch(`${server.url}/api/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ protocol: 1, code }) });
    const { code } = await createEnrollmentCode(server.store, 'Rally', 60_000, 'test');
    const first = await enroll(code.toLowerCase());
    expect(first.status).toBe(201);
    const { token, deviceId, event } = await first.json();
    expect(event).toBe('Rally');
    const stored = (await server.store.listDevices()).find((d) => d.id === deviceId);
    expect(stored).toBeDefined();
    expect(await server.store.deviceByTokenHash(sha256(token))).toMatchObject({ id: deviceId });
    const replay = await enroll(code);
    expect(replay.status).toBe(403);
    expect((await replay.json()).error.message).toMatch(/already used/);
    const expired = await createEnrollmentCode(server.store, 'Rally', 1_000, 'test', new Date(Date.now() - 10_000));
    const late = await enroll(expired.code);
    expect(late.status).toBe(403);
    expect((await late.json()).error.message).toMatch(/expired/);
  });

  it('S13: the database holds only hashes of codes and tokens', async () => {
    const { createEnrollmentCode } = await import('../../server/devices.ts');
    const { code } = await createEnrollmentCode(server.store, 'Rally', 60_000, 'test');
    const res = await fetch(`${server.url}/api/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ protocol: 1, code }) });
    const { token } = await res.json();
    const { readFileSync } = await import('node:fs');
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(server.dbPath, { readOnly: true });
    const dump = JSON.stringify([db.prepare('SELECT * FROM devices').all(), db.prepare('SELECT * FROM enrollment_codes').all()]);
    db.close();
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(code.replace('-', ''));
    expect(readFileSync(server.dbPath).includes(Buffer.from(token))).toBe(false);
  });
});

describe('clock and offline transfer', () => {
  it('S9: a tablet clock a year off is flagged, never refused, and the server time is stamped', async () => {
    const yearAgo = new Date(Date.now() - 365 * 24 * 3600_000 - 3600_000).toISOString();
    const record = rec({ capturedAt: yearAgo });
    const res = await post({ ...batch([record]), sentAt: yearAgo });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.results).toEqual([{ id: record.id, status: 'accepted' }]);
    expect(body.clock.suspect).toBe(true);
    expect(body.clock.skewMs).toBeLessThan(-365 * 24 * 3600_000);
    const stored = (await server.store.list({ limit: 10_000 })).find((s) => s.id === record.id)!;
    expect(stored.clockSuspect).toBe(true);
    expect(Math.abs(Date.parse(stored.receivedAt) - Date.now())).toBeLessThan(60_000);
  });

  it('S18: a transfer file imported twice, and also synced, stores each signature once', async () => {
    const records = [rec(), rec(), rec()];
    const file = JSON.stringify({ format: 'fieldsign-transfer', version: 1, deviceId: device.deviceId, exportedAt: new Date().toISOString(), records });
    const before = await server.store.count();
    expect(await importTransferFile(server.store, file, 'test')).toMatchObject({ records: 3, accepted: 3, duplicate: 0, conflict: 0, invalid: [] });
    expect(await importTransferFile(server.store, file, 'test')).toMatchObject({ accepted: 0, duplicate: 3 });
    const synced = await post(batch(records));
    expect((await synced.json()).results.map((r: { status: string }) => r.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(await server.store.count()).toBe(before + 3);
    const stored = (await server.store.list({ limit: 10_000 })).filter((s) => records.some((r) => r.id === s.id));
    expect(stored.map((s) => s.source)).toEqual(['import', 'import', 'import']);
  });

  it('S18: a file that is not a transfer file is refused with a clear message', async () => {
    await expect(importTransferFile(server.store, 'not json', 'test')).rejects.toThrow(/not a Fieldsign transfer file/);
    await expect(importTransferFile(server.store, '{"format":"other"}', 'test')).rejects.toThrow(/format/);
  });
});
