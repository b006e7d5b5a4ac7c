/**
 * What the hand-in package reads from the store: the organisation's key, kept once for every
 * instance, and the per-country split. Registered by `storeContract` (tests/store/contract.ts).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { HandinKeyRecord, Store } from '../../../server/store/store.ts';
import { makeRecord, withSigner } from '../../helpers/records.ts';
import type { ContractContext } from '../contract.ts';
import { item, T0 } from './fixtures.ts';

const key = (x: string): HandinKeyRecord => ({ privateJwk: { kty: 'OKP', crv: 'Ed25519', x, d: `d-${x}` }, publicJwk: { kty: 'OKP', crv: 'Ed25519', x }, createdAt: T0 });

export function handinContract(t: ContractContext): void {
  let store: Store;
  beforeEach(() => {
    store = t.store();
  });

  describe('hand-in package', () => {
    it('keeps the first key it is given and answers it to a later one', async () => {
      expect(await store.handinKey()).toBeUndefined();
      expect(await store.keepHandinKey(key('first'))).toEqual(key('first'));
      expect(await store.keepHandinKey(key('second'))).toEqual(key('first'));
      expect(await store.handinKey()).toEqual(key('first'));
    });

    t.itWithSecond('every instance on the database signs with the same key', async () => {
      await store.keepHandinKey(key('one'));
      const other = await t.second();
      expect(await other.keepHandinKey(key('two'))).toEqual(key('one'));
    });

    it('splits a campaign by country, version and language, and lists one country (or none) in arrival order', async () => {
      const fr = [makeRecord(), makeRecord({ lang: 'fr' }), makeRecord()];
      const de = withSigner(makeRecord({ campaignVersion: 2 }), { country: 'DE' });
      const none = withSigner(makeRecord(), { country: undefined });
      const elsewhere = makeRecord({ campaignId: 'another' });
      await store.ingest([fr[0], de, fr[1], none, fr[2], elsewhere].map((r) => item(r)), T0, 'sync');
      const groups = await store.handinGroups('protect-defenders');
      expect(groups.map(({ country, version, lang, count }) => ({ country, version, lang, count }))).toEqual([
        { country: 'DE', version: 2, lang: null, count: 1 },
        { country: 'FR', version: 1, lang: null, count: 2 },
        { country: 'FR', version: 1, lang: 'fr', count: 1 },
        { country: null, version: 1, lang: null, count: 1 },
      ]);
      expect((await store.list({ campaignId: 'protect-defenders', country: 'FR' })).map((s) => s.id)).toEqual(fr.map((r) => r.id));
      expect((await store.list({ campaignId: 'protect-defenders', country: null })).map((s) => s.id)).toEqual([none.id]);
      expect(await store.list({ campaignId: 'protect-defenders', country: 'IT' })).toEqual([]);
      expect((await store.list({ campaignId: 'protect-defenders', deviceId: 'device-test' })).length).toBe(5);
      expect(await store.list({ campaignId: 'protect-defenders', deviceId: 'another-tablet' })).toEqual([]);
    });
  });
}
