/**
 * The console's downloads: headers here, the body from an export job (exports/job.ts), run in
 * a worker thread when the store is a database another thread can open (exports/worker.ts),
 * else in this thread (an in-memory test store).
 */
import type { ServerResponse } from 'node:http';
import { downloadHeaders, fileName, isAbort, isHead, type ExportCampaign } from './stream.ts';
import { jobOf, runExport, type ExportKind } from './job.ts';
import { exportInWorker } from './worker.ts';
import type { Store } from '../store/store.ts';

const FILES: Record<ExportKind, { type: string; what: string; ext: string }> = {
  handin: { type: 'text/csv; charset=utf-8', what: 'handin', ext: 'csv' },
  contacts: { type: 'text/csv; charset=utf-8', what: 'contacts', ext: 'csv' },
  zip: { type: 'application/zip', what: 'signatures', ext: 'zip' },
  pdf: { type: 'application/pdf', what: 'handin', ext: 'pdf' },
};

/** Send one campaign's export; `db` is the database setting when a worker may open it. */
export async function serveExport(store: Store, res: ServerResponse, kind: ExportKind, campaign: ExportCampaign, db?: string): Promise<void> {
  const file = FILES[kind];
  res.writeHead(200, downloadHeaders(file.type, fileName(campaign, file.what, file.ext)));
  if (isHead(res)) return void res.end();
  const job = jobOf(kind, campaign);
  try {
    if (db && db !== ':memory:') await exportInWorker(db, job, res);
    else await runExport(store, job, res);
  } catch (error) {
    if (!isAbort(error, res)) throw error;
  }
}
