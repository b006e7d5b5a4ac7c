/** The walk-away clock and the quick lock's flag, without a browser. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import { CampaignSchema, DEFAULT_KIOSK_TIMING, kioskTiming } from '../../src/shared/campaign.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { activityClock, idleState, isActivity, type IdleClocks } from '../../src/kiosk/idle.ts';
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

describe('walk-away clock against clock changes', () => {
  /** Clocks the test moves: `tick` passes real time; a wall-clock correction moves `wall` alone. */
  function testClocks(): IdleClocks & { tick(ms: number): void; at: { monotonic: number; wall: number } } {
    const at = { monotonic: 1_000, wall: Date.parse('2026-11-24T15:00:00Z') };
    return {
      at,
      monotonic: () => at.monotonic,
      wall: () => at.wall,
      tick(ms: number) {
        at.monotonic += ms;
        at.wall += ms;
      },
    };
  }
  const phase = (clock: ReturnType<typeof activityClock>) => idleState(clock.sinceActivityMs(), TIMING).phase;

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('a wall clock set back an hour mid-form still shows the countdown and clears the form on time', () => {
    const clocks = testClocks();
    const clock = activityClock(clocks);
    clocks.tick(30_000);
    clocks.at.wall -= 3_600_000; // NTP corrects the tablet's clock backwards
    clocks.tick(60_000);
    expect(idleState(clock.sinceActivityMs(), TIMING)).toEqual({ phase: 'warning', secondsLeft: 15, nextCheckMs: 1000 });
    clocks.tick(15_000);
    expect(phase(clock)).toBe('expired');
  });

  it('a wall clock set forward an hour mid-form neither wipes the form nor starts the countdown early', () => {
    const clocks = testClocks();
    const clock = activityClock(clocks);
    clocks.tick(10_000);
    clocks.at.wall += 3_600_000;
    expect(clock.sinceActivityMs()).toBe(10_000);
    expect(phase(clock)).toBe('active');
    clocks.tick(79_999);
    expect(phase(clock)).toBe('active');
    clocks.tick(1);
    expect(phase(clock)).toBe('warning');
  });

  it('a touch starts the span again, whatever the wall clock did', () => {
    const clocks = testClocks();
    const clock = activityClock(clocks);
    clocks.tick(89_000);
    clocks.at.wall -= 7_200_000;
    clock.touch();
    clocks.tick(5_000);
    expect(clock.sinceActivityMs()).toBe(5_000);
  });

  it('by default reads the monotonic clock: Date.now jumping an hour either way changes nothing', () => {
    const clock = activityClock();
    const realNow = Date.now();
    const spy = vi.spyOn(Date, 'now');
    for (const jump of [3_600_000, -3_600_000]) {
      spy.mockReturnValue(realNow + jump);
      expect(clock.sinceActivityMs(), `Date.now moved by ${jump} ms`).toBeGreaterThanOrEqual(0);
      expect(clock.sinceActivityMs(), `Date.now moved by ${jump} ms`).toBeLessThan(5_000);
    }
  });

  it('a tablet that slept while hidden (its monotonic clock stood still) counts the sleep by the wall clock', () => {
    const clocks = testClocks();
    const clock = activityClock(clocks);
    clocks.tick(20_000);
    clock.hidden(); // the screen turns off
    clocks.at.monotonic += 1_000;
    clocks.at.wall += 2 * 3_600_000; // asleep for two hours
    clock.visible();
    expect(clock.sinceActivityMs()).toBe(20_000 + 2 * 3_600_000);
    expect(phase(clock)).toBe('expired');
  });

  it('a hidden span counts no less than the monotonic time, even if the wall clock went back meanwhile', () => {
    const clocks = testClocks();
    const clock = activityClock(clocks);
    clock.hidden();
    clocks.tick(30_000);
    clocks.at.wall -= 3_600_000;
    clock.visible();
    expect(clock.sinceActivityMs()).toBe(30_000);
    // A second visible() (no hide in between) adds nothing, and a touch forgets the sleep counted.
    clock.visible();
    expect(clock.sinceActivityMs()).toBe(30_000);
    clock.hidden();
    clocks.at.wall += 600_000;
    clock.visible();
    expect(clock.sinceActivityMs()).toBe(630_000);
    clock.touch();
    expect(clock.sinceActivityMs()).toBe(0);
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
