/**
 * The hand-in list and the contact list as CSV, streamed from any signatures to any stream.
 *
 * Neither loads all signatures: the rows come a store page at a time (exports/stream.ts) and
 * go out only as fast as the client takes the bytes. The CLI export of sealed signatures
 * (server/exports/sealed-export.ts) writes the same files from the records it opened.
 *
 * Privacy: the hand-in list carries no contact data (no email, phone or postcode); the
 * contact list holds only signers who opted in. Sealed (encrypted) signatures cannot be read
 * here: they are marked in the hand-in list ("open them with the key") and left out of the
 * contacts.
 */
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { CONTACT_COLUMNS, contactRow, HANDIN_COLUMNS, handinRow, type RowSource } from '../../src/shared/signer-rows.ts';
import type { CsvKind } from './formats.ts';
import { coalesce } from './stream.ts';

/** The hand-in list: one row per signature and no contact data at all. */
async function* handinRows(rows: AsyncIterable<RowSource>, written: { rows: number }): AsyncGenerator<string[]> {
  for await (const row of rows) yield handinRow(++written.rows, row);
}

/** The contact list: only signers who opted in to future contact. */
async function* contactRows(rows: AsyncIterable<RowSource>, written: { rows: number }): AsyncGenerator<string[]> {
  for await (const row of rows) {
    const cells = contactRow(row);
    if (cells) {
      written.rows++;
      yield cells;
    }
  }
}

/**
 * RFC 4180 CSV (CRLF, doubled quotes, quoted fields where needed), UTF-8 with a BOM so
 * Excel reads the accents right, and no comment lines. `pipeline` carries backpressure end
 * to end: the row generator is only asked for the next row when `out` has taken the previous
 * bytes, and an `out` that breaks (a client that disconnects) stops the reads. Ends `out`;
 * resolves with the signers' rows written (the audit log records it).
 */
export async function writeCsv(rows: AsyncIterable<RowSource>, out: Writable, kind: CsvKind): Promise<number> {
  const csv = stringify({
    bom: true,
    header: true,
    columns: [...(kind === 'handin' ? HANDIN_COLUMNS : CONTACT_COLUMNS)],
    record_delimiter: 'windows',
    quote: '"',
    escape: '"',
  });
  const written = { rows: 0 };
  await pipeline(kind === 'handin' ? handinRows(rows, written) : contactRows(rows, written), csv, coalesce(), out);
  return written.rows;
}
