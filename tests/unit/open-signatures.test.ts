/**
 * The pieces the console and the CLI share to read sealed signatures back: the key file in
 * the browser's terms (src/shared/keyfile.ts), the CSV the console builds in memory (it must
 * be byte for byte what the server's streamed export writes), and the duplicate finder.
 */
import { PassThrough } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeCsv } from '../../server/exports/csv.ts';
import { createDuplicateFinder, normaliseText } from '../../src/shared/duplicates.ts';
import { generateCoordinatorKeys, KeyFileError, parseKeyFile, publicKeyFileOf, unlockKeyFile, type CoordinatorKeys } from '../../src/shared/keyfile.ts';
import type { SignatureRecord } from '../../src/shared/protocol.ts';
import { CONTACT_COLUMNS, contactRow, csvText, HANDIN_COLUMNS, handinRow, type RowSource } from '../../src/shared/signer-rows.ts';
import { plainRecord } from '../helpers/sealed-records.ts';

const PASSPHRASE = 'unit test passphrase, long enough';
let keys: CoordinatorKeys;
beforeAll(async () => {
  keys = await generateCoordinatorKeys(PASSPHRASE);
});

describe('the key file, unlocked in the browser', () => {
  it('unlockKeyFile gives the key with its id; the text of the file works as well as its JSON', async () => {
    const fromText = await unlockKeyFile(JSON.stringify(keys.privateKeyFile, null, 2), PASSPHRASE);
    expect(fromText.keyId).toBe(keys.keyId);
    expect(fromText.cryptoKey).toMatchObject({ type: 'private', extractable: false, usages: ['unwrapKey'] });
    expect((await unlockKeyFile(keys.privateKeyFile, PASSPHRASE)).keyId).toBe(keys.keyId);
  });

  it('says what is wrong: the public key file, another file, no passphrase, a wrong one', async () => {
    const fail = (file: unknown, passphrase = PASSPHRASE) => unlockKeyFile(file, passphrase).then(() => undefined, (e: unknown) => e as KeyFileError);
    expect(() => parseKeyFile(JSON.stringify(publicKeyFileOf(keys)))).toThrow(/This is the PUBLIC key file: it can only seal\. Choose the private key file \(fieldsign-private-key\.json\)\./);
    expect((await fail({ hello: 'world' }))?.message).toMatch(/^This is not a Fieldsign private key file, or not one this version reads: .*\(format\)\.$/);
    expect((await fail('%PDF-1.7'))?.message).toBe('This is not a Fieldsign private key file (not JSON).');
    expect((await fail(keys.privateKeyFile, ''))?.message).toBe('Type the passphrase of the private key file.');
    const wrong = await fail(keys.privateKeyFile, 'the wrong passphrase');
    expect(wrong).toBeInstanceOf(KeyFileError);
    expect(wrong?.reason).toBe('wrong-passphrase');
    expect(wrong?.message).toBe(`Wrong passphrase for the private key ${keys.keyId} (or the key file is damaged).`);
  });
});

describe('the CSV the console builds', () => {
  const rows: RowSource[] = [
    { name: 'Smith, "Jo"\nJunior', optIn: true },
    { name: '=HYPERLINK("http://x")', optIn: true, phone: '+44 20 7946 0000' },
    { name: 'Zoë Ørsted-Núñez', optIn: false, postcode: '75011' },
    { name: 'أمينة', optIn: true, typed: true },
    { name: 'Ana 😀', optIn: true, country: undefined },
  ].map((spec, i) => {
    const record: SignatureRecord = plainRecord('device-test', { email: `p${i}@example.org`, country: 'FR', ...spec }, i + 1);
    return { receivedAt: `2026-11-2${i}T10:00:00.000Z`, record };
  });

  async function serverCsv(kind: 'handin' | 'contacts'): Promise<string> {
    const out = new PassThrough();
    const bytes = buffer(out);
    async function* source() {
      yield* rows;
    }
    await writeCsv(source(), out, kind);
    return (await bytes).toString('utf8');
  }

  it('is byte for byte what the server streams, for the hand-in list and the contacts', async () => {
    const handin = csvText(HANDIN_COLUMNS, rows.map((row, i) => handinRow(i + 1, row)));
    expect(handin).toBe(await serverCsv('handin'));
    const contacts = csvText(CONTACT_COLUMNS, rows.map(contactRow).filter((c): c is string[] => c !== undefined));
    expect(contacts).toBe(await serverCsv('contacts'));
    expect(contacts).toContain('"Smith, ""Jo""\nJunior"');
    expect(contacts).toContain(`'=HYPERLINK(""http://x"")`);
    expect(contacts).not.toContain('75011'); // Zoë did not opt in
  });
});

describe('possible duplicate signers', () => {
  it('same normalised email, or same normalised name and country; never without a country', () => {
    expect(normaliseText('  Zo\u00eb  \u00d8RSTED ')).toBe('zo\u00eb \u00f8rsted');
    const finder = createDuplicateFinder();
    finder.add('a', { name: 'Jo Doe', email: 'jo@example.org', country: 'KE' });
    finder.add('b', { name: 'Joanna', email: ' JO@example.org', country: 'FR' });
    finder.add('c', { name: '  jo   DOE', email: 'other@example.org', country: 'KE' });
    finder.add('d', { name: 'Jo Doe', country: 'FR' });
    finder.add('e', { name: 'No Country' });
    finder.add('f', { name: 'no country' });
    // "Zoé" typed with a combining accent and with a precomposed one are the same name.
    finder.add('g', { name: 'Zoe\u0301', country: 'FR' });
    finder.add('h', { name: 'Zo\u00e9', country: 'FR' });
    expect(finder.groups()).toEqual([
      { reason: 'email', key: 'jo@example.org', ids: ['a', 'b'] },
      { reason: 'name-country', key: 'jo doe · KE', ids: ['a', 'c'] },
      { reason: 'name-country', key: 'zoé · FR', ids: ['g', 'h'] },
    ]);
  });
});
