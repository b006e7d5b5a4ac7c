/** The thank-you screen, with a countdown to the blank form for the next signer. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { useFocusOnArrival } from './focus.ts';
import { useI18n } from './i18n/index.ts';

/** Seconds the thank-you screen stays before the flow resets by itself. */
export const THANKS_SECONDS = 6;

export function Thanks({ onDone }: { onDone: () => void }) {
  const { t } = useI18n();
  const [left, setLeft] = useState(THANKS_SECONDS);
  const heading = useRef<HTMLHeadingElement | null>(null);
  useFocusOnArrival(heading);
  useEffect(() => {
    if (left <= 0) {
      onDone();
      return;
    }
    const timer = setTimeout(() => setLeft((n) => n - 1), 1000);
    return () => clearTimeout(timer);
  }, [left]);
  return (
    <section class="card thanks" aria-labelledby="thanks-heading">
      <h2 id="thanks-heading" tabIndex={-1} ref={heading}>{t('thanksHeading')}</h2>
      <p role="status">{t('thanksBody')}</p>
      <p class="hint">{t('resetCountdown', { n: left })}</p>
      <button type="button" class="primary" onClick={onDone}>{t('nextSigner')}</button>
    </section>
  );
}
