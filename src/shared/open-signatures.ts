/**
 * Reading sealed signatures back, the same way in the console (browser) and in the CLI
 * export (Node): open each stored record with the coordinator's key, check every device's
 * hash chain, look for possible duplicate signers among the opened ones, and write down
 * what was verified (the integrity report).
 *
 *   1. `openHeld(row, key)` opens one stored record (a plain one is taken as it is); a
 *      failure names the record and says why (the SealError's message);
 *   2. `createSealedReader(key)` does that for every record as they stream by, feeding the
 *      chain check (chain-check.ts) and the duplicate finder, and keeps the failures;
 *   3. `finish(heads, names, deletions)` gives the `IntegrityReport`; `integrityReportText`
 *      words it. `deletions` are the signatures deleted on a data-subject request: the
 *      tombstones' chain places let the chain check count those gaps as deleted, not missing.
 *
 * A record that fails to open is left out of the hand-in and the contacts, and listed with
 * its id and reason; the others are still read. Nothing here keeps a record after it has
 * been handed back.
 */
import { createChainCheck, type ChainReport, type DeletedChainPlace, type DeviceNames } from './chain-check.ts';
import { tabletName } from './chain-summary.ts';
import { createDuplicateFinder, type DuplicateGroup } from './duplicates.ts';
import type { ChainHead, SignatureRecord } from './protocol.ts';
import { openPayload, sealContextOf, SealError, type OpeningKey, type PlainPayload, type SealErrorReason } from './seal.ts';

/** A signature as the server holds it (the fields of a StoredSignature this needs). */
export interface HeldSignature {
  /** Arrival order on the server. */
  seq: number;
  id: string;
  deviceId: string;
  receivedAt: string;
  record: SignatureRecord;
}

/** A record whose payload is in clear (opened, or never sealed). */
export type OpenedRecord = SignatureRecord & { payload: PlainPayload };

/** A record that could not be opened. */
export interface OpenFailure {
  id: string;
  /** The device it was captured on (its chain's device, else its deviceId). */
  device: string;
  /** Its place in that device's chain, when it has one. */
  chainSeq: number | undefined;
  reason: SealErrorReason | 'error';
  /** For people; names the record. */
  message: string;
}

export type OpenResult<T extends HeldSignature> = { ok: true; row: T & { record: OpenedRecord }; sealed: boolean } | { ok: false; failure: OpenFailure };

/** Open one stored record with the coordinator's key; a plain record is returned as it is. */
export async function openHeld<T extends HeldSignature>(row: T, key: OpeningKey | undefined): Promise<OpenResult<T>> {
  const record = row.record;
  if (record.payload.kind === 'plain') return { ok: true, row: row as T & { record: OpenedRecord }, sealed: false };
  try {
    if (!key) throw new SealError(`Record ${record.id}: it is sealed, and no key was given to open it.`, 'wrong-key', record.id);
    const payload = await openPayload(record.payload, sealContextOf(record), key);
    return { ok: true, row: { ...row, record: { ...record, payload } }, sealed: true };
  } catch (error) {
    const reason = error instanceof SealError ? error.reason : 'error';
    const message = error instanceof SealError ? error.message : `Record ${record.id}: ${(error as Error)?.message ?? String(error)}`;
    return { ok: false, failure: { id: record.id, device: record.chain?.device ?? record.deviceId, chainSeq: record.chain?.seq, reason, message } };
  }
}

/** What the server knows of signatures deleted on a data-subject request (S20). */
export interface DeletionsOnRequest {
  /** How many, from the audit log. */
  count: number;
  /** The chain places their tombstones kept (none for unchained records and older tombstones). */
  places: DeletedChainPlace[];
}

