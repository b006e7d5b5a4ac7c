/**
 * Review before the hand-in: setting signatures aside with a reason, restoring them, and the
 * counters that follow (by reason, per version and language, after a deletion), as every
 * store must keep them. Registered by `storeContract` (tests/store/contract.ts).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { SetAsideChange, Store } from '../../../server/store/store.ts';
import { makeRecord } from '../../helpers/records.ts';
import { DEFAULT_CAMPAIGN } from '../../../src/shared/default-campaign.ts';
import { contentHash } from '../../../src/shared/campaigns.ts';
import type { ContractContext } from '../contract.ts';
import { item, LATER, T0 } from './fixtures.ts';

const BY = 'coordinator@example.org';
const as = (reason: SetAsideChange['reason'], note: string | null = null): SetAsideChange => ({ reason, note, at: LATER, by: BY });

export function reviewContract(t: ContractContext): void {
  let store: Store;
  beforeEach(async () => {
    store = t.store();
    // The records' campaign and version, published (a store emptied between tests may lack it).
    if (!(await store.campaignVersion(DEFAULT_CAMPAIGN.id, DEFAULT_CAMPAIGN.version))) {
      await store.createCampaign({ id: DEFAULT_CAMPAIGN.id, status: 'draft', draft: null, createdAt: T0 });
      await store.publishCampaignVersion({ campaignId: DEFAULT_CAMPAIGN.id, version: DEFAULT_CAMPAIGN.version, content: DEFAULT_CAMPAIGN, hash: await contentHash(DEFAULT_CAMPAIGN), publishedAt: T0 });
    }
  });

  async function stored(n: number, overrides: Parameters<typeof makeRecord>[0] = {}) {
    const records = Array.from({ length: n }, () => makeRecord(overrides));
    await store.ingest(records.map((r) => item(r)), T0, 'sync');
    return records.map((r) => r.id);
  }

  describe('review before the hand-in', () => {
    it('sets aside once, with its reason, note, time and coordinator; a second set-aside changes nothing', async () => {
      const [a, b, c] = await stored(3, { lang: 'en' });
      expect(await store.setAside([a, b, 'no-such-id'], as('duplicate', 'same person as row 12'))).toEqual(expect.arrayContaining([a, b]));
      expect(await store.setAside([a, c], as('test'))).toEqual([c]);
      expect((await store.getSignature(a))?.setAside).toEqual({ reason: 'duplicate', note: 'same person as row 12', at: LATER, by: BY });
      expect((await store.getSignature(c))?.setAside).toEqual({ reason: 'test', note: null, at: LATER, by: BY });
      expect((await store.list({ setAside: false })).map((s) => s.id)).toEqual([]);
      expect((await store.list({ setAside: true })).map((s) => s.id).sort()).toEqual([a, b, c].sort());
      expect(await store.count()).toBe(3);
    });

    it('counts them apart, by reason and per version and language, and restores them', async () => {
      const [a, b, c, d] = await stored(4, { lang: 'en' });
      const [f] = await stored(1, { lang: 'fr' });
      await store.setAside([a, b], as('duplicate'));
      await store.setAside([c, f], as('withdrawn'));
      expect(await store.setAsideCounts('protect-defenders')).toEqual([
        { reason: 'duplicate', count: 2 },
        { reason: 'withdrawn', count: 2 },
      ]);
      expect(await store.campaignCounts('protect-defenders', 'set-aside-version')).toEqual([
        { key: '1 en', count: 3 },
        { key: '1 fr', count: 1 },
      ]);
      const totals = await store.totals('protect-defenders');
      expect(totals.total).toBe(5);
      expect(totals.setAside).toEqual({ total: 4, byReason: [{ reason: 'duplicate', count: 2 }, { reason: 'withdrawn', count: 2 }] });
      expect(await store.restoreSetAside([a, c, d])).toEqual(expect.arrayContaining([a, c]));
      expect((await store.restoreSetAside([a, c, d])).length).toBe(0);
      expect(await store.setAsideCounts('protect-defenders')).toEqual([
        { reason: 'duplicate', count: 1 },
        { reason: 'withdrawn', count: 1 },
      ]);
      expect((await store.getSignature(a))?.setAside).toBeNull();
      await store.restoreSetAside([b, f]);
      expect(await store.setAsideCounts('protect-defenders')).toEqual([]);
      expect(await store.campaignCounts('protect-defenders', 'set-aside-version')).toEqual([]);
      expect((await store.totals('protect-defenders')).setAside).toBeUndefined();
    });

    it('a signature matching no published version is counted among those, not under its version', async () => {
      const [odd] = await stored(1, { campaignVersion: 99, lang: 'en' });
      expect((await store.getSignature(odd))?.versionProblem).toBe('unknown-version');
      await store.setAside([odd], as('unreadable'));
      expect(await store.campaignCounts('protect-defenders', 'set-aside-problem')).toEqual([{ key: '', count: 1 }]);
      expect(await store.campaignCounts('protect-defenders', 'set-aside-version')).toEqual([]);
      await store.restoreSetAside([odd]);
      expect(await store.campaignCounts('protect-defenders', 'set-aside-problem')).toEqual([]);
    });

    it('the search filters on it, counts it, and each row carries it', async () => {
      const ids = await stored(5, { name: 'Amina Review' });
      await store.setAside(ids.slice(0, 2), as('other', 'asked by phone'));
      const only = await store.searchSignatures({ campaignId: 'protect-defenders', setAside: true });
      expect(only.total).toBe(2);
      expect(only.rows.map((r) => r.id).sort()).toEqual(ids.slice(0, 2).sort());
      expect(only.rows[0].setAside?.note).toBe('asked by phone');
      const rest = await store.searchSignatures({ campaignId: 'protect-defenders', setAside: false });
      expect(rest.total).toBe(3);
      expect(rest.rows.every((r) => r.setAside === null)).toBe(true);
      const searched = await store.searchSignatures({ q: 'amina', setAside: true });
      expect(searched.total).toBe(2);
      expect((await store.searchSignatures({ duplicatesOnly: true, setAside: false, campaignId: 'protect-defenders' })).rows.length).toBe(3);
    });

    it('deleting a set-aside signature (a data-subject request) takes it off the counters too', async () => {
      const [a, b] = await stored(2, { lang: 'en' });
      await store.setAside([a, b], as('test'));
      expect(await store.deleteSignature(a, LATER)).toBe(true);
      expect(await store.setAsideCounts('protect-defenders')).toEqual([{ reason: 'test', count: 1 }]);
      expect(await store.campaignCounts('protect-defenders', 'set-aside-version')).toEqual([{ key: '1 en', count: 1 }]);
      expect((await store.totals('protect-defenders')).setAside?.total).toBe(1);
      expect(await store.count('protect-defenders')).toBe(1);
    });

    it('takes more ids at once than one statement binds', async () => {
      const ids = await stored(1200);
      expect((await store.setAside(ids, as('duplicate'))).length).toBe(1200);
      expect(await store.setAsideCounts('protect-defenders')).toEqual([{ reason: 'duplicate', count: 1200 }]);
      expect((await store.restoreSetAside(ids)).length).toBe(1200);
      expect(await store.setAsideCounts('protect-defenders')).toEqual([]);
    });
  });
}
