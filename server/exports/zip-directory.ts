/**
 * The central directory of a zip being written: one record per file, needed only at the very
 * end of the archive. 1,000,000 files make about 86 MB of it, so past `memoryLimit` bytes it
 * goes to a temporary file instead of memory, and is read back in 1 MB pieces at the end.
 *
 * The file is unlinked as soon as it is opened (and its folder removed): nothing is left on
 * disk whatever happens to the process, and the space is freed when `close` (or the process's
 * end) closes the descriptor. It holds file names (signature ids), sizes and checksums only.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Records are gathered in chunks of this size; a chunk is also what one read gives back. */
const CHUNK = 1 << 20;

export class ZipDirectory {
  /** Sealed chunks kept in memory (none once spilled). */
  private held: Buffer[] = [];
  private heldBytes = 0;
  private current = Buffer.alloc(CHUNK);
  private used = 0;
  private fd: number | undefined;
  private spilledBytes = 0;
  /** Total bytes of directory so far. */
  length = 0;

  private readonly memoryLimit: number;

  /** @param memoryLimit bytes kept in memory before spilling to a temporary file (default: never spill). */
  constructor(memoryLimit = Infinity) {
    this.memoryLimit = memoryLimit;
  }

  /** Whether the directory went to a temporary file. */
  get spilled(): boolean {
    return this.fd !== undefined;
  }

  /** `n` bytes of the directory to fill in, in order (a record never straddles two chunks). */
  reserve(n: number): Buffer {
    if (this.used + n > this.current.length) this.seal(Math.max(CHUNK, n));
    // Zeroed: a chunk is reused once written out, and a record's unset fields must read 0.
    const slice = this.current.subarray(this.used, this.used + n).fill(0);
    this.used += n;
    this.length += n;
    return slice;
  }

  /** The directory in pieces of at most 1 MB, in order; then the spill file (if any) is closed. */
  *pieces(): Generator<Buffer> {
    try {
      yield* this.held;
      for (let at = 0; at < this.spilledBytes; ) {
        const piece = Buffer.allocUnsafe(Math.min(CHUNK, this.spilledBytes - at));
        let got = 0;
        while (got < piece.length) got += readSync(this.fd!, piece, got, piece.length - got, at + got);
        at += got;
        yield piece;
      }
      if (this.used) yield this.current.subarray(0, this.used);
    } finally {
      this.close();
    }
  }

  /** Close the spill file, if any: its space is freed. Safe to call twice. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Put the current chunk away (in memory, or in the file past the limit) and start one of `size` bytes. */
  private seal(size: number): void {
    const full = this.current.subarray(0, this.used);
    if (this.fd === undefined && this.heldBytes + full.length <= this.memoryLimit) {
      this.held.push(full);
      this.heldBytes += full.length;
      this.current = Buffer.alloc(size);
    } else {
      if (this.fd === undefined) this.fd = openSpillFile();
      for (const chunk of [...this.held, full]) this.write(chunk);
      this.held = [];
      this.heldBytes = 0;
      // Written out, so the chunk can be reused.
      if (this.current.length < size) this.current = Buffer.alloc(size);
    }
    this.used = 0;
  }

  private write(chunk: Buffer): void {
    for (let done = 0; done < chunk.length; ) done += writeSync(this.fd!, chunk, done, chunk.length - done, this.spilledBytes + done);
    this.spilledBytes += chunk.length;
  }
}

/** A new file readable by its owner only, already unlinked: only the descriptor reaches it. */
function openSpillFile(): number {
  const dir = mkdtempSync(join(tmpdir(), 'fieldsign-zip-'));
  const path = join(dir, 'directory');
  try {
    const fd = openSync(path, 'w+', 0o600);
    unlinkSync(path);
    return fd;
  } finally {
    rmdirSync(dir);
  }
}
