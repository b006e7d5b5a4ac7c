/**
 * A zip reader for checking a hand-in package (handin-verify.ts) in flat memory, whatever its
 * size: the central directory is read first (ZIP64 end records and fields understood), then
 * each entry's data is streamed from the file, inflated, counted and hashed, never held whole.
 * Written apart from the writer on purpose: a check that reused zip-writer.ts's own idea of
 * the format would share its mistakes.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createInflateRaw, crc32 } from 'node:zlib';

export interface ZipEntryInfo {
  name: string;
  method: number;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
}

/** What streaming one entry found. */
export interface ReadEntry {
  bytes: number;
  sha256: string;
  crcOk: boolean;
}

const MAX32 = 0xffffffff;
/** A hand-in package has a few hundred files at most: a larger directory is not one. */
const MAX_DIRECTORY = 16 << 20;

export class ZipFormatError extends Error {
  override name = 'ZipFormatError';
}

/** The entries of the zip at `path`, from its central directory. */
export async function zipEntries(path: string): Promise<ZipEntryInfo[]> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const tailLength = Math.min(size, 22 + 0xffff + 20);
    const tail = Buffer.alloc(tailLength);
    await file.read(tail, 0, tailLength, size - tailLength);
    let at = -1;
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        at = i;
        break;
      }
    }
    if (at < 0) throw new ZipFormatError('it is not a zip file (no end of central directory found)');
    let count = tail.readUInt16LE(at + 10);
    let directoryLength = tail.readUInt32LE(at + 12);
    let directoryOffset = tail.readUInt32LE(at + 16);
    if (at >= 20 && tail.readUInt32LE(at - 20) === 0x07064b50) {
      const zip64At = Number(tail.readBigUInt64LE(at - 12));
      const record = Buffer.alloc(56);
      await file.read(record, 0, 56, zip64At);
      if (record.readUInt32LE(0) !== 0x06064b50) throw new ZipFormatError('its ZIP64 end record is missing');
      count = Number(record.readBigUInt64LE(32));
      directoryLength = Number(record.readBigUInt64LE(40));
      directoryOffset = Number(record.readBigUInt64LE(48));
    }
    if (directoryLength > MAX_DIRECTORY || directoryOffset + directoryLength > size) throw new ZipFormatError('its central directory is damaged');
    const directory = Buffer.alloc(directoryLength);
    await file.read(directory, 0, directoryLength, directoryOffset);
    const entries: ZipEntryInfo[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > directory.length || directory.readUInt32LE(p) !== 0x02014b50) throw new ZipFormatError('its central directory is damaged');
      const nameLength = directory.readUInt16LE(p + 28);
      const extraLength = directory.readUInt16LE(p + 30);
      const commentLength = directory.readUInt16LE(p + 32);
      const entry: ZipEntryInfo = {
        name: directory.toString('utf8', p + 46, p + 46 + nameLength),
        method: directory.readUInt16LE(p + 10),
        crc: directory.readUInt32LE(p + 16),
        compressed: directory.readUInt32LE(p + 20),
        size: directory.readUInt32LE(p + 24),
        offset: directory.readUInt32LE(p + 42),
      };
      widen(entry, directory.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength));
      entries.push(entry);
      p += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
  } finally {
    await file.close();
  }
}

/** Fill in the sizes and offset a ZIP64 extra field holds (APPNOTE 4.5.3: only those at 0xffffffff, in order). */
function widen(entry: ZipEntryInfo, extra: Buffer): void {
  for (let q = 0; q + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(q);
    const length = extra.readUInt16LE(q + 2);
    if (id === 0x0001) {
      let r = q + 4;
      for (const field of ['size', 'compressed', 'offset'] as const) {
        if (entry[field] !== MAX32) continue;
        if (r + 8 > q + 4 + length) throw new ZipFormatError(`the ZIP64 field of ${entry.name} is short`);
        entry[field] = Number(extra.readBigUInt64LE(r));
        r += 8;
      }
    }
    q += 4 + length;
  }
}

/** Stream one entry's data: inflated, counted, hashed; each chunk also goes to `look` (e.g. to count CSV rows). */
export async function readEntry(path: string, entry: ZipEntryInfo, look?: (chunk: Buffer) => void): Promise<ReadEntry> {
  const file = await open(path, 'r');
  const header = Buffer.alloc(30);
  try {
    await file.read(header, 0, 30, entry.offset);
  } finally {
    await file.close();
  }
  if (header.readUInt32LE(0) !== 0x04034b50) throw new ZipFormatError(`the data of ${entry.name} is not where the directory says`);
  const start = entry.offset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  const hash = createHash('sha256');
  let bytes = 0;
  let crc = 0;
  const measure = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      crc = crc32(chunk, crc);
      hash.update(chunk);
      look?.(chunk);
      callback();
    },
  });
  if (entry.compressed > 0) {
    const raw = createReadStream(path, { start, end: start + entry.compressed - 1 });
    if (entry.method === 8) await pipeline(raw, createInflateRaw(), measure);
    else if (entry.method === 0) await pipeline(raw, measure);
    else throw new ZipFormatError(`${entry.name} uses compression method ${entry.method}, which a hand-in package never does`);
  } else {
    measure.end();
  }
  return { bytes, sha256: hash.digest('hex'), crcOk: crc === entry.crc };
}
