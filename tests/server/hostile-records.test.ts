/**
 * The hostile-input corpus, record cases: every field of a record set wrong, and malformed ink
 * (S5). Every case must be refused with a 4xx and a JSON body, store nothing and leave the
 * server serving (tests/helpers/hostile-server.ts says how each is checked; the hostile values
 * are in tests/helpers/hostile-corpus.ts, the raw HTTP in tests/helpers/raw-http.ts).
 */
import { describe, expect, it } from 'vitest';
import { raw, varint, ink, points, MUTATION_CASES, zigzag } from '../helpers/hostile-corpus.ts';
import {
  A, afterTheCorpus, expectServing, hostile, mutated, postBatch, send, snapshot, useHostileServer, validRecord,
} from '../helpers/hostile-server.ts';

useHostileServer();

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

afterTheCorpus('record', 336);
