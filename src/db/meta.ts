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
