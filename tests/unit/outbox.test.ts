import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FieldsignDB } from '../../src/db/db.ts';
import { getEnrollment, saveEnrollment } from '../../src/db/meta.ts';
import { acknowledge, allPending, counts, enqueue, nextBatch, purgeSynced, quarantine, quarantined } from '../../src/db/outbox.ts';
import { makeRecord } from '../helpers/records.ts';

let db: FieldsignDB;
beforeEach(() => {
  db = new FieldsignDB(`test-${crypto.randomUUID()}`);
});
afterEach(async () => {
  await db.delete();
});

describe('the outbox', () => {
  it('S8: opens IndexedDB with strict durability', () => {
    expect((db as unknown as { _options: { chromeTransactionDurability?: string } })._options.chromeTransactionDurability).toBe('strict');
  });

  it('stores each captured signature as pending with its full record', async () => {
    const record = makeRecord({ name: 'Ada Lovelace' });
    await enqueue(db, record);
    expect(await counts(db)).toEqual({ pending: 1, quarantined: 0, synced: 0 });
    const row = await db.outbox.get({ id: record.id });
    expect(row?.record).toEqual(record);
    expect(row?.bytes).toBe(JSON.stringify(record).length);
  });

  it('S1: refuses the same id twice instead of duplicating it', async () => {
    const record = makeRecord();
    await enqueue(db, record);
    await expect(enqueue(db, record)).rejects.toThrow();
    expect((await counts(db)).pending).toBe(1);
  });

  it('S9: batches in capture order, never by the device clock', async () => {
    const late = makeRecord({ capturedAt: '2030-01-01T00:00:00.000Z' });
    const early = makeRecord({ capturedAt: '2001-01-01T00:00:00.000Z' });
    await enqueue(db, late);
    await enqueue(db, early);
    expect((await nextBatch(db, 10, 1e9)).map((r) => r.id)).toEqual([late.id, early.id]);
  });

  it('S15: bounds a batch by count and by bytes, but always returns at least one record', async () => {
    const records = Array.from({ length: 10 }, () => makeRecord());
    for (const r of records) await enqueue(db, r);
    expect(await nextBatch(db, 4, 1e9)).toHaveLength(4);
    const sizes = records.map((r) => JSON.stringify(r).length);
    const budget = sizes[0] + sizes[1] + sizes[2] + sizes[3] / 2;
    expect((await nextBatch(db, 10, budget)).map((r) => r.id)).toEqual(records.slice(0, 3).map((r) => r.id));
    expect(await nextBatch(db, 10, 10)).toHaveLength(1);
  });

  it('S19: on acknowledgement keeps only what the counts need: no name, email or strokes', async () => {
    const kept = makeRecord();
    const acked = makeRecord({ name: 'Grace Hopper', email: 'grace@example.org' });
    await enqueue(db, kept);
    await enqueue(db, acked);
    await acknowledge(db, [acked.id, 'not-in-outbox']);
    expect(await counts(db)).toEqual({ pending: 1, quarantined: 0, synced: 1 });
    const row = await db.outbox.get({ id: acked.id });
    expect(row?.record).toBeUndefined();
    expect(JSON.stringify(row)).not.toMatch(/Grace|grace@example/);
    expect((await nextBatch(db, 10, 1e9)).map((r) => r.id)).toEqual([kept.id]);
  });

  it('S7: quarantines refused records with their reason and all their data', async () => {
    const record = makeRecord();
    await enqueue(db, record);
    await quarantine(db, [{ id: record.id, reason: 'Invalid: email' }]);
    expect(await counts(db)).toEqual({ pending: 0, quarantined: 1, synced: 0 });
    const [row] = await quarantined(db);
    expect(row.reason).toBe('Invalid: email');
    expect(row.record).toEqual(record);
    expect(await nextBatch(db, 10, 1e9)).toEqual([]);
  });

  it('S12: a new enrollment re-stamps waiting records with the new device id, ids unchanged', async () => {
    const pending = makeRecord({ deviceId: 'old-device' });
    const synced = makeRecord({ deviceId: 'old-device' });
    await enqueue(db, pending);
    await enqueue(db, synced);
    await acknowledge(db, [synced.id]);
    expect(await getEnrollment(db)).toBeUndefined();
    await saveEnrollment(db, { deviceId: 'new-device', token: 't', event: 'Rally', enrolledAt: 1 });
    expect((await getEnrollment(db))?.deviceId).toBe('new-device');
    const [row] = await allPending(db);
    expect(row).toEqual({ ...pending, deviceId: 'new-device' });
  });

  it('S19: keeps synced data for the retention time, then purges it', async () => {
    const record = makeRecord();
    await enqueue(db, record);
    await acknowledge(db, [record.id], 1_000, 60_000);
    expect((await db.outbox.get({ id: record.id }))?.record).toEqual(record);
    expect(await purgeSynced(db, 30_000)).toBe(0);
    expect(await purgeSynced(db, 61_000)).toBe(1);
    expect((await db.outbox.get({ id: record.id }))?.record).toBeUndefined();
    expect(await counts(db)).toEqual({ pending: 0, quarantined: 0, synced: 1 });
  });
});
