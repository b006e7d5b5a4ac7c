/**
 * What a tablet tells the server about itself with every batch (S21), beside the queue counts
 * the engine adds: enough for a coordinator to spot a tablet that went quiet holding
 * signatures, and to see whether its browser may evict them.
 */
import type { FieldsignDB } from '../db/db.ts';
import { getErasedTotal } from '../db/meta.ts';
import type { BatchReport } from '../shared/protocol.ts';
import type { SyncStatus } from './engine.ts';

/** The report less the counts, which the engine fills in itself. */
export type ReportExtras = Omit<BatchReport, 'pending' | 'quarantined'>;

/** Storage use and persistence as the browser states them, the app version, the erase total and the last sync. */
export async function deviceReport(db: FieldsignDB, appVersion: string, status: SyncStatus): Promise<ReportExtras> {
  const storage = globalThis.navigator?.storage;
  const [estimate, persisted, erased] = await Promise.all([
    storage?.estimate?.().catch(() => undefined),
    storage?.persisted?.().catch(() => undefined),
    getErasedTotal(db),
  ]);
  return {
    appVersion,
    erased,
    ...(typeof persisted === 'boolean' && { persisted }),
    ...(estimate?.quota !== undefined && { storage: { usage: estimate.usage ?? 0, quota: estimate.quota } }),
    ...(status.lastSyncAt !== undefined && { lastSyncAt: new Date(status.lastSyncAt).toISOString() }),
  };
}
