/**
 * What the console reads: totals, search, possible duplicate signers, and pages of the list.
 * Registered by `storeContract` (tests/store/contract.ts) for every store.
 */
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../server/store/store.ts';
import type { SignatureRecord } from '../../../src/shared/protocol.ts';
import { makeRecord, withSigner } from '../../helpers/records.ts';
import type { ContractContext } from '../contract.ts';
import { item, sealedRecord, T0, T1, typedRecord } from './fixtures.ts';

export function readsContract(t: ContractContext): void {
  const { gapIt, enrollDevice } = t;
  let store: Store;
  beforeEach(() => {
    store = t.store();
  });

  describe('totals', () => {
    it('an empty database has empty totals', async () => {
      expect(await store.totals()).toEqual({ total: 0, byEvent: [], byDevice: [], byCountry: [], hourly: [] });
    });

    it('counts by event, device, country and hour, biggest first (hours oldest first), as numbers', async () => {
      const nairobi = await enrollDevice(store, 'Nairobi march', 'Tablet 1');
      const lyon = await enrollDevice(store, 'Lyon rally', null);
      const fromNairobi = [
        makeRecord({ deviceId: nairobi }),
        withSigner(makeRecord({ deviceId: nairobi }), { country: 'KE' }),
        makeRecord({ deviceId: nairobi }),
      ];
      const fromLyon = [makeRecord({ deviceId: lyon }), withSigner(makeRecord({ deviceId: lyon }), { country: undefined })];
      // The later hour arrives first: hours are sorted, not listed in arrival order.
      await store.ingest([item(fromNairobi[0]), item(fromLyon[1])], T1, 'sync');
      await store.ingest([...fromNairobi.slice(1), fromLyon[0]].map((r) => item(r)), T0, 'sync');
      await store.ingest([item(sealedRecord('imported-tablet'))], T0, 'import');
      expect(await store.totals()).toEqual({
        total: 6,
        byEvent: [
          { event: 'Nairobi march', count: 3 },
          { event: 'Lyon rally', count: 2 },
          { event: '(imported or unknown)', count: 1 },
        ],
        byDevice: [
          { deviceId: nairobi, label: 'Tablet 1', count: 3 },
          { deviceId: lyon, label: null, count: 2 },
          { deviceId: 'imported-tablet', label: null, count: 1 },
        ],
        byCountry: [
          { country: 'FR', count: 3 },
          { country: '', count: 2 },
          { country: 'KE', count: 1 },
        ],
        hourly: [
          { hour: '2026-11-24T09:00:00Z', count: 4 },
          { hour: '2026-11-24T11:00:00Z', count: 2 },
        ],
      });
    });
  });

  describe('search', () => {
    async function seed(): Promise<SignatureRecord[]> {
      const records = [
        makeRecord({ name: 'Nadia Murad', email: 'nadia@example.org' }),
        makeRecord({ name: 'Malala Yousafzai', email: 'malala@example.org' }),
        makeRecord({ name: '100% Real_Name', email: 'percent@example.org' }),
        makeRecord({ name: 'Back\\Slash', email: 'slash@example.org' }),
        makeRecord({ name: 'Hundred Real', email: 'hundred_real@example.org' }),
      ];
      await store.ingest(records.map((r) => item(r)), T0, 'sync');
      return records;
    }
    const ids = (result: { rows: Array<{ id: string }> }) => result.rows.map((r) => r.id);

    it('matches name, email or id, ignoring case, newest first', async () => {
      const [nadia, malala, percent, slash, hundred] = await seed();
      expect(ids(await store.searchSignatures({ q: 'NADIA' }))).toEqual([nadia.id]);
      expect(ids(await store.searchSignatures({ q: 'malala@' }))).toEqual([malala.id]);
      expect(ids(await store.searchSignatures({ q: 'Real' }))).toEqual([hundred.id, percent.id]);
      expect(ids(await store.searchSignatures({ q: slash.id.slice(4, 20) }))).toEqual([slash.id]);
      expect(ids(await store.searchSignatures({ q: slash.id.slice(4, 20).toUpperCase() }))).toEqual([slash.id]);
      expect(await store.searchSignatures({ q: 'no such signer' })).toEqual({ total: 0, rows: [] });
      const all = await store.searchSignatures({});
      expect(all.total).toBe(5);
      expect(ids(all)).toEqual([hundred.id, slash.id, percent.id, malala.id, nadia.id]);
      expect(all.rows[0]).toEqual(await store.getSignature(hundred.id));
    });

    it('pages with offset and limit; total counts every match', async () => {
      const records = await seed();
      const newestFirst = records.map((r) => r.id).reverse();
      const page = await store.searchSignatures({ q: 'example.org', offset: 1, limit: 2 });
      expect(page.total).toBe(5);
      expect(ids(page)).toEqual(newestFirst.slice(1, 3));
      expect(ids(await store.searchSignatures({ offset: 4, limit: 10 }))).toEqual(newestFirst.slice(4));
      expect(await store.searchSignatures({ offset: 5 })).toEqual({ total: 5, rows: [] });
      const defaults = await store.searchSignatures({ q: '' });
      expect(defaults.rows).toHaveLength(5);
    });

    it('pages by cursor: `before` and `after` continue from a row, newest first, as offsets do', async () => {
      const records = Array.from({ length: 12 }, (_, i) => makeRecord({ name: `Cursor Signer ${i}` }));
      await store.ingest(records.map((r) => item(r)), T0, 'sync');
      const newestFirst = records.map((r) => r.id).reverse();
      const first = await store.searchSignatures({ limit: 5 });
      const second = await store.searchSignatures({ limit: 5, before: first.rows[4].seq });
      const third = await store.searchSignatures({ limit: 5, before: second.rows[4].seq });
      expect([first, second, third].map(ids)).toEqual([newestFirst.slice(0, 5), newestFirst.slice(5, 10), newestFirst.slice(10)]);
      expect(second.total).toBe(12);
      // Back from the third page to the second: the five rows just newer than its first.
      expect(ids(await store.searchSignatures({ limit: 5, after: third.rows[0].seq }))).toEqual(newestFirst.slice(5, 10));
      // With a search: the cursor pages within the matches.
      const matches = await store.searchSignatures({ q: 'cursor signer 1', limit: 2 });
      expect(ids(matches)).toEqual([records[11].id, records[10].id]);
      expect(ids(await store.searchSignatures({ q: 'cursor signer 1', limit: 2, before: matches.rows[1].seq }))).toEqual([records[1].id]);
    });

    it('lists only possible duplicates when asked, with their total', async () => {
      const [a, b, c] = [makeRecord({ name: 'Ana Lima', email: 'ana@example.org' }), makeRecord({ name: 'Other', email: 'ANA@example.org' }), makeRecord({ name: 'Alone' })];
      await store.ingest([a, b, c].map((r) => item(r)), T0, 'sync');
      const page = await store.searchSignatures({ duplicatesOnly: true });
      expect({ total: page.total, ids: ids(page) }).toEqual({ total: 2, ids: [b.id, a.id] });
      expect(ids(await store.searchSignatures({ duplicatesOnly: true, q: 'other' }))).toEqual([b.id]);
      await store.deleteSignature(b.id, T1);
      expect((await store.searchSignatures({ duplicatesOnly: true })).total).toBe(0);
    });

    it('counts a search up to 10,000 matches, then says there are more', async () => {
      const records = Array.from({ length: 10_003 }, (_, i) => typedRecord({ name: `Many ${i}`, email: `many${i}@lots.example` }));
      for (let i = 0; i < records.length; i += 1000) await store.ingest(records.slice(i, i + 1000).map((r) => item(r)), T0, 'sync');
      const page = await store.searchSignatures({ q: 'lots.example', limit: 3 });
      expect({ total: page.total, capped: page.totalCapped, ids: ids(page) }).toEqual({ total: 10_000, capped: true, ids: records.slice(-3).reverse().map((r) => r.id) });
      const few = await store.searchSignatures({ q: 'many 1000' });
      // "Many 1000", and "Many 10000" to "Many 10002".
      expect({ total: few.total, capped: few.totalCapped }).toEqual({ total: 4, capped: undefined });
      // One character: no trigram to look up, the same answers.
      expect((await store.searchSignatures({ q: '@', limit: 1 })).totalCapped).toBe(true);
      const withNine = records.filter((r) => r.payload.kind === 'plain' && [r.id, r.payload.signer.name, r.payload.signer.email].some((t) => t?.includes('9')));
      expect(withNine.length).toBeLessThan(10_000);
      expect((await store.searchSignatures({ q: '9', limit: 1 })).total).toBe(withNine.length);
    });

    it('takes %, _ and \\ literally', async () => {
      const [, , percent, slash, hundred] = await seed();
      expect(ids(await store.searchSignatures({ q: '%' }))).toEqual([percent.id]);
      expect(ids(await store.searchSignatures({ q: '100%' }))).toEqual([percent.id]);
      expect(ids(await store.searchSignatures({ q: '_' }))).toEqual([hundred.id, percent.id]);
      expect(ids(await store.searchSignatures({ q: 'l_N' }))).toEqual([percent.id]);
      expect(ids(await store.searchSignatures({ q: 'k\\s' }))).toEqual([slash.id]);
      expect(ids(await store.searchSignatures({ q: '\\' }))).toEqual([slash.id]);
      expect((await store.searchSignatures({ q: 'd%r' })).total).toBe(0);
    });

    gapIt('unicode-case-folding', 'ignores case beyond ASCII too', async () => {
      const emile = makeRecord({ name: 'ÉMILE Zola' });
      const other = makeRecord({ name: 'Ольга Иванова' });
      await store.ingest([item(emile), item(other)], T0, 'sync');
      expect(ids(await store.searchSignatures({ q: 'émile' }))).toEqual([emile.id]);
      expect(ids(await store.searchSignatures({ q: 'Émile' }))).toEqual([emile.id]);
      expect(ids(await store.searchSignatures({ q: 'ОЛЬГА' }))).toEqual([other.id]);
    });

    gapIt('nul-in-search', 'a query holding U+0000 matches nothing', async () => {
      await seed();
      expect(await store.searchSignatures({ q: '\u0000' })).toEqual({ total: 0, rows: [] });
      expect(await store.searchSignatures({ q: 'a\u0000' })).toEqual({ total: 0, rows: [] });
    });

    it('gets one signature by id', async () => {
      const [nadia] = await seed();
      expect(await store.getSignature(nadia.id)).toMatchObject({ id: nadia.id, record: nadia, receivedAt: T0 });
      expect(await store.getSignature(randomUUID())).toBeUndefined();
      expect(await store.getSignature('bad\u0000id')).toBeUndefined();
    });
  });

  describe('possible duplicate signers', () => {
    it('flags the same email, or the same name and country, ignoring case and spaces; never drops', async () => {
      const a = makeRecord({ name: 'Ana Lima', email: 'ana@example.org' });
      const sameEmail = makeRecord({ name: 'A. Lima', email: ' ANA@example.org ' });
      const sameName = makeRecord({ name: 'ana lima ', email: 'ana.lima@example.org' });
      const otherCountry = withSigner(makeRecord({ name: 'Ana Lima', email: 'ana3@example.org' }), { country: 'BR' });
      const noCountry1 = withSigner(makeRecord({ name: 'Bo Li', email: 'bo1@example.org' }), { country: undefined });
      const noCountry2 = withSigner(makeRecord({ name: 'BO LI', email: undefined }), { country: undefined });
      const alone = makeRecord({ name: 'Someone Unique', email: 'unique@example.org' });
      const noEmail1 = withSigner(makeRecord({ name: 'X One' }), { email: undefined });
      const noEmail2 = withSigner(makeRecord({ name: 'Y Two' }), { email: undefined });
      const sealed = [sealedRecord(), sealedRecord()];
      const all = [a, sameEmail, sameName, otherCountry, noCountry1, noCountry2, alone, noEmail1, noEmail2, ...sealed];
      await store.ingest(all.map((r) => item(r)), T0, 'sync');
      expect(await store.count()).toBe(all.length);
      // The same name without a country is not enough (src/shared/signer-keys.ts).
      expect(await store.duplicateIds(all.map((r) => r.id))).toEqual(new Set([a.id, sameEmail.id, sameName.id]));
      expect(await store.duplicateIds([sameName.id, alone.id, randomUUID(), 'x\u0000'])).toEqual(new Set([sameName.id]));
      expect(await store.duplicateIds([])).toEqual(new Set());
    });

    gapIt('unicode-case-folding', 'flags the same name written in another case beyond ASCII', async () => {
      const a = makeRecord({ name: 'émile zola', email: 'e1@example.org' });
      const b = makeRecord({ name: 'ÉMILE ZOLA', email: 'e2@example.org' });
      await store.ingest([item(a), item(b)], T0, 'sync');
      expect(await store.duplicateIds([a.id, b.id])).toEqual(new Set([a.id, b.id]));
    });
  });

  describe('list and count', () => {
    it('pages through every signature once, in arrival order, after a sequence number', async () => {
      const records = Array.from({ length: 23 }, () => typedRecord());
      await store.ingest(records.slice(0, 10).map((r) => item(r)), T0, 'sync');
      await store.ingest(records.slice(10).map((r) => item(r)), T1, 'import');
      const seen: string[] = [];
      let after = 0;
      for (;;) {
        const page = await store.list({ afterSeq: after, limit: 5 });
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(5);
        seen.push(...page.map((s) => s.id));
        after = page[page.length - 1].seq;
      }
      expect(seen).toEqual(records.map((r) => r.id));
      expect(await store.list({ afterSeq: after })).toEqual([]);
      expect((await store.list({ limit: 3 })).map((s) => s.id)).toEqual(records.slice(0, 3).map((r) => r.id));
      expect(await store.count()).toBe(23);
      expect(await store.conflictCount()).toBe(0);
    });

    it('lists at most 1000 by default', async () => {
      const records = Array.from({ length: 1003 }, () => typedRecord());
      expect(new Set(await store.ingest(records.map((r) => item(r)), T0, 'sync'))).toEqual(new Set(['accepted']));
      const first = await store.list();
      expect(first).toHaveLength(1000);
      expect((await store.list({ afterSeq: first[999].seq })).map((s) => s.id)).toEqual(records.slice(1000).map((r) => r.id));
    });
  });
}
