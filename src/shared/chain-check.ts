/**
 * The device chain check over what the server holds (the chain itself is chain.ts): each
 * record carries `chain: { device, seq, prev, link }`, and each tablet reports its chain head
 * `{ device, seq, link }` with every batch. From those alone, per device:
 *
 *   1. group the records by `chain.device` and order them by `chain.seq` (arrival order
 *      means nothing: retries, halved batches and transfer files reorder them);
 *   2. a record is `altered` when its link does not recompute (`chainLink(prev, record)`:
 *      its content, or its `prev`, was changed), or when its `prev` is not the link of the
 *      record before it (it was moved, or its neighbour's link was rewritten);
 *   3. a seq with no record between 0 and the last record is `missing`; so is every seq
 *      after the last record up to the head the tablet last reported; a head whose link is
 *      not the link of the record held at its seq means the chain was rewritten;
 *   4. a second record at a seq already taken is `inserted` (the one that fits the chain
 *      stays; if none fits better, all of them are reported);
 *   5. records without a `chain` (older tablets, or imports from them) are counted as
 *      "unchained": nothing can be said about them.
 *
 * Records after the reported head are no problem (a transfer file may bring them later).
 * A signature deleted on a data-subject request leaves a gap too, but its tombstone keeps
 * its place (`DeletedChainPlace`: device, seq, link; rule S20): a gap at such a place is
 * "deleted on request", not missing, when the tombstone fits the chain there (the next
 * record held must follow its link; when it is the reported head, the head's link must be
 * its link). One that does not fit is a lie about what was there: the gap stays missing.
 * A volunteer's quick delete erases a signature on the tablet before it is sent, which
 * leaves a gap; each tablet reports how many it erased (`erased`, a running total), and
 * gaps no more numerous than that are accounted for, and said so, rather than a failure.
 * As chain.ts says, a plain hash chain has no secret: someone who rewrites the database can
 * recompute every link. The head reported by the tablet, and the tablet's own log, are what
 * anchor the chain; this check catches loss, insertion and alteration that did not also
 * rewrite everything after it up to the head.
 *
 * Runs in the browser (the console) and in Node (the CLI export). It keeps ~200 bytes per
 * record, never the records themselves, so 100,000 records can be checked as they stream by.
 */
import type { ChainHead } from './protocol.ts';
import { chainLink, genesisLink, type ChainedRecord } from './chain.ts';
import { deviceSummary, overallSummary } from './chain-summary.ts';
import { countOf, toRanges, withoutSeqs } from './seq-ranges.ts';

/** A record, as far as the chain check is concerned. */
interface Entry {
  id: string;
  seq: number;
  prev: string;
  link: string;
  /** Whether `chainLink(prev, record)` recomputes to `link`. */
  linkOk: boolean;
}

/** A record that does not fit its chain. */
export interface AlteredRecord {
  seq: number;
  id: string;
  /** `content`: its link does not recompute; `prev`: it does not follow the record before it. */
  why: 'content' | 'prev';
}

/** The verdict on one device's chain. */
export interface DeviceChainVerdict {
  /** The device id the records were captured under (it names the chain). */
  device: string;
  /** The tablet's name in the console, when it has one. */
  label: string | null;
  /** Records held for this chain, extra copies included. */
  records: number;
  /** Lowest and highest seq held; -1 when none is held (only a reported head). */
  firstSeq: number;
  lastSeq: number;
  /** The chain head the tablet last reported, if any. */
  head: ChainHead | undefined;
  /** Seqs with no record, as inclusive ranges [from, to]. */
  missing: Array<[number, number]>;
  missingCount: number;
  altered: AlteredRecord[];
  /** Extra records at a seq that another record already holds. */
  inserted: Array<{ seq: number; id: string }>;
  /** The reported head's link is not the link of the record held at its seq. */
  headMismatch: boolean;
  /** Records after the last reported head (not a problem). */
  afterHead: number;
  /** Signatures the tablet reports it erased by quick delete (each leaves a gap). */
  erasedOnTablet: number;
  /** Signatures the tablet reported still waiting on it (not sent, or refused): gaps until they arrive. */
  waitingOnTablet: number;
  /** Gaps at places whose tombstone fits the chain: deleted on a data-subject request, not missing. */
  deletedOnRequest: Array<[number, number]>;
  deletedOnRequestCount: number;
  /** Seqs where a tombstone claims a deletion on request but does not fit the chain: they count as missing. */
  deletedNotFitting: number[];
  ok: boolean;
  /** One line for people, e.g. "Tablet 3 (d-1): 412 records (seq 0–411), chain intact up to its last report (seq 411)." */
  summary: string;
}

