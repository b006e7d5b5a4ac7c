/**
 * WOFF 1.0 → plain OpenType (sfnt) bytes.
 *
 * The fonts come from @fontsource packages, which ship WOFF and WOFF2 only. HarfBuzz (the
 * shaper) reads sfnt, not WOFF; a WOFF 1.0 file is just the sfnt's tables, each deflated
 * with zlib, so node:zlib undoes it in a few lines. (WOFF2's glyph transform would need a
 * full decoder: that is why we read the .woff files.) Spec: https://www.w3.org/TR/WOFF/
 */
import { inflateSync } from 'node:zlib';

const WOFF_SIGNATURE = 0x774f4646; // 'wOFF'
const HEADER_BYTES = 44;
const ENTRY_BYTES = 20;

/** The sfnt inside a WOFF 1.0 file; throws on anything else. */
export function woffToSfnt(woff: Buffer): Buffer {
  if (woff.length < HEADER_BYTES || woff.readUInt32BE(0) !== WOFF_SIGNATURE) throw new Error('not a WOFF 1.0 font');
  const flavor = woff.readUInt32BE(4);
  const count = woff.readUInt16BE(12);
  const tables = Array.from({ length: count }, (_, i) => {
    const at = HEADER_BYTES + i * ENTRY_BYTES;
    const tag = woff.readUInt32BE(at);
    const offset = woff.readUInt32BE(at + 4);
    const compressed = woff.readUInt32BE(at + 8);
    const length = woff.readUInt32BE(at + 12);
    const checksum = woff.readUInt32BE(at + 16);
    const stored = woff.subarray(offset, offset + compressed);
    const data = compressed < length ? inflateSync(stored) : stored;
    if (data.length !== length) throw new Error('WOFF table has the wrong length');
    return { tag, checksum, data };
  });

  // sfnt header: version, numTables, searchRange, entrySelector, rangeShift; then the directory.
  let log2 = 0;
  while (1 << (log2 + 1) <= count) log2++;
  const directoryBytes = 12 + 16 * count;
  const offsets: number[] = [];
  let size = directoryBytes;
  for (const table of tables) {
    offsets.push(size);
    size += (table.data.length + 3) & ~3; // tables are 4-byte aligned
  }
  const out = Buffer.alloc(size);
  out.writeUInt32BE(flavor, 0);
  out.writeUInt16BE(count, 4);
  out.writeUInt16BE(16 << log2, 6);
  out.writeUInt16BE(log2, 8);
  out.writeUInt16BE(count * 16 - (16 << log2), 10);
  tables.forEach((table, i) => {
    const at = 12 + 16 * i;
    out.writeUInt32BE(table.tag, at);
    out.writeUInt32BE(table.checksum, at + 4);
    out.writeUInt32BE(offsets[i], at + 8);
    out.writeUInt32BE(table.data.length, at + 12);
    table.data.copy(out, offsets[i]);
  });
  return out;
}
