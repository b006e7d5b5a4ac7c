/**
 * The device hash chain: each tablet chains every record it captures, per enrollment
 * (device id), so that loss, insertion and alteration can be told afterwards. Sealing
 * (seal.ts) keeps records confidential; this says whether the set of records is whole.
 *
 * Runs in the browser (kiosk, console) and in Node 24 alike, on WebCrypto's SHA-256.
 *
 * ## The links
 *
 *   link(0) = chainLink(genesisLink(deviceId), record 0)
 *   link(n) = chainLink(link(n-1), record n)
 *   chainLink(prev, r) = base64url(SHA-256("fieldsign-chain/v1\n" + prev + "\n" +
 *                                          canonicalJson(r without deviceId and chain)))
 *
 * The record is hashed exactly as sent (for a sealed campaign: with its sealed payload, so
 * the chain is checkable without opening anything; for a plain one: as parsed by
 * `SignatureRecordSchema`, which trims and lowercases some fields), minus `deviceId`, which
 * re-enrollment may change (S12, as for the content hash of S4), and minus the `chain`
 * field itself.
 *
 * What the tablet stores and sends, so that this can be checked:
 *
 *   - every record carries `chain: { device, seq, prev, link }` (`device`: the device id it
 *     was captured under, naming the chain; `seq`: 0, 1, 2… in capture order; `prev`: the
 *     previous link, or the genesis link for seq 0; `link`: its own link). This gives the
 *     server and the console the device order, which arrival order is not (retries, halved
 *     batches, transfer files), and survives re-enrollment;
 *   - the tablet keeps, in the same IndexedDB transaction as the record (S8), its chain
 *     head `{ device, seq, link }` and a log entry `{ id, link }` per record. The log holds
 *     no personal data, so it is kept when S19 drops the signer's details;
 *   - each batch reports the head, and the transfer file (S18) and a "chain report" carry
 *     the log, `{ device, entries: [{ id, link }, …] }` (entries in seq order).
 *
 * `verifyChain(records, log)` checks the records a coordinator holds (from the server or an
 * export) against a tablet's log: a record of the log that is absent is `missing` (or
 * `erased`, when the log says the tablet erased it itself); a record whose recomputed link
 * (from the log's previous link) differs from the log's is `altered`; a record the log does
 * not list, or a second copy, is `inserted`.
 *
 * A plain hash chain has no secret: whoever can rewrite the records can recompute every
 * link. It detects loss, insertion and alteration against a log or head obtained apart from
 * the records (read off the tablet, or a transfer file carried by hand), not against the
 * server's own copy of the log. Signing the head with a per-device key would lift that; no
 * such key exists in this version. Over what the server holds (heads the tablets reported,
 * tombstones of deletions on request), chain-check.ts checks every device's chain at once.
 */
import { canonicalJson } from './canonical-json.ts';
import type * as z from 'zod/mini';
import type { RecordChainSchema, SignatureRecord } from './protocol.ts';
import { sha256 } from './seal.ts';

const CHAIN_TAG = 'fieldsign-chain/v1';

/** A record's place in its device's chain: the record's `chain` field. */
export type RecordChain = z.infer<typeof RecordChainSchema>;

/** A record with (or, from older tablets, without) its `chain` field. */
export type ChainedRecord = SignatureRecord;

/** What a tablet keeps and reports about its chain: one entry per record, in seq order. */
export interface ChainLog {
  device: string;
  /** `erased`: the tablet erased this record's data before it reached the server (quick delete). */
  entries: ReadonlyArray<{ id: string; link: string; erased?: boolean }>;
}

/**
 * A problem found by `verifyChain`. `index` is, for `missing` and `altered`, the record's
 * position in the device's chain (its seq); for `inserted`, the position of the extra
 * record in the `records` given (it has no place in the chain).
 */
export interface ChainProblem {
  index: number;
  id?: string;
  /**
   * `erased`: absent, but the tablet's log says it erased it; `deleted`: absent, deleted on a
   * data-subject request (its tombstone keeps its place). Neither is a sign of tampering.
   */
  kind: 'altered' | 'missing' | 'inserted' | 'erased' | 'deleted';
}

