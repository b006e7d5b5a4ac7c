/**
 * The hostile-input corpus, batch envelope cases: what wraps the records of a batch: protocol,
 * device, records, report (S2, S15, S17, S21). Every case must be refused with a 4xx and a
 * JSON body, store nothing and leave the server serving (tests/helpers/hostile-server.ts says
 * how each is checked; the hostile values are in tests/helpers/hostile-corpus.ts, the raw HTTP
 * in tests/helpers/raw-http.ts).
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { raw } from '../helpers/hostile-corpus.ts';
import { BatchResponseSchema, type ErrorResponse, type SignatureRecord } from '../../src/shared/protocol.ts';
import {
  A, afterTheCorpus, expectNotPolluted, expectServing, hostile, postBatch, send, server, snapshot, useHostileServer, validRecord, type Json,
} from '../helpers/hostile-server.ts';

useHostileServer();

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

afterTheCorpus('batch envelope', 52);
