/**
 * The walk-away guard: while `active`, watches for any touch, key or typing on the page;
 * after the idle time it shows an "Are you still there?" alert dialog with a countdown,
 * and at zero calls `onExpire` (the parent then drops what was on screen). Any touch or
 * key on the dialog dismisses it and the clock starts again.
 *
 * The dialog is a native modal <dialog>: the page behind it is inert, so the touch that
 * dismisses it cannot also press a button underneath, and it is dismissed only when that
 * touch or key is released, never in the middle of it.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { KioskTiming } from '../shared/campaign.ts';
import type { CatalogKey } from './i18n/catalog.ts';
import { useI18n } from './i18n/index.ts';
import { ACTIVITY_EVENTS, activityClock, idleState, isActivity } from './idle.ts';

interface Props {
  /** Whether the clock runs at all (e.g. only once the signer has entered something). */
  active: boolean;
  timing: KioskTiming;
  /** The dialog's text, with `{n}` seconds left, e.g. "This form will be cleared in {n} s". */
  bodyKey: CatalogKey;
  /** Called once when the countdown reaches zero. */
  onExpire: () => void;
}

export function IdleGuard({ active, timing, bodyKey, onExpire }: Props) {
  const { t } = useI18n();
  const { secondsLeft, stillHere } = useIdleClock(active, timing, onExpire);
  const open = secondsLeft !== undefined;
  const dialog = useRef<HTMLDialogElement | null>(null);
  const button = useRef<HTMLButtonElement | null>(null);
  const returnFocus = useRef<Element | null>(null);

  // A plain effect, unlike every other focus move (see focus.ts), on purpose: the dialog is
  // dismissed on pointerup, and closing it only after the next paint keeps the click that
  // follows the same touch on the dialog, so it cannot press what lies underneath.
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) {
      returnFocus.current = document.activeElement;
      d.showModal();
      button.current?.focus();
    } else if (!open && d.open) {
      d.close();
      const back = returnFocus.current;
      returnFocus.current = null;
      if (back instanceof HTMLElement && back.isConnected) back.focus({ preventScroll: true });
    }
  }, [open]);

  return (
    <dialog
      ref={dialog}
      class="idle-dialog"
      role="alertdialog"
      aria-labelledby="idle-heading"
      aria-describedby="idle-body"
      onPointerUp={stillHere}
      onPointerCancel={stillHere}
      onKeyUp={stillHere}
      onClick={stillHere}
      onCancel={(e) => {
        e.preventDefault();
        stillHere();
      }}
    >
      {open && (
        <>
          <h2 id="idle-heading">{t('idleHeading')}</h2>
          <p id="idle-body">{t(bodyKey, { n: secondsLeft })}</p>
          <button ref={button} type="button" class="primary">{t('idleStay')}</button>
        </>
      )}
    </dialog>
  );
}

/**
 * Runs the walk-away clock: `secondsLeft` is set during the countdown, `stillHere()`
 * restarts the clock. Activity is noted on the activity clock (no re-render per pointer
 * move; monotonic, so a wall-clock correction changes nothing); the single timer looks at
 * it only when it fires.
 */
function useIdleClock(active: boolean, timing: KioskTiming, onExpire: () => void) {
  const [secondsLeft, setSecondsLeft] = useState<number | undefined>();
  const [clock] = useState(() => activityClock());
  const warning = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const expire = useRef(onExpire);
  expire.current = onExpire;
  const { idleSeconds, countdownSeconds } = timing;

  /** Look at the clock, show what it says, and set the timer for the next look. */
  const check = useRef(() => {});
  check.current = () => {
    clearTimeout(timer.current);
    const state = idleState(clock.sinceActivityMs(), { idleSeconds, countdownSeconds });
    if (state.phase === 'expired') {
      warning.current = false;
      setSecondsLeft(undefined);
      expire.current();
      return;
    }
    warning.current = state.phase === 'warning';
    setSecondsLeft(state.phase === 'warning' ? state.secondsLeft : undefined);
    timer.current = setTimeout(() => check.current(), state.nextCheckMs);
  };

  useEffect(() => {
    if (!active) {
      warning.current = false;
      setSecondsLeft(undefined);
      return;
    }
    // The page may have been hidden or shown while the clock was not listening: tell it which, then start.
    if (document.visibilityState === 'hidden') clock.hidden();
    else clock.visible();
    clock.touch();
    // During the countdown only the dialog's own handlers count: see stillHere.
    const noteActivity = (event: Event) => {
      if (!warning.current && isActivity(event)) clock.touch();
    };
    // A tablet woken from sleep may be long past the countdown: count the sleep, look at once.
    const onVisibility = () => {
      if (document.visibilityState === 'hidden') {
        clock.hidden();
      } else {
        clock.visible();
        check.current();
      }
    };
    for (const type of ACTIVITY_EVENTS) document.addEventListener(type, noteActivity, { capture: true, passive: true });
    document.addEventListener('visibilitychange', onVisibility);
    check.current();
    return () => {
      clearTimeout(timer.current);
      for (const type of ACTIVITY_EVENTS) document.removeEventListener(type, noteActivity, { capture: true });
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [active, idleSeconds, countdownSeconds]);

  function stillHere() {
    if (!warning.current) return;
    clock.touch();
    check.current();
  }

  return { secondsLeft, stillHere };
}
