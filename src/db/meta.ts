/** Small facts about this tablet kept in the `meta` table: its enrollment, above all. */
import type { FieldsignDB } from './db.ts';
import type { PinHash } from './pin.ts';

/** What the tablet got when it was enrolled with a coordinator's code. */
export interface Enrollment {
  deviceId: string;
  token: string;
  event: string;
  enrolledAt: number;
  /** Keep acknowledged signers' data this long (ms); 0 or absent: delete at once. */
  retentionMs?: number;
  /** When the device token stops working (S25); absent: no expiry was given. */
  tokenExpiresAt?: string;
  /** The volunteer PIN chosen at enrollment (hash only). */
  pin?: PinHash;
}

/** This tablet's enrollment, or undefined if it has none yet. */
export async function getEnrollment(db: FieldsignDB): Promise<Enrollment | undefined> {
  const row = await db.meta.get('enrollment');
  return row?.value as Enrollment | undefined;
}

/**
 * Save a (new) enrollment. Records still waiting to sync are re-stamped with the new device
 * id in the same transaction, so a tablet re-enrolled after revocation can send them; their
 * ids do not change, so the server still recognises any it already holds (rule S4).
 */
export async function saveEnrollment(db: FieldsignDB, enrollment: Enrollment): Promise<void> {
  await db.transaction('rw', db.meta, db.outbox, async () => {
    await db.meta.put({ key: 'enrollment', value: enrollment });
    // A new enrollment ends a revocation: what is still pending will be sent again.
    await db.meta.delete('revokedAt');
    // The erased total is counted per enrollment (the server keeps it per device): carry over
    // only what the old device id never got to report, so no erasure goes unreported.
    const unreported = Math.max(0, (await getErasedTotal(db)) - (await getErasedReported(db)));
    await db.meta.bulkPut([{ key: 'erasedTotal', value: unreported }, { key: 'erasedReported', value: 0 }]);
    await db.outbox
      .where('[state+seq]')
      .between(['pending', -Infinity], ['pending', Infinity])
      .modify((row) => {
        if (row.record && row.record.deviceId !== enrollment.deviceId) row.record = { ...row.record, deviceId: enrollment.deviceId };
      });
  });
}

/** The name of the volunteer on duty, shown on the volunteer screen. */
export async function getVolunteerName(db: FieldsignDB): Promise<string> {
  const row = await db.meta.get('volunteerName');
  return typeof row?.value === 'string' ? row.value : '';
}

export async function setVolunteerName(db: FieldsignDB, name: string): Promise<void> {
  await db.meta.put({ key: 'volunteerName', value: name.trim().slice(0, 80) });
}

/**
 * How many signatures the volunteer's quick delete erased on this tablet since it was
 * enrolled (a cumulative total, so reporting it again after a retry changes nothing).
 */
export async function getErasedTotal(db: FieldsignDB): Promise<number> {
  const value = (await db.meta.get('erasedTotal'))?.value;
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 0;
}

/** The erased total the server last confirmed receiving in a batch report. */
export async function getErasedReported(db: FieldsignDB): Promise<number> {
  const value = (await db.meta.get('erasedReported'))?.value;
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 0;
}

/**
 * The server took a batch whose report said `erased: total`: remember it was delivered. Never
 * above the current total (a report read before a re-enrollment reset it must not count).
 */
export async function setErasedReported(db: FieldsignDB, total: number): Promise<void> {
  await db.transaction('rw', db.meta, async () => {
    await db.meta.put({ key: 'erasedReported', value: Math.min(total, await getErasedTotal(db)) });
  });
}

/** When the server first answered that this tablet is revoked (ms), or undefined. */
export async function getRevokedAt(db: FieldsignDB): Promise<number | undefined> {
  const value = (await db.meta.get('revokedAt'))?.value;
  return typeof value === 'number' ? value : undefined;
}

/** When the server last answered a batch from this tablet (ms, tablet clock), kept across reloads. */
export async function getLastSyncAt(db: FieldsignDB): Promise<number | undefined> {
  const value = (await db.meta.get('lastSyncAt'))?.value;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export async function setLastSyncAt(db: FieldsignDB, at: number): Promise<void> {
  await db.meta.put({ key: 'lastSyncAt', value: at });
}
