/**
 * Sealed signatures (src/shared/seal.ts) and the coordinator's keys (server/keys.ts): round
 * trips, tamper detection, wrong keys and passphrases, the device hash chain
 * (src/shared/chain.ts), and the real `keygen` CLI command.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { generateCoordinatorKeys, KeyFileError, publicKeyFileOf, unlockPrivateKey, type CoordinatorKeys } from '../../server/keys.ts';
import { decodeInk, fromBase64Url, INK_LIMITS, toBase64Url } from '../../src/shared/ink.ts';
import { SealedPayloadSchema, SignatureRecordSchema, type SignatureRecord } from '../../src/shared/protocol.ts';
import { importSealingKey, keyIdOf, openPayload, SEAL_ALG, sealContextOf, SealError, sealPayload, type PlainPayload, type SealContext, type SealedPayload, type SealingKey } from '../../src/shared/seal.ts';
import { chainLink, genesisLink, nextChain, verifyChain, type ChainedRecord, type ChainLog, type RecordChain } from '../../src/shared/chain.ts';
import { makeRecord } from '../helpers/records.ts';
import { RecordRowSchema } from '../../src/shared/api/signatures.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const NODE = join(ROOT, 'node_modules/.bin/node');
const PASSPHRASE = 'Grève générale 1995, toujours';

let keys: CoordinatorKeys;
let sealing: SealingKey;
let privateKey: CryptoKey;
/** A second RSA-OAEP key pair: not the coordinator's. */
let otherPrivateKey: CryptoKey;

beforeAll(async () => {
  keys = await generateCoordinatorKeys(PASSPHRASE);
  sealing = await importSealingKey(keys.publicKeyJwk);
  privateKey = await unlockPrivateKey(keys.privateKeyFile, PASSPHRASE);
  const other = await crypto.subtle.generateKey(
    { name: 'RSA-OAEP', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    false,
    ['wrapKey', 'unwrapKey'],
  );
  otherPrivateKey = other.privateKey;
});

/** A record with every signer field filled in. */
function fullRecord(): SignatureRecord {
  const record = makeRecord({ name: 'Zoë Ørsted-Núñez', email: 'zoe.orsted@example.org', seed: 7 });
  const payload = record.payload as PlainPayload;
  return {
    ...record,
    consentVersion: 3,
    lang: 'fr',
    payload: { ...payload, signer: { ...payload.signer, country: 'FR', postcode: '75011', phone: '+33 6 12 34 56 78', optIn: true } },
  };
}

async function sealRecord(record: SignatureRecord): Promise<SealedPayload> {
  return sealPayload(record.payload as PlainPayload, sealContextOf(record), sealing);
}

/** The base64url text with one bit flipped in byte `at` (default: the middle). */
function flipByte(text: string, at?: number): string {
  const bytes = fromBase64Url(text);
  bytes[at ?? bytes.length >> 1] ^= 0x01;
  return toBase64Url(bytes);
}

async function openError(sealed: SealedPayload, context: SealContext, key: Parameters<typeof openPayload>[2] = privateKey): Promise<SealError> {
  const error = await openPayload(sealed, context, key).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SealError);
  return error as SealError;
}

