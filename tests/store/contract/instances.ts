/**
 * Several stores on one database, as several server processes open it: one writer at a time,
 * the same verdicts. Registered by `storeContract` (tests/store/contract.ts) for every store.
 */
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect } from 'vitest';
import type { Store, IngestOutcome } from '../../../server/store/store.ts';
import { makeRecord } from '../../helpers/records.ts';
import type { ContractContext } from '../contract.ts';
import { item, altered, typedRecord, T0, T1, LATER } from './fixtures.ts';

export function instancesContract(t: ContractContext): void {
  const { second, itWithSecond } = t;
  let store: Store;
  beforeEach(() => {
    store = t.store();
  });

  describe('several stores on one database (several server processes)', () => {
    itWithSecond('a second store sees what the first wrote, tombstones included', async () => {
      const [record, erased] = [makeRecord(), makeRecord()];
      await store.ingest([item(record), item(erased)], T0, 'sync');
      await store.deleteSignature(erased.id, T1);
      await store.createCoordinator({ id: 'c1', email: 'ana@example.org', name: 'Ana', role: 'owner', passwordHash: 'h', createdAt: T0 });
      const other = await second();
      expect(await other.count()).toBe(1);
      expect(await other.ingest([item(record), item(erased)], LATER, 'sync')).toEqual(['duplicate', 'duplicate']);
      expect((await other.coordinatorByEmail('ana@example.org'))?.name).toBe('Ana');
    });

    itWithSecond('S3: the same batches sent to two stores at once are stored once, accepted by exactly one', async () => {
      const other = await second();
      const batches = Array.from({ length: 6 }, () => Array.from({ length: 25 }, () => typedRecord()));
      const answers = await Promise.all(batches.flatMap((b) => [store.ingest(b.map((r) => item(r)), T0, 'sync'), other.ingest(b.map((r) => item(r)), T1, 'sync')]));
      batches.forEach((b, i) => {
        b.forEach((_r, j) => expect([answers[2 * i][j], answers[2 * i + 1][j]].sort()).toEqual(['accepted', 'duplicate']));
      });
      expect(await store.count()).toBe(150);
      expect(await store.conflictCount()).toBe(0);
      expect(new Set((await other.list()).map((s) => s.id)).size).toBe(150);
    });

    itWithSecond('overlapping batches in opposite orders both complete, each record accepted once', async () => {
      const other = await second();
      for (let round = 0; round < 5; round++) {
        const records = Array.from({ length: 30 }, () => typedRecord());
        const [a, b] = await Promise.all([
          store.ingest(records.map((r) => item(r)), T0, 'sync'),
          other.ingest([...records].reverse().map((r) => item(r)), T0, 'sync'),
        ]);
        const bForward = [...b].reverse();
        records.forEach((_r, i) => expect([a[i], bForward[i]].sort()).toEqual(['accepted', 'duplicate']));
      }
      expect(await store.count()).toBe(150);
    });

    itWithSecond('two different copies of one id at once: one is accepted, the other is a conflict', async () => {
      const other = await second();
      for (let round = 0; round < 5; round++) {
        const record = typedRecord();
        const answers: IngestOutcome[][] = await Promise.all([store.ingest([item(record)], T0, 'sync'), other.ingest([item(altered(record))], T0, 'sync')]);
        expect(answers.flat().sort()).toEqual(['accepted', 'conflict']);
      }
      expect(await store.count()).toBe(5);
      expect(await store.conflictCount()).toBe(5);
    });

    itWithSecond('a deletion racing a re-send never brings the signature back', async () => {
      const other = await second();
      for (let round = 0; round < 5; round++) {
        const record = typedRecord();
        await store.ingest([item(record)], T0, 'sync');
        const [deleted, answer] = await Promise.all([store.deleteSignature(record.id, T1), other.ingest([item(record)], T1, 'sync')]);
        expect(deleted).toBe(true);
        expect(answer).toEqual(['duplicate']);
        expect(await other.getSignature(record.id)).toBeUndefined();
      }
      expect(await store.count()).toBe(0);
    });

    itWithSecond('S13: one code redeemed through two stores at once enrolls one device', async () => {
      const other = await second();
      for (let round = 0; round < 5; round++) {
        const codeHash = randomUUID();
        await store.createEnrollmentCode({ codeHash, event: 'Rally', createdAt: T0, expiresAt: LATER });
        const results = await Promise.all([
          store.redeemEnrollmentCode(codeHash, T1, { id: randomUUID(), tokenHash: randomUUID(), label: null }),
          other.redeemEnrollmentCode(codeHash, T1, { id: randomUUID(), tokenHash: randomUUID(), label: null }),
        ]);
        expect(results.map((r) => (r.ok ? 'ok' : r.reason)).sort()).toEqual(['ok', 'used']);
      }
      expect(await store.listDevices()).toHaveLength(5);
    });
  });
}
