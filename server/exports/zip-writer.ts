/**
 * A minimal streaming ZIP writer: each entry is deflated and handed back as bytes to write
 * at once; only its 46-byte central-directory record plus name is kept for the end. So a
 * 100,000-file archive holds about 8 MB, not the files; with `memoryLimit`, the directory
 * past that many bytes waits in a temporary file instead (zip-directory.ts), and `finish`
 * gives the archive's last bytes in pieces. ZIP64 end records are written when there are
 * more than 65,535 entries or offsets pass 4 GiB (APPNOTE 4.3.14–4.3.16).
 */
import { crc32 } from 'node:zlib';
import { deflateSync } from 'fflate';
import { ZipDirectory } from './zip-directory.ts';

const MAX16 = 0xffff;
const MAX32 = 0xffffffff;

export interface ZipWriterOptions {
  /** Central-directory bytes kept in memory; the rest goes to a temporary file. Default: all in memory. */
  memoryLimit?: number;
  /**
   * Sizes and offsets above this are written as ZIP64 (default 0xffffffff, the format's own
   * limit). Only a test lowers it, to take the ZIP64 path without writing 4 GiB.
   */
  zip64Above?: number;
}

/** A streamed entry under way: what its data descriptor and central record need. */
export interface StreamedEntry {
  name: Buffer;
  offset: number;
  time: number;
  date: number;
}

export class ZipWriter {
  private readonly directory: ZipDirectory;
  private offset = 0;
  private count = 0;
  private readonly zip64Above: number;

  constructor(options: ZipWriterOptions = {}) {
    this.directory = new ZipDirectory(options.memoryLimit);
    this.zip64Above = Math.min(options.zip64Above ?? MAX32, MAX32);
  }

  /** Number of entries written so far. */
  get entries(): number {
    return this.count;
  }

  /** Local header + deflated data of one file, ready to write. */
  entry(name: string, data: Uint8Array, mtime: Date): Buffer {
    if (this.offset > MAX32) throw new Error('zip: archive larger than 4 GiB is not supported');
    const nameBytes = Buffer.from(name, 'utf8');
    const packed = deflateSync(data, { level: 6 });
    const crc = crc32(data);
    const { time, date } = dosDateTime(mtime);
    const local = Buffer.alloc(30 + nameBytes.length);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    nameBytes.copy(local, 30);

    const record = this.directory.reserve(46 + nameBytes.length);
    record.writeUInt32LE(0x02014b50, 0);
    record.writeUInt16LE(45, 4); // made by
    record.writeUInt16LE(20, 6); // needed
    record.writeUInt16LE(0x0800, 8);
    record.writeUInt16LE(8, 10);
    record.writeUInt16LE(time, 12);
    record.writeUInt16LE(date, 14);
    record.writeUInt32LE(crc, 16);
    record.writeUInt32LE(packed.length, 20);
    record.writeUInt32LE(data.length, 24);
    record.writeUInt16LE(nameBytes.length, 28);
    record.writeUInt32LE(this.offset, 42);
    nameBytes.copy(record, 46);

    this.offset += local.length + packed.length;
    this.count++;
    return Buffer.concat([local, packed]);
  }

  /**
   * The local header of an entry whose data streams after it (zip-stream.ts): bit 3 set, so
   * its CRC and sizes come after the data, in a data descriptor (`endStreamed`). The header
   * carries an empty ZIP64 field, so the descriptor's sizes are always 8 bytes (APPNOTE
   * 4.3.9.2 allows ZIP64 for any size); a reader that trusts the central directory, as most
   * do, sees classic sizes below 4 GiB.
   */
  beginStreamed(name: string, mtime: Date): { header: Buffer; entry: StreamedEntry } {
    const nameBytes = Buffer.from(name, 'utf8');
    const { time, date } = dosDateTime(mtime);
    const header = Buffer.alloc(30 + nameBytes.length + 20);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(45, 4); // version needed: ZIP64
    header.writeUInt16LE(0x0808, 6); // UTF-8 names, sizes in the data descriptor
    header.writeUInt16LE(8, 8); // deflate
    header.writeUInt16LE(time, 10);
    header.writeUInt16LE(date, 12);
    header.writeUInt32LE(MAX32, 18); // sizes: in the ZIP64 field (zero here, known only after)
    header.writeUInt32LE(MAX32, 22);
    header.writeUInt16LE(nameBytes.length, 26);
    header.writeUInt16LE(20, 28); // extra field length
    nameBytes.copy(header, 30);
    header.writeUInt16LE(0x0001, 30 + nameBytes.length); // ZIP64 extended information
    header.writeUInt16LE(16, 32 + nameBytes.length);
    const entry = { name: nameBytes, offset: this.offset, time, date };
    this.offset += header.length;
    return { header, entry };
  }