describe('keys', () => {
  it('the key id is the RFC 7638 thumbprint: stable, whatever other members the JWK has', async () => {
    expect(keys.keyId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(keys.privateKeyFile.keyId).toBe(keys.keyId);
    const { n, e } = keys.publicKeyJwk;
    expect(await keyIdOf({ e, n, kty: 'RSA' })).toBe(keys.keyId);
    expect(await keyIdOf({ ...keys.publicKeyJwk, use: 'sig', key_ops: ['encrypt'] })).toBe(keys.keyId);
    expect(sealing.keyId).toBe(keys.keyId);
    expect((await importSealingKey(publicKeyFileOf(keys))).keyId).toBe(keys.keyId);
  });

  it('the private key file has the documented shape and holds no plaintext key material', () => {
    const file = keys.privateKeyFile;
    expect(file).toMatchObject({ format: 'fieldsign-private-key', version: 1, kdf: { name: 'PBKDF2', hash: 'SHA-256' } });
    expect(file.kdf.iterations).toBeGreaterThanOrEqual(600_000);
    expect(fromBase64Url(file.kdf.salt).length).toBe(16);
    expect(fromBase64Url(file.iv).length).toBe(12);
    expect(JSON.stringify(file)).not.toContain(keys.publicKeyJwk.n!.slice(0, 40));
  });

  it('a wrong passphrase is refused with a clear error', async () => {
    const error = await unlockPrivateKey(keys.privateKeyFile, PASSPHRASE + '!').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyFileError);
    expect((error as KeyFileError).reason).toBe('wrong-passphrase');
    expect((error as Error).message).toMatch(/wrong passphrase/i);
    expect((error as Error).message).toContain(keys.keyId);
  });

  it('refuses a short passphrase, a damaged file, a swapped key id and a private key as the campaign key', async () => {
    await expect(generateCoordinatorKeys('too short')).rejects.toThrow(/at least 12 characters/);
    await expect(unlockPrivateKey({ format: 'something-else' }, PASSPHRASE)).rejects.toThrow(/not a Fieldsign private key file/);
    await expect(unlockPrivateKey('{not json', PASSPHRASE)).rejects.toThrow(/not a Fieldsign private key file/);
    await expect(unlockPrivateKey({ ...keys.privateKeyFile, kdf: { ...keys.privateKeyFile.kdf, iterations: 1000 } }, PASSPHRASE)).rejects.toThrow(
      /not a Fieldsign private key file/,
    );
    // The key id is bound to the encrypted key: another id in the file fails like a wrong passphrase.
    await expect(unlockPrivateKey({ ...keys.privateKeyFile, keyId: 'x'.repeat(43) }, PASSPHRASE)).rejects.toThrow(/wrong passphrase/i);

    const extractable = await crypto.subtle.generateKey(
      { name: 'RSA-OAEP', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
      true,
      ['wrapKey', 'unwrapKey'],
    );
    const privateJwk = await crypto.subtle.exportKey('jwk', extractable.privateKey);
    await expect(importSealingKey(privateJwk)).rejects.toThrow(/PRIVATE key/);
    await expect(importSealingKey({ ...keys.publicKeyJwk, kid: 'someone-else' })).rejects.toThrow(/altered or mixed up/);
    await expect(importSealingKey({ ...publicKeyFileOf(keys), keyId: 'someone-else' })).rejects.toThrow(/altered or mixed up/);
  });
});

describe('sealing', () => {
  it('round trip: every signer field and every stroke come back', async () => {
    const record = fullRecord();
    const plain = record.payload as PlainPayload;
    const sealed = await sealRecord(record);
    const opened = await openPayload(sealed, sealContextOf(record), { cryptoKey: privateKey, keyId: keys.keyId });
    expect(opened).toEqual(plain);
    expect(opened.signer).toEqual({ name: 'Zoë Ørsted-Núñez', email: 'zoe.orsted@example.org', country: 'FR', postcode: '75011', phone: '+33 6 12 34 56 78', optIn: true });
    expect(decodeInk(opened.ink!)).toEqual(decodeInk(plain.ink!));
    expect(decodeInk(opened.ink!).strokes.flat().length).toBeGreaterThan(100);
  });

  it('round trip of a typed signature with its attestation', async () => {
    const record = makeRecord({ name: 'Ada Lovelace' });
    const payload: PlainPayload = {
      kind: 'plain',
      signer: { name: 'Ada Lovelace', optIn: false },
      typed: { name: 'Ada Lovelace', attestation: 'I, Ada Lovelace, sign this petition.' },
    };
    const sealed = await sealPayload(payload, sealContextOf(record), sealing);
    expect(await openPayload(sealed, sealContextOf(record), privateKey)).toEqual(payload);
  });

  it('opens a payload sealed before the name rules of #18 (a text-direction control in the name): held signatures are never refused on the way out', async () => {
    const record = makeRecord({ name: 'Amina' });
    const name = '\u202bAmina Diallo\u202c';
    const payload: PlainPayload = { ...(record.payload as PlainPayload), signer: { name, email: 'amina@example.org', optIn: false } };
    // Arriving today, the name is refused; sealed on a tablet of before, it was not judged at all.
    expect(z.safeParse(SignatureRecordSchema, { ...record, payload }).success).toBe(false);
    const sealed = await sealPayload(payload, sealContextOf(record), sealing);
    expect((await openPayload(sealed, sealContextOf(record), privateKey)).signer.name).toBe(name);
    // And the console reads such a record back from the server as it is.
    expect(z.safeParse(RecordRowSchema, { seq: 1, id: record.id, deviceId: record.deviceId, receivedAt: record.capturedAt, record: { ...record, payload } }).success).toBe(true);
  });

  it('the sealed record shows neither name, email nor strokes, and passes the protocol schemas within their limits', async () => {
    const record = fullRecord();
    const plain = record.payload as PlainPayload;
    const sealed = await sealRecord(record);
    const sealedRecord = { ...record, payload: sealed };
    const json = JSON.stringify(sealedRecord);
    expect(json).not.toContain('Zoë');
    expect(json).not.toContain('Ørsted');
    expect(json).not.toContain('zoe.orsted');
    expect(json).not.toContain('example.org');
    expect(json).not.toContain('75011');
    expect(json).not.toContain(plain.ink!.data.slice(0, 32));

    expect(sealed.alg).toBe(SEAL_ALG);
    expect(sealed.keyId).toBe(keys.keyId);
    expect(z.safeParse(SealedPayloadSchema, sealed).success).toBe(true);
    expect(z.safeParse(SignatureRecordSchema, sealedRecord).success).toBe(true);
    expect(sealed.wrappedKey.length).toBe(512); // 3072-bit RSA: 384 bytes
    expect(sealed.ciphertext.length).toBeLessThan(4 * plain.ink!.data.length); // a realistic record: a few KB, far under 200 000
  });

  it('the largest payload the schema allows still seals within the sealed size limit', async () => {
    const record = fullRecord();
    const plain = record.payload as PlainPayload;
    const largest: PlainPayload = {
      ...plain,
      signer: { ...plain.signer, name: '𝔄'.repeat(100), email: `${'a'.repeat(64)}@${'b'.repeat(180)}.org` },
      ink: { ...plain.ink!, data: 'A'.repeat(INK_LIMITS.maxDataChars) },
    };
    const sealed = await sealPayload(largest, sealContextOf(record), sealing);
    expect(sealed.ciphertext.length).toBeLessThan(140_000);
    expect(z.safeParse(SealedPayloadSchema, sealed).success).toBe(true);
  });

  it('a fresh key and iv per record: sealing the same payload twice gives different ciphertexts', async () => {
    const record = fullRecord();
    const a = await sealRecord(record);
    const b = await sealRecord(record);
    expect(a.iv).not.toBe(b.iv);
    expect(a.wrappedKey).not.toBe(b.wrappedKey);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  describe('tampering is a SealError naming the record', () => {
    let record: SignatureRecord;
    let context: SealContext;
    let sealed: SealedPayload;
    beforeAll(async () => {
      record = fullRecord();
      context = sealContextOf(record);
      sealed = await sealRecord(record);
    });

    for (const field of ['ciphertext', 'iv'] as const) {
      it(`one flipped bit in the ${field}`, async () => {
        for (const at of [0, undefined, fromBase64Url(sealed[field]).length - 1]) {
          const error = await openError({ ...sealed, [field]: flipByte(sealed[field], at) }, context);
          expect(error.reason).toBe('tampered');
          expect(error.recordId).toBe(record.id);
          expect(error.message).toContain(record.id);
          expect(error.message).toMatch(/integrity check/);
        }
      });
    }

    it('one flipped bit in the wrapped key', async () => {
      const tampered = { ...sealed, wrappedKey: flipByte(sealed.wrappedKey) };
      // With the key id known, the record names the right key: it was altered.
      const named = await openError(tampered, context, { cryptoKey: privateKey, keyId: keys.keyId });
      expect(named.reason).toBe('tampered');
      expect(named.message).toContain(record.id);
      expect(named.message).toMatch(/wrapped key was altered/);
      // With a bare key it cannot tell a wrong key from an altered wrapped key, and says both.
      const bare = await openError(tampered, context);
      expect(bare.message).toContain(record.id);
      expect(bare.message).toMatch(/wrapped key was altered/);
    });

    for (const field of ['id', 'deviceId', 'campaignId', 'capturedAt'] as const) {
      it(`a changed ${field} in the context (the ciphertext moved to another record)`, async () => {
        const changed = {
          ...context,
          [field]: field === 'id' ? crypto.randomUUID() : field === 'capturedAt' ? new Date(Date.parse(context.capturedAt) + 1000).toISOString() : `${context[field]}-2`,
        };
        const error = await openError(sealed, changed);
        expect(error.reason).toBe('tampered');
        expect(error.message).toContain(changed.id);
        expect(error.message).toMatch(/sealed for another record/);
      });
    }

    it('a changed key id or an unknown algorithm', async () => {
      const otherId = await openError({ ...sealed, keyId: 'A'.repeat(43) }, context, { cryptoKey: privateKey, keyId: keys.keyId });
      expect(otherId.reason).toBe('wrong-key');
      expect(otherId.message).toContain(record.id);
      // With a bare key the key id is still bound as authenticated data.
      expect((await openError({ ...sealed, keyId: 'A'.repeat(43) }, context)).reason).toBe('tampered');
      const alg = await openError({ ...sealed, alg: 'A128CBC+RSA1_5' }, context);
      expect(alg.reason).toBe('unsupported');
      expect(alg.message).toContain(record.id);
      expect(alg.message).toContain('A128CBC+RSA1_5');
    });

    it('the right context opens it, still (the checks above changed copies only)', async () => {
      expect(await openPayload(sealed, context, privateKey)).toEqual(record.payload);
    });
  });

  it('a wrong private key is a clear error naming the record and the key it was sealed for', async () => {
    const record = fullRecord();
    const sealed = await sealRecord(record);
    const error = await openError(sealed, sealContextOf(record), otherPrivateKey);
    expect(error.reason).toBe('wrong-key');
    expect(error.message).toContain(record.id);
    expect(error.message).toContain(`sealed for coordinator key ${keys.keyId}`);
    const named = await openError(sealed, sealContextOf(record), { cryptoKey: otherPrivateKey, keyId: 'other-key' });
    expect(named.reason).toBe('wrong-key');
    expect(named.message).toMatch(/but the key given is other-key/);
    // The public key is no private key.
    expect((await openError(sealed, sealContextOf(record), sealing.cryptoKey)).reason).toBe('bad-key');
  });

  it('S12: a re-enrolled tablet re-stamps deviceId; the record still opens by its chain.device', async () => {
    const record = fullRecord();
    const sealedRecord: ChainedRecord = { ...record, payload: await sealRecord(record) };
    const chained: ChainedRecord = { ...sealedRecord, chain: await nextChain(sealedRecord) };
    const restamped: ChainedRecord = { ...chained, deviceId: 'device-reenrolled' };
    expect(sealContextOf(restamped).deviceId).toBe(record.deviceId);
    expect(await openPayload(restamped.payload as SealedPayload, sealContextOf(restamped), privateKey)).toEqual(record.payload);
  });
});

describe('device hash chain', () => {
  const DEVICE = 'device-test';
  let records: ChainedRecord[];
  let log: ChainLog;

  beforeAll(async () => {
    records = [];
    let head: RecordChain | undefined;
    for (let i = 0; i < 6; i++) {
      const plain = makeRecord({ deviceId: DEVICE, seed: 100 + i });
      const sealed: ChainedRecord = { ...plain, payload: await sealRecord(plain) };
      head = await nextChain(sealed, head);
      records.push({ ...sealed, chain: head });
    }
    log = { device: DEVICE, entries: records.map((r) => ({ id: r.id, link: r.chain!.link })) };
  });

  it('links: genesis from the device id, then each over the previous link', async () => {
    expect(records.map((r) => r.chain!.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(records[0].chain!.prev).toBe(await genesisLink(DEVICE));
    expect(await genesisLink('another-device')).not.toBe(records[0].chain!.prev);
    for (let i = 1; i < records.length; i++) expect(records[i].chain!.prev).toBe(records[i - 1].chain!.link);
    expect(await chainLink(records[2].chain!.prev, records[2])).toBe(records[2].chain!.link);
    // Neither the deviceId (S12) nor the chain field itself is hashed; every other field is.
    expect(await chainLink(records[2].chain!.prev, { ...records[2], deviceId: 'x', chain: undefined })).toBe(records[2].chain!.link);
    expect(await chainLink(records[2].chain!.prev, { ...records[2], campaignVersion: 2 })).not.toBe(records[2].chain!.link);
  });

  it('an intact chain passes, in any order, also with re-stamped device ids', async () => {
    expect(await verifyChain(records, log)).toEqual({ ok: true });
    expect(await verifyChain([...records].reverse(), log)).toEqual({ ok: true });
    expect(await verifyChain(records.map((r) => ({ ...r, deviceId: 'device-new' })), log)).toEqual({ ok: true });
    // Records without the (proposed) chain field are checked against the log alone.
    expect(await verifyChain(records.map((r) => ({ ...r, chain: undefined })), log)).toEqual({ ok: true });
  });

  it('a removed record is reported missing, at its place', async () => {
    const verdict = await verifyChain(records.toSpliced(2, 1), log);
    expect(verdict).toEqual({ ok: false, problems: [{ index: 2, id: records[2].id, kind: 'missing' }] });
    // Removed at the end: the log (or the head the tablet reports) still shows it.
    expect(await verifyChain(records.slice(0, -1), log)).toEqual({ ok: false, problems: [{ index: 5, id: records[5].id, kind: 'missing' }] });
  });

  it('an inserted record is reported inserted, at its place', async () => {
    const forgedPlain = makeRecord({ deviceId: DEVICE, seed: 999 });
    const forged: ChainedRecord = { ...forgedPlain, payload: await sealRecord(forgedPlain) };
    // Even with a well-made chain field continuing the real chain, the tablet's log does not list it.
    const inserted = { ...forged, chain: await nextChain(forged, records[2].chain) };
    const verdict = await verifyChain(records.toSpliced(3, 0, inserted), log);
    expect(verdict).toEqual({ ok: false, problems: [{ index: 3, id: forged.id, kind: 'inserted' }] });
    // A second copy of a record is an insertion too.
    expect(await verifyChain([...records, records[1]], log)).toEqual({ ok: false, problems: [{ index: 6, id: records[1].id, kind: 'inserted' }] });
  });

  it('an altered record is reported altered, at its place, without tainting the next ones', async () => {
    const altered = records.slice();
    altered[4] = { ...records[4], capturedAt: new Date(Date.parse(records[4].capturedAt) + 60_000).toISOString() };
    expect(await verifyChain(altered, log)).toEqual({ ok: false, problems: [{ index: 4, id: records[4].id, kind: 'altered' }] });

    const payload = records[1].payload as SealedPayload;
    const swapped = records.slice();
    swapped[1] = { ...records[1], payload: { ...payload, ciphertext: flipByte(payload.ciphertext) } };
    expect(await verifyChain(swapped, log)).toEqual({ ok: false, problems: [{ index: 1, id: records[1].id, kind: 'altered' }] });

    // A chain field that disagrees with the log (here: its seq) is an alteration too.
    const reordered = records.slice();
    reordered[3] = { ...records[3], chain: { ...records[3].chain!, seq: 7 } };
    expect(await verifyChain(reordered, log)).toEqual({ ok: false, problems: [{ index: 3, id: records[3].id, kind: 'altered' }] });
  });

  it('several problems at once are each reported', async () => {
    const forgedPlain = makeRecord({ deviceId: DEVICE, seed: 998 });
    const mixed = [records[0], { ...records[1], lang: 'es' as const }, records[3], forgedPlain, records[4], records[5]];
    expect(await verifyChain(mixed, log)).toEqual({
      ok: false,
      problems: [
        { index: 1, id: records[1].id, kind: 'altered' },
        { index: 2, id: records[2].id, kind: 'missing' },
        { index: 3, id: forgedPlain.id, kind: 'inserted' },
      ],
    });
  });

  it('a re-enrolled tablet starts a new chain', async () => {
    const next = makeRecord({ deviceId: 'device-reenrolled' });
    const chain = await nextChain(next, records[5].chain);
    expect(chain).toMatchObject({ device: 'device-reenrolled', seq: 0, prev: await genesisLink('device-reenrolled') });
  });
});

describe('keygen CLI', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fieldsign-keygen-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function cli(args: string[], stdin: string): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((done) => {
      const child = execFile(NODE, ['server/cli.ts', ...args], { cwd: ROOT, timeout: 30_000 }, (error, stdout, stderr) => {
        done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      });
      child.stdin!.end(stdin);
    });
  }

  it('keygen → seal with the public file → unlock the private file → open', async () => {
    const out = join(dir, 'keys');
    const result = await cli(['keygen', '--out', out], `${PASSPHRASE}\n${PASSPHRASE}\n`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const publicPath = join(out, 'fieldsign-public-key.json');
    const privatePath = join(out, 'fieldsign-private-key.json');
    expect(result.stdout).toContain(publicPath);
    expect(result.stdout).toContain(privatePath);
    expect(result.stdout).toMatch(/lost for good/);
    expect(statSync(privatePath).mode & 0o777).toBe(0o600);

    const publicFile = JSON.parse(readFileSync(publicPath, 'utf8'));
    const privateFile = JSON.parse(readFileSync(privatePath, 'utf8'));
    expect(publicFile).toMatchObject({ format: 'fieldsign-public-key', version: 1, alg: SEAL_ALG, keyId: privateFile.keyId });
    expect(result.stdout).toContain(publicFile.keyId);
    expect(JSON.stringify(publicFile)).not.toMatch(/"(d|p|q|dp|dq|qi)"/);

    const record = fullRecord();
    const key = await importSealingKey(publicFile);
    const sealed = await sealPayload(record.payload as PlainPayload, sealContextOf(record), key);
    const unlocked = await unlockPrivateKey(readFileSync(privatePath, 'utf8'), PASSPHRASE);
    expect(await openPayload(sealed, sealContextOf(record), { cryptoKey: unlocked, keyId: privateFile.keyId })).toEqual(record.payload);
    await expect(unlockPrivateKey(privateFile, 'not the passphrase')).rejects.toThrow(/wrong passphrase/i);

    // Never overwrites a key: signatures sealed for it would be lost.
    const again = await cli(['keygen', '--out', out], `${PASSPHRASE}\n`);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists/);
    expect(JSON.parse(readFileSync(privatePath, 'utf8'))).toEqual(privateFile);
  });

  it('refuses two different passphrases, a short one, and a missing --out, writing nothing', async () => {
    const differ = await cli(['keygen', '--out', join(dir, 'differ')], `${PASSPHRASE}\n${PASSPHRASE}?\n`);
    expect(differ.code).toBe(2);
    expect(differ.stderr).toMatch(/two passphrases are not the same/);
    const short = await cli(['keygen', '--out', join(dir, 'short')], 'short\nshort\n');
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/at least 12 characters/);
    const noOut = await cli(['keygen'], `${PASSPHRASE}\n`);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/--out/);
    expect(() => statSync(join(dir, 'differ'))).toThrow();
    expect(() => statSync(join(dir, 'short'))).toThrow();
  });
});
