/**
 * The console's downloads as a streamed Response: headers here, the body from an export job
 * (exports/job.ts), run in a worker thread when the store is a database another thread can
 * open (exports/worker.ts), else in this thread (an in-memory test store).
 *
 * The job writes into a PassThrough whose reading side is the Response body. Backpressure
 * holds all the way: the socket's 'drain' paces the body's reader, a full web stream pauses
 * the PassThrough, and a full PassThrough makes the job (or the worker's credit) wait. A
 * client that leaves cancels the body, which destroys the PassThrough: the job stops as
 * ExportAborted, and a worker is terminated.
 */
import { PassThrough, Readable } from 'node:stream';
import { downloadHeaders, fileName, isAbort, type ExportCampaign } from './stream.ts';
import { jobOf, runExport, type ExportKind, type JobOptions } from './job.ts';
import { exportInWorker } from './worker.ts';
import type { Store } from '../store/store.ts';

const FILES: Record<ExportKind, { type: string; what: string; ext: string }> = {
  handin: { type: 'text/csv; charset=utf-8', what: 'handin', ext: 'csv' },
  contacts: { type: 'text/csv; charset=utf-8', what: 'contacts', ext: 'csv' },
  zip: { type: 'application/zip', what: 'signatures', ext: 'zip' },
  pdf: { type: 'application/pdf', what: 'handin', ext: 'pdf' },
  'handin-package': { type: 'application/zip', what: 'handin-package', ext: 'zip' },
  'paper-sheets': { type: 'application/pdf', what: 'paper-sheets', ext: 'pdf' },
};

/** A download under way: its Response, and when its body was written whole (or the client left). */
export interface ExportDownload {
  response: Response;
  /**
   * Resolves once the job is done, with the signers' rows it carried (job.ts: runExport), or
   * with null when the client went away first (or for a HEAD); rejects when the export failed.
   */
  finished: Promise<number | null>;
}

/**
 * One campaign's export; `db` is the database setting when a worker may open it. `head`: the
 * headers only, no work (`finished` then resolves at once).
 */
export function serveExport(
  store: Store,
  kind: ExportKind,
  campaign: ExportCampaign,
  { head = false, db, handin, sheets }: { head?: boolean; db?: string } & JobOptions = {},
): ExportDownload {
  const file = FILES[kind];
  // Paper sheets name the version and language they carry.
  const what = sheets ? `${file.what}-v${campaign.content?.version ?? 0}-${sheets.lang}` : file.what;
  const headers = downloadHeaders(file.type, fileName(campaign, what, file.ext));
  if (head) return { response: new Response(null, { status: 200, headers }), finished: Promise.resolve(null) };
  const out = new PassThrough();
  const job = jobOf(kind, campaign, { handin, sheets });
  const finished = (async () => {
    try {
      if (db && db !== ':memory:') return await exportInWorker(db, job, out);
      return await runExport(store, job, out);
    } catch (error) {
      if (isAbort(error, out)) return null;
      // Headers are sent: all a client can be told now is that the body broke off.
      out.destroy(error as Error);
      throw error;
    }
  })();
  return { response: new Response(Readable.toWeb(out) as ReadableStream<Uint8Array>, { status: 200, headers }), finished };
}
