/**
 * The server paired with the client in memory: a Transport that runs the real ingestion
 * against a real (in-memory) SQLite store, with hooks that let a test decide what happens
 * to each message — deliver it, drop it before the server sees it, or lose the answer
 * after the server committed.
 */
import { SqliteStore } from '../../server/store/sqlite.ts';
import { ingestBatch } from '../../server/ingest.ts';
import '../../server/zod-locale.ts';
import type { BatchRequest } from '../../src/shared/protocol.ts';
import type { SendResult, Transport } from '../../src/sync/transport.ts';

/** What to do with the next request. */
export type Fate = 'deliver' | 'drop-request' | 'drop-response' | 'server-error';

export class MemoryServer implements Transport {
  readonly store = new SqliteStore(':memory:');
  /** Every batch the client tried to send, in order. */
  readonly requests: BatchRequest[] = [];
  private fates: Fate[] = [];

  /** Queue the fates of the next requests; unqueued requests are delivered. */
  plan(...fates: Fate[]): void {
    this.fates.push(...fates);
  }

  async send(batch: BatchRequest): Promise<SendResult> {
    // Round-trip through JSON like the network would.
    const body = JSON.parse(JSON.stringify(batch));
    this.requests.push(body);
    const fate = this.fates.shift() ?? 'deliver';
    if (fate === 'drop-request') return { kind: 'retry', problem: 'offline', reason: 'offline' };
    if (fate === 'server-error') return { kind: 'retry', problem: 'server', reason: 'server busy or failing (HTTP 503)' };
    const reply = await ingestBatch(this.store, body, { deviceId: body.deviceId, source: 'sync' });
    if (fate === 'drop-response') return { kind: 'retry', problem: 'network', reason: 'network error: connection reset' };
    if ('results' in reply.body) return { kind: 'ok', response: reply.body };
    const { error } = reply.body;
    if (error.code === 'incompatible_protocol') return { kind: 'incompatible', message: error.message };
    return { kind: 'rejected', status: reply.status, message: error.message };
  }
}
