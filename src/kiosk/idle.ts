/**
 * The walk-away clock, as a pure function of the time since the last activity: idle for
 * `idleSeconds`, then a countdown of `countdownSeconds` the person can dismiss, then
 * expired (the form is cleared, or the volunteer screen closes). Kept free of timers and
 * the DOM so that it can be tested on its own; IdleGuard.tsx runs it.
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

/**
 * DOM events that show someone is at the tablet. Pointer moves count only with a button
 * or finger down (drawing), so a mouse resting on the table does not keep a form alive.
 */
export const ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'input', 'wheel'] as const;

/** True when `event` is a sign of a person at the tablet. */
export function isActivity(event: Event): boolean {
  return event.type !== 'pointermove' || (event as PointerEvent).buttons !== 0;
}
