/**
 * A zip whose files stream into it: each file is written by a function that writes into a
 * stream, and its bytes are counted, hashed (CRC-32 for the zip, SHA-256 for a manifest) and
 * deflated as they pass, never held whole. So a PDF of a million signatures goes into the
 * hand-in package (handin-package.ts) in the memory of a few of its chunks. Each file is a
 * streamed entry of zip-writer.ts: local header, deflated data, data descriptor (ZIP64 sizes).
 */
import { createHash } from 'node:crypto';
import { PassThrough, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDeflateRaw, crc32 } from 'node:zlib';
import { writeWithBackpressure } from './stream.ts';
import { ZipWriter, type ZipWriterOptions } from './zip-writer.ts';

/** What a file in the zip held: its path, size and SHA-256 (hex), as a manifest lists them. */
export interface ZippedFile {
  path: string;
  bytes: number;
  sha256: string;
}

/** Counts and hashes the bytes that pass through it, unchanged. */
class Measure extends Transform {
  bytes = 0;
  crc = 0;
  readonly sha256 = createHash('sha256');
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null, data?: Buffer) => void): void {
    this.bytes += chunk.length;
    this.crc = crc32(chunk, this.crc);
    this.sha256.update(chunk);
    callback(null, chunk);
  }
}

export class ZipStream {
  private readonly zip: ZipWriter;
  /** Every file written so far, in order. */
  readonly files: ZippedFile[] = [];

  private readonly out: Writable;

  constructor(out: Writable, options: ZipWriterOptions = {}) {
    this.out = out;
    this.zip = new ZipWriter({ memoryLimit: 4 << 20, ...options });
  }

  /**
   * One file: `write` writes its bytes into the stream it is given and ends it (as writeCsv
   * and writePdf do). Its deflated bytes go to `out` as they come, with backpressure.
   */
  async file(path: string, write: (sink: Writable) => Promise<unknown>, mtime = new Date()): Promise<ZippedFile> {
    const { header, entry } = this.zip.beginStreamed(path, mtime);
    await writeWithBackpressure(this.out, header);
    const sink = new PassThrough();
    const measure = new Measure();
    let compressed = 0;
    const out = this.out;
    // Into `out` without ending it: the next file follows.
    const forward = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        compressed += chunk.length;
        writeWithBackpressure(out, chunk).then(() => callback(), callback);
      },
    });
    const written = write(sink).catch((error: unknown) => {
      sink.destroy(error as Error);
      throw error;
    });
    await Promise.all([written, pipeline(sink, measure, createDeflateRaw({ level: 6 }), forward)]);
    await writeWithBackpressure(this.out, this.zip.endStreamed(entry, measure.crc, compressed, measure.bytes));
    const file = { path, bytes: measure.bytes, sha256: measure.sha256.digest('hex') };
    this.files.push(file);
    return file;
  }

  /** A small file given whole. */
  bytes(path: string, data: Uint8Array | string, mtime?: Date): Promise<ZippedFile> {
    return this.file(
      path,
      async (sink) => {
        sink.end(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
      },
      mtime,
    );
  }

  /** The central directory and end records; then `out` is ended. */
  async finish(): Promise<void> {
    try {
      for (const piece of this.zip.finish()) await writeWithBackpressure(this.out, piece);
    } finally {
      this.zip.dispose();
    }
    this.out.end();
  }

  /** Give up: the directory's temporary file, if any, is freed. */
  dispose(): void {
    this.zip.dispose();
  }
}
