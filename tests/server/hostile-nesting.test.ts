/**
 * The hostile-input corpus, nesting cases: deep nesting and prototype pollution (S5, S17).
 * Nesting deeper than 64 levels anywhere in a body refuses the whole body 400 before it is
 * parsed (F8, server/json-depth.ts), even inside one record: no tablet ever sends such a record.
 * Every case must be refused with a 4xx and a JSON body, store nothing and leave the server
 * serving (tests/helpers/hostile-server.ts says how each is checked; the hostile values are in
 * tests/helpers/hostile-corpus.ts, the raw HTTP in tests/helpers/raw-http.ts).
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { setPath, deepArray, deepObject } from '../helpers/hostile-corpus.ts';
import {
  A, afterTheCorpus, expectNotPolluted, expectServing, hostile, mutated, postBatch, postEnroll, send, server, useHostileServer, validRecord,
} from '../helpers/hostile-server.ts';

useHostileServer();

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

  it('S17, F8: four million nested arrays in a 7.8 KB gzip (inflating under the cap) → 400 before parsing', async () => {
    const bomb = gzipSync(deepArray(4_000_000));
    expect(bomb.byteLength).toBeLessThan(10_000);
    await hostile('deep gzip bomb', postBatch(bomb, A, { 'content-encoding': 'gzip' }), { status: 400, code: 'invalid_json' });
  });

  it('S17, F8: a record that is 100 000 nested arrays → 400 for the whole body', async () => {
    await hostile('deep record', postBatch(batchText(deepArray(DEPTH))), { status: 400, code: 'invalid_json' });
  });

  it('S17, F8: a signer name of 100 000 nested arrays → 400', async () => {
    const text = recordText(mutated('payload.signer.name', '@@DEEP@@')).replace('"@@DEEP@@"', deepArray(DEPTH));
    await hostile('deep name', postBatch(batchText(text)), { status: 400, code: 'invalid_json' });
  });

  it('S17, F8: ink data of 100 000 nested objects → 400', async () => {
    const text = recordText(mutated('payload.ink.data', '@@DEEP@@')).replace('"@@DEEP@@"', deepObject(DEPTH));
    await hostile('deep ink', postBatch(batchText(text)), { status: 400, code: 'invalid_json' });
  });

  it('S17, F8: an unknown key of 100 000 nested arrays on an otherwise bad record → 400', async () => {
    const text = recordText({ ...mutated('payload.signer.email', 'bad'), extra: '@@DEEP@@' }).replace('"@@DEEP@@"', deepArray(DEPTH));
    await hostile('deep extra key', postBatch(batchText(text)), { status: 400, code: 'invalid_json' });
  });

  it('S17, F8: deep nesting as a sentAt value → 400', async () => {
    const text = `{"protocol":1,"deviceId":${JSON.stringify(A.deviceId)},"sentAt":${deepArray(DEPTH)},"records":[]}`;
    await hostile('deep sentAt', postBatch(text), { status: 400, code: 'invalid_json' });
  });

  it('S5: a record nested 40 levels deep in an unknown key (under the limit) → invalid, the rest judged', async () => {
    const text = recordText({ ...mutated('payload.signer.email', 'bad'), extra: '@@DEEP@@' }).replace('"@@DEEP@@"', deepArray(40));
    await hostile('shallow extra key', postBatch(batchText(text)), { status: 422, invalidRecords: 1 });
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

afterTheCorpus('nesting', 30);
