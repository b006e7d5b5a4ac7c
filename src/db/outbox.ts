/**
 * Outbox operations. Each one is a single Dexie transaction, so a tab closed at any moment
 * leaves every record either fully pending or fully acknowledged, never in between.
 */
import Dexie from 'dexie';
import type { FieldsignDB, OutboxRow, OutboxState } from './db.ts';
import type { SignatureRecord } from '../shared/protocol.ts';

/** Counts the volunteer sees. */
export interface OutboxCounts {
  pending: number;
  quarantined: number;
  synced: number;
}

/** The tablet's storage is full: this signature was not stored (earlier ones are safe). */
export class StorageFullError extends Error {
  override name = 'StorageFullError';
}

/**
 * Store a record as it is, unchained: the way tests seed a queue. The kiosk stores a
 * signature through capture() (src/db/capture.ts), which writes the same row (pendingRow,
 * storing) with its chain log entry. Resolves only once IndexedDB has committed it; a full
 * disk rejects with StorageFullError and leaves everything stored earlier untouched.
 */
export async function enqueue(db: FieldsignDB, record: SignatureRecord, now = new Date()): Promise<void> {
  await storing(() => db.outbox.add(pendingRow(record, now)));
}

/** The outbox row of a freshly captured record. */
export function pendingRow(record: SignatureRecord, now: Date): OutboxRow {
  const bytes = new TextEncoder().encode(JSON.stringify(record)).length;
  return { id: record.id, state: 'pending', record, bytes, day: localDay(now), attempts: 0 };
}

/** Run a write that stores a signature; a full disk becomes StorageFullError. */
export async function storing<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isQuotaError(error)) throw new StorageFullError('The tablet’s storage is full; this signature was not saved.');
    throw error;
  }
}

function isQuotaError(error: unknown): boolean {
  const e = error as { name?: string; inner?: { name?: string } } | null;
  return e?.name === 'QuotaExceededError' || e?.inner?.name === 'QuotaExceededError';
}

/** Signatures synced on the local calendar day of `now`. */
export async function syncedOn(db: FieldsignDB, now = new Date()): Promise<number> {
  return db.outbox.where('[state+day]').equals(['synced', localDay(now)]).count();
}

/**
 * The oldest pending records, bounded by count and by total JSON bytes. Always returns at
 * least one record when any is pending, so an oversized record cannot stall the queue.
 */
export async function nextBatch(db: FieldsignDB, maxRecords: number, maxBytes: number): Promise<SignatureRecord[]> {
  const rows = await db.outbox
    .where('[state+seq]')
    .between(['pending', Dexie.minKey], ['pending', Dexie.maxKey])
    .limit(maxRecords)
    .toArray();
  const batch: SignatureRecord[] = [];
  let bytes = 0;
  for (const row of rows) {
    if (!row.record) continue;
    if (batch.length > 0 && bytes + row.bytes > maxBytes) break;
    bytes += row.bytes;
    batch.push(row.record);
  }
  return batch;
}

/**
 * Mark records the server acknowledged (accepted, or already stored) as synced. With the
 * default retention of 0 their personal data and strokes are dropped in the same
 * transaction: once the server holds a signature, the tablet keeps only what the counts
 * need. A positive `retentionMs` keeps the record that long (see {@link purgeSynced}).
 */
export async function acknowledge(db: FieldsignDB, ids: string[], now = Date.now(), retentionMs = 0): Promise<void> {
  if (ids.length === 0) return;
  await db.transaction('rw', db.outbox, async () => {
    const rows = await db.outbox.where('id').anyOf(ids).toArray();
    for (const row of rows) {
      if (row.state !== 'pending' || row.seq === undefined) continue;
      // `day` becomes the day of sync, for the volunteer's "synced today".
      const synced: OutboxRow = { seq: row.seq, id: row.id, state: 'synced', bytes: 0, day: localDay(new Date(now)), attempts: row.attempts + 1, syncedAt: now };
      if (retentionMs > 0) {
        synced.record = row.record;
        synced.purgeAt = now + retentionMs;
      }
      await db.outbox.put(synced);
    }
  });
}

