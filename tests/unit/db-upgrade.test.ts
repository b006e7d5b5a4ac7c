import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { describe, expect, it } from 'vitest';
import { FieldsignDB } from '../../src/db/db.ts';
import { counts, enqueue, StorageFullError, syncedOn } from '../../src/db/outbox.ts';
import { SyncEngine } from '../../src/sync/engine.ts';
import { MemoryServer } from '../helpers/memory-server.ts';
import { makeRecord } from '../helpers/records.ts';

/** The database exactly as version 1 of the app shipped it. */
class FieldsignDBv1 extends Dexie {
  constructor(name: string) {
    super(name, { chromeTransactionDurability: 'strict' });
    this.version(1).stores({ outbox: '++seq, &id, [state+seq]', meta: 'key' });
  }
}

describe('Dexie schema upgrade mid-rally', () => {
  it('keeps all 500 unsynced records of the previous schema version, and they all sync', async () => {
    const name = `upgrade-${crypto.randomUUID()}`;
    const old = new FieldsignDBv1(name);
    const records = Array.from({ length: 500 }, () => makeRecord());
    await old.table('outbox').bulkAdd(
      records.map((record) => ({ id: record.id, state: 'pending', record, bytes: JSON.stringify(record).length, day: '2026-11-23', attempts: 0 })),
    );
    await old.table('meta').put({ key: 'enrollment', value: { deviceId: 'device-test', token: 't', event: 'Rally', enrolledAt: 1 } });
    old.close();

    const db = new FieldsignDB(name);
    expect(await counts(db)).toEqual({ pending: 500, quarantined: 0, synced: 0 });
    expect(db.verno).toBe(4);
    expect(await db.chain.count()).toBe(0);
    const stored = await db.outbox.orderBy('seq').toArray();
    expect(stored.map((r) => r.record)).toEqual(records);

    const server = new MemoryServer();
    const engine = new SyncEngine({ db, transport: server, credentials: () => server.credentials(), withLock: (fn) => fn() });
    await engine.syncNow();
    expect(await server.store.count()).toBe(500);
    expect(await counts(db)).toEqual({ pending: 0, quarantined: 0, synced: 500 });
    expect(await syncedOn(db)).toBe(500);
    engine.stop();
    await server.close();
    await db.delete();
  });
});

describe('storage pressure', () => {
  it('a full disk on save rejects with StorageFullError and harms nothing stored earlier', async () => {
    const db = new FieldsignDB(`quota-${crypto.randomUUID()}`);
    const kept = makeRecord();
    await enqueue(db, kept);
    const add = db.outbox.add.bind(db.outbox);
    db.outbox.add = () => Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError')) as never;
    await expect(enqueue(db, makeRecord())).rejects.toBeInstanceOf(StorageFullError);
    db.outbox.add = add;
    expect(await counts(db)).toEqual({ pending: 1, quarantined: 0, synced: 0 });
    expect((await db.outbox.get({ id: kept.id }))?.record).toEqual(kept);
    await db.delete();
  });
});
