/**
 * One rule for possible duplicate signers, everywhere it is judged: the console's in-browser
 * finder for opened sealed signatures (src/shared/duplicates.ts) and both stores' flags, which
 * read keys computed at ingestion. The same tricky pairs go to each, and each must give the
 * verdicts below.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordHash } from '../../server/ingest.ts';
import { PostgresStore } from '../../server/store/postgres.ts';
import { SqliteStore } from '../../server/store/sqlite.ts';
import type { Store } from '../../server/store/store.ts';
import { createDuplicateFinder } from '../../src/shared/duplicates.ts';
import type { SignatureRecord } from '../../src/shared/protocol.ts';
import { makeRecord, withSigner } from '../helpers/records.ts';
import { pgTestSchema, type PgTestSchema } from './postgres-schema.ts';

type Signer = { name: string; email?: string; country?: string };

/** [first signer, second signer, same person?, why] */
const PAIRS: Array<[Signer, Signer, boolean, string]> = [
  [{ name: 'Ana Lima', country: 'BR' }, { name: 'ANA LIMA', country: 'BR' }, true, 'case'],
  [{ name: 'Zoë  Smith', country: 'GB' }, { name: 'zoe\u0308 smith', country: 'GB' }, true, 'two spaces against a decomposed ë'],
  [{ name: '  Ana\tLima ', country: 'BR' }, { name: 'Ana Lima', country: 'BR' }, true, 'tabs and outer spaces'],
  [{ name: 'Bo Li' }, { name: 'BO LI' }, false, 'same name, no country: nothing to tell two people apart'],
  [{ name: 'Bo Li', country: 'CN' }, { name: 'Bo Li' }, false, 'one country missing'],
  [{ name: 'Ana Lima', country: 'BR' }, { name: 'Ana Lima', country: 'PT' }, false, 'other country'],
  [{ name: 'José Ñúñez', country: 'ES' }, { name: 'Jose Nunez', country: 'ES' }, false, 'accents are kept'],
  [{ name: 'Straße', country: 'DE' }, { name: 'STRASSE', country: 'DE' }, true, 'full case folding: ß'],
  [{ name: 'ΟΔΥΣΣΕΑΣ', country: 'GR' }, { name: 'οδυσσεασ', country: 'GR' }, true, 'Greek, final sigma'],
  [{ name: 'Ｔａｒｏ', country: 'JP' }, { name: 'taro', country: 'JP' }, true, 'full-width letters'],
  [{ name: '李小龙', country: 'CN' }, { name: '李小龙', country: 'CN' }, true, 'a script without case, same'],
  [{ name: '李小龙', country: 'CN' }, { name: '李小明', country: 'CN' }, false, 'a script without case, different'],
  [{ name: 'محمد الأحمد', country: 'EG' }, { name: 'محمد\u200b الأحمد', country: 'EG' }, true, 'an invisible zero-width space'],
  [{ name: 'A One', email: 'Ana@Example.org ' }, { name: 'B Two', email: 'ana@example.org' }, true, 'email, case and spaces'],
  [{ name: 'A One', email: 'ana@example.org' }, { name: 'B Two', email: 'ana2@example.org' }, false, 'other email'],
  [{ name: 'A One' }, { name: 'B Two' }, false, 'no email, other names'],
];

function record(signer: Signer): SignatureRecord {
  return withSigner(makeRecord({ name: signer.name, email: signer.email }), { email: signer.email, country: signer.country });
}

/** The finder's verdict for one pair. */
function finderSays([a, b]: [Signer, Signer, ...unknown[]]): boolean {
  const finder = createDuplicateFinder();
  finder.add('a', a);
  finder.add('b', b);
  return finder.groups().some((g) => g.ids.includes('a') && g.ids.includes('b'));
}

/** The store's verdicts, each pair alone in a fresh store. */
async function storeSays(open: () => Promise<Store>): Promise<boolean[]> {
  const verdicts: boolean[] = [];
  for (const [a, b] of PAIRS) {
    const store = await open();
    try {
      const records = [record(a), record(b)];
      await store.ingest(records.map((r) => ({ record: r, hash: recordHash(r), clockSuspect: false })), '2026-11-24T10:00:00.000Z', 'sync');
      const flagged = await store.duplicateIds(records.map((r) => r.id));
      expect(flagged.size === 0 || flagged.size === 2).toBe(true);
      verdicts.push(flagged.size === 2);
    } finally {
      await store.close();
    }
  }
  return verdicts;
}

const expected = PAIRS.map(([, , same, why]) => `${same ? 'same' : 'different'}: ${why}`);
const verdictsOf = (says: boolean[]) => PAIRS.map(([, , , why], i) => `${says[i] ? 'same' : 'different'}: ${why}`);

describe('possible duplicates: one verdict everywhere', () => {
  let pg: PgTestSchema;
  beforeAll(async () => {
    pg = await pgTestSchema('verdicts');
  });
  afterAll(async () => {
    await pg?.drop();
  });

  it("the console's finder (opened sealed signatures)", () => {
    expect(verdictsOf(PAIRS.map(finderSays))).toEqual(expected);
  });

  it('the SQLite store', async () => {
    expect(verdictsOf(await storeSays(async () => new SqliteStore(':memory:')))).toEqual(expected);
  });

  it('the PostgreSQL store', async () => {
    expect(
      verdictsOf(
        await storeSays(async () => {
          await pg.reset();
          return PostgresStore.open(pg.url);
        }),
      ),
    ).toEqual(expected);
  });

  it('a deletion clears the flag of the one left behind, and a third signer keeps the other two flagged', async () => {
    const store = new SqliteStore(':memory:');
    try {
      const [a, b, c] = [record({ name: 'Ana Lima', country: 'BR' }), record({ name: 'ana lima', country: 'BR' }), record({ name: 'ANA  LIMA', country: 'BR' })];
      await store.ingest([a, b, c].map((r) => ({ record: r, hash: recordHash(r), clockSuspect: false })), '2026-11-24T10:00:00.000Z', 'sync');
      // The count the filter shows comes from a counter: it follows every flag raised and lowered.
      const counted = async () => (await store.searchSignatures({ duplicatesOnly: true, campaignId: a.campaignId })).total;
      expect(await store.duplicateIds([a.id, b.id, c.id])).toEqual(new Set([a.id, b.id, c.id]));
      expect(await counted()).toBe(3);
      await store.deleteSignature(c.id, '2026-11-24T11:00:00.000Z');
      expect(await store.duplicateIds([a.id, b.id])).toEqual(new Set([a.id, b.id]));
      expect(await counted()).toBe(2);
      await store.deleteSignature(b.id, '2026-11-24T11:00:00.000Z');
      expect(await store.duplicateIds([a.id])).toEqual(new Set());
      expect(await counted()).toBe(0);
      expect((await store.searchSignatures({ duplicatesOnly: true })).total).toBe(0);
    } finally {
      await store.close();
    }
  });
});
