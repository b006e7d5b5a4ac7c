/**
 * The server's side of sealing (S22) and of the device chain (S23): what it accepts, what it
 * refuses and why, and how `--seal-key` turns sealing on for the served campaign.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { SqlDatabase } from '../../server/store/sql.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBatch } from '../../server/ingest.ts';
import { describeChainCheck, importTransferFile } from '../../server/transfer-file.ts';
import { checkSealing, withSealing } from '../../server/sealing.ts';
import { SqliteStore } from '../../server/store/sqlite.ts';
import '../../server/zod-locale.ts';
import type { Campaign } from '../../src/shared/campaign.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import type { SignatureRecord } from '../../src/shared/protocol.ts';
import { importSealingKey, keyIdOf, PUBLIC_KEY_FORMAT, SEAL_ALG, sealContextOf, sealPayload, type SealingKey } from '../../src/shared/seal.ts';
import { nextChain } from '../../src/shared/chain.ts';
import { batchOf, makeRecord } from '../helpers/records.ts';

let dir: string;
let publicJwk: JsonWebKey;
let privateJwk: JsonWebKey;
let keyId: string;
let sealingKey: SealingKey;
let campaign: Campaign;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fieldsign-seal-'));
  const pair = await crypto.subtle.generateKey({ name: 'RSA-OAEP', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }, true, ['wrapKey', 'unwrapKey']);
  publicJwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  privateJwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
  keyId = await keyIdOf(publicJwk);
  sealingKey = await importSealingKey(publicJwk);
  writeFileSync(join(dir, 'public.json'), JSON.stringify({ format: PUBLIC_KEY_FORMAT, version: 1, alg: SEAL_ALG, keyId, publicKeyJwk: publicJwk }));
  campaign = await withSealing(DEFAULT_CAMPAIGN, join(dir, 'public.json'), true);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A record of the sealed campaign's current version, sealed as the tablet seals it. */
async function sealedRecord(overrides: Partial<SignatureRecord> = {}): Promise<SignatureRecord> {
  const plain = makeRecord({ campaignId: campaign.id, campaignVersion: campaign.version, ...overrides });
  if (plain.payload.kind !== 'plain') throw new Error('plain expected');
  const clear: SignatureRecord = { ...plain, country: 'FR' };
  const record: SignatureRecord = { ...clear, payload: await sealPayload(plain.payload, sealContextOf(clear), sealingKey) };
  return { ...record, chain: await nextChain(record) };
}

async function ingest(records: unknown[], store = new SqliteStore(':memory:')) {
  const reply = await ingestBatch(store, batchOf(records), { deviceId: 'device-test', source: 'sync' });
  if (reply.kind !== 'judged') throw new Error(`the batch was refused: ${reply.kind}`);
  return { store, anyInvalid: reply.anyInvalid, results: reply.response.results };
}

