/**
 * The offline transfer file: pending signatures a volunteer exported from a tablet that
 * could not reach the server. Importing goes through the same idempotent ingestion as
 * network sync, so a file imported twice, or imported and also synced, stores each once.
 */
import * as z from 'zod/mini';
import { PROTOCOL_VERSION } from '../src/shared/protocol.ts';
import { TransferFileSchema } from '../src/shared/transfer.ts';
import { ingestBatch } from './ingest.ts';
import type { Store } from './store/store.ts';

/** Figures of one import. */
export interface ImportSummary {
  records: number;
  accepted: number;
  duplicate: number;
  conflict: number;
  invalid: Array<{ id: string; reason: string }>;
}

/** Import the text of a transfer file. Throws an Error with a readable message if it is not one. */
export async function importTransferFile(store: Store, text: string, now = new Date()): Promise<ImportSummary> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('This file is not a Fieldsign transfer file (it is not JSON).');
  }
  const parsed = z.safeParse(TransferFileSchema, json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`This file is not a Fieldsign transfer file: ${first.path.join('.') || '(root)'}: ${first.message}`);
  }
  const file = parsed.data;
  const summary: ImportSummary = { records: file.records.length, accepted: 0, duplicate: 0, conflict: 0, invalid: [] };
  for (let i = 0; i < file.records.length; i += 500) {
    const chunk = file.records.slice(i, i + 500);
    const reply = await ingestBatch(store, { protocol: PROTOCOL_VERSION, deviceId: file.deviceId, records: chunk }, { source: 'import', now });
    if (!('results' in reply.body)) throw new Error(`Import refused: ${reply.body.error.message}`);
    for (const r of reply.body.results) {
      if (r.status === 'invalid') summary.invalid.push({ id: r.id, reason: r.issues?.map((x) => `${x.path}: ${x.message}`).join('; ') ?? '' });
      else summary[r.status]++;
    }
  }
  return summary;
}
