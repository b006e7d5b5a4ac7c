/**
 * The whole audit log as CSV, oldest first, for an owner to keep or hand to an auditor:
 * seq, at, actor, action, campaign, detail (the entry's detail as JSON). It is read a page at
 * a time (store.auditPage) and written as fast as the client takes it, so the log is never
 * held in memory whole; every cell passes the same formula guard as the signature exports
 * (safeCell), since an actor or a detail can hold what a signer or a tablet typed.
 */
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { safeCell } from '../../src/shared/signer-rows.ts';
import type { AuditEntry, Store } from '../store/store.ts';
import { coalesce, pacer } from './stream.ts';

export const AUDIT_COLUMNS = ['seq', 'at', 'actor', 'action', 'campaign', 'detail'] as const;

/** Entries read from the store per query. */
export const AUDIT_PAGE_SIZE = 200;

/** Every entry of the log, oldest first, one page at a time (paced, as the other exports are). */
export async function* wholeAuditLog(store: Store, pageSize = AUDIT_PAGE_SIZE): AsyncGenerator<AuditEntry> {
  const pace = pacer();
  let afterSeq = 0;
  for (;;) {
    const page = await store.auditPage(afterSeq, pageSize);
    for (const entry of page) yield entry;
    if (page.length < pageSize) return;
    afterSeq = page[page.length - 1].seq;
    await pace();
  }
}

/** One entry's cells, each guarded against formula injection. */
export function auditRow(entry: AuditEntry): string[] {
  return [String(entry.seq), entry.at, safeCell(entry.actor), safeCell(entry.action), safeCell(entry.campaignId ?? ''), safeCell(JSON.stringify(entry.detail))];
}

/** Write `entries` as RFC 4180 CSV (UTF-8 with a BOM, CRLF) to `out`, which it ends; resolves with the rows written. */
export async function writeAuditCsv(entries: AsyncIterable<AuditEntry>, out: Writable): Promise<number> {
  const written = { rows: 0 };
  async function* rows(): AsyncGenerator<string[]> {
    for await (const entry of entries) {
      written.rows++;
      yield auditRow(entry);
    }
  }
  const csv = stringify({ bom: true, header: true, columns: [...AUDIT_COLUMNS], record_delimiter: 'windows', quote: '"', escape: '"' });
  await pipeline(rows(), csv, coalesce(), out);
  return written.rows;
}
