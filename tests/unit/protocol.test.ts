import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { SignerSchema, SignatureRecordSchema } from '../../src/shared/protocol.ts';
import { makeRecord } from '../helpers/records.ts';
import { sealIfRequired } from '../../src/db/capture.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import type { Campaign } from '../../src/shared/campaign.ts';
import { keyIdOf, SEAL_ALG } from '../../src/shared/seal.ts';
import { sealingIssue } from '../../server/ingest.ts';

const signer = { name: 'Amina Diallo', email: 'amina@example.org', country: 'SN', optIn: false };

function messages(input: unknown) {
  const result = z.safeParse(SignerSchema, input);
  return result.success ? {} : Object.fromEntries(result.error.issues.map((i) => [i.path.join('.'), i.message]));
}

describe('signer schema', () => {
  it('accepts a complete signer and normalises whitespace and email case', () => {
    const parsed = z.parse(SignerSchema, { ...signer, name: '  Amina Diallo ', email: ' Amina@Example.ORG ' });
    expect(parsed).toEqual(signer);
  });

  it('names each missing or bad field in plain words', () => {
    expect(messages({ ...signer, name: '   ' })).toEqual({ name: 'Please enter your full name.' });
    expect(messages({ ...signer, email: 'amina@' })).toEqual({ email: 'Please enter a valid email address, like name@example.org.' });
    expect(messages({ ...signer, email: '' })).toEqual({ email: 'Please enter your email address.' });
    expect(messages({ ...signer, country: 'Narnia' })).toEqual({ country: 'Please choose your country.' });
    expect(messages({ ...signer, country: '' })).toEqual({ country: 'Please choose your country.' });
  });

  it('refuses control characters and broken surrogates in a name', () => {
    expect(messages({ ...signer, name: 'Amina\u0000' }).name).toMatch(/cannot be stored/);
    expect(messages({ ...signer, name: 'Amina\ud800' }).name).toMatch(/cannot be stored/);
    // Lone low surrogates: first, after a letter, after a complete pair.
    for (const name of ['\udc00Amina', 'Ami\udc00na', 'Amina 👩\udc00']) expect(messages({ ...signer, name }).name).toMatch(/cannot be stored/);
    expect(messages({ ...signer, name: 'Zoë 李 أمينة 👩🏾' })).toEqual({});
  });

  it('requires an explicit opt-in choice (a boolean), never defaulting to yes', () => {
    expect(Object.keys(messages({ ...signer, optIn: 'yes' }))).toEqual(['optIn']);
    expect(Object.keys(messages({ ...signer, optIn: undefined }))).toEqual(['optIn']);
  });
});

describe('signature record schema', () => {
  it('accepts a record made like the kiosk makes it', () => {
    const record = makeRecord();
    expect(z.parse(SignatureRecordSchema, record)).toEqual(record);
  });

  it('rejects a record without a UUID, with bad ink, or with an unknown payload kind', () => {
    const record = makeRecord();
    expect(z.safeParse(SignatureRecordSchema, { ...record, id: '123' }).success).toBe(false);
    const badInk = { ...record, payload: { ...record.payload, ink: { format: 1, width: 600, height: 200, data: '////' } } };
    const result = z.safeParse(SignatureRecordSchema, badInk);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].path.join('.')).toBe('payload.ink.data');
    expect(z.safeParse(SignatureRecordSchema, { ...record, payload: { kind: 'png', data: 'x' } }).success).toBe(false);
  });

  it('S22: carries a payload sealed on the tablet in place of the signer data; one no key could open passes the schema but not ingestion', async () => {
    const pair = await crypto.subtle.generateKey(
      { name: 'RSA-OAEP', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
      true,
      ['wrapKey', 'unwrapKey'],
    );
    const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
    const campaign: Campaign = { ...DEFAULT_CAMPAIGN, sealing: { alg: SEAL_ALG, keyId: await keyIdOf(jwk), publicKeyJwk: { kty: 'RSA', n: jwk.n!, e: jwk.e! }, countryInClear: false } };
    const record = makeRecord();
    const sealed = await sealIfRequired(record, campaign.sealing);
    expect(sealed.payload.kind).toBe('sealed');
    expect(JSON.stringify(sealed)).not.toContain(record.payload.kind === 'plain' ? record.payload.signer.email : '?');
    expect(z.parse(SignatureRecordSchema, sealed)).toEqual(sealed);
    expect(sealingIssue(sealed)).toBeUndefined();

    // The schema only checks the shape; the server refuses what no coordinator key could open.
    const bogus = { ...sealed, payload: { kind: 'sealed' as const, alg: SEAL_ALG, keyId: 'k1', wrappedKey: 'abc', iv: 'def', ciphertext: 'ghi' } };
    expect(z.safeParse(SignatureRecordSchema, bogus).success).toBe(true);
    expect(sealingIssue(bogus)).toBe('The sealed payload does not name a valid coordinator key id.');
  });

  it('accepts a capture time with any offset, even a wildly wrong clock', () => {
    expect(z.safeParse(SignatureRecordSchema, makeRecord({ capturedAt: '2019-01-01T09:00:00+05:30' })).success).toBe(true);
    expect(z.safeParse(SignatureRecordSchema, makeRecord({ capturedAt: 'yesterday' })).success).toBe(false);
  });
});