/** Everything verified about the signatures read. */
export interface IntegrityReport {
  /** The key id of the private key used, if one was. */
  keyId: string | undefined;
  /** Records read from the server. */
  held: number;
  /** Of which sealed, and of those opened. */
  sealed: number;
  opened: number;
  /** Records stored in clear (an unsealed campaign, or older tablets). */
  plain: number;
  failures: OpenFailure[];
  chain: ChainReport;
  duplicates: DuplicateGroup[];
  /** Signatures deleted on a data-subject request, when known (the chain report counts those whose place fits). */
  deletedOnRequest: number | undefined;
  /** Of those, how many no chain accounts for (no place kept, or one that does not fit): a gap one left shows as missing. */
  deletedWithoutPlace: number;
  /** Every record opened and every chain intact. */
  ok: boolean;
  /** One line for people. */
  summary: string;
}

/** Open every record as it streams by, and keep what the integrity report needs. */
export function createSealedReader(key: (OpeningKey & { keyId?: string }) | undefined) {
  const chain = createChainCheck();
  const duplicates = createDuplicateFinder();
  const failures: OpenFailure[] = [];
  let held = 0, sealed = 0, opened = 0, plain = 0;
  return {
    /** Open `row`; the opened row, or undefined when it failed (the failure is kept). */
    async read<T extends HeldSignature>(row: T): Promise<(T & { record: OpenedRecord }) | undefined> {
      held++;
      await chain.add(row.record);
      const result = await openHeld(row, key);
      if (row.record.payload.kind === 'sealed') sealed++;
      else plain++;
      if (!result.ok) {
        failures.push(result.failure);
        return undefined;
      }
      if (result.sealed) opened++;
      duplicates.add(row.id, result.row.record.payload.signer);
      return result.row;
    },
    async finish(heads: Iterable<ChainHead> = [], names?: DeviceNames, deletions?: DeletionsOnRequest): Promise<IntegrityReport> {
      const chainReport = await chain.finish(heads, names, deletions?.places);
      const ok = failures.length === 0 && chainReport.ok;
      const keyId = key && 'keyId' in key ? key.keyId : undefined;
      const deletedOnRequest = deletions?.count;
      const deletedWithoutPlace = Math.max(0, (deletedOnRequest ?? 0) - chainReport.deletedOnRequest);
      const report = { keyId, held, sealed, opened, plain, failures, chain: chainReport, duplicates: duplicates.groups(), deletedOnRequest, deletedWithoutPlace, ok };
      return { ...report, summary: reportSummary(report) };
    },
  };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

function reportSummary(r: Omit<IntegrityReport, 'summary'>): string {
  const deleted = r.chain.deletedOnRequest ? `; ${r.chain.deletedOnRequest.toLocaleString('en')} deleted on request` : '';
  if (r.ok) return `OK: all ${plural(r.held, 'signature')} read${r.sealed ? ` (${r.opened.toLocaleString('en')} opened)` : ''}, every device chain intact${deleted}.`;
  const problems: string[] = [];
  if (r.failures.length) problems.push(`${plural(r.failures.length, 'signature')} could not be opened`);
  if (!r.chain.ok) {
    const broken = r.chain.devices.filter((d) => !d.ok).length;
    problems.push(`the chain check failed on ${broken} of ${plural(r.chain.devices.length, 'device chain')}`);
  }
  return `PROBLEMS FOUND: ${problems.join('; ')}.`;
}

/** Where the report came from, for its heading. */
export interface ReportContext {
  generatedAt: string;
  /** E.g. "the server at https://…", "database data/fieldsign.db". */
  source: string;
  /** The files written beside it, to name them. */
  files?: string[];
}

/** Failures of the same kind, worded once: "12 sealed for another key (X)". */
function wrongKeyNote(r: IntegrityReport): string | undefined {
  const wrong = r.failures.filter((f) => f.reason === 'wrong-key');
  if (wrong.length === 0) return undefined;
  return (
    `${plural(wrong.length, 'signature was', 'signatures were')} sealed for a different key than the one used` +
    `${r.keyId ? ` (${r.keyId})` : ''}: unlock the private key file whose key id each failure names.`
  );
}

/**
 * The deletions on request, for people: those whose tombstone kept a place that fits are in
 * the chain verdicts as "deleted on request"; the others (deleted before the server kept chain
 * places, never chained, or a place that does not fit) may show as missing.
 */
export function deletionsNote(r: Pick<IntegrityReport, 'deletedOnRequest' | 'deletedWithoutPlace' | 'chain'>): string {
  const total = `${plural(r.deletedOnRequest ?? 0, 'signature was', 'signatures were')} deleted on a data-subject request (see the audit log)`;
  if (r.deletedWithoutPlace === 0) return `Note: ${total}; the tablet chains list each one where it was, as deleted on request.`;
  const without =
    r.deletedWithoutPlace !== r.deletedOnRequest
      ? `${r.deletedWithoutPlace.toLocaleString('en')} of them have no place in a chain that accounts for them`
      : r.deletedOnRequest === 1
        ? 'it has no place in a chain that accounts for it'
        : 'none of them has a place in a chain that accounts for it';
  return (
    `Note: ${total}; ${without} (deleted before the server kept chain places, never chained, or a place that does not fit): ` +
    'a gap such a deletion left shows as missing.'
  );
}

/** The integrity report as plain text (integrity.txt), for people and for the file. */
export function integrityReportText(r: IntegrityReport, context: ReportContext): string {
  const lines: string[] = [];
  lines.push('Fieldsign integrity report', '==========================', '');
  lines.push(`Generated: ${context.generatedAt}`);
  lines.push(`Source:    ${context.source}`);
  lines.push(`Key:       ${r.keyId ?? '(none)'}`);
  lines.push('', `Result: ${r.summary}`, '');
  lines.push('What was verified:');
  lines.push('- Each sealed signature was opened with the key above. AES-256-GCM checks that its ciphertext, its');
  lines.push('  wrapped key and the record details it is bound to (id, device, campaign, capture time) are exactly');
  lines.push('  what the tablet sealed: one changed byte and it does not open.');
  lines.push('- Each tablet\'s hash chain was recomputed over the records held, in capture order, and compared with');
  lines.push('  the chain head the tablet last reported: a removed, inserted, reordered or altered record breaks it.');
  lines.push('- Possible duplicate signers: the same email, or the same name and country, among the opened signatures.');
  lines.push('');
  lines.push(`Signatures held: ${r.held.toLocaleString('en')} (${r.sealed.toLocaleString('en')} sealed, ${r.plain.toLocaleString('en')} in clear)`);
  lines.push(`Opened:          ${r.opened.toLocaleString('en')} of ${r.sealed.toLocaleString('en')} sealed`);
  lines.push(`Failed to open:  ${r.failures.length.toLocaleString('en')}${r.failures.length ? ' (left out of the hand-in and contact lists)' : ''}`);
  const note = wrongKeyNote(r);
  if (note) lines.push(`  ${note}`);
  const labels = new Map(r.chain.devices.map((d) => [d.device, d.label]));
  for (const f of r.failures) {
    const tablet = tabletName(f.device, labels.get(f.device));
    const where = f.chainSeq !== undefined ? `${tablet}, seq ${f.chainSeq}` : tablet;
    lines.push(`  - ${f.id} (${where}): ${f.message}`);
  }
  lines.push('', 'Device chains:');
  if (r.chain.devices.length === 0) lines.push('  (no chained records)');
  for (const d of r.chain.devices) lines.push(`  - ${d.summary}`);
  lines.push(`  ${r.chain.summary}`);
  if (r.deletedOnRequest) lines.push(`  ${deletionsNote(r)}`);
  lines.push('', `Possible duplicate signers: ${plural(r.duplicates.length, 'group')}${r.duplicates.length ? ' (flagged for review, none dropped)' : ''}`);
  for (const g of r.duplicates.slice(0, 1000)) lines.push(`  - same ${g.reason === 'email' ? 'email' : 'name and country'}: ${g.ids.join(', ')}`);
  if (r.duplicates.length > 1000) lines.push(`  … and ${r.duplicates.length - 1000} more groups`);
  if (context.files?.length) lines.push('', `Files: ${context.files.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
