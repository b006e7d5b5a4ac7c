/**
 * Capture on the tablet (src/db/capture.ts): the record built from what the signer entered,
 * the key that seals it, sealing before storage, the device hash chain and its log, written
 * in one transaction, also when captures race.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { capture, captureRecord, chainHead, chainLogs, type SignerEntries } from '../../src/db/capture.ts';
import { FieldsignDB } from '../../src/db/db.ts';
import { saveEnrollment } from '../../src/db/meta.ts';
import { acknowledge, allPending, eraseSignerData } from '../../src/db/outbox.ts';
import type { Campaign } from '../../src/shared/campaign.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { SignatureRecordSchema, type SignatureRecord } from '../../src/shared/protocol.ts';
import { keyIdOf, openPayload, SEAL_ALG, sealContextOf } from '../../src/shared/seal.ts';
import { genesisLink, verifyChain } from '../../src/shared/chain.ts';
import { makeRecord, realisticInk } from '../helpers/records.ts';
import { keepSealing, storeOffer } from '../../src/db/campaigns.ts';
import { decodeInk } from '../../src/shared/ink.ts';
import * as z from 'zod/mini';

let db: FieldsignDB;
let sealed: Campaign;
let privateKey: CryptoKey;

beforeAll(async () => {
  const pair = await crypto.subtle.generateKey(
    { name: 'RSA-OAEP', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ['wrapKey', 'unwrapKey'],
  );
  privateKey = pair.privateKey;
  const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const keyId = await keyIdOf(jwk);
  sealed = { ...DEFAULT_CAMPAIGN, sealing: { alg: SEAL_ALG, keyId, publicKeyJwk: { kty: 'RSA', n: jwk.n!, e: jwk.e! }, countryInClear: true } };
});
beforeEach(() => {
  db = new FieldsignDB(`test-${crypto.randomUUID()}`);
});
afterEach(async () => {
  await db.delete();
});

const record = (overrides: Partial<SignatureRecord> & { name?: string; email?: string } = {}) =>
  makeRecord({ campaignId: DEFAULT_CAMPAIGN.id, campaignVersion: DEFAULT_CAMPAIGN.version, ...overrides });

/** This tablet, enrolled as `device-test`. */
const enrolled = () => saveEnrollment(db, { deviceId: 'device-test', token: 't', event: 'e', enrolledAt: 0 });

/** The tablet was offered `campaign`, and so keeps its sealing key (S22). */
const holdKeyOf = (campaign: Campaign) =>
  storeOffer(db, { campaigns: [{ status: 'open', campaignId: campaign.id, version: campaign.version, hash: null, content: campaign }] });

/** What a signer enters at the kiosk: details, language, and a drawn signature unless told otherwise. */
const entries = (overrides: Partial<SignerEntries> = {}): SignerEntries => ({
  signer: { name: 'Amina Diallo', email: 'amina@example.org', country: 'SN', optIn: true },
  lang: 'fr',
  ink: realisticInk(3),
  ...overrides,
});

/** Everything IndexedDB holds, as text. */
async function dump(): Promise<string> {
  return JSON.stringify([await db.outbox.toArray(), await db.meta.toArray(), await db.chain.toArray()]);
}

