import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeInk } from '../../src/shared/ink.ts';
import { inkToSvg } from '../../src/shared/ink-svg.ts';
import { batchOf, makeRecord } from '../helpers/records.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

function post(body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/api/v1/batches`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: (typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body)) as BodyInit,
  });
}

describe('POST /api/v1/batches', () => {
  it('stores a valid batch and answers "accepted" for each id', async () => {
    const before = await server.store.count();
    const records = [makeRecord({ name: 'Nadia Murad' }), makeRecord(), makeRecord()];
    const res = await post(batchOf(records));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.results).toEqual(records.map((r) => ({ id: r.id, status: 'accepted' })));
    expect(Date.parse(body.receivedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(await server.store.count()).toBe(before + 3);
    const stored = (await server.store.list({ limit: 1000 })).find((s) => s.id === records[0].id);
    expect(stored?.record).toEqual(records[0]);
  });

  it('the same batch twice stores nothing new and answers as if accepted ("duplicate")', async () => {
    const batch = batchOf([makeRecord(), makeRecord()]);
    await post(batch);
    const before = await server.store.count();
    const res = await post(batch);
    expect(res.status).toBe(200);
    expect((await res.json()).results.map((r: { status: string }) => r.status)).toEqual(['duplicate', 'duplicate']);
    expect(await server.store.count()).toBe(before);
  });

  it('never overwrites: same id with different content is a conflict and the first copy stays', async () => {
    const original = makeRecord({ name: 'First Copy' });
    await post(batchOf([original]));
    const altered = { ...original, payload: { ...original.payload, signer: { ...(original.payload as { signer: object }).signer, name: 'Second Copy' } } };
    const res = await post(batchOf([altered]));
    expect((await res.json()).results).toEqual([{ id: original.id, status: 'conflict' }]);
    const stored = (await server.store.list({ limit: 1000 })).find((s) => s.id === original.id);
    expect(JSON.stringify(stored?.record)).toContain('First Copy');
  });

  it('an invalid record gets a 422 naming the field, and the valid ones are still stored', async () => {
    const good = makeRecord();
    const bad = makeRecord({ email: 'nobody-at-example' });
    const before = await server.store.count();
    const res = await post(batchOf([good, bad]));
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.results[0]).toEqual({ id: good.id, status: 'accepted' });
    expect(body.results[1]).toMatchObject({ id: bad.id, status: 'invalid' });
    expect(body.results[1].issues).toContainEqual({ path: 'records.1.payload.signer.email', message: expect.stringMatching(/valid email/) });
    expect(await server.store.count()).toBe(before + 1);
  });

  it('a record claiming another device than its batch is refused', async () => {
    const res = await post(batchOf([makeRecord({ deviceId: 'someone-else' })]));
    expect(res.status).toBe(422);
    expect((await res.json()).results[0].issues[0].path).toBe('records.0.deviceId');
  });

  it('accepts a gzip-compressed batch', async () => {
    const record = makeRecord();
    const res = await post(gzipSync(JSON.stringify(batchOf([record]))), { 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect((await res.json()).results).toEqual([{ id: record.id, status: 'accepted' }]);
  });

  it.each([
    ['malformed JSON', '{"protocol":1,', {}, 400, 'invalid_json'],
    ['wrong content type', JSON.stringify(batchOf([])), { 'content-type': 'text/plain' }, 415, 'unsupported_media_type'],
    ['a missing records array', JSON.stringify({ protocol: 1, deviceId: 'x' }), {}, 400, 'bad_request'],
    ['an oversized body', JSON.stringify({ pad: 'x'.repeat(5 * 1024 * 1024) }), {}, 413, 'payload_too_large'],
    ['a gzip bomb', gzipSync(Buffer.alloc(50 * 1024 * 1024, 32)), { 'content-encoding': 'gzip' }, 413, 'payload_too_large'],
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), {}, 400, 'bad_request'],
  ])('refuses %s with a clear JSON error', async (_label, body, headers, status, code) => {
    const before = await server.store.count();
    const res = await post(body, headers as Record<string, string>);
    expect(res.status).toBe(status);
    const json = await res.json();
    expect(json.error.code).toBe(code);
    expect(json.error.message.length).toBeGreaterThan(10);
    expect(await server.store.count()).toBe(before);
  });

  it('tells a client with a newer protocol that an update is needed', async () => {
    const res = await post(batchOf([makeRecord()], 'device-test', 99));
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
  it('runs WAL with synchronous=FULL', () => {
    expect(server.store.pragmas()).toEqual({ journalMode: 'wal', synchronous: 2 });
  });

  it('renders a stored signature back to SVG with the strokes that were sent', async () => {
    const record = makeRecord();
    await post(batchOf([record]));
    const stored = (await server.store.list({ limit: 1000 })).find((s) => s.id === record.id)!;
    if (stored.record.payload.kind !== 'plain') throw new Error('expected plain payload');
    const svg = inkToSvg(decodeInk(stored.record.payload.ink));
    const sent = decodeInk((record.payload as { ink: Parameters<typeof decodeInk>[0] }).ink);
    expect((svg.match(/<path /g) ?? []).length).toBe(sent.strokes.length);
    const first = sent.strokes[0][0];
    expect(svg).toContain(`M${first.x} ${first.y}`);
  });
});
