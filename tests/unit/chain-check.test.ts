/**
 * The chain check over what the server holds (src/shared/chain-check.ts): records grouped by
 * device and ordered by seq, checked link by link and against the head each tablet reported.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createChainCheck, seqRanges, verifyDeviceChains } from '../../src/shared/chain-check.ts';
import type { ChainHead } from '../../src/shared/protocol.ts';
import { chainLink, nextChain, type ChainedRecord, type RecordChain } from '../../src/shared/seal.ts';
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
    expect(explained.summary).toMatch(/apart from 2 gaps \(seq 3, 6\), which the 2 signatures erased on the tablet by quick delete account for\.$/);
    // One more gap than the tablet erased: broken, and the erasures are mentioned.
    const tooMany = (await verifyDeviceChains(held, [{ ...headOf(a), erased: 1 }])).devices[0];
    expect(tooMany.ok).toBe(false);
    expect(tooMany.summary).toContain('2 missing: seq 3, 6 (the tablet reports 1 signature erased by quick delete)');
  });
});
