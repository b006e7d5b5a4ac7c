/**
 * Every signature as SVG in a zip, named by its id, streamed from any signatures to any
 * stream: the console's download and the CLI export of sealed signatures write the same file.
 *
 * A zip must end with a directory of all its files; zip-writer.ts keeps only ~90 bytes per
 * file for it, in a temporary file past 4 MB, so memory does not grow with the signatures.
 */
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { RowSource } from '../../src/shared/signer-rows.ts';
import { signatureSvg } from './signature-svg.ts';
import { CHUNK_BYTES, pacer, writeWithBackpressure } from './stream.ts';
import { ZipWriter } from './zip-writer.ts';

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

/** The zip of every signature in `rows`, one SVG each, to `res`, which it ends; resolves with the SVGs written. */
export async function writeSvgZip(rows: AsyncIterable<RowSource & { id: string }>, res: Writable): Promise<number> {
  const zip = new ZipWriter({ memoryLimit: ZIP_DIRECTORY_IN_MEMORY });
  let parts: Buffer[] = [];
  let size = 0;
  let files = 0;
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
      files++;
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
  return files;
}
