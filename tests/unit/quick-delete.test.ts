/**
 * Quick delete (eraseSignerData) and the wipe of a revoked tablet (recordRevocation,
 * markExported, wipeExported), on IndexedDB in Node (fake-indexeddb), and with the sync engine paired
 * with the real ingestion in memory: what is erased never comes back and is never sent;
 * what a revoked tablet has not exported is never wiped.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FieldsignDB } from '../../src/db/db.ts';
import { getErasedReported, getErasedTotal, getRevokedAt, saveEnrollment, setErasedReported } from '../../src/db/meta.ts';
import {
  acknowledge,
  allPending,
  counts,
  enqueue,
  eraseSignerData,
  exportedPending,
  markExported,
  nextBatch,
  purgeSynced,
  quarantine,
  quarantined,
  recordRevocation,
  syncedOn,
  wipeExported,
  wipedCount,
} from '../../src/db/outbox.ts';
import { captureRecord } from '../../src/db/capture.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { SyncEngine } from '../../src/sync/engine.ts';
import type { Transport } from '../../src/sync/transport.ts';
import { typedNumber } from '../../src/kiosk/EraseDialog.tsx';
import { MemoryServer } from '../helpers/memory-server.ts';
import { makeRecord } from '../helpers/records.ts';

let db: FieldsignDB;
beforeEach(() => {
  db = new FieldsignDB(`test-${crypto.randomUUID()}`);
});
afterEach(async () => {
  await db.delete();
});

/** Everything in the tablet's database, as one string to search for personal data. */
async function dump(): Promise<string> {
  return JSON.stringify({ outbox: await db.outbox.toArray(), meta: await db.meta.toArray() });
}

/** Store one signer per name as pending; returns their records. */
async function sign(...names: string[]) {
  const records = names.map((name) => makeRecord({ name, email: `${name.split(' ')[0].toLowerCase()}@example.org` }));
  for (const r of records) await enqueue(db, r);
  return records;
}

/** Capture one signer per name as the kiosk does (with its chain log entry); returns the stored records. */
async function signChained(...names: string[]) {
  const stored = [];
  for (const name of names) stored.push(await captureRecord(db, makeRecord({ name, email: `${name.split(' ')[0].toLowerCase()}@example.org` }), DEFAULT_CAMPAIGN.sealing));
  return stored;
}