/** `ok` with `erased` listed when the only gaps are records erased on the tablet or deleted on request. */
export type ChainVerdict = { ok: true; erased?: ChainProblem[] } | { ok: false; problems: ChainProblem[] };

/** The link the chain of device `deviceId` starts from (the `prev` of its seq 0). */
export async function genesisLink(deviceId: string): Promise<string> {
  return sha256(`${CHAIN_TAG}\ngenesis\n${deviceId}`);
}

/**
 * The link of `record` after `previousLink`: base64url SHA-256 over the chain tag, the
 * previous link and the canonical JSON of the record as sent, without `deviceId` (S12 may
 * re-stamp it) and without its own `chain` field.
 */
export async function chainLink(previousLink: string, record: ChainedRecord): Promise<string> {
  return sha256(`${CHAIN_TAG}\n${previousLink}\n${canonicalJson({ ...record, deviceId: undefined, chain: undefined })}`);
}

/**
 * The `chain` field for a newly captured record, after `head` (the device's latest
 * `chain`, or undefined for its first record). A head from another device id (the tablet
 * was re-enrolled) is not continued: the new enrollment starts its own chain.
 */
export async function nextChain(record: ChainedRecord, head?: Pick<RecordChain, 'device' | 'seq' | 'link'>): Promise<RecordChain> {
  const continues = head !== undefined && head.device === record.deviceId;
  const prev = continues ? head.link : await genesisLink(record.deviceId);
  return { device: record.deviceId, seq: continues ? head.seq + 1 : 0, prev, link: await chainLink(prev, record) };
}

/**
 * Check the records a coordinator holds for one device against that device's log (see
 * the top of this file). Records are matched to the log by id, so their order does not
 * matter; a record carrying a `chain` field must also agree with the log on it. Pass the
 * log as of the records' last sync: entries after it are reported `missing`. `deleted`: the
 * tombstones of records deleted on a data-subject request (S20); an absent record whose
 * tombstone has the log's link for it is `deleted`, not `missing`.
 */
export async function verifyChain(
  records: readonly ChainedRecord[],
  log: ChainLog,
  deleted: ReadonlyArray<{ id: string; link: string }> = [],
): Promise<ChainVerdict> {
  const deletedLink = new Map(deleted.map((d) => [d.id, d.link]));
  const problems: ChainProblem[] = [];
  const seqOf = new Map<string, number>();
  log.entries.forEach((entry, seq) => {
    if (!seqOf.has(entry.id)) seqOf.set(entry.id, seq);
  });
  const bySeq = new Map<number, ChainedRecord>();
  records.forEach((record, index) => {
    const seq = seqOf.get(record.id);
    if (seq === undefined || bySeq.has(seq)) problems.push({ index, id: record.id, kind: 'inserted' });
    else bySeq.set(seq, record);
  });
  let prev = await genesisLink(log.device);
  for (let seq = 0; seq < log.entries.length; seq++) {
    const entry = log.entries[seq];
    const record = bySeq.get(seq);
    if (!record) {
      const kind = entry.erased ? 'erased' : deletedLink.get(entry.id) === entry.link ? 'deleted' : 'missing';
      problems.push({ index: seq, id: entry.id, kind });
    } else {
      const c = record.chain;
      const embeddedAgrees = c === undefined || (c.device === log.device && c.seq === seq && c.prev === prev && c.link === entry.link);
      if (!embeddedAgrees || (await chainLink(prev, record)) !== entry.link) problems.push({ index: seq, id: record.id, kind: 'altered' });
    }
    // The log's own link, not a recomputed one: one altered record does not taint the rest.
    prev = entry.link;
  }
  problems.sort((a, b) => a.index - b.index);
  if (problems.length === 0) return { ok: true };
  return problems.every((p) => p.kind === 'erased' || p.kind === 'deleted') ? { ok: true, erased: problems } : { ok: false, problems };
}
