/**
 * The chain check over what the server holds (src/shared/chain-check.ts): records grouped by
 * device and ordered by seq, checked link by link and against the head each tablet reported.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createChainCheck, verifyDeviceChains, type DeletedChainPlace } from '../../src/shared/chain-check.ts';
import { seqRanges } from '../../src/shared/seq-ranges.ts';
import type { ChainHead } from '../../src/shared/protocol.ts';
import { chainLink, nextChain, type ChainedRecord, type RecordChain } from '../../src/shared/chain.ts';
import { makeRecord } from '../helpers/records.ts';

const A = 'tablet-a';
const B = 'tablet-b';

/** `n` records captured in order on `device`, each with its chain field. */
async function chained(device: string, n: number, seed = 0): Promise<ChainedRecord[]> {
  const records: ChainedRecord[] = [];
  let head: RecordChain | undefined;
  for (let i = 0; i < n; i++) {
    const record = makeRecord({ deviceId: device, seed: seed + i + 1 });
    head = await nextChain(record, head);
    records.push({ ...record, chain: head });
  }
  return records;
}

const headOf = (records: ChainedRecord[]): ChainHead => {
  const { device, seq, link } = records.at(-1)!.chain!;
  return { device, seq, link };
};

let a: ChainedRecord[];
let b: ChainedRecord[];
beforeAll(async () => {
  a = await chained(A, 8);
  b = await chained(B, 3, 100);
});