  /**
   * The data descriptor after a streamed entry's `compressed` bytes of deflated data, and its
   * central record kept: ZIP64 fields for the sizes and offset that pass `zip64Above`.
   */
  endStreamed(entry: StreamedEntry, crc: number, compressed: number, size: number): Buffer {
    const descriptor = Buffer.alloc(24);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(crc, 4);
    descriptor.writeBigUInt64LE(BigInt(compressed), 8);
    descriptor.writeBigUInt64LE(BigInt(size), 16);
    this.offset += compressed + descriptor.length;
    this.count++;

    const wide = [size, compressed, entry.offset].map((n) => n > this.zip64Above);
    const extra = wide.filter(Boolean).length * 8;
    const record = this.directory.reserve(46 + entry.name.length + (extra ? 4 + extra : 0));
    record.writeUInt32LE(0x02014b50, 0);
    record.writeUInt16LE(45, 4);
    record.writeUInt16LE(extra ? 45 : 20, 6);
    record.writeUInt16LE(0x0808, 8);
    record.writeUInt16LE(8, 10);
    record.writeUInt16LE(entry.time, 12);
    record.writeUInt16LE(entry.date, 14);
    record.writeUInt32LE(crc, 16);
    record.writeUInt32LE(wide[1] ? MAX32 : compressed, 20);
    record.writeUInt32LE(wide[0] ? MAX32 : size, 24);
    record.writeUInt16LE(entry.name.length, 28);
    record.writeUInt16LE(extra ? 4 + extra : 0, 30);
    record.writeUInt32LE(wide[2] ? MAX32 : entry.offset, 42);
    entry.name.copy(record, 46);
    if (extra) {
      // APPNOTE 4.5.3: only the fields that overflowed, in this order.
      let at = 46 + entry.name.length;
      record.writeUInt16LE(0x0001, at);
      record.writeUInt16LE(extra, at + 2);
      at += 4;
      for (const [i, n] of [size, compressed, entry.offset].entries()) {
        if (!wide[i]) continue;
        record.writeBigUInt64LE(BigInt(n), at);
        at += 8;
      }
    }
    return descriptor;
  }

  /** The central directory and the end records: the last bytes of the archive (kept in memory only). */
  end(): Buffer {
    if (this.directory.spilled) throw new Error('zip: the directory went to a temporary file; use finish()');
    return Buffer.concat([...this.directory.pieces(), this.endRecords()]);
  }

  /** The same last bytes as `end`, in pieces of at most 1 MB; closes the temporary file. */
  *finish(): Generator<Buffer> {
    const endRecords = this.endRecords();
    yield* this.directory.pieces();
    yield endRecords;
  }

  /** Give up on the archive: the temporary file, if any, is closed (and so freed). */
  dispose(): void {
    this.directory.close();
  }

  /** ZIP64 end record and locator (when needed), then the classic end record. */
  private endRecords(): Buffer {
    const directoryLength = this.directory.length;
    const zip64 = this.count > MAX16 || this.offset > this.zip64Above;
    const tail: Buffer[] = [];
    if (zip64) {
      const record = Buffer.alloc(56 + 20);
      record.writeUInt32LE(0x06064b50, 0);
      record.writeBigUInt64LE(44n, 4);
      record.writeUInt16LE(45, 12);
      record.writeUInt16LE(45, 14);
      record.writeBigUInt64LE(BigInt(this.count), 24);
      record.writeBigUInt64LE(BigInt(this.count), 32);
      record.writeBigUInt64LE(BigInt(directoryLength), 40);
      record.writeBigUInt64LE(BigInt(this.offset), 48);
      record.writeUInt32LE(0x07064b50, 56); // locator
      record.writeBigUInt64LE(BigInt(this.offset + directoryLength), 64);
      record.writeUInt32LE(1, 72);
      tail.push(record);
    }
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0);
    eocd.writeUInt16LE(Math.min(this.count, MAX16), 8);
    eocd.writeUInt16LE(Math.min(this.count, MAX16), 10);
    eocd.writeUInt32LE(directoryLength, 12);
    eocd.writeUInt32LE(zip64 && this.offset > this.zip64Above ? MAX32 : this.offset, 16);
    tail.push(eocd);
    return Buffer.concat(tail);
  }
}

/** MS-DOS time and date fields (2-second resolution, years 1980–2107). */
function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.min(2107, Math.max(1980, d.getUTCFullYear()));
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}
