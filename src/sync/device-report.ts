/**
 * What a tablet tells the server about itself with every batch (S21), beside the queue counts
 * the engine adds: enough for a coordinator to spot a tablet that went quiet holding
 * signatures, and to see whether its browser may evict them.
 */
import type { FieldsignDB } from '../db/db.ts';
import { getEnrollment, getErasedTotal } from '../db/meta.ts';
import { chainHead } from '../db/capture.ts';
import { storagePersistence } from '../db/storage-persistence.ts';
import type { ChainHead } from '../shared/protocol.ts';
import type { ReportExtras } from './batch.ts';
import type { SyncStatus } from './engine.ts';

/** Storage use and persistence as the browser states them, the app version, the erase total and the last sync. */
export async function deviceReport(db: FieldsignDB, appVersion: string, status: SyncStatus): Promise<ReportExtras> {
  const storage = globalThis.navigator?.storage;
  const [estimate, persistence, erased, chain] = await Promise.all([
    storage?.estimate?.().catch(() => undefined),
    storagePersistence(),
    getErasedTotal(db),
    currentChainHead(db),
  ]);
  return {
    appVersion,
    erased,
    ...(persistence !== 'unknown' && { persisted: persistence === 'persistent' }),
    ...(estimate?.quota !== undefined && { storage: { usage: estimate.usage ?? 0, quota: estimate.quota } }),
    ...(status.lastSyncAt !== undefined && { lastSyncAt: new Date(status.lastSyncAt).toISOString() }),
    ...(chain && { chain }),
  };
}

/** S23: the newest link of this enrollment's chain, if it captured anything yet. */
async function currentChainHead(db: FieldsignDB): Promise<ChainHead | undefined> {
  const enrollment = await getEnrollment(db);
  const head = enrollment && (await chainHead(db, enrollment.deviceId));
  return head && { device: head.device, seq: head.seq, link: head.link };
}
