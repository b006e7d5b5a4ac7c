/**
 * What every console export shares: reading the store in small pages, yielding to the event
 * loop between them, backpressure, download headers, and telling a client that left from a
 * real failure.
 *
 * Why the yielding: node:sqlite is synchronous, so `await store.list()` resolves as a
 * microtask, and a socket to a fast client takes every write at once (its 'drain' comes on
 * the next tick, not after I/O). An export loop that only awaits those never gives the event
 * loop a turn: at 1,000,000 signatures the zip and the PDF held /api/health for seconds.
 * `allSignatures` therefore hands the loop back (setImmediate) whenever the export has run
 * for `SLICE_MS` since its last turn, whatever took the time: the read, or the consumer's
 * work on the rows it was given (a for-await consumer runs between two of our yields).
 */
import { Transform, type Writable } from 'node:stream';
import type { Campaign } from '../../src/shared/campaign.ts';
import type { ListOptions, Store, StoredSignature } from '../store/store.ts';

/**
 * Rows read from the store per query: small, so that rows die young (a 250-row page lived
 * long enough to be promoted to the old heap: +50 MB of RSS for the zip at 20,000 rows).
 */
export const PAGE_SIZE = 50;

/** Longest the export runs before it lets other requests in (ms). */
export const SLICE_MS = 5;

/**
 * A pacer: `await pace()` returns at once until `sliceMs` have passed since the last turn it
 * gave, then waits for one turn of the event loop (timers and I/O run first).
 */
export function pacer(sliceMs = SLICE_MS): () => Promise<void> | undefined {
  let since = performance.now();
  return () => {
    if (performance.now() - since < sliceMs) return undefined;
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        since = performance.now();
        resolve();
      }),
    );
  };
}

/** What an export of one campaign needs: its id, its current text (file names, sealing) and its versions' hashes. */
export interface ExportCampaign {
  id: string;
  content?: Campaign;
  /** Published content hash of each version (null: text not recorded). */
  versionHashes?: ReadonlyMap<number, string | null>;
}

/** Which signatures an export reads: of one campaign (and version and language), or every one. */
export type ExportScope = Omit<ListOptions, 'afterSeq' | 'limit'>;

/**
 * Every stored signature of `scope` in arrival order, one small store page at a time, paced
 * (see above), each with its version's published hash when `versionHashes` is given.
 */
export async function* allSignatures(
  store: Store,
  scope: ExportScope = {},
  versionHashes?: ReadonlyMap<number, string | null>,
  pageSize = PAGE_SIZE,
): AsyncGenerator<StoredSignature & { versionHash?: string | null }> {
  const pace = pacer();
  let afterSeq = 0;
  for (;;) {
    const page = await store.list({ ...scope, afterSeq, limit: pageSize });
    for (const row of page) {
      yield versionHashes ? { ...row, versionHash: versionHashes.get(row.record.campaignVersion) ?? null } : row;
      await pace();
    }
    if (page.length < pageSize) return;
    afterSeq = page[page.length - 1].seq;
    await pace();
  }
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** `<campaign>-<what>-<date>.<ext>`, safe as a file name. */
export function fileName(campaign: { id: string } | undefined, what: string, ext: string): string {
  const id = (campaign?.id ?? 'fieldsign').replace(/[^A-Za-z0-9_-]/g, '_');
  return `${id}-${what}-${today()}.${ext}`;
}

/** Headers every export shares: a download, never cached (it holds personal data). */
export function downloadHeaders(contentType: string, name: string): Record<string, string> {
  return {
    'content-type': contentType,
    'content-disposition': `attachment; filename="${name}"`,
    'cache-control': 'private, no-store',
  };
}

/** The client went away mid-download: stop quietly, nothing to report. */
export class ExportAborted extends Error {
  override name = 'ExportAborted';
}

const ABORT_CODES = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED', 'ECONNRESET', 'EPIPE']);

/** Whether `error` only says that the client disconnected. */
export function isAbort(error: unknown, res: Writable): boolean {
  return error instanceof ExportAborted || (res.destroyed && ABORT_CODES.has((error as { code?: string } | null)?.code ?? ''));
}

/** Bytes gathered before they go to the socket: one write per ~64 KB, not one per row. */
export const CHUNK_BYTES = 64 * 1024;

/**
 * Gather small chunks into ~64 KB ones. csv-stringify emits one chunk per row and pdfkit one
 * per PDF token line; written one by one, each would become its own HTTP chunk and syscall.
 */
export function coalesce(): Transform {
  let parts: Buffer[] = [];
  let size = 0;
  const take = () => {
    const out = Buffer.concat(parts, size);
    parts = [];
    size = 0;
    return out;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      parts.push(chunk);
      size += chunk.length;
      callback(null, size >= CHUNK_BYTES ? take() : undefined);
    },
    flush(callback) {
      callback(null, size ? take() : undefined);
    },
  });
}

/** Wait until `res` wants more bytes; throws ExportAborted if the client disconnects instead. */
export function drained(res: Writable): Promise<void> {
  if (res.destroyed) return Promise.reject(new ExportAborted());
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      res.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      res.off('drain', onDrain);
      reject(new ExportAborted());
    };
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

/** Write `chunk`, then wait while `res` is backed up; throws ExportAborted once the client left. */
export async function writeWithBackpressure(res: Writable, chunk: Uint8Array): Promise<void> {
  if (res.destroyed) throw new ExportAborted();
  res.write(chunk);
  if (res.writableNeedDrain) await drained(res);
}
