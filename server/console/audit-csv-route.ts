/**
 * GET /api/console/audit.csv: the whole audit log as CSV for owners (exports/audit-csv.ts),
 * streamed with backpressure in this thread (the log is small beside the signatures, and read
 * a page at a time). The download is audited like every export, once it was written whole.
 */
import { PassThrough, Readable } from 'node:stream';
import { writeAuditCsv, wholeAuditLog } from '../exports/audit-csv.ts';
import { downloadHeaders, fileName, isAbort } from '../exports/stream.ts';
import { isHead, type Ctx } from '../routes/context.ts';
import { auditDownload } from './signature-routes.ts';

export function exportAuditCsv(c: Ctx): Response {
  const headers = downloadHeaders('text/csv; charset=utf-8', fileName(undefined, 'audit-log', 'csv'));
  if (isHead(c)) return new Response(null, { status: 200, headers });
  const out = new PassThrough();
  const finished = writeAuditCsv(wholeAuditLog(c.var.app.store), out).catch((error: unknown) => {
    if (isAbort(error, out)) return null;
    out.destroy(error as Error);
    throw error;
  });
  auditDownload(c, finished, 'download-audit-log', { kind: 'audit-log' }, null);
  return new Response(Readable.toWeb(out) as ReadableStream<Uint8Array>, { status: 200, headers });
}
