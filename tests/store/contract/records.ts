/**
 * Ingesting records (S3, S5: accepted, duplicate, conflict) and deleting them on a data-
 * subject request (S20: the tombstone, its chain place, the database left at the previous
 * schema). Registered by `storeContract` (tests/store/contract.ts) for every store.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../server/store/store.ts';
import type { SignatureRecord } from '../../../src/shared/protocol.ts';
import { makeRecord } from '../../helpers/records.ts';
import type { ContractContext } from '../contract.ts';
import { item, altered, sealedRecord, chainedRecords, storedRowSql, openAtPreviousSchema, T0, T1, LATER } from './fixtures.ts';

export function ingestRecordsContract(t: ContractContext): void {
  let store: Store;
  beforeEach(() => {
    store = t.store();
  });

  describe('ingest', () => {
    it('S3, S5: stores new records in request order and answers accepted for each', async () => {
      const records = [makeRecord(), makeRecord(), makeRecord()];
      expect(await store.ingest(records.map((r) => item(r)), T0, 'sync')).toEqual(['accepted', 'accepted', 'accepted']);
      expect(await store.count()).toBe(3);
      const listed = await store.list();
      expect(listed.map((s) => s.id)).toEqual(records.map((r) => r.id));
      expect(listed[0].seq).toBeLessThan(listed[1].seq);
      expect(listed[1].seq).toBeLessThan(listed[2].seq);
      expect(listed[0]).toEqual({
        seq: expect.any(Number),
        id: records[0].id,
        deviceId: records[0].deviceId,
        campaignId: records[0].campaignId,
        capturedAt: records[0].capturedAt,
        receivedAt: T0,
        clockSuspect: false,
        source: 'sync',
        record: records[0],
        // makeRecord's campaign (protect-defenders, version 1) is published in every new store.
        versionProblem: null,
        setAside: null,
      });
    });

    it('keeps every string exactly as given: offsets in times, odd characters, JSON key order', async () => {
      const base = makeRecord({ name: 'Zoë Ñúñez 李小龙 محمد 🙂' });
      const typed: SignatureRecord = {
        ...base,
        capturedAt: '2026-11-24T13:00:00.5+01:00',
        lang: 'ar',
        // A valid record may hold U+0000 and lone surrogates in its free text: stored as is.
        payload: { kind: 'plain', signer: (base.payload as Extract<SignatureRecord['payload'], { kind: 'plain' }>).signer, typed: { name: 'Zoë', attestation: 'I sign.\u0000 \ud800 \u202e end' } },
      };
      const sealed: SignatureRecord = { ...sealedRecord(), payload: { ...(sealedRecord().payload as object), alg: 'x\u0000y', keyId: '\udc00' } as SignatureRecord['payload'] };
      expect(await store.ingest([item(typed), item(sealed, true)], '2026-11-24T12:00:00Z', 'import')).toEqual(['accepted', 'accepted']);
      for (const record of [typed, sealed]) {
        const stored = await store.getSignature(record.id);
        expect(stored?.record).toEqual(record);
        expect(JSON.stringify(stored?.record)).toBe(JSON.stringify(record));
        expect(stored?.capturedAt).toBe(record.capturedAt);
        expect(stored?.receivedAt).toBe('2026-11-24T12:00:00Z');
        expect(stored?.source).toBe('import');
      }
      expect((await store.getSignature(sealed.id))?.clockSuspect).toBe(true);
      expect((await store.getSignature(typed.id))?.clockSuspect).toBe(false);
      // Queries over such rows still work.
      expect((await store.searchSignatures({ q: 'zoë' })).rows.map((r) => r.id)).toEqual([typed.id]);
      expect((await store.totals()).total).toBe(2);
      expect(await store.duplicateIds([typed.id, sealed.id])).toEqual(new Set());
      // Same content again is recognised as such.
      expect(await store.ingest([item(typed), item(sealed)], T1, 'sync')).toEqual(['duplicate', 'duplicate']);
    });

    it('S4: the same id with the same hash is a duplicate and writes nothing', async () => {
      const record = makeRecord();
      await store.ingest([item(record)], T0, 'sync');
      expect(await store.ingest([item(record)], T1, 'import')).toEqual(['duplicate']);
      // Content identity is the hash the caller gives (it leaves deviceId out): a re-enrolled tablet's copy is a duplicate.
      expect(await store.ingest([{ ...item(record), record: { ...record, deviceId: 'device-new' } }], T1, 'sync')).toEqual(['duplicate']);
      expect(await store.count()).toBe(1);
      expect(await store.conflictCount()).toBe(0);
      const [stored] = await store.list();
      expect(stored).toMatchObject({ receivedAt: T0, source: 'sync', deviceId: record.deviceId, record });
    });

    it('S4, F15: the same id with other content is a conflict: the stored copy stays, each distinct other copy is set aside once', async () => {
      const record = makeRecord({ name: 'First Copy' });
      await store.ingest([item(record)], T0, 'sync');
      const other = altered(record, 'Second Copy');
      expect(await store.ingest([item(other)], T1, 'sync')).toEqual(['conflict']);
      // Resent, again and again, even twice in one batch: still one copy set aside.
      expect(await store.ingest([item(other)], T1, 'sync')).toEqual(['conflict']);
      expect(await store.ingest([item(other), item(other)], T1, 'sync')).toEqual(['conflict', 'conflict']);
      expect(await store.conflictCount()).toBe(1);
      const third = altered(record, 'Third Copy');
      expect(await store.ingest([item(third), item(other)], T1, 'sync')).toEqual(['conflict', 'conflict']);
      expect(await store.conflictCount()).toBe(2);
      expect(await store.count()).toBe(1);
      expect((await store.getSignature(record.id))?.record).toEqual(record);
      expect(await store.ingest([item(record)], T1, 'sync')).toEqual(['duplicate']);
      expect(await store.conflictCount()).toBe(2);
    });

    it('S5: answers each record of a mixed batch in request order', async () => {
      const stored = makeRecord();
      await store.ingest([item(stored)], T0, 'sync');
      const [a, b] = [makeRecord(), makeRecord()];
      expect(await store.ingest([item(a), item(stored), item(altered(stored)), item(b)], T1, 'sync')).toEqual(['accepted', 'duplicate', 'conflict', 'accepted']);
      expect((await store.list()).map((s) => s.id)).toEqual([stored.id, a.id, b.id]);
      expect(await store.conflictCount()).toBe(1);
    });

    it('one id twice in one batch: the first is accepted, the second a duplicate or a conflict', async () => {
      const [a, b] = [makeRecord(), makeRecord()];
      expect(await store.ingest([item(a), item(a), item(b), item(altered(b))], T0, 'sync')).toEqual(['accepted', 'duplicate', 'accepted', 'conflict']);
      expect(await store.count()).toBe(2);
      expect(await store.conflictCount()).toBe(1);
      expect((await store.getSignature(b.id))?.record).toEqual(b);
    });

    it('an empty batch answers nothing and stores nothing', async () => {
      expect(await store.ingest([], T0, 'sync')).toEqual([]);
      expect(await store.count()).toBe(0);
    });

    it('S8: a batch that fails part-way stores none of its records', async () => {
      const [good, bad] = [makeRecord(), makeRecord()];
      await expect(store.ingest([item(good), { ...item(bad), hash: null as unknown as string }], T0, 'sync')).rejects.toThrow();
      expect(await store.count()).toBe(0);
      expect(await store.ingest([item(good)], T0, 'sync')).toEqual(['accepted']);
    });
  });

  describe('deletion on a data-subject request', () => {
    it('deletes the signature and leaves a tombstone: sent again it is a duplicate and never comes back', async () => {
      const [record, kept] = [makeRecord({ name: 'Erase Me' }), makeRecord()];
      await store.ingest([item(record), item(kept)], T0, 'sync');
      expect(await store.deleteSignature(record.id, T1)).toBe(true);
      expect(await store.count()).toBe(1);
      expect(await store.getSignature(record.id)).toBeUndefined();
      expect((await store.list()).map((s) => s.id)).toEqual([kept.id]);
      expect((await store.searchSignatures({ q: 'erase' })).total).toBe(0);
      expect(await store.ingest([item(record), item(altered(record))], LATER, 'sync')).toEqual(['duplicate', 'duplicate']);
      expect(await store.ingest([item(record)], LATER, 'import')).toEqual(['duplicate']);
      expect(await store.count()).toBe(1);
      expect(await store.conflictCount()).toBe(0);
      expect(await store.getSignature(record.id)).toBeUndefined();
    });

    it('answers false for an id that is not stored, or already deleted', async () => {
      const record = makeRecord();
      expect(await store.deleteSignature(record.id, T0)).toBe(false);
      // Never stored: no tombstone, so it can still arrive.
      expect(await store.ingest([item(record)], T0, 'sync')).toEqual(['accepted']);
      expect(await store.deleteSignature(record.id, T1)).toBe(true);
      expect(await store.deleteSignature(record.id, T1)).toBe(false);
    });

    it('S20: the tombstone keeps the deleted record\'s place in its chain (device, seq, link), and nothing personal', async () => {
      const chain = await chainedRecords('tablet-b', 3);
      const other = await chainedRecords('tablet-a', 2);
      const unchained = makeRecord({ name: 'No Chain' });
      await store.ingest([...chain, ...other, unchained].map((r) => item(r)), T0, 'sync');
      expect(await store.deletedChainPlaces()).toEqual([]);
      expect(await store.deleteSignature(chain[1].id, T1)).toBe(true);
      expect(await store.deleteSignature(other[0].id, LATER)).toBe(true);
      expect(await store.deleteSignature(unchained.id, T1)).toBe(true);
      expect(await store.deleteSignature(chain[1].id, LATER)).toBe(false); // already deleted: the first place and time stay
      const place = (r: SignatureRecord, deletedAt: string) => ({ id: r.id, device: r.chain!.device, seq: r.chain!.seq, link: r.chain!.link, deletedAt });
      // Ordered by device, then seq; the unchained record has no place to keep.
      expect(await store.deletedChainPlaces()).toEqual([place(other[0], LATER), place(chain[1], T1)]);
      expect(JSON.stringify(await store.deletedChainPlaces())).not.toContain('Signer');
      // Still a tombstone like any other: sent again, it is a duplicate and never comes back.
      expect(await store.ingest([item(chain[1]), item(unchained)], LATER, 'sync')).toEqual(['duplicate', 'duplicate']);
      expect(await store.count()).toBe(3);
    });

    it('S20: a database upgraded from the previous schema keeps its tombstones; new deletions keep their place', async () => {
      const [chained, old] = await chainedRecords('tablet-c', 2);
      const oldTombstone = makeRecord();
      const legacy = await openAtPreviousSchema(store, [
        `INSERT INTO deleted_signatures (id, deleted_at) VALUES ('${oldTombstone.id}', '${T0}')`,
        storedRowSql(chained),
        storedRowSql(old),
      ]);
      try {
        const upgraded = legacy.store;
        // The old tombstone still keeps its id out, and has no place to report.
        expect(await upgraded.ingest([item(oldTombstone)], T1, 'sync')).toEqual(['duplicate']);
        expect(await upgraded.getSignature(oldTombstone.id)).toBeUndefined();
        expect(await upgraded.deletedChainPlaces()).toEqual([]);
        // A signature stored before the upgrade, deleted after it, keeps its place.
        expect((await upgraded.list()).map((s) => s.id)).toEqual([chained.id, old.id]);
        expect(await upgraded.deleteSignature(chained.id, T1)).toBe(true);
        expect(await upgraded.deletedChainPlaces()).toEqual([{ id: chained.id, device: 'tablet-c', seq: 0, link: chained.chain!.link, deletedAt: T1 }]);
        expect(await upgraded.ingest([item(chained)], LATER, 'sync')).toEqual(['duplicate']);
      } finally {
        await legacy.close();
      }
    });

    it('removes the conflicting copies set aside for that id', async () => {
      const [record, other] = [makeRecord(), makeRecord()];
      await store.ingest([item(record), item(other)], T0, 'sync');
      await store.ingest([item(altered(record)), item(altered(other))], T1, 'sync');
      expect(await store.conflictCount()).toBe(2);
      await store.deleteSignature(record.id, T1);
      expect(await store.conflictCount()).toBe(1);
    });
  });
}
