/**
 * Exports in a worker thread of their own. An export of a million signatures makes a lot of
 * short-lived garbage (parsed records, SVG text, PDF objects); in the server's own thread V8
 * lets its heap grow far past what is alive before it collects, and the process's memory
 * stays high long after. A worker has its own heap, capped with `resourceLimits` (which
 * bounds that worker only, not the server), so the export runs in flat memory, and it never
 * holds the event loop that tablets' batches need. Should a worker run out of memory, that
 * export fails and the server goes on.
 *
 * The worker opens the same database (SQLite in WAL lets it read while the server writes;
 * PostgreSQL gives it a connection of its own) and sends the body in chunks; it sends more
 * only while the client keeps up (credit-based: at most WINDOW_BYTES unacknowledged).
 */
import type { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { drained } from './stream.ts';
import type { ExportJob } from './job.ts';

/** Bytes the worker may send ahead of what the client has taken. */
export const WINDOW_BYTES = 1 << 20;

/** The heap an export worker may use: enough for the fonts of every script, small enough to stay flat. */
const LIMITS = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 };
/**
 * The hand-in package also runs the chain check, which holds ~300 bytes per record of the
 * tablet it checks (one tablet at a time: handin-chains.ts), ~900 while it finishes: room
 * for a tablet of ~200,000 signatures, however many tablets the campaign has.
 */
const PACKAGE_LIMITS = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 8 };

export type WorkerMessage = { type: 'chunk'; data: Uint8Array } | { type: 'end'; rows: number } | { type: 'error'; message: string };

/**
 * Run `job` against the database `db` in a worker, streaming the body to `res` (write, end,
 * 'drain', 'close'); resolves with the rows it carried, or null when the client left first.
 */
export function exportInWorker(db: string, job: ExportJob, res: Writable): Promise<number | null> {
  const worker = new Worker(new URL('./worker-thread.ts', import.meta.url), { workerData: { db, job }, resourceLimits: job.kind === 'handin-package' ? PACKAGE_LIMITS : LIMITS });
  return new Promise<number | null>((resolve, reject) => {
    let done = false;
    const finish = (error?: Error, rows: number | null = null) => {
      if (done) return;
      done = true;
      void worker.terminate();
      if (error) reject(error);
      else resolve(rows);
    };
    // The client went away: stop the work at once.
    res.once('close', () => {
      if (!res.writableFinished) finish();
    });
    let writing = Promise.resolve();
    worker.on('message', (message: WorkerMessage) => {
      writing = writing.then(async () => {
        if (done) return;
        if (message.type === 'chunk') {
          if (!res.write(message.data)) await drained(res).catch(() => undefined);
          worker.postMessage({ type: 'ack', bytes: message.data.byteLength });
        } else if (message.type === 'end') {
          res.end();
          finish(undefined, message.rows);
        } else {
          finish(new Error(`The export failed: ${message.message}`));
        }
      });
    });
    worker.on('error', (error) => finish(error));
    worker.on('exit', (code) => finish(code === 0 || done ? undefined : new Error(`The export worker stopped (exit code ${code}).`)));
  });
}
