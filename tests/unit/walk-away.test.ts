/** The walk-away clock and the quick lock's flag, without a browser. */
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { CampaignSchema, DEFAULT_KIOSK_TIMING, kioskTiming } from '../../src/shared/campaign.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { idleState, isActivity } from '../../src/kiosk/idle.ts';
import { isLocked, saveLocked } from '../../src/kiosk/lock.ts';

const TIMING = { idleSeconds: 90, countdownSeconds: 15 };

describe('walk-away clock', () => {
  it('stays active through the idle time and says when to look again', () => {
    expect(idleState(0, TIMING)).toEqual({ phase: 'active', nextCheckMs: 90_000 });
    expect(idleState(89_999, TIMING)).toEqual({ phase: 'active', nextCheckMs: 1 });
    // A clock that went back counts as no time at all.
    expect(idleState(-5_000, TIMING)).toEqual({ phase: 'active', nextCheckMs: 90_000 });
  });

  it('counts down whole seconds, ticking on each change of the number shown, then expires', () => {
    expect(idleState(90_000, TIMING)).toEqual({ phase: 'warning', secondsLeft: 15, nextCheckMs: 1000 });
    expect(idleState(90_001, TIMING)).toEqual({ phase: 'warning', secondsLeft: 15, nextCheckMs: 999 });
    expect(idleState(90_999, TIMING)).toEqual({ phase: 'warning', secondsLeft: 15, nextCheckMs: 1 });
    expect(idleState(91_000, TIMING)).toEqual({ phase: 'warning', secondsLeft: 14, nextCheckMs: 1000 });
    expect(idleState(104_500, TIMING)).toEqual({ phase: 'warning', secondsLeft: 1, nextCheckMs: 500 });
    expect(idleState(105_000, TIMING)).toEqual({ phase: 'expired' });
    expect(idleState(3_600_000, TIMING)).toEqual({ phase: 'expired' });
  });

  it('shows every number from the full countdown down to 1 exactly once when checked when it asks', () => {
    const shown: number[] = [];
    let since = 0;
    for (let state = idleState(since, TIMING); state.phase !== 'expired'; state = idleState(since, TIMING)) {
      if (state.phase === 'warning') shown.push(state.secondsLeft);
      since += state.nextCheckMs;
    }
    expect(since).toBe(105_000);
    expect(shown).toEqual([15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it('counts touches, keys, typing and drawing as activity, not a mouse merely passing over', () => {
    expect(isActivity({ type: 'pointerdown' } as Event)).toBe(true);
    expect(isActivity({ type: 'keydown' } as Event)).toBe(true);
    expect(isActivity({ type: 'input' } as Event)).toBe(true);
    expect(isActivity({ type: 'pointermove', buttons: 1 } as unknown as Event)).toBe(true);
    expect(isActivity({ type: 'pointermove', buttons: 0 } as unknown as Event)).toBe(false);
  });

  it('defaults to 90 s idle and a 15 s countdown; a campaign may set its own within bounds', () => {
    expect(DEFAULT_KIOSK_TIMING).toEqual({ idleSeconds: 90, countdownSeconds: 15 });
    expect(kioskTiming(DEFAULT_CAMPAIGN)).toBe(DEFAULT_KIOSK_TIMING);
    expect(kioskTiming({ kiosk: { idleSeconds: 30, countdownSeconds: 5 } })).toEqual({ idleSeconds: 30, countdownSeconds: 5 });
    const valid = (kiosk: unknown) => z.safeParse(CampaignSchema, { ...DEFAULT_CAMPAIGN, kiosk }).success;
    expect(valid({ idleSeconds: 5, countdownSeconds: 3 })).toBe(true);
    expect(valid({ idleSeconds: 3600, countdownSeconds: 120 })).toBe(true);
    expect(valid({ idleSeconds: 4, countdownSeconds: 15 })).toBe(false);
    expect(valid({ idleSeconds: 90, countdownSeconds: 121 })).toBe(false);
  });
});

describe('quick lock flag', () => {
  /** A Storage stand-in. */
  function memoryStore() {
    const map = new Map<string, string>();
    return {
      map,
      getItem: (k: string) => map.get(k) ?? null,
      setItem: (k: string, v: string) => void map.set(k, v),
      removeItem: (k: string) => void map.delete(k),
    };
  }

  it('is remembered (and only the flag is stored), then forgotten on unlock', () => {
    const store = memoryStore();
    expect(isLocked(store)).toBe(false);
    saveLocked(true, store);
    expect(isLocked(store)).toBe(true);
    expect([...store.map.values()]).toEqual(['1']);
    saveLocked(false, store);
    expect(isLocked(store)).toBe(false);
    expect(store.map.size).toBe(0);
  });

  it('storage that refuses or is missing never throws: not locked after a reload, but no crash', () => {
    const broken = {
      getItem: () => {
        throw new DOMException('denied', 'SecurityError');
      },
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
      removeItem: () => {},
    };
    expect(() => saveLocked(true, broken)).not.toThrow();
    expect(isLocked(broken)).toBe(false);
    expect(isLocked(undefined)).toBe(false);
  });
});
