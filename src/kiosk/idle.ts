/**
 * The walk-away clock, as a pure function of the time since the last activity: idle for
 * `idleSeconds`, then a countdown of `countdownSeconds` the person can dismiss, then
 * expired (the form is cleared, or the volunteer screen closes). The time is measured on
 * the monotonic clock (activityClock), never as a difference of wall-clock times. Kept free
 * of timers and the DOM so that it can be tested on its own; IdleGuard.tsx runs it.
 *
 *   activity ──► active ──(idleSeconds)──► warning (n s left) ──(countdownSeconds)──► expired
 *                  ▲                            │
 *                  └──── a touch or a key ──────┘
 */
import type { KioskTiming } from '../shared/campaign.ts';

/** Where the clock stands, and when it should be looked at again. */
export type IdleState =
  | { phase: 'active'; nextCheckMs: number }
  | { phase: 'warning'; secondsLeft: number; nextCheckMs: number }
  | { phase: 'expired' };

/**
 * The state `sinceActivityMs` after the last activity. A negative span (the clock went
 * back) counts as no time at all. In the warning phase the next check falls on the next
 * change of the whole seconds shown, so the countdown ticks exactly once a second.
 */
export function idleState(sinceActivityMs: number, timing: KioskTiming): IdleState {
  const since = Math.max(0, sinceActivityMs);
  const idleMs = timing.idleSeconds * 1000;
  const endMs = idleMs + timing.countdownSeconds * 1000;
  if (since < idleMs) return { phase: 'active', nextCheckMs: idleMs - since };
  if (since >= endMs) return { phase: 'expired' };
  const leftMs = endMs - since;
  return { phase: 'warning', secondsLeft: Math.ceil(leftMs / 1000), nextCheckMs: leftMs % 1000 || 1000 };
}

/** The clocks the walk-away guard reads (the system's, or a test's). */
export interface IdleClocks {
  /** Milliseconds on a clock that only moves forward: every span is measured on it. */
  monotonic: () => number;
  /** Milliseconds since the epoch: read only across a hidden span (see {@link activityClock}). */
  wall: () => number;
}

/** `performance.now()` and `Date.now()`. */
export const SYSTEM_CLOCKS: IdleClocks = { monotonic: () => performance.now(), wall: () => Date.now() };

/** The time since someone was last at the tablet. */
export interface ActivityClock {
  /** Someone is at the tablet: the span starts again. */
  touch(): void;
  /** The page was hidden (screen off, another app): the device may sleep from now on. */
  hidden(): void;
  /** The page is visible again: count the sleep the monotonic clock may have missed. */
  visible(): void;
  /** Milliseconds since the last touch. */
  sinceActivityMs(): number;
}

/**
 * The walk-away span, on the monotonic clock: a wall-clock correction in the middle of a
 * form (NTP, someone setting the date) neither leaves the form for the next person for an
 * hour nor wipes it without a countdown. But a sleeping tablet's monotonic clock may stand
 * still (Android, iOS), and sleep is exactly when a signer has walked away; so across a
 * hidden span, and only there, the wall clock's advance counts when it is the larger. A
 * wall clock that went back while hidden counts as no sleep.
 */
export function activityClock(clocks: IdleClocks = SYSTEM_CLOCKS): ActivityClock {
  let last = clocks.monotonic();
  /** Sleep counted since the last touch, beyond what the monotonic clock saw. */
  let slept = 0;
  let hiddenAt: { monotonic: number; wall: number } | undefined;
  const mark = () => ({ monotonic: clocks.monotonic(), wall: clocks.wall() });
  return {
    touch() {
      last = clocks.monotonic();
      slept = 0;
      if (hiddenAt) hiddenAt = mark();
    },
    hidden() {
      hiddenAt ??= mark();
    },
    visible() {
      if (!hiddenAt) return;
      const missed = clocks.wall() - hiddenAt.wall - (clocks.monotonic() - hiddenAt.monotonic);
      slept += Math.max(0, missed);
      hiddenAt = undefined;
    },
    sinceActivityMs: () => clocks.monotonic() - last + slept,
  };
}

/**
 * DOM events that show someone is at the tablet. Pointer moves count only with a button
 * or finger down (drawing), so a mouse resting on the table does not keep a form alive.
 */
export const ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'input', 'wheel'] as const;

/** True when `event` is a sign of a person at the tablet. */
export function isActivity(event: Event): boolean {
  return event.type !== 'pointermove' || (event as PointerEvent).buttons !== 0;
}
