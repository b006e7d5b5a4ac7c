/**
 * The hostile-input corpus, authentication cases: tokens that are not a tablet's, and one
 * tablet posing as another (S11). Every case must be refused with a 4xx and a JSON body, store
 * nothing and leave the server serving (tests/helpers/hostile-server.ts says how each is
 * checked; the hostile values are in tests/helpers/hostile-corpus.ts, the raw HTTP in
 * tests/helpers/raw-http.ts).
 */
import { randomBytes, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rawJson } from '../helpers/hostile-corpus.ts';
import { makeRecord } from '../helpers/records.ts';
import {
  A, afterTheCorpus, B, C, expectServing, hostile, postBatch, send, server, snapshot, useHostileServer, validRecord, type RawRequest,
} from '../helpers/hostile-server.ts';

useHostileServer();

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

afterTheCorpus('authentication', 23);