describe('sealing on the server', () => {
  it('--seal-key puts the checked public key into the campaign, which keeps its version', async () => {
    expect(campaign.sealing).toEqual({ alg: SEAL_ALG, keyId, publicKeyJwk: { kty: 'RSA', n: publicJwk.n, e: publicJwk.e }, countryInClear: true });
    expect(campaign.version).toBe(DEFAULT_CAMPAIGN.version);
  });

  it('--seal-key refuses a private key, a key whose id was altered, and a file that is not a key', async () => {
    writeFileSync(join(dir, 'private.json'), JSON.stringify(privateJwk));
    await expect(withSealing(DEFAULT_CAMPAIGN, join(dir, 'private.json'), false)).rejects.toThrow(/PRIVATE key/);
    writeFileSync(join(dir, 'altered.json'), JSON.stringify({ format: PUBLIC_KEY_FORMAT, version: 1, alg: SEAL_ALG, keyId: 'x'.repeat(43), publicKeyJwk: publicJwk }));
    await expect(withSealing(DEFAULT_CAMPAIGN, join(dir, 'altered.json'), false)).rejects.toThrow(/altered or mixed up/);
    writeFileSync(join(dir, 'junk.json'), 'not json');
    await expect(withSealing(DEFAULT_CAMPAIGN, join(dir, 'junk.json'), false)).rejects.toThrow(/Cannot read the coordinator public key file/);
  });

  it('checks a sealing block pasted into a campaign file', async () => {
    expect(await checkSealing(campaign)).toBeUndefined();
    expect(await checkSealing({ ...campaign, sealing: { ...campaign.sealing!, keyId: 'y'.repeat(43) } })).toMatch(/altered or mixed up/);
  });

  it('S22: accepts a sealed, chained record and stores it without any signer data', async () => {
    const record = await sealedRecord();
    const { store, anyInvalid, results } = await ingest([record]);
    expect(anyInvalid).toBe(false);
    expect(results).toEqual([{ id: record.id, status: 'accepted' }]);
    const [stored] = await store.list();
    expect(stored.record).toEqual(record);
    expect(JSON.stringify(stored.record)).not.toMatch(/"signer"|"ink"|@example\.org/);
    // The country in clear feeds the dashboard.
    expect((await store.totals()).byCountry).toEqual([{ country: 'FR', count: 1 }]);
  });

  it('S22: accepts a plain record in a sealed campaign (captured before the tablet had the key): refusing it would lose it', async () => {
    const plain = makeRecord({ campaignId: campaign.id, campaignVersion: campaign.version });
    const { anyInvalid, results, store } = await ingest([plain]);
    expect(anyInvalid).toBe(false);
    expect(results).toEqual([{ id: plain.id, status: 'accepted' }]);
    expect((await store.list())[0].record.payload.kind).toBe('plain');
  });

  it('S22: refuses sealed records no coordinator could open, and a country in clear beside a plain payload', async () => {
    const good = await sealedRecord();
    if (good.payload.kind !== 'sealed') throw new Error('sealed expected');
    const variants: Array<[string, unknown, RegExp]> = [
      ['another algorithm', { ...good, id: crypto.randomUUID(), payload: { ...good.payload, alg: 'ROT13' } }, /which no coordinator can open/],
      ['a short iv', { ...good, id: crypto.randomUUID(), payload: { ...good.payload, iv: 'AAAA' } }, /iv of the wrong size/],
      ['a truncated wrapped key', { ...good, id: crypto.randomUUID(), payload: { ...good.payload, wrappedKey: good.payload.wrappedKey.slice(0, 100) } }, /wrapped key of the wrong size/],
      ['no ciphertext', { ...good, id: crypto.randomUUID(), payload: { ...good.payload, ciphertext: '' } }, /too short/],
      ['a bad key id', { ...good, id: crypto.randomUUID(), payload: { ...good.payload, keyId: 'k' } }, /valid coordinator key id/],
      ['a clear country beside a plain payload', { ...makeRecord({ campaignId: 'another-campaign' }), country: 'FR' }, /only with a sealed payload/],
    ];
    const { store, results } = await ingest(variants.map(([, r]) => r));
    variants.forEach(([what, , message], i) => {
      expect(results[i].status, what).toBe('invalid');
      expect(results[i].issues?.[0].message, what).toMatch(message);
    });
    expect(await store.count()).toBe(0);
  });

  it('S23: refuses a chain that is not one (bad link, negative seq), and counts the chain in the content identity', async () => {
    const record = await sealedRecord();
    const broken = [
      { ...record, id: crypto.randomUUID(), chain: { ...record.chain, link: 'short' } },
      { ...record, id: crypto.randomUUID(), chain: { ...record.chain, seq: -1 } },
    ];
    const first = await ingest([...broken, record]);
    expect(first.results.map((r) => r.status)).toEqual(['invalid', 'invalid', 'accepted']);
    // The same id with another chain position is a conflict, set aside, never an overwrite.
    const moved = { ...record, chain: { ...record.chain!, seq: 7 } };
    const second = await ingest([record, moved], first.store);
    expect(second.results.map((r) => r.status)).toEqual(['duplicate', 'conflict']);
  });

  it('S20, S23: an imported transfer file\'s chain log is checked against what the server holds', async () => {
    const records: SignatureRecord[] = [];
    for (let i = 0; i < 5; i++) {
      const plain = makeRecord({ campaignId: campaign.id, campaignVersion: campaign.version });
      if (plain.payload.kind !== 'plain') throw new Error('plain expected');
      const sealed: SignatureRecord = { ...plain, payload: await sealPayload(plain.payload, sealContextOf(plain), sealingKey) };
      records.push({ ...sealed, chain: await nextChain(sealed, records.at(-1)?.chain) });
    }
    // The tablet erased the last one itself (quick delete): its log says so, and it is not in the file.
    const log = { device: 'device-test', entries: records.map((r, i) => ({ id: r.id, link: r.chain!.link, ...(i === 4 && { erased: true as const }) })) };
    const file = (rs: SignatureRecord[]) => JSON.stringify({ format: 'fieldsign-transfer', version: 1, deviceId: 'device-test', exportedAt: new Date().toISOString(), records: rs, chains: [log] });
    const store = new SqliteStore(':memory:');
    const first = await importTransferFile(store, file(records.slice(0, 4)), 'test');
    expect(first.accepted).toBe(4);
    expect(first.chains).toEqual([{ device: 'device-test', entries: 5, verdict: { ok: true, erased: [{ index: 4, id: records[4].id, kind: 'erased' }] } }]);
    expect(describeChainCheck(first.chains[0])).toBe('Chain of tablet device-test: 5 records, intact; 1 erased on the tablet before they were sent.');

    // A record deleted on a data-subject request keeps its place (S20): told apart, not missing.
    await store.deleteSignature(records[2].id, new Date().toISOString());
    const second = await importTransferFile(store, file(records.slice(0, 4)), 'test');
    expect(second.chains[0].verdict).toEqual({ ok: true, erased: [{ index: 2, id: records[2].id, kind: 'deleted' }, { index: 4, id: records[4].id, kind: 'erased' }] });
    expect(describeChainCheck(second.chains[0])).toBe('Chain of tablet device-test: 5 records, intact; 1 erased on the tablet before they were sent; 1 deleted on a data-subject request.');

    // A record removed behind the server's back is reported, by its place in the chain.
    await (store as unknown as { db: SqlDatabase }).db.run('DELETE FROM signatures WHERE id = ?', [records[1].id]);
    const third = await importTransferFile(store, file([]), 'test');
    expect(third.chains[0].verdict).toMatchObject({ ok: false, problems: [{ index: 1, id: records[1].id, kind: 'missing' }, { kind: 'deleted' }, { kind: 'erased' }] });
    expect(describeChainCheck(third.chains[0])).toMatch(/NOT intact: 1 missing \(#1 /);
  });
});
