/**
 * Paper counts: recorded, listed per campaign, removed, and never counted with the tablets'
 * signatures. Registered by `storeContract` (tests/store/contract.ts) for every store.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../server/store/store.ts';
import type { PaperCount } from '../../../src/shared/api/paper.ts';
import type { ContractContext } from '../contract.ts';
import { T0, T1 } from './fixtures.ts';

/** A paper count of `campaignId`, with a partial country breakdown. */
export function paperCount(id: string, campaignId = 'defenders', change: Partial<PaperCount> = {}): PaperCount {
  return {
    id,
    campaignId,
    event: 'Market day, Kisumu',
    collectedOn: '2026-11-28',
    sheets: 12,
    signatures: 230,
    countries: { KE: 200, UG: 10 },
    countedBy: 'Wanjiru Kamau',
    note: null,
    recordedAt: T0,
    recordedBy: 'coordinator@example.org',
    ...change,
  };
}

export function paperContract(t: ContractContext): void {
  let store: Store;
  beforeEach(() => {
    store = t.store();
  });

  describe('paper counts', () => {
    it('are listed per campaign, latest collected first, exactly as recorded', async () => {
      const older = paperCount('p-1', 'defenders', { collectedOn: '2026-11-01', note: 'Two sheets torn; counted what was legible.' });
      const newer = paperCount('p-2', 'defenders', { collectedOn: '2026-11-20', countries: null, event: 'Ωμέγα square · 李小龙 hall', recordedAt: T1 });
      const other = paperCount('p-3', 'water');
      for (const p of [older, other, newer]) await store.addPaperCount(p);
      expect(await store.paperCounts('defenders')).toEqual([newer, older]);
      expect(await store.paperCounts('water')).toEqual([other]);
      expect(await store.paperCounts('nobody')).toEqual([]);
    });

    it('never change the tablets’ count or totals', async () => {
      await store.addPaperCount(paperCount('p-1'));
      expect(await store.count('defenders')).toBe(0);
      expect((await store.totals('defenders')).total).toBe(0);
      expect((await store.totals('defenders')).byCountry).toEqual([]);
    });

    it('removing one returns what it said, once; the others stay', async () => {
      const kept = paperCount('p-2');
      await store.addPaperCount(paperCount('p-1'));
      await store.addPaperCount(kept);
      expect(await store.removePaperCount('p-1')).toEqual(paperCount('p-1'));
      expect(await store.removePaperCount('p-1')).toBeUndefined();
      expect(await store.removePaperCount('nul\u0000id')).toBeUndefined();
      expect(await store.paperCounts('defenders')).toEqual([kept]);
    });

    it('an id is recorded once: a second count with it is refused and the first kept', async () => {
      await store.addPaperCount(paperCount('p-1'));
      await expect(store.addPaperCount(paperCount('p-1', 'defenders', { signatures: 999 }))).rejects.toThrow();
      expect((await store.paperCounts('defenders')).map((p) => p.signatures)).toEqual([230]);
    });

    it('recording and removing tell the change listeners (the live dashboard and counter)', async () => {
      let changes = 0;
      const stop = store.onChange(() => changes++);
      await store.addPaperCount(paperCount('p-1'));
      expect(changes).toBe(1);
      await store.removePaperCount('p-1');
      expect(changes).toBe(2);
      await store.removePaperCount('p-1');
      expect(changes).toBe(2);
      stop();
    });
  });
}