export interface ChainReport {
  devices: DeviceChainVerdict[];
  /** Records that carry no chain (older tablets, imports from them): not checked. */
  unchained: number;
  /** Gaps accounted for by deletions on request, over all devices. */
  deletedOnRequest: number;
  /** True when every device's chain is intact (unchained records do not count against it). */
  ok: boolean;
  /** One line for people about all devices. */
  summary: string;
}

/**
 * Where a signature deleted on a data-subject request sat in its chain, as its tombstone on
 * the server keeps it (S20): `link` is the deleted record's own link.
 */
export interface DeletedChainPlace {
  device: string;
  seq: number;
  link: string;
  /** The deleted signature's id, when known. */
  id?: string;
}

/**
 * A chain head as reported, with the tablet's count of signatures erased by quick delete and
 * of those still waiting on it (pending or set aside) when it reported.
 */
export type ReportedHead = ChainHead & { erased?: number; waiting?: number };

/** The tablets' names in the console, by device id. */
export type DeviceNames = ReadonlyMap<string, string | null>;

/** An incremental chain check: `add` each record as it streams by, then `finish`. */
export interface ChainCheck {
  add(record: ChainedRecord): Promise<void>;
  /** The verdicts; `deletedChainPlaces` are the tombstones' chain places (deletions on request). */
  finish(heads?: Iterable<ReportedHead>, names?: DeviceNames, deletedChainPlaces?: Iterable<DeletedChainPlace>): Promise<ChainReport>;
}

/** Start a chain check. */
export function createChainCheck(): ChainCheck {
  const byDevice = new Map<string, Entry[]>();
  let unchained = 0;
  return {
    async add(record) {
      const c = record.chain;
      if (!c) {
        unchained++;
        return;
      }
      const entry: Entry = { id: record.id, seq: c.seq, prev: c.prev, link: c.link, linkOk: (await chainLink(c.prev, record)) === c.link };
      let list = byDevice.get(c.device);
      if (!list) byDevice.set(c.device, (list = []));
      list.push(entry);
    },
    async finish(heads = [], names = new Map(), deletedChainPlaces = []) {
      const headOf = new Map<string, ReportedHead>();
      for (const head of heads) {
        const known = headOf.get(head.device);
        if (!known || head.seq > known.seq) headOf.set(head.device, head);
      }
      const tombstonesOf = new Map<string, DeletedChainPlace[]>();
      for (const place of deletedChainPlaces) {
        let list = tombstonesOf.get(place.device);
        if (!list) tombstonesOf.set(place.device, (list = []));
        list.push(place);
      }
      const deviceIds = [...new Set([...byDevice.keys(), ...headOf.keys()])].sort();
      const devices: DeviceChainVerdict[] = [];
      for (const device of deviceIds) {
        devices.push(await checkDevice(device, byDevice.get(device) ?? [], headOf.get(device), names.get(device) ?? null, tombstonesOf.get(device) ?? []));
      }
      const deletedOnRequest = devices.reduce((n, d) => n + d.deletedOnRequestCount, 0);
      return { devices, unchained, deletedOnRequest, ok: devices.every((d) => d.ok), summary: overallSummary(devices, unchained) };
    },
  };
}

/**
 * Check the chains of the records the server holds against the heads the tablets reported
 * (e.g. each device's `lastReport.chain`). See the top of this file.
 */
export async function verifyDeviceChains(
  records: Iterable<ChainedRecord> | AsyncIterable<ChainedRecord>,
  heads: Iterable<ReportedHead> = [],
  names?: DeviceNames,
  deletedChainPlaces?: Iterable<DeletedChainPlace>,
): Promise<ChainReport> {
  const check = createChainCheck();
  for await (const record of records) await check.add(record);
  return check.finish(heads, names, deletedChainPlaces);
}

