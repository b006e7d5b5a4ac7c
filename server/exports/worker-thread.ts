/** The export worker's own code (see exports/worker.ts): open the store, run the job, send the body. */
import { Writable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../store/open.ts';
import { runExport, type ExportJob } from './job.ts';
import { WINDOW_BYTES, type WorkerMessage } from './worker.ts';

const { db, job } = workerData as { db: string; job: ExportJob };
const port = parentPort!;
let unacknowledged = 0;
let waiting: (() => void) | undefined;
port.on('message', (message: { type: 'ack'; bytes: number }) => {
  unacknowledged -= message.bytes;
  if (unacknowledged < WINDOW_BYTES && waiting) {
    const wake = waiting;
    waiting = undefined;
    wake();
  }
});

const send = (message: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

const out = new Writable({
  write(chunk: Buffer, _encoding, callback) {
    // A copy of our own, so its memory can move to the server's thread.
    const data = new Uint8Array(chunk);
    unacknowledged += data.byteLength;
    send({ type: 'chunk', data }, [data.buffer as ArrayBuffer]);
    if (unacknowledged < WINDOW_BYTES) callback();
    else waiting = () => callback();
  },
});

const store = await openStore(db);
try {
  send({ type: 'end', rows: await runExport(store, job, out) });
} catch (error) {
  send({ type: 'error', message: (error as Error).message });
} finally {
  await store.close();
}
