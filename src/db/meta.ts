/** Small facts about this tablet kept in the `meta` table. */
import type { FieldsignDB } from './db.ts';

/**
 * This tablet's device id: made once, on first use, and kept for the life of the database.
 * Device enrollment will replace it with a server-issued identity.
 */
export async function deviceId(db: FieldsignDB): Promise<string> {
  return db.transaction('rw', db.meta, async () => {
    const row = await db.meta.get('deviceId');
    if (typeof row?.value === 'string') return row.value;
    const id = crypto.randomUUID();
    await db.meta.put({ key: 'deviceId', value: id });
    return id;
  });
}
