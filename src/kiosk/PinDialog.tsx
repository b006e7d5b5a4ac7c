/** Asks for the volunteer PIN before the volunteer screen opens. */
import { useRef, useState } from 'preact/hooks';
import { useFocusOnArrival } from './focus.ts';
import { useI18n } from './i18n/index.ts';

interface Props {
  /** Resolves true for the right PIN, false for a wrong one, or a number of ms to wait. */
  check: (pin: string) => Promise<boolean | number>;
  onOpen: () => void;
  onCancel: () => void;
}

export function PinDialog({ check, onOpen, onCancel }: Props) {
  const { t } = useI18n();
  const [pin, setPin] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement | null>(null);
  useFocusOnArrival(input);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    const result = await check(pin);
    setBusy(false);
    setPin('');
    if (result === true) return onOpen();
    setError(result === false ? t('pinWrong') : t('pinLocked', { n: Math.ceil(result / 1000) }));
    input.current?.focus();
  }

  return (
    <main class="single">
      <section class="card" role="dialog" aria-modal="true" aria-labelledby="pin-heading">
        <h1 id="pin-heading">{t('pinHeading')}</h1>
        <form class="sign-form" onSubmit={submit} autocomplete="off" noValidate>
          <div class="field">
            <label for="volunteer-pin">{t('pinLabel')}</label>
            <input ref={input} id="volunteer-pin" type="password" inputMode="numeric" autocomplete="off" maxLength={8} value={pin} dir="ltr"
              aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'volunteer-pin-error' : undefined} onInput={(e) => setPin(e.currentTarget.value)} />
            {error && <p id="volunteer-pin-error" class="error" role="alert">{error}</p>}
          </div>
          <div class="row">
            <button type="button" class="secondary" onClick={onCancel}>{t('cancel')}</button>
            <button type="submit" class="primary" disabled={busy}>{t('unlock')}</button>
          </div>
        </form>
      </section>
    </main>
  );
}