/** Steps 2–4 for one device, then the gaps that deletions on request account for. */
async function checkDevice(
  device: string,
  entries: Entry[],
  reported: ReportedHead | undefined,
  label: string | null,
  tombstones: DeletedChainPlace[],
): Promise<DeviceChainVerdict> {
  const head: ChainHead | undefined = reported && { device: reported.device, seq: reported.seq, link: reported.link };
  const erasedOnTablet = reported?.erased ?? 0;
  const waitingOnTablet = reported?.waiting ?? 0;
  const bySeq = new Map<number, Entry[]>();
  for (const entry of entries) {
    const at = bySeq.get(entry.seq);
    if (at) at.push(entry);
    else bySeq.set(entry.seq, [entry]);
  }
  const seqs = [...bySeq.keys()].sort((a, b) => a - b);
  const firstSeq = seqs.length ? seqs[0] : -1;
  const lastSeq = seqs.length ? seqs[seqs.length - 1] : -1;

  const chosen = new Map<number, Entry>();
  const altered: AlteredRecord[] = [];
  const inserted: Array<{ seq: number; id: string }> = [];
  const genesis = await genesisLink(device);
  for (const seq of seqs) {
    const candidates = bySeq.get(seq)!;
    // The link the record at `seq` must follow, when the record before it is held.
    const expectedPrev = seq === 0 ? genesis : chosen.get(seq - 1)?.link;
    const nextPrevs = new Set((bySeq.get(seq + 1) ?? []).map((e) => e.prev));
    const fits = (e: Entry) => e.linkOk && (expectedPrev === undefined || e.prev === expectedPrev);
    const score = (e: Entry) => (fits(e) ? 2 : 0) + (nextPrevs.has(e.link) ? 1 : 0);
    let best = candidates[0];
    for (const c of candidates) if (score(c) > score(best)) best = c;
    // Several copies and none fits better than another: none can be trusted over the others.
    const undecided = candidates.length > 1 && candidates.filter((c) => score(c) === score(best)).length > 1;
    for (const c of candidates) if (c !== best || undecided) inserted.push({ seq, id: c.id });
    chosen.set(seq, best);
    if (!best.linkOk) altered.push({ seq, id: best.id, why: 'content' });
    else if (expectedPrev !== undefined && best.prev !== expectedPrev) altered.push({ seq, id: best.id, why: 'prev' });
  }

  // Seqs with no record held; those a deletion on request accounts for are taken out below.
  const gaps: Array<[number, number]> = [];
  const addMissing = (from: number, to: number) => {
    if (from <= to) gaps.push([from, to]);
  };
  let expected = 0;
  for (const seq of seqs) {
    addMissing(expected, seq - 1);
    expected = seq + 1;
  }
  let headMismatch = false;
  let afterHead = 0;
  if (head) {
    addMissing(lastSeq + 1, head.seq);
    const atHead = chosen.get(head.seq);
    if (atHead && atHead.link !== head.link) headMismatch = true;
    afterHead = entries.filter((e) => e.seq > head.seq).length;
  }
  const { deleted, notFitting } = deletedGaps(tombstones, chosen, head);
  const missing = withoutSeqs(gaps, deleted);
  const deletedOnRequest = toRanges(deleted);
  const missingCount = countOf(missing);
  const ok = missingCount <= erasedOnTablet + waitingOnTablet && altered.length === 0 && inserted.length === 0 && !headMismatch;
  const verdict: Omit<DeviceChainVerdict, 'summary'> = {
    device,
    label,
    records: entries.length,
    firstSeq,
    lastSeq,
    head,
    missing,
    missingCount,
    altered,
    inserted,
    headMismatch,
    afterHead,
    erasedOnTablet,
    waitingOnTablet,
    deletedOnRequest,
    deletedOnRequestCount: deleted.length,
    deletedNotFitting: notFitting,
    ok,
  };
  return { ...verdict, summary: deviceSummary(verdict) };
}

/**
 * The seqs with no record held that a tombstone accounts for (sorted), and those whose
 * tombstone does not fit the chain. A tombstone fits when the record held next follows its
 * link, or, at the reported head's seq, when the head's link is its link; with neither held
 * (several deleted in a row, or the newest one) nothing contradicts it. A tombstone at a seq
 * that is held says nothing about a gap and is ignored.
 */
function deletedGaps(tombstones: DeletedChainPlace[], chosen: ReadonlyMap<number, Entry>, head: ChainHead | undefined): { deleted: number[]; notFitting: number[] } {
  const bySeq = new Map<number, DeletedChainPlace[]>();
  for (const t of tombstones) {
    if (chosen.has(t.seq)) continue;
    const at = bySeq.get(t.seq);
    if (at) at.push(t);
    else bySeq.set(t.seq, [t]);
  }
  const deleted: number[] = [];
  const notFitting: number[] = [];
  for (const [seq, candidates] of bySeq) {
    const next = chosen.get(seq + 1);
    const needed = next ? next.prev : head?.seq === seq ? head.link : undefined;
    if (needed === undefined || candidates.some((t) => t.link === needed)) deleted.push(seq);
    else notFitting.push(seq);
  }
  const bySeqOrder = (x: number, y: number) => x - y;
  return { deleted: deleted.sort(bySeqOrder), notFitting: notFitting.sort(bySeqOrder) };
}