/**
 * Drop the personal data of synced records whose retention time has passed. Runs at every
 * sync, so it reads only the `purgeAt` index: rows without a retention time cost nothing.
 */
export async function purgeSynced(db: FieldsignDB, now = Date.now()): Promise<number> {
  return db.outbox
    .where('purgeAt')
    .belowOrEqual(now)
    .modify((row) => {
      delete row.record;
      delete row.purgeAt;
    });
}

/** All records still waiting to sync, oldest first, for the offline transfer file. */
export async function allPending(db: FieldsignDB): Promise<SignatureRecord[]> {
  const rows = await db.outbox.where('[state+seq]').between(['pending', Dexie.minKey], ['pending', Dexie.maxKey]).toArray();
  return rows.flatMap((r) => (r.record ? [r.record] : []));
}

/**
 * Set records aside that the server refused (invalid, or a conflicting copy). They keep all
 * their data, stop being retried, and stay visible to the volunteer. Nothing is deleted.
 */
export async function quarantine(db: FieldsignDB, refusals: Array<{ id: string; reason: string }>): Promise<void> {
  if (refusals.length === 0) return;
  await db.transaction('rw', db.outbox, async () => {
    for (const { id, reason } of refusals) {
      const row = await db.outbox.get({ id });
      if (!row || row.state !== 'pending') continue;
      await db.outbox.update(row.seq!, { state: 'quarantined', reason, attempts: row.attempts + 1 });
    }
  });
}

/** How many records are pending, quarantined and synced. */
export async function counts(db: FieldsignDB): Promise<OutboxCounts> {
  const count = (state: string) =>
    db.outbox.where('[state+seq]').between([state, Dexie.minKey], [state, Dexie.maxKey]).count();
  const [pending, quarantined, synced] = await Promise.all([count('pending'), count('quarantined'), count('synced')]);
  return { pending, quarantined, synced };
}

/** Records currently in quarantine, with the server's reason. */
export async function quarantined(db: FieldsignDB): Promise<OutboxRow[]> {
  return db.outbox.where('[state+seq]').between(['quarantined', Dexie.minKey], ['quarantined', Dexie.maxKey]).toArray();
}

