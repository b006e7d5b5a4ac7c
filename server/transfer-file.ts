/**
 * The offline transfer file: pending signatures a volunteer exported from a tablet that
 * could not reach the server. Importing goes through the same idempotent ingestion as
 * network sync, so a file imported twice, or imported and also synced, stores each once.
 */
import * as z from 'zod/mini';
import { PROTOCOL_VERSION } from '../src/shared/protocol.ts';
import { TransferFileSchema } from '../src/shared/transfer.ts';
import { ingestBatch, type IngestOutcome } from './ingest.ts';
import type { Store } from './store/store.ts';
import type { Actor } from './devices.ts';
import type { SignatureRecord } from '../src/shared/protocol.ts';
import { verifyChain, type ChainLog, type ChainProblem, type ChainVerdict } from '../src/shared/chain.ts';

/** Figures of one import. */
export interface ImportSummary {
  records: number;
  accepted: number;
  duplicate: number;
  conflict: number;
  invalid: Array<{ id: string; reason: string }>;
  /** The file's chain logs checked against what the server now holds (S23), per device. */
  chains: Array<{ device: string; entries: number; verdict: ChainVerdict }>;
}

/** Why ingestion could refuse an import as a whole (the file was parsed already, so hardly ever). */
const IMPORT_REFUSALS: Record<Exclude<IngestOutcome['kind'], 'judged'>, string> = {
  malformed: 'the records are not in the expected shape.',
  incompatible: 'this server does not speak the protocol of this file.',
  wrong_device: 'the records belong to another device than the file names.',
};

/**
 * Import the text of a transfer file, audited under `actor` with its figures. Throws an Error
 * with a readable message if it is not one (nothing is then stored or audited).
 */
export async function importTransferFile(store: Store, text: string, actor: Actor, now = new Date()): Promise<ImportSummary> {
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
  const summary: ImportSummary = { records: file.records.length, accepted: 0, duplicate: 0, conflict: 0, invalid: [], chains: [] };
  for (let i = 0; i < file.records.length; i += 500) {
    const chunk = file.records.slice(i, i + 500);
    const outcome = await ingestBatch(store, { protocol: PROTOCOL_VERSION, deviceId: file.deviceId, records: chunk }, { source: 'import', now });
    if (outcome.kind !== 'judged') throw new Error(`Import refused: ${IMPORT_REFUSALS[outcome.kind]}`);
    for (const r of outcome.response.results) {
      if (r.status === 'invalid') summary.invalid.push({ id: r.id, reason: r.issues?.map((x) => `${x.path}: ${x.message}`).join('; ') ?? '' });
      else summary[r.status]++;
    }
  }
  for (const log of file.chains ?? []) summary.chains.push({ device: log.device, entries: log.entries.length, verdict: await checkChainLog(store, log) });
  const { records, accepted, duplicate, conflict } = summary;
  await store.audit({
    at: now.toISOString(),
    actor,
    action: 'import-transfer-file',
    detail: { deviceId: file.deviceId, records, accepted, duplicate, conflict, invalid: summary.invalid.length, chainsIntact: summary.chains.every((c) => c.verdict.ok) },
  });
  return summary;
}

/**
 * S23: check a tablet's chain log (carried by hand, apart from the server) against the
 * records the server holds for it. A record the server lacks is `missing`, unless the log
 * says the tablet erased it; one whose content differs is `altered`.
 */
export async function checkChainLog(store: Store, log: ChainLog): Promise<ChainVerdict> {
  const held: SignatureRecord[] = [];
  for (const entry of log.entries) {
    const stored = await store.getSignature(entry.id);
    if (stored) held.push(stored.record);
  }
  // A record deleted on a data-subject request is absent by design (S20): its tombstone keeps its place.
  const tombstones = (await store.deletedChainPlaces()).filter((p) => p.device === log.device);
  return verifyChain(held, log, tombstones);
}

/** One line per device for a person: "intact", or what is wrong and with which records. */
export function describeChainCheck(check: ImportSummary['chains'][number]): string {
  const { device, entries, verdict } = check;
  const list = (kind: string, problems: ChainProblem[]) => {
    const of = problems.filter((p) => p.kind === kind);
    return of.length ? `${of.length} ${kind} (${of.slice(0, 5).map((p) => `#${p.index} ${p.id ?? ''}`.trim()).join(', ')}${of.length > 5 ? ', …' : ''})` : '';
  };
  if (verdict.ok) {
    const count = (kind: string) => verdict.erased?.filter((p) => p.kind === kind).length ?? 0;
    const erased = count('erased') ? `; ${count('erased')} erased on the tablet before they were sent` : '';
    const deleted = count('deleted') ? `; ${count('deleted')} deleted on a data-subject request` : '';
    return `Chain of tablet ${device}: ${entries} records, intact${erased}${deleted}.`;
  }
  const parts = ['missing', 'altered', 'inserted', 'erased', 'deleted'].map((k) => list(k, verdict.problems)).filter(Boolean);
  return `Chain of tablet ${device}: ${entries} records, NOT intact: ${parts.join('; ')}.`;
}