describe('quick delete', () => {
  it('S24: erases pending and quarantined signatures and retained synced data in one go, and counts what was lost', async () => {
    const [kept, refused, waiting] = await sign('Synced Person', 'Refused Person', 'Waiting Person');
    const [retained] = await sign('Retained Person');
    await acknowledge(db, [kept.id]);
    await acknowledge(db, [retained.id], Date.now(), 3_600_000);
    await quarantine(db, [{ id: refused.id, reason: 'Invalid record.' }]);
    expect(await counts(db)).toEqual({ pending: 1, quarantined: 1, synced: 2 });
    const syncedToday = await syncedOn(db);

    expect(await eraseSignerData(db)).toBe(2);

    expect(await dump()).not.toMatch(/Person|@example\.org/);
    expect(await counts(db)).toEqual({ pending: 0, quarantined: 0, synced: 2 });
    expect(await syncedOn(db)).toBe(syncedToday);
    expect(await nextBatch(db, 100, 1e9)).toEqual([]);
    expect(await allPending(db)).toEqual([]);
    expect(await quarantined(db)).toEqual([]);
    expect(await getErasedTotal(db)).toBe(2);
    const rows = await db.outbox.where('id').anyOf([refused.id, waiting.id]).toArray();
    expect(rows.map((r) => [r.state, r.record])).toEqual([['erased', undefined], ['erased', undefined]]);
    // The purge has nothing left to find, and brings nothing back.
    expect(await purgeSynced(db, Number.MAX_SAFE_INTEGER)).toBe(0);
    expect(await counts(db)).toEqual({ pending: 0, quarantined: 0, synced: 2 });
  });

  it('S24: the erased total is cumulative across quick deletes', async () => {
    await sign('Ana One', 'Ana Two');
    expect(await eraseSignerData(db)).toBe(2);
    expect(await eraseSignerData(db)).toBe(0);
    await sign('Ana Three');
    expect(await eraseSignerData(db)).toBe(1);
    expect(await getErasedTotal(db)).toBe(3);
  });

  it('S6, S24: an answer to a batch in flight during the erase neither resurrects nor marks synced what was erased', async () => {
    const records = await sign('Flight One', 'Flight Two', 'Flight Three');
    const batch = await nextBatch(db, 10, 1e9);
    expect(batch).toHaveLength(3);
    await eraseSignerData(db);
    // The server's answer arrives afterwards: accepted, refused.
    await acknowledge(db, [records[0].id, records[1].id], Date.now(), 3_600_000);
    await quarantine(db, [{ id: records[2].id, reason: 'Invalid record.' }]);
    expect(await counts(db)).toEqual({ pending: 0, quarantined: 0, synced: 0 });
    expect((await db.outbox.toArray()).map((r) => r.state)).toEqual(['erased', 'erased', 'erased']);
    expect(await dump()).not.toMatch(/Flight/);
  });

  it('S24: the sync engine refreshes, sends nothing erased, and an in-flight erase cannot come back', async () => {
    const server = new MemoryServer();
    try {
      const records = await sign('Engine One', 'Engine Two');
      // Erase while the batch is on its way: the server stores it, the tablet keeps it erased.
      const erasing: Transport = {
        async send(batch, token) {
          if (batch.records.length > 0) await eraseSignerData(db);
          return server.send(batch, token);
        },
      };
      const e = new SyncEngine({ db, transport: erasing, credentials: () => server.credentials(), withLock: (fn) => fn() });
      await e.syncNow();
      e.stop();
      expect(await server.store.count()).toBe(2);
      expect(e.current).toMatchObject({ phase: 'idle', pending: 0, quarantined: 0, synced: 0 });
      expect((await db.outbox.toArray()).every((r) => r.state === 'erased' && !r.record)).toBe(true);
      expect(records.every((r) => server.requests[0].records.some((s) => s.id === r.id))).toBe(true);

      // Signed and erased before any sync: never sent.
      const [later] = await sign('Engine Three');
      await eraseSignerData(db);
      await e.refresh();
      expect(e.current.pending).toBe(0);
      const sentBefore = server.requests.length;
      await e.syncNow();
      const sent = server.requests.slice(sentBefore).flatMap((r) => r.records.map((x) => x.id));
      expect(sent).not.toContain(later.id);
      expect(await server.store.count()).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('S21, S24: the erased total reaches the server at the next contact, even with nothing left to send', async () => {
    const server = new MemoryServer();
    try {
      await sign('Report One', 'Report Two', 'Report Three');
      await eraseSignerData(db);
      const e = new SyncEngine({
        db,
        transport: server,
        credentials: () => server.credentials(),
        withLock: (fn) => fn(),
        report: async () => ({ erased: await getErasedTotal(db) }),
        reportDue: async () => (await getErasedTotal(db)) > (await getErasedReported(db)),
        onReported: async (report) => setErasedReported(db, report.erased ?? 0),
      });
      server.plan('drop-request');
      await e.syncNow();
      expect(server.requests).toHaveLength(1);
      expect(await getErasedReported(db)).toBe(0); // not delivered: still due
      await e.syncNow();
      e.stop();
      expect(server.requests).toHaveLength(2);
      expect(server.requests[1]).toMatchObject({ records: [], report: { pending: 0, quarantined: 0, erased: 3 } });
      expect(await getErasedReported(db)).toBe(3);
      // Delivered: no more contacts for it.
      await e.syncNow();
      expect(server.requests).toHaveLength(2);
      expect(await server.store.count()).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('S12, S24: re-enrolling carries over only the erasures the old device id never reported, and sends nothing erased', async () => {
    await sign('Carry One', 'Carry Two', 'Carry Three');
    await eraseSignerData(db);
    await saveEnrollment(db, { deviceId: 'new-device', token: 't', event: 'Rally', enrolledAt: 1 });
    expect(await getErasedTotal(db)).toBe(3);
    await setErasedReported(db, 3);
    await saveEnrollment(db, { deviceId: 'newer-device', token: 't', event: 'Rally', enrolledAt: 2 });
    expect(await getErasedTotal(db)).toBe(0);
    expect(await allPending(db)).toEqual([]);
  });

  it('reads the typed confirmation in any digits a keyboard gives', () => {
    expect(typedNumber('3')).toBe(3);
    expect(typedNumber(' 1 204 ')).toBe(1204);
    expect(typedNumber('1,204')).toBe(1204);
    expect(typedNumber('٣')).toBe(3);
    expect(typedNumber('۱۲')).toBe(12);
    expect(typedNumber('ERASE')).toBeNaN();
    expect(typedNumber('')).toBeNaN();
    expect(typedNumber('-3')).toBeNaN();
  });
});

describe('a revoked tablet', () => {
  it('S12: drops retained synced data at once and keeps every pending record, even one exported before', async () => {
    const [retained, exported, notExported] = await sign('Kept Awhile', 'Exported Early', 'Never Exported');
    await acknowledge(db, [retained.id], Date.now(), 3_600_000);
    expect(await markExported(db, [exported.id], 'early.json', 500)).toBe(1);
    // Not revoked yet: an exported record stays pending and still syncs (S18).
    expect((await nextBatch(db, 10, 1e9)).map((r) => r.id)).toEqual([exported.id, notExported.id]);

    await recordRevocation(db, 1_000);
    expect(await getRevokedAt(db)).toBe(1_000);
    const text = await dump();
    expect(text).not.toContain('Kept Awhile');
    // The file written earlier may be gone: nothing pending is wiped by the revocation.
    expect(text).toContain('Exported Early');
    expect(text).toContain('Never Exported');
    expect((await allPending(db)).map((r) => r.id)).toEqual([exported.id, notExported.id]);
    expect(await counts(db)).toEqual({ pending: 2, quarantined: 0, synced: 1 });
    expect(await wipedCount(db)).toBe(0);
    expect(await exportedPending(db)).toEqual({ n: 1, file: 'early.json', at: 500 });

    // Told again at the next contact: the first time is kept, nothing else changes.
    await recordRevocation(db, 2_000);
    expect(await getRevokedAt(db)).toBe(1_000);
    expect((await allPending(db)).map((r) => r.id)).toEqual([exported.id, notExported.id]);
  });

  it('S12, S18: exporting never wipes; confirming the file wipes exactly what went into it, not counted as erased', async () => {
    const [first, second] = await signChained('Export One', 'Export Two');
    await recordRevocation(db);
    const file = await allPending(db);
    // A signature taken between reading the file's records and marking them is not in the file.
    const [late] = await signChained('Signed Late');
    expect(await markExported(db, file.map((r) => r.id), 'fieldsign-pending-x.json', 5_000)).toBe(2);
    // The download may have failed: nothing is wiped yet, all three would still be exported again.
    expect(await dump()).toMatch(/Export One[^]*Export Two[^]*Signed Late/);
    expect(await counts(db)).toEqual({ pending: 3, quarantined: 0, synced: 0 });
    expect(await exportedPending(db)).toEqual({ n: 2, file: 'fieldsign-pending-x.json', at: 5_000 });

    const chainBefore = await db.chain.toArray();
    expect(chainBefore.map((c) => c.id)).toEqual([first.id, second.id, late.id]);
    expect(await wipeExported(db, 5_000)).toBe(2);
    const text = await dump();
    expect(text).not.toMatch(/Export One|Export Two|export@example.org/);
    expect(text).toContain('Signed Late');
    expect((await allPending(db)).map((r) => r.id)).toEqual([late.id]);
    expect(await exportedPending(db)).toBeUndefined();
    expect(await wipedCount(db)).toBe(2);
    expect(await getErasedTotal(db)).toBe(0);
    expect(await db.chain.toArray()).toEqual(chainBefore);
    expect((await db.outbox.where('id').anyOf([first.id, second.id]).toArray()).map((r) => r.state)).toEqual(['wiped', 'wiped']);
    // A late answer for a wiped record does not bring it back either.
    await acknowledge(db, [first.id]);
    expect((await db.outbox.get({ id: first.id }))?.state).toBe('wiped');
    // Confirming again wipes nothing more: the late signer was never in a file.
    expect(await wipeExported(db, 5_000)).toBe(0);
    expect((await allPending(db)).map((r) => r.id)).toEqual([late.id]);
  });

  it('S12: a confirmation for an older file wipes nothing that went into a newer one', async () => {
    const [a] = await sign('In Both Files');
    await recordRevocation(db);
    await markExported(db, [a.id], 'first.json', 1_000);
    const [b] = await sign('Only In Second');
    await markExported(db, [a.id, b.id], 'second.json', 2_000);
    // The screen showed the first file when the volunteer confirmed: its records were re-exported since.
    expect(await wipeExported(db, 1_000)).toBe(0);
    expect((await allPending(db)).map((r) => r.id)).toEqual([a.id, b.id]);
    expect(await exportedPending(db)).toEqual({ n: 2, file: 'second.json', at: 2_000 });
    expect(await wipeExported(db, 2_000)).toBe(2);
    expect(await allPending(db)).toEqual([]);
  });

  it('S12: wipes nothing on a tablet that is not revoked (a re-enrolled one sends them instead)', async () => {
    const [r] = await sign('Not Revoked');
    await markExported(db, [r.id], 'f.json', 1_000);
    expect(await wipeExported(db, 1_000)).toBe(0);
    expect((await nextBatch(db, 10, 1e9)).map((x) => x.id)).toEqual([r.id]);
  });

  it('S12: re-enrolling ends the revocation; what was not wiped is re-stamped and sent', async () => {
    const [exported] = await sign('Went In File');
    await recordRevocation(db);
    await markExported(db, [exported.id], 'f.json', 1_000);
    await wipeExported(db, 1_000);
    const [after] = await sign('After The Export');
    await markExported(db, [after.id], 'g.json', 2_000);
    await saveEnrollment(db, { deviceId: 'new-device', token: 't', event: 'Rally', enrolledAt: 1 });
    expect(await getRevokedAt(db)).toBeUndefined();
    // Exported but never confirmed: still pending, sent under the new device id.
    expect(await allPending(db)).toEqual([{ ...after, deviceId: 'new-device' }]);
    expect(await wipeExported(db, 2_000)).toBe(0);
    expect((await nextBatch(db, 10, 1e9)).map((r) => r.id)).toEqual([after.id]);
  });

  it('S12: the engine records device_revoked only, and wipes nothing pending', async () => {
    const [exported] = await sign('Engine Exported');
    await sign('Engine Kept');
    await markExported(db, [exported.id]);
    const refusing = (code: string): Transport => ({ send: async () => ({ kind: 'unauthorized', message: 'refused', code }) });
    const make = (transport: Transport) =>
      new SyncEngine({ db, transport, credentials: async () => ({ deviceId: 'd', token: 't' }), withLock: (fn) => fn(), onRevoked: () => recordRevocation(db).then(() => undefined) });

    const unknown = make(refusing('unauthorized'));
    await unknown.syncNow();
    unknown.stop();
    expect(unknown.current).toMatchObject({ phase: 'blocked', needsEnrollment: true, pending: 2 });
    expect(await getRevokedAt(db)).toBeUndefined();

    const revoked = make(refusing('device_revoked'));
    await revoked.syncNow();
    revoked.stop();
    // Revoked: recorded, but the exported record waits for the volunteer's confirmation.
    expect(revoked.current).toMatchObject({ phase: 'blocked', needsEnrollment: true, pending: 2 });
    expect(await getRevokedAt(db)).toBeTypeOf('number');
    expect(await dump()).toContain('Engine Exported');
    expect(await dump()).toContain('Engine Kept');
  });
});