/** The local calendar day of `d`, as YYYY-MM-DD. */
export function localDay(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// ---------------------------------------------------------------------------------------
// Quick delete, and the wipe of a revoked tablet. Both leave rows that keep only the id
// (state `erased` or `wiped`): acknowledge() and quarantine() act on pending rows only, so
// an answer to a batch that was in flight meanwhile cannot bring a record back, and
// nextBatch(), allPending() and counts() never see them.
// ---------------------------------------------------------------------------------------

/** Rows in `state`, oldest first. */
function rowsIn(db: FieldsignDB, state: OutboxState): Promise<OutboxRow[]> {
  return db.outbox.where('[state+seq]').between([state, Dexie.minKey], [state, Dexie.maxKey]).toArray();
}

/** `row` with its record and everything personal gone, in its final state. */
function cleared(row: OutboxRow, state: 'erased' | 'wiped', now: number): OutboxRow {
  return { seq: row.seq, id: row.id, state, bytes: 0, day: row.day, attempts: row.attempts, clearedAt: now };
}

/** Drop the data synced records keep for their retention time (S19), whatever its end. */
function dropRetained(db: FieldsignDB): Promise<number> {
  return db.outbox
    .where('purgeAt')
    .aboveOrEqual(-Infinity)
    .modify((row) => {
      delete row.record;
      delete row.purgeAt;
    });
}

/**
 * Quick delete: erase, in one transaction, every signature on the tablet that is not on the
 * server (pending and quarantined) and the retained data of synced ones, and add the number
 * erased to the meta total `erasedTotal`, which batch reports carry to the server. Erased
 * signatures are lost unless they were exported to a transfer file. Returns that number.
 */
export async function eraseSignerData(db: FieldsignDB, now = Date.now()): Promise<number> {
  return db.transaction('rw', db.outbox, db.meta, db.chain, async () => {
    const rows = [...(await rowsIn(db, 'pending')), ...(await rowsIn(db, 'quarantined'))];
    await db.outbox.bulkPut(rows.map((row) => cleared(row, 'erased', now)));
    // The chain log keeps their places, marked erased: the coordinator's chain check then
    // tells records the tablet erased apart from records lost or removed on the way (S23).
    await db.chain.where('id').anyOf(rows.map((row) => row.id)).modify({ erased: true });
    await dropRetained(db);
    const before = (await db.meta.get('erasedTotal'))?.value;
    const total = (typeof before === 'number' && before >= 0 ? before : 0) + rows.length;
    await db.meta.put({ key: 'erasedTotal', value: total });
    return rows.length;
  });
}

/**
 * The server answered `device_revoked` (S12): remember when (the first time) and drop the
 * retained data of synced records at once (the server holds them). Pending records are
 * kept, even those already exported: a file written earlier may be gone, so they are wiped
 * only once the volunteer confirms a file holds them ({@link wipeExported}).
 */
export async function recordRevocation(db: FieldsignDB, now = Date.now()): Promise<void> {
  await db.transaction('rw', db.outbox, db.meta, async () => {
    if (!(await db.meta.get('revokedAt'))) await db.meta.put({ key: 'revokedAt', value: now });
    await dropRetained(db);
  });
}

/** The last transfer file written on this tablet: its name and when (meta `lastExport`). */
export interface ExportNote {
  file: string;
  at: number;
}

/**
 * Note that the pending records `ids` were written to the transfer file `file` (S18). They
 * stay pending and still sync: nothing confirms yet that the file reached the disk (a
 * blocked download, a full disk, a "Save as" left open). Returns how many were stamped.
 */
export async function markExported(db: FieldsignDB, ids: string[], file = '', now = Date.now()): Promise<number> {
  if (ids.length === 0) return 0;
  return db.transaction('rw', db.outbox, db.meta, async () => {
    const rows = (await db.outbox.where('id').anyOf(ids).toArray()).filter((row) => row.state === 'pending' && row.record);
    await db.outbox.bulkPut(rows.map((row) => ({ ...row, exportedAt: now })));
    await db.meta.put({ key: 'lastExport', value: { file, at: now } satisfies ExportNote });
    return rows.length;
  });
}

/**
 * The last transfer file and how many of the records it holds are still pending (not
 * synced, not wiped): what a revoked tablet asks the volunteer to confirm. Undefined when
 * there are none.
 */
export async function exportedPending(db: FieldsignDB): Promise<(ExportNote & { n: number }) | undefined> {
  const note = (await db.meta.get('lastExport'))?.value as Partial<ExportNote> | undefined;
  if (typeof note?.at !== 'number') return undefined;
  const at = note.at;
  const n = (await rowsIn(db, 'pending')).filter((row) => row.exportedAt === at).length;
  return n > 0 ? { n, file: typeof note.file === 'string' ? note.file : '', at } : undefined;
}

/**
 * The volunteer of a revoked tablet confirmed that the transfer file written at `exportAt`
 * (its {@link ExportNote}) is saved (S12): wipe, in one transaction, the pending records
 * that went into that file. Records captured after it, or written again to a newer file the
 * volunteer has not confirmed, stay pending. Wiped is not erased (the file holds them, S24),
 * and the chain log is untouched (it holds nothing personal). Returns how many were wiped.
 */
export async function wipeExported(db: FieldsignDB, exportAt: number, now = Date.now()): Promise<number> {
  return db.transaction('rw', db.outbox, db.meta, async () => {
    // Re-enrolled meanwhile (another tab): they will sync, so nothing is wiped.
    if ((await db.meta.get('revokedAt')) === undefined) return 0;
    const exported = (await rowsIn(db, 'pending')).filter((row) => row.exportedAt === exportAt);
    await db.outbox.bulkPut(exported.map((row) => cleared(row, 'wiped', now)));
    return exported.length;
  });
}

/** How many signatures were exported from this tablet after its revocation, confirmed saved, then wiped. */
export async function wipedCount(db: FieldsignDB): Promise<number> {
  return db.outbox.where('[state+seq]').between(['wiped', Dexie.minKey], ['wiped', Dexie.maxKey]).count();
}
