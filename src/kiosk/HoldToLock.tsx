/**
 * The quick lock on the signing screen: a small lock button that locks only when held for
 * HOLD_MS (a finger, the mouse, or Enter/Space held down), with a fill showing progress.
 * A tap or a click alone never locks, so a signer brushing it loses nothing; released too
 * early, it says how to use it.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from './i18n/index.ts';

/** How long the lock button must be held. */
export const HOLD_MS = 1500;
/** How long the "press and hold" hint stays after an early release. */
const HINT_MS = 4000;

export function HoldToLock({ onLock }: { onLock: () => void }) {
  const { t } = useI18n();
  const [holding, setHolding] = useState(false);
  const [hint, setHint] = useState(false);
  const hold = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const hintTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => {
    clearTimeout(hold.current);
    clearTimeout(hintTimer.current);
  }, []);

  function start() {
    if (hold.current) return;
    clearTimeout(hintTimer.current);
    setHint(false);
    setHolding(true);
    hold.current = setTimeout(() => {
      hold.current = undefined;
      setHolding(false);
      onLock();
    }, HOLD_MS);
  }

  /** Released before the time: no lock; say how it works unless focus merely moved on. */
  function stop(explain: boolean) {
    if (!hold.current) return;
    clearTimeout(hold.current);
    hold.current = undefined;
    setHolding(false);
    if (!explain) return;
    setHint(true);
    hintTimer.current = setTimeout(() => setHint(false), HINT_MS);
  }

  const isActivationKey = (e: KeyboardEvent) => e.key === 'Enter' || e.key === ' ';

  return (
    <span class="hold-lock">
      <button
        type="button"
        class="hold-lock-button"
        aria-label={t('lockHold')}
        aria-describedby="hold-lock-hint"
        data-holding={holding ? 'true' : undefined}
        style={{ '--hold-ms': `${HOLD_MS}ms` }}
        onPointerDown={(e) => {
          if (e.button !== 0) return;
          e.currentTarget.setPointerCapture(e.pointerId);
          start();
        }}
        onPointerUp={() => stop(true)}
        onPointerCancel={() => stop(false)}
        onKeyDown={(e) => {
          if (!isActivationKey(e)) return;
          e.preventDefault(); // no click on Enter, no scrolling on Space
          if (!e.repeat) start();
        }}
        onKeyUp={(e) => isActivationKey(e) && stop(true)}
        onBlur={() => stop(false)}
        onContextMenu={(e) => e.preventDefault()}
      >
        <span class="hold-lock-fill" aria-hidden="true" />
        <LockIcon />
      </button>
      {/* Always present (a live region must exist before it speaks); empty, it shows nothing. */}
      <span id="hold-lock-hint" class="hold-lock-hint" aria-live="polite">{hint ? t('lockHint') : ''}</span>
    </span>
  );
}

/** A plain padlock, decorative. */
export function LockIcon() {
  return (
    <svg class="lock-icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
      <path fill="currentColor" d="M12 2a5 5 0 0 0-5 5v3H6a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-8a2 2 0 0 0-2-2h-1V7a5 5 0 0 0-5-5Zm-3 8V7a3 3 0 1 1 6 0v3H9Zm3 4a2 2 0 0 1 1 3.73V19h-2v-1.27A2 2 0 0 1 12 14Z" />
    </svg>
  );
}
