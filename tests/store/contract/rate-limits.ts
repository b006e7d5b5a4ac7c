/**
 * Rate-limit buckets (rate-limit-rows.ts): taken atomically, refilled continuously by the
 * clock the caller gives, given back, swept once full, and shared by every store on the
 * database. Registered by `storeContract` (tests/store/contract.ts) for every store.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../server/store/store.ts';
import type { ContractContext } from '../contract.ts';

const LIMIT = { capacity: 3, refillMs: 1_000 };
const NOW = Date.parse('2026-11-28T10:00:00.000Z');

/** Take `n` attempts one after another; the waits answered. */
async function takeSeveral(store: Store, key: string, n: number, at = NOW): Promise<number[]> {
  const waits: number[] = [];
  for (let i = 0; i < n; i++) waits.push(await store.takeAttempt(key, LIMIT, at));
  return waits;
}

export function rateLimitsContract(t: ContractContext): void {
  const { second, itWithSecond } = t;
  let store: Store;
  beforeEach(() => {
    store = t.store();
  });

  describe('rate-limit buckets', () => {
    it('hands out the capacity, then refuses with the wait until one attempt is back, taking nothing', async () => {
      expect(await takeSeveral(store, 'k', 3)).toEqual([0, 0, 0]);
      expect(await store.takeAttempt('k', LIMIT, NOW)).toBe(1_000);
      expect(await store.takeAttempt('k', LIMIT, NOW + 400)).toBe(600);
      // The refusals took nothing: one attempt is back a second after the burst, not later.
      expect(await store.takeAttempt('k', LIMIT, NOW + 1_000)).toBe(0);
      expect(await store.takeAttempt('k', LIMIT, NOW + 1_000)).toBe(1_000);
      // Other keys have buckets of their own.
      expect(await store.takeAttempt('other', LIMIT, NOW)).toBe(0);
    });

    it('refills continuously, never beyond the capacity', async () => {
      await takeSeveral(store, 'k', 3);
      expect(await takeSeveral(store, 'k', 3, NOW + 2_000)).toEqual([0, 0, 1_000]);
      // An hour idle refills the bucket to its capacity, not to 3,600 attempts.
      expect(await takeSeveral(store, 'k', 4, NOW + 3_600_000)).toEqual([0, 0, 0, 1_000]);
    });

    it('takes back an attempt it was given back, and never more than a full bucket', async () => {
      await takeSeveral(store, 'k', 3);
      await store.returnAttempt('k', LIMIT, NOW);
      expect(await takeSeveral(store, 'k', 2)).toEqual([0, 1_000]);
      await store.returnAttempt('full', LIMIT, NOW);
      await store.takeAttempt('full', LIMIT, NOW);
      await store.returnAttempt('full', LIMIT, NOW);
      await store.returnAttempt('full', LIMIT, NOW);
      expect(await takeSeveral(store, 'full', 4)).toEqual([0, 0, 0, 1_000]);
    });

    it('sweeps only buckets that are full again, at most as many as asked', async () => {
      await takeSeveral(store, 'a', 1); // full again at +1 s
      await takeSeveral(store, 'b', 3); // full again at +3 s
      await takeSeveral(store, 'c', 1, NOW + 500); // full again at +1.5 s
      expect(await store.sweepAttempts(NOW + 999, 100)).toBe(0);
      expect(await store.sweepAttempts(NOW + 2_000, 1)).toBe(1);
      expect(await store.sweepAttempts(NOW + 2_000, 100)).toBe(1);
      // 'b' was kept: it has two attempts back at +2 s, not a full bucket's three.
      expect(await takeSeveral(store, 'b', 3, NOW + 2_000)).toEqual([0, 0, 1_000]);
    });

    itWithSecond('is one bucket for every store on the database', async () => {
      const other = await second();
      expect(await store.takeAttempt('k', LIMIT, NOW)).toBe(0);
      expect(await other.takeAttempt('k', LIMIT, NOW)).toBe(0);
      expect(await store.takeAttempt('k', LIMIT, NOW)).toBe(0);
      expect(await other.takeAttempt('k', LIMIT, NOW)).toBe(1_000);
    });

    itWithSecond('parallel takes from two stores never hand out more than the capacity', async () => {
      const other = await second();
      const limit = { capacity: 10, refillMs: 60_000 };
      const waits = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? other : store).takeAttempt('race', limit, NOW)));
      expect(waits.filter((w) => w === 0)).toHaveLength(10);
      expect(waits.filter((w) => w > 0).every((w) => w === 60_000)).toBe(true);
    });
  });
}
