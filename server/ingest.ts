/**
 * Ingestion: the one path by which signatures enter the server (network sync today, file
 * import later). Parses the batch with the shared schemas, judges each record on its own,
 * and hands the valid ones to the store in one transaction.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import {
  BatchRequestSchema,
  MIN_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  SignatureRecordSchema,
  toFieldIssues,
  type BatchResponse,
  type ErrorResponse,
  type RecordResult,
} from '../src/shared/protocol.ts';
import type { IngestItem, Store } from './store/store.ts';

/** An HTTP-shaped answer: status code and JSON body. */
export interface Reply {
  status: number;
  body: BatchResponse | ErrorResponse;
}

/** Store the records of one batch; see PROTOCOL.md for the rules. */
export async function ingestBatch(store: Store, body: unknown, now: Date = new Date()): Promise<Reply> {
  const envelope = z.safeParse(BatchRequestSchema, body);
  if (!envelope.success) {
    return {
      status: 400,
      body: { error: { code: 'bad_request', message: 'The batch is not in the expected shape.', issues: toFieldIssues(envelope.error) } },
    };
  }
  const { protocol, deviceId, records } = envelope.data;
  if (protocol < MIN_PROTOCOL_VERSION || protocol > PROTOCOL_VERSION) {
    const tooOld = protocol < MIN_PROTOCOL_VERSION;
    return {
      status: 400,
      body: {
        error: {
          code: 'incompatible_protocol',
          message: tooOld ? 'This app is too old for the server. Please update the app.' : 'The server is older than this app. Please update the server.',
          supported: { min: MIN_PROTOCOL_VERSION, max: PROTOCOL_VERSION },
        },
      },
    };
  }

  const results: RecordResult[] = new Array(records.length);
  const valid: Array<{ index: number; item: IngestItem }> = [];
  records.forEach((raw, index) => {
    const parsed = z.safeParse(SignatureRecordSchema, raw);
    const id = recordLabel(raw, index);
    if (!parsed.success) {
      results[index] = { id, status: 'invalid', issues: toFieldIssues(parsed.error, `records.${index}`) };
    } else if (parsed.data.deviceId !== deviceId) {
      results[index] = {
        id,
        status: 'invalid',
        issues: [{ path: `records.${index}.deviceId`, message: 'The record belongs to another device than the batch.' }],
      };
    } else {
      valid.push({ index, item: { record: parsed.data, hash: contentHash(parsed.data) } });
    }
  });

  const receivedAt = now.toISOString();
  const outcomes = await store.ingest(valid.map((v) => v.item), receivedAt);
  valid.forEach(({ index, item }, i) => {
    results[index] = { id: item.record.id, status: outcomes[i] };
  });

  const anyInvalid = results.some((r) => r.status === 'invalid');
  return { status: anyInvalid ? 422 : 200, body: { protocol: PROTOCOL_VERSION, receivedAt, results } };
}

/** The id to report for a record: its own id when it has a plausible one, else its position. */
function recordLabel(raw: unknown, index: number): string {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof raw === 'object' && raw !== null && typeof id === 'string' && /^[0-9a-fA-F-]{1,64}$/.test(id) ? id : `#${index}`;
}

/** SHA-256 of the record's canonical JSON (keys sorted), so key order never makes a conflict. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