describe('verifyDeviceChains', () => {
  it('intact chains pass, whatever the arrival order, and say so per device', async () => {
    const shuffled = [b[2], a[5], a[0], b[0], a[7], a[3], a[1], b[1], a[6], a[2], a[4]];
    const report = await verifyDeviceChains(shuffled, [headOf(a), headOf(b)], new Map([[A, 'Stall tablet']]));
    expect(report.ok).toBe(true);
    expect(report.unchained).toBe(0);
    expect(report.devices.map((d) => [d.device, d.records, d.firstSeq, d.lastSeq, d.ok])).toEqual([
      [A, 8, 0, 7, true],
      [B, 3, 0, 2, true],
    ]);
    expect(report.devices[0].summary).toBe(`Stall tablet (${A}): 8 records (seq 0–7), chain intact up to its last report (seq 7).`);
    expect(report.devices[1].summary).toBe(`Tablet ${B}: 3 records (seq 0–2), chain intact up to its last report (seq 2).`);
    expect(report.summary).toBe('Chain check passed: 2 device chains intact.');
  });

  it('a removed record is missing, by seq; two removed in a row are listed', async () => {
    const report = await verifyDeviceChains(a.toSpliced(3, 1), [headOf(a)]);
    expect(report.ok).toBe(false);
    const [v] = report.devices;
    expect(v.missing).toEqual([[3, 3]]);
    expect(v.missingCount).toBe(1);
    expect(v.altered).toEqual([]);
    expect(v.summary).toMatch(/CHAIN BROKEN: 1 missing: seq 3\.$/);
    // The first record, and a run of records, removed.
    const two = (await verifyDeviceChains([...a.slice(1, 4), ...a.slice(6)], [headOf(a)])).devices[0];
    expect(two.missing).toEqual([[0, 0], [4, 5]]);
    expect(two.summary).toContain('3 missing: seq 0, 4, 5');
    expect(report.summary).toBe('Chain check FAILED on 1 of 1 device chain: 1 missing.');
  });

  it('a missing tail is found only against the reported head', async () => {
    const withHead = (await verifyDeviceChains(a.slice(0, 5), [headOf(a)])).devices[0];
    expect(withHead.ok).toBe(false);
    expect(withHead.missing).toEqual([[5, 7]]);
    expect(withHead.summary).toContain('3 missing: seq 5–7');
    // Without a head nothing shows the end is gone, and the verdict says so honestly.
    const noHead = (await verifyDeviceChains(a.slice(0, 5))).devices[0];
    expect(noHead.ok).toBe(true);
    expect(noHead.summary).toMatch(/reported no chain head, so records missing after seq 4 could not be detected/);
    // A head for a device with nothing held: all of it is missing.
    const none = await verifyDeviceChains([], [headOf(b)]);
    expect(none.devices[0]).toMatchObject({ device: B, records: 0, missing: [[0, 2]], ok: false });
  });

  it('records after the last report are fine; a head that does not match the record at its seq is not', async () => {
    const older = { device: A, seq: 4, link: a[4].chain!.link };
    const later = (await verifyDeviceChains(a, [older])).devices[0];
    expect(later.ok).toBe(true);
    expect(later.afterHead).toBe(3);
    expect(later.summary).toMatch(/up to its last report \(seq 4\); 3 more records arrived after that report\./);
    const wrong = (await verifyDeviceChains(a, [{ ...older, link: a[3].chain!.link }])).devices[0];
    expect(wrong.ok).toBe(false);
    expect(wrong.headMismatch).toBe(true);
    expect(wrong.summary).toMatch(/does not match the record held at that seq/);
  });

  it('an altered record (a clear field edited) is altered at its seq, and does not taint the next', async () => {
    const edited = a.slice();
    edited[2] = { ...a[2], capturedAt: '2020-01-01T00:00:00.000Z' };
    const v = (await verifyDeviceChains(edited, [headOf(a)])).devices[0];
    expect(v.altered).toEqual([{ seq: 2, id: a[2].id, why: 'content' }]);
    expect(v.missing).toEqual([]);
    expect(v.summary).toContain(`1 altered: seq 2 (${a[2].id})`);
    // The editor also recomputed that record's link: the next record no longer follows it.
    const relinked = edited.slice();
    relinked[2] = { ...edited[2], chain: { ...a[2].chain!, link: await chainLink(a[2].chain!.prev, edited[2]) } };
    const v2 = (await verifyDeviceChains(relinked, [headOf(a)])).devices[0];
    expect(v2.altered).toEqual([{ seq: 3, id: a[3].id, why: 'prev' }]);
  });

  it('swapped order: two records that trade places in the chain are both altered', async () => {
    const swapped = a.slice();
    swapped[3] = { ...a[3], chain: { ...a[3].chain!, seq: 4 } };
    swapped[4] = { ...a[4], chain: { ...a[4].chain!, seq: 3 } };
    const v = (await verifyDeviceChains(swapped, [headOf(a)])).devices[0];
    expect(v.ok).toBe(false);
    expect(v.altered.map((x) => x.seq)).toEqual([3, 4, 5]);
    expect(v.altered.every((x) => x.why === 'prev')).toBe(true);
    // Swapping whole chain fields between two records breaks both links.
    const traded = a.slice();
    traded[3] = { ...a[3], chain: a[4].chain };
    traded[4] = { ...a[4], chain: a[3].chain };
    const v2 = (await verifyDeviceChains(traded, [headOf(a)])).devices[0];
    expect(v2.altered.filter((x) => x.why === 'content').map((x) => x.seq)).toEqual([3, 4]);
  });

  it('an inserted record at a seq already taken is inserted; the record that fits the chain stays', async () => {
    const forged = makeRecord({ deviceId: A, seed: 999 });
    // A well-made forgery: it continues the real chain from seq 2, as the real seq 3 does.
    const insertion = { ...forged, chain: await nextChain(forged, a[2].chain) };
    const v = (await verifyDeviceChains([...a, insertion], [headOf(a)])).devices[0];
    expect(insertion.chain!.seq).toBe(3);
    expect(v.inserted).toEqual([{ seq: 3, id: forged.id }]);
    expect(v.altered).toEqual([]);
    expect(v.records).toBe(9);
    expect(v.summary).toContain(`1 inserted or duplicated: ${forged.id} at seq 3`);
    // Inserted in place of a removed record: the next record no longer follows.
    const replaced = (await verifyDeviceChains(a.toSpliced(3, 1, insertion), [headOf(a)])).devices[0];
    expect(replaced.altered).toEqual([{ seq: 4, id: a[4].id, why: 'prev' }]);
  });

  it('counts records without a chain as unchained, and checks the others', async () => {
    const old = [makeRecord({ deviceId: 'old-tablet' }), makeRecord({ deviceId: 'old-tablet' })];
    const report = await verifyDeviceChains([...old, ...b], [headOf(b)]);
    expect(report.unchained).toBe(2);
    expect(report.ok).toBe(true);
    expect(report.devices.map((d) => d.device)).toEqual([B]);
    expect(report.summary).toBe('Chain check passed: 1 device chain intact. 2 records carry no chain (older tablets or their imports) and could not be checked.');
    expect((await verifyDeviceChains(old)).summary).toMatch(/^No chained records\. 2 records carry no chain/);
  });

  it('re-enrollment: a re-stamped deviceId does not matter, the chain is named by chain.device', async () => {
    const restamped = a.map((r) => ({ ...r, deviceId: 'tablet-a-again' }));
    const report = await verifyDeviceChains(restamped, [headOf(a)]);
    expect(report.ok).toBe(true);
    expect(report.devices.map((d) => d.device)).toEqual([A]);
  });

  it('streams: the incremental check gives the same report, from an async iterable too', async () => {
    const check = createChainCheck();
    for (const r of a.toSpliced(6, 1)) await check.add(r);
    const incremental = await check.finish([headOf(a)]);
    async function* stream() {
      yield* a.toSpliced(6, 1);
    }
    expect(await verifyDeviceChains(stream(), [headOf(a)])).toEqual(incremental);
    expect(incremental.devices[0].missing).toEqual([[6, 6]]);
  });

  it('seqRanges lists long runs compactly', () => {
    expect(seqRanges([[17, 18]])).toBe('seq 17, 18');
    expect(seqRanges([[1, 1], [5, 40]])).toBe('seq 1, 5–40');
    expect(seqRanges(Array.from({ length: 25 }, (_, i) => [i * 3, i * 3] as [number, number]), 3)).toBe('seq 0, 3, 6, … (22 more)');
  });
});