describe('capture with a sealed campaign', () => {
  it('S22: stores only ciphertext: no name, email, postcode, phone or strokes in IndexedDB', async () => {
    const plain = record({ name: 'Zofia Quillfeather', email: 'zofia.quill@example.net' });
    if (plain.payload.kind === 'plain') plain.payload.signer = { ...plain.payload.signer, postcode: 'SW1A 1AA', phone: '+44 7700 900123' };
    const stored = await captureRecord(db, plain, sealed.sealing);
    const text = await dump();
    for (const secret of ['Zofia', 'Quillfeather', 'zofia.quill', 'SW1A', '7700 900123']) expect(text).not.toContain(secret);
    if (plain.payload.kind === 'plain' && plain.payload.ink) expect(text).not.toContain(plain.payload.ink.data.slice(0, 40));
    expect(stored.payload.kind).toBe('sealed');
    expect(z.safeParse(SignatureRecordSchema, stored).success).toBe(true);
    // The clear fields stay: id, device, campaign, capture time, and the country the campaign allows.
    expect(stored).toMatchObject({ id: plain.id, deviceId: plain.deviceId, capturedAt: plain.capturedAt, country: 'FR' });
    // …and the coordinator's key opens exactly what was captured.
    if (stored.payload.kind !== 'sealed') throw new Error('not sealed');
    expect(await openPayload(stored.payload, sealContextOf(stored), privateKey)).toEqual(plain.payload);
  });

  it('binds every field kept in clear: a changed country, campaign version or language fails to open', async () => {
    const stored = await captureRecord(db, record({ lang: 'fr', consentVersion: 1 }), sealed.sealing);
    if (stored.payload.kind !== 'sealed') throw new Error('not sealed');
    for (const changed of [{ country: 'DE' }, { campaignVersion: stored.campaignVersion + 1 }, { lang: 'en' as const }, { consentVersion: 2 }]) {
      const altered = { ...stored, ...changed };
      await expect(openPayload(stored.payload, sealContextOf(altered), privateKey), JSON.stringify(changed)).rejects.toMatchObject({ reason: 'tampered', recordId: stored.id });
    }
    await expect(openPayload(stored.payload, sealContextOf(stored), privateKey)).resolves.toMatchObject({ kind: 'plain' });
  });

  it('keeps the country sealed too unless the campaign allows it in clear', async () => {
    const strict = { ...sealed, sealing: { ...sealed.sealing!, countryInClear: false } };
    const stored = await captureRecord(db, record(), strict.sealing);
    expect(stored.country).toBeUndefined();
    expect(JSON.stringify(stored)).not.toContain('"FR"');
  });

  it('refuses to store anything when the campaign key is unusable, rather than store it in clear', async () => {
    const broken = { ...sealed, sealing: { ...sealed.sealing!, keyId: 'A'.repeat(43) } };
    await expect(captureRecord(db, record({ name: 'Never Stored' }), broken.sealing)).rejects.toThrow(/altered or mixed up/);
    expect(await db.outbox.count()).toBe(0);
    expect(await dump()).not.toContain('Never Stored');
  });

  it('stores a plain record for a campaign without a key, and for another campaign', async () => {
    const plain = await captureRecord(db, record(), DEFAULT_CAMPAIGN.sealing);
    expect(plain.payload.kind).toBe('plain');
    // A random nonce makes its chain link, kept after the details are gone, unguessable.
    expect(plain.nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(z.safeParse(SignatureRecordSchema, plain).success).toBe(true);
    // Only a campaign's own key seals: the key the tablet holds for another campaign never does.
    await enrolled();
    await holdKeyOf(sealed);
    expect((await capture(db, entries(), { campaign: { ...DEFAULT_CAMPAIGN, id: 'other' } })).payload.kind).toBe('plain');
  });
});

describe('capture from what the signer entered', () => {
  const HASH = 'h'.repeat(43);

  it('builds the record of the wire format: fresh id, this tablet, the version, consent and hash seen, the capture time', async () => {
    await enrolled();
    const now = new Date('2026-11-24T12:34:56.789Z');
    const told: SignatureRecord[] = [];
    const stored = await capture(db, entries(), { campaign: DEFAULT_CAMPAIGN, hash: HASH }, { now, onStored: (r) => told.push(r) });
    expect(stored).toMatchObject({
      v: 1,
      deviceId: 'device-test',
      campaignId: DEFAULT_CAMPAIGN.id,
      campaignVersion: DEFAULT_CAMPAIGN.version,
      campaignHash: HASH,
      consentVersion: DEFAULT_CAMPAIGN.consentVersion,
      lang: 'fr',
      capturedAt: now.toISOString(),
      payload: { kind: 'plain', signer: entries().signer },
    });
    expect(stored.id).toMatch(/^[0-9a-f-]{36}$/);
    // The same JSON, key for key and in the same order, as the kiosk wrote before capture built it.
    expect(Object.keys(stored)).toEqual(['id', 'v', 'deviceId', 'campaignId', 'campaignVersion', 'campaignHash', 'consentVersion', 'lang', 'capturedAt', 'payload', 'nonce', 'chain']);
    expect(Object.keys(stored.payload)).toEqual(['kind', 'signer', 'ink']);
    // The strokes, packed as the protocol packs them, come back as drawn.
    if (stored.payload.kind !== 'plain' || !stored.payload.ink) throw new Error('no ink');
    expect(decodeInk(stored.payload.ink).strokes.flat()).toHaveLength(realisticInk(3).strokes.flat().length);
    expect(z.safeParse(SignatureRecordSchema, stored).success).toBe(true);
    expect(await allPending(db)).toEqual([stored]);
    // The sync engine is told once, after the commit.
    expect(told).toEqual([stored]);
  });

  it('stores a typed signature with the attestation the signer ticked, their name in it, and no hash it is not sure of', async () => {
    await enrolled();
    const stored = await capture(db, entries({ ink: undefined, typedName: '  Amina Diallo ', lang: 'en' }), { campaign: DEFAULT_CAMPAIGN });
    const attestation = DEFAULT_CAMPAIGN.text.en!.attestation.replace('{name}', 'Amina Diallo');
    expect(stored.payload).toEqual({ kind: 'plain', signer: entries().signer, typed: { name: 'Amina Diallo', attestation } });
    expect(stored.campaignHash).toBeUndefined();
  });

  it('S22: seals with the key the tablet kept for the campaign when the version shown lacks one', async () => {
    await enrolled();
    await holdKeyOf(sealed);
    const { sealing: _dropped, ...unsealed } = sealed;
    const stored = await capture(db, entries({ signer: { name: 'Zofia Quillfeather', optIn: false } }), { campaign: unsealed });
    expect(stored.payload).toMatchObject({ kind: 'sealed', keyId: sealed.sealing!.keyId });
    expect(await dump()).not.toContain('Quillfeather');
  });

  it('tells nobody and stores nothing when the record cannot be sealed, or the tablet is not enrolled', async () => {
    const told: SignatureRecord[] = [];
    const onStored = (r: SignatureRecord) => told.push(r);
    await expect(capture(db, entries(), { campaign: sealed }, { onStored })).rejects.toThrow(/not enrolled/);
    await enrolled();
    const broken = { ...sealed, sealing: { ...sealed.sealing!, keyId: 'A'.repeat(43) } };
    await expect(capture(db, entries(), { campaign: broken }, { onStored })).rejects.toThrow(/altered or mixed up/);
    expect(await db.outbox.count()).toBe(0);
    expect(told).toEqual([]);
  });
});

describe('a tablet that has seen a sealing key', () => {
  it('S22: keeps sealing when a later copy of the campaign lacks the key, and takes a new key', () => {
    const { sealing: _dropped, ...unsealed } = sealed;
    expect(keepSealing({ ...unsealed, version: 9 }, sealed.sealing)).toEqual({ ...unsealed, version: 9, sealing: sealed.sealing });
    const rotated = { ...sealed, sealing: { ...sealed.sealing!, keyId: 'B'.repeat(43) } };
    expect(keepSealing(rotated, sealed.sealing).sealing?.keyId).toBe('B'.repeat(43));
    expect(keepSealing(unsealed, undefined).sealing).toBeUndefined();
  });
});

describe('the device hash chain', () => {
  it('S23: gives each record the next place in its device chain and logs it in the same transaction', async () => {
    const stored = [];
    for (let i = 0; i < 5; i++) stored.push(await captureRecord(db, record(), sealed.sealing));
    expect(stored.map((r) => r.chain?.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(stored[0].chain?.prev).toBe(await genesisLink('device-test'));
    for (let i = 1; i < 5; i++) expect(stored[i].chain?.prev).toBe(stored[i - 1].chain?.link);
    const [log] = await chainLogs(db);
    expect(log.entries.map((e) => e.id)).toEqual(stored.map((r) => r.id));
    expect(await verifyChain(await allPending(db), log)).toEqual({ ok: true });
    expect((await chainHead(db, 'device-test'))?.link).toBe(stored[4].chain?.link);
  });

  it('keeps one unbroken chain when two tabs capture at the same moment, each through its own connection', async () => {
    // Two tabs are two connections to the same IndexedDB database, each with its own Dexie.
    const tabs = [db, new FieldsignDB(db.name)];
    try {
      const stored = await Promise.all(Array.from({ length: 12 }, (_, i) => captureRecord(tabs[i % 2], record(), DEFAULT_CAMPAIGN.sealing)));
      expect(stored.map((r) => r.chain!.seq).sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
      // Both tabs wrote: the race was real, not one tab taking turns with itself.
      expect(new Set(stored.filter((_, i) => i % 2 === 1).map((r) => r.id)).size).toBe(6);
      for (const tab of tabs) {
        const [log] = await chainLogs(tab);
        expect(log.entries).toHaveLength(12);
        expect(await verifyChain(await allPending(tab), log)).toEqual({ ok: true });
      }
    } finally {
      tabs[1].close();
    }
  });

  it('finds a record removed from the queue, and one altered in it', async () => {
    for (let i = 0; i < 4; i++) await captureRecord(db, record(), sealed.sealing);
    const [log] = await chainLogs(db);
    const records = await allPending(db);
    const verdict = await verifyChain([records[0], { ...records[1], capturedAt: '2020-01-01T00:00:00.000Z' }, records[3]], log);
    expect(verdict).toEqual({ ok: false, problems: [{ index: 1, id: records[1].id, kind: 'altered' }, { index: 2, id: records[2].id, kind: 'missing' }] });
  });

  it('survives re-enrollment: records keep the chain of the device they were captured under', async () => {
    const first = await captureRecord(db, record(), sealed.sealing);
    await saveEnrollment(db, { deviceId: 'device-new', token: 't', event: 'e', enrolledAt: 0 });
    const [restamped] = await allPending(db);
    expect(restamped.deviceId).toBe('device-new');
    expect(restamped.chain).toEqual(first.chain);
    // The sealed payload still opens: its context names the capturing device.
    if (restamped.payload.kind !== 'sealed') throw new Error('not sealed');
    await expect(openPayload(restamped.payload, sealContextOf(restamped), privateKey)).resolves.toMatchObject({ kind: 'plain' });
    const next = await captureRecord(db, record({ deviceId: 'device-new' }), sealed.sealing);
    expect(next.chain).toMatchObject({ device: 'device-new', seq: 0, prev: await genesisLink('device-new') });
    expect(await verifyChain([restamped], (await chainLogs(db)).find((l) => l.device === 'device-test')!)).toEqual({ ok: true });
  });

  it('S23: a quick delete keeps the erased records\' places in the log, marked erased, so the check tells them from lost ones', async () => {
    const stored = [];
    for (let i = 0; i < 4; i++) stored.push(await captureRecord(db, record(), sealed.sealing));
    await acknowledge(db, [stored[0].id, stored[1].id]);
    expect(await allPending(db)).toHaveLength(2);
    const held = [stored[0], stored[1]];
    expect(await eraseSignerData(db)).toBe(2);
    const [log] = await chainLogs(db);
    expect(log.entries.map((e) => e.erased ?? false)).toEqual([false, false, true, true]);
    // The server holds the two synced ones: intact, with the two erased ones named as such.
    expect(await verifyChain(held, log)).toEqual({
      ok: true,
      erased: [{ index: 2, id: stored[2].id, kind: 'erased' }, { index: 3, id: stored[3].id, kind: 'erased' }],
    });
    // Without the synced ones, those are missing: an erased mark never covers a synced record.
    expect(await verifyChain([stored[0]], log)).toMatchObject({ ok: false, problems: [{ index: 1, kind: 'missing' }, { kind: 'erased' }, { kind: 'erased' }] });
  });
});
