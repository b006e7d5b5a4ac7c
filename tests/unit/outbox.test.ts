import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FieldsignDB } from '../../src/db/db.ts';
import { deviceId } from '../../src/db/meta.ts';
import { acknowledge, counts, enqueue, nextBatch, quarantine, quarantined } from '../../src/db/outbox.ts';
import { makeRecord } from '../helpers/records.ts';

let db: FieldsignDB;
beforeEach(() => {
  db = new FieldsignDB(`test-${crypto.randomUUID()}`);
});
afterEach(async () => {
  await db.delete();
});

describe('the outbox', () => {
  it('opens IndexedDB with strict durability', () => {
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

  it('refuses the same id twice instead of duplicating it', async () => {
    const record = makeRecord();
    await enqueue(db, record);
    await expect(enqueue(db, record)).rejects.toThrow();
    expect((await counts(db)).pending).toBe(1);
  });

  it('batches in capture order, never by the device clock', async () => {
    const late = makeRecord({ capturedAt: '2030-01-01T00:00:00.000Z' });
    const early = makeRecord({ capturedAt: '2001-01-01T00:00:00.000Z' });
    await enqueue(db, late);
    await enqueue(db, early);
    expect((await nextBatch(db, 10, 1e9)).map((r) => r.id)).toEqual([late.id, early.id]);
  });

  it('bounds a batch by count and by bytes, but always returns at least one record', async () => {
    const records = Array.from({ length: 10 }, () => makeRecord());
    for (const r of records) await enqueue(db, r);
    expect(await nextBatch(db, 4, 1e9)).toHaveLength(4);
    const sizes = records.map((r) => JSON.stringify(r).length);
    const budget = sizes[0] + sizes[1] + sizes[2] + sizes[3] / 2;
    expect((await nextBatch(db, 10, budget)).map((r) => r.id)).toEqual(records.slice(0, 3).map((r) => r.id));
    expect(await nextBatch(db, 10, 10)).toHaveLength(1);
  });

  it('on acknowledgement keeps only what the counts need: no name, email or strokes', async () => {
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

  it('quarantines refused records with their reason and all their data', async () => {
    const record = makeRecord();
    await enqueue(db, record);
    await quarantine(db, [{ id: record.id, reason: 'Invalid: email' }]);
    expect(await counts(db)).toEqual({ pending: 0, quarantined: 1, synced: 0 });
    const [row] = await quarantined(db);
    expect(row.reason).toBe('Invalid: email');
    expect(row.record).toEqual(record);
    expect(await nextBatch(db, 10, 1e9)).toEqual([]);
  });

  it('gives the tablet one stable device id', async () => {
    const first = await deviceId(db);
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(await deviceId(db)).toBe(first);
  });
});
