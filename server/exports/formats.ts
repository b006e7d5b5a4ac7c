/**
 * Streaming exports for the coordinator console: the hand-in list and the contact list as
 * CSV, every signature as SVG in a zip, and printable hand-in sheets as PDF.
 *
 * None of them loads all signatures: each reads the store a page at a time in arrival order
 * (`store.list({ afterSeq, limit })`) and writes only as fast as the client takes the bytes,
 * so memory does not grow with the number of signatures; and each gives the event loop a
 * turn every few milliseconds, so other requests are answered while it runs
 * (exports/stream.ts). A zip must end with a directory of all its files; zip-writer.ts keeps
 * only ~90 bytes per file for it, in a temporary file past 4 MB. The PDF is exports/pdf.ts.
 * bench/export-memory.ts measures the memory of all four, bench/scale.ts their pace.
 *
 * Each writer takes an AsyncIterable of signatures and a writable stream, so the CLI export
 * of sealed signatures (server/sealed-export.ts) writes the same files from the signatures
 * it opened with the coordinator's key; the `…Export(store, res)` functions serve the
 * console's downloads from the store.
 *
 * Privacy: the hand-in list and the PDF carry no contact data (no email, phone or postcode);
 * the contact list holds only signers who opted in. Sealed (encrypted) signatures cannot be
 * read here: they are marked in the hand-in list and the PDF ("open them with the key"), and
 * left out of the contacts. The console opens them in the browser with the coordinator's key.
 */
import type { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { ZipWriter } from './zip-writer.ts';
import { CONTACT_COLUMNS, contactRow, HANDIN_COLUMNS, handinRow, type RowSource } from '../../src/shared/signer-rows.ts';
import { signatureSvg } from './signature-svg.ts';
import { CHUNK_BYTES, coalesce, pacer, writeWithBackpressure } from './stream.ts';

export { allSignatures, type ExportCampaign } from './stream.ts';
export { simplify, writePdf } from './pdf.ts';

export type CsvKind = 'handin' | 'contacts';

// ---------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------

export { safeCell } from '../../src/shared/signer-rows.ts';

/** The hand-in list: one row per signature and no contact data at all. */
async function* handinRows(rows: AsyncIterable<RowSource>): AsyncGenerator<string[]> {
  let number = 0;
  for await (const row of rows) yield handinRow(++number, row);
}

/** The contact list: only signers who opted in to future contact. */
async function* contactRows(rows: AsyncIterable<RowSource>): AsyncGenerator<string[]> {
  for await (const row of rows) {
    const cells = contactRow(row);
    if (cells) yield cells;
  }
}

/**
 * RFC 4180 CSV (CRLF, doubled quotes, quoted fields where needed), UTF-8 with a BOM so
 * Excel reads the accents right, and no comment lines. `pipeline` carries backpressure end
 * to end: the row generator is only asked for the next row when `out` has taken the previous
 * bytes, and an `out` that breaks (a client that disconnects) stops the reads. Ends `out`.
 */
export async function writeCsv(rows: AsyncIterable<RowSource>, out: Writable, kind: CsvKind): Promise<void> {
  const csv = stringify({
    bom: true,
    header: true,
    columns: [...(kind === 'handin' ? HANDIN_COLUMNS : CONTACT_COLUMNS)],
    record_delimiter: 'windows',
    quote: '"',
    escape: '"',
  });
  await pipeline(kind === 'handin' ? handinRows(rows) : contactRows(rows), csv, coalesce(), out);
}

// ---------------------------------------------------------------------------------------
// SVG zip
// ---------------------------------------------------------------------------------------

/** Zip entry time: when the server received the signature (DOS dates cover 1980–2107). */
function entryTime(row: RowSource): number {
  const t = Date.parse(row.receivedAt);
  return Number.isFinite(t) && t > Date.UTC(1980, 1, 1) && t < Date.UTC(2099, 0, 1) ? t : Date.now();
}

/** The SVG for one record; a placeholder if its stored ink cannot be decoded. */
function svgOf(row: RowSource): string {
  try {
    return signatureSvg(row.record);
  } catch {
    return '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 200" width="600" height="200"><text x="20" y="110" font-size="24">(signature unreadable)</text></svg>';
  }
}

/** Directory bytes a zip keeps in memory before the rest goes to a temporary file. */
const ZIP_DIRECTORY_IN_MEMORY = 4 << 20;

/** The zip of `writeSvgZipExport`, from any signatures to any stream; ends `res`. */
export async function writeSvgZip(rows: AsyncIterable<RowSource & { id: string }>, res: Writable): Promise<void> {
  const zip = new ZipWriter({ memoryLimit: ZIP_DIRECTORY_IN_MEMORY });
  let parts: Buffer[] = [];
  let size = 0;
  const flush = async () => {
    const chunk = Buffer.concat(parts, size);
    parts = [];
    size = 0;
    await writeWithBackpressure(res, chunk);
  };
  try {
    for await (const row of rows) {
      const bytes = zip.entry(`${row.id.replace(/[^\w-]/g, '_')}.svg`, Buffer.from(svgOf(row)), new Date(entryTime(row)));
      parts.push(bytes);
      size += bytes.length;
      if (size >= CHUNK_BYTES) await flush();
    }
    if (size) await flush();
    // The directory, read back from its file a megabyte at a time, as fast as the client takes it.
    const pace = pacer();
    for (const piece of zip.finish()) {
      await writeWithBackpressure(res, piece);
      await pace();
    }
  } finally {
    zip.dispose();
  }
  res.end();
  await finished(res);
}