describe('verifyDeviceChains and quick delete', () => {
  it('gaps no more numerous than the signatures the tablet erased are accounted for, and said so', async () => {
    const held = [...a.slice(0, 3), ...a.slice(4, 6), a[7]]; // seq 3 and 6 erased on the tablet
    const explained = (await verifyDeviceChains(held, [{ ...headOf(a), erased: 2 }])).devices[0];
    expect(explained.ok).toBe(true);
    expect(explained.missing).toEqual([[3, 3], [6, 6]]);
    expect(explained.summary).toMatch(/apart from 2 gaps \(seq 3, 6\), which the tablet's own report accounts for: 2 signatures erased by quick delete\.$/);
    // One more gap than the tablet erased: broken, and the erasures are mentioned.
    const tooMany = (await verifyDeviceChains(held, [{ ...headOf(a), erased: 1 }])).devices[0];
    expect(tooMany.ok).toBe(false);
    expect(tooMany.summary).toContain('2 missing: seq 3, 6 (the tablet reports 1 signature erased by quick delete)');
  });
});

describe('verifyDeviceChains and deletions on request', () => {
  /** The chain place a tombstone keeps when `record` is deleted on request. */
  const tombstone = (record: ChainedRecord): DeletedChainPlace => ({ device: record.chain!.device, seq: record.chain!.seq, link: record.chain!.link, id: record.id });
  const without = (records: ChainedRecord[], ...seqs: number[]) => records.filter((r) => !seqs.includes(r.chain!.seq));

  it('S20: a gap at a place deleted on request is "deleted on request", not missing, and the chain stays intact', async () => {
    const report = await verifyDeviceChains(without(a, 3, 6), [headOf(a)], new Map([[A, 'Stall tablet']]), [tombstone(a[3]), tombstone(a[6])]);
    expect(report.ok).toBe(true);
    expect(report.deletedOnRequest).toBe(2);
    const [v] = report.devices;
    expect(v).toMatchObject({ missing: [], missingCount: 0, deletedOnRequest: [[3, 3], [6, 6]], deletedOnRequestCount: 2, deletedNotFitting: [], ok: true });
    expect(v.summary).toBe(`Stall tablet (${A}): 6 records (seq 0–7), chain intact up to its last report (seq 7); 2 deleted on request (seq 3, 6).`);
    expect(report.summary).toBe('Chain check passed: 1 device chain intact; 2 deleted on request.');
    // The incremental check takes the places the same way.
    const check = createChainCheck();
    for (const r of without(a, 3, 6)) await check.add(r);
    expect(await check.finish([headOf(a)], new Map([[A, 'Stall tablet']]), [tombstone(a[6]), tombstone(a[3])])).toEqual(report);
    // Without the places, the same gaps are missing.
    expect((await verifyDeviceChains(without(a, 3, 6), [headOf(a)])).devices[0]).toMatchObject({ missing: [[3, 3], [6, 6]], ok: false });
  });

  it('a tombstone whose link does not fit the chain there is a lie: the gap is missing, and said so', async () => {
    const forged = { ...tombstone(a[3]), link: a[2].chain!.link };
    const report = await verifyDeviceChains(without(a, 3), [headOf(a)], undefined, [forged]);
    expect(report.ok).toBe(false);
    expect(report.deletedOnRequest).toBe(0);
    const [v] = report.devices;
    expect(v).toMatchObject({ missing: [[3, 3]], missingCount: 1, deletedOnRequest: [], deletedNotFitting: [3], ok: false });
    expect(v.summary).toMatch(/CHAIN BROKEN: 1 missing: seq 3 \(a deletion on request is recorded at seq 3, but it does not fit the chain\)\.$/);
    expect(report.summary).toBe('Chain check FAILED on 1 of 1 device chain: 1 missing.');
    // A tombstone of another chain, or at another seq, accounts for nothing here.
    const elsewhere = await verifyDeviceChains(without(a, 3), [headOf(a)], undefined, [{ ...tombstone(a[3]), device: B }, { ...tombstone(a[3]), seq: 4 }]);
    expect(elsewhere.devices[0]).toMatchObject({ missing: [[3, 3]], deletedOnRequestCount: 0, ok: false });
  });

  it('a tombstone at a seq that is held is ignored', async () => {
    const report = await verifyDeviceChains(a, [headOf(a)], undefined, [tombstone(a[2]), { ...tombstone(a[5]), link: 'not-a-link' }]);
    expect(report.ok).toBe(true);
    expect(report.devices[0]).toMatchObject({ missing: [], deletedOnRequest: [], deletedOnRequestCount: 0, deletedNotFitting: [] });
    expect(report.devices[0].summary).toBe(`Tablet ${A}: 8 records (seq 0–7), chain intact up to its last report (seq 7).`);
  });

  it('the newest record deleted: its tombstone must match the reported head; several in a row are checked by the record after them', async () => {
    const newest = await verifyDeviceChains(without(a, 7), [headOf(a)], undefined, [tombstone(a[7])]);
    expect(newest.devices[0]).toMatchObject({ records: 7, missing: [], deletedOnRequest: [[7, 7]], ok: true });
    expect(newest.devices[0].summary).toBe(`Tablet ${A}: 7 records (seq 0–6), chain intact up to its last report (seq 7); 1 deleted on request (seq 7).`);
    const wrongHead = await verifyDeviceChains(without(a, 7), [headOf(a)], undefined, [{ ...tombstone(a[7]), link: a[6].chain!.link }]);
    expect(wrongHead.devices[0]).toMatchObject({ missing: [[7, 7]], deletedNotFitting: [7], ok: false });
    // Seq 2, 3 and 4 deleted: the record at seq 5 follows the tombstone of seq 4.
    const run = await verifyDeviceChains(without(a, 2, 3, 4), [headOf(a)], undefined, [2, 3, 4].map((i) => tombstone(a[i])));
    expect(run.devices[0]).toMatchObject({ missing: [], deletedOnRequest: [[2, 4]], deletedOnRequestCount: 3, ok: true });
    expect(run.devices[0].summary).toContain('; 3 deleted on request (seq 2–4).');
    const badLast = await verifyDeviceChains(without(a, 2, 3, 4), [headOf(a)], undefined, [tombstone(a[2]), tombstone(a[3]), { ...tombstone(a[4]), link: a[3].chain!.link }]);
    expect(badLast.devices[0]).toMatchObject({ missing: [[4, 4]], deletedOnRequest: [[2, 3]], deletedNotFitting: [4], ok: false });
  });

  it('with quick delete and with real problems: each gap is counted for what it is', async () => {
    // Seq 2 deleted on request, seq 5 erased on the tablet by quick delete.
    const both = (await verifyDeviceChains(without(a, 2, 5), [{ ...headOf(a), erased: 1 }], undefined, [tombstone(a[2])])).devices[0];
    expect(both).toMatchObject({ missing: [[5, 5]], deletedOnRequest: [[2, 2]], ok: true });
    expect(both.summary).toMatch(/apart from 1 gap \(seq 5\), which the tablet's own report accounts for: 1 signature erased by quick delete; 1 deleted on request \(seq 2\)\.$/);
    // Seq 5 also gone, with nothing to account for it: broken, and the deletion is not blamed.
    const broken = await verifyDeviceChains(without(a, 2, 5), [headOf(a)], undefined, [tombstone(a[2])]);
    expect(broken.devices[0].summary).toMatch(/CHAIN BROKEN: 1 missing: seq 5\. Not a problem: 1 deleted on request \(seq 2\)\.$/);
    expect(broken.summary).toBe('Chain check FAILED on 1 of 1 device chain: 1 missing (besides 1 deleted on request).');
  });
});

describe('verifyDeviceChains and signatures still on the tablet', () => {
  it('gaps no more numerous than what the tablet reported still waiting are not a broken chain, and said so; more are', async () => {
    const records = await chained('tablet-w', 6);
    const head = { ...headOf(records), waiting: 2 };
    // The last two were captured (the head covers them) but not delivered yet.
    const held = records.slice(0, 4);
    const [verdict] = (await verifyDeviceChains(held, [head])).devices;
    expect(verdict).toMatchObject({ ok: true, missingCount: 2, waitingOnTablet: 2 });
    expect(verdict.summary).toMatch(/apart from 2 gaps \(seq 4, 5\), which the tablet's own report accounts for: 2 signatures still waiting on it\.$/);
    const [short] = (await verifyDeviceChains(records.slice(0, 3), [head])).devices;
    expect(short).toMatchObject({ ok: false, missingCount: 3 });
    expect(short.summary).toMatch(/CHAIN BROKEN: 3 missing: seq 3–5 \(the tablet reports 2 signatures still waiting on it\)/);
  });
});
