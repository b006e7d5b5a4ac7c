/**
 * Enrollment: the volunteer types the coordinator's one-time code and chooses the volunteer
 * PIN; the tablet gets its device token. In an iPad's or iPhone's browser tab there is no
 * form: the screen says to add the app to the Home Screen and enroll there, so that the code
 * is never spent where it would not be kept (see install-context.ts).
 */
import { useRef, useState } from 'preact/hooks';
import { useFocusOnArrival } from './focus.ts';
import { isValidPin } from '../db/pin.ts';
import { canAskPersistence } from '../db/storage-persistence.ts';
import { installContext } from './install-context.ts';
import { useI18n } from './i18n/index.ts';
import type { CatalogKey } from './i18n/catalog.ts';

interface Props {
  enroll: (code: string, label: string, pin: string) => Promise<void>;
  onCancel?: () => void;
}

export function EnrollScreen({ enroll, onCancel }: Props) {
  const { t } = useI18n();
  // A QR code from the console opens the app as /?enroll=CODE: fill it in.
  const [code, setCode] = useState(() => new URLSearchParams(location.search).get('enroll')?.slice(0, 40) ?? '');
  const [label, setLabel] = useState('');
  const [pin, setPin] = useState('');
  const [pinAgain, setPinAgain] = useState('');
  const [error, setError] = useState('');
  const [pinError, setPinError] = useState<CatalogKey | undefined>();
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement | null>(null);
  useFocusOnArrival(heading);
  const [where] = useState(installContext);

  async function submit(event: Event) {
    event.preventDefault();
    const badPin: CatalogKey | undefined = !isValidPin(pin) ? 'pinTooShort' : pin !== pinAgain ? 'pinMismatch' : undefined;
    setPinError(badPin);
    if (badPin) return;
    setBusy(true);
    setError('');
    try {
      await enroll(code, label, pin);
    } catch (e) {
      setError((e as Error).name === 'OfflineError' ? t('enrollOffline') : (e as Error).message);
      setBusy(false);
    }
  }

  if (where === 'ios-tab') {
    return (
      <main class="single">
        <section class="card" aria-labelledby="enroll-heading">
          <h1 id="enroll-heading" tabIndex={-1} ref={heading}>{t('enrollHeading')}</h1>
          <section class="install-first" aria-labelledby="install-heading">
            <h2 id="install-heading">{t('iosTabHeading')}</h2>
            <p>{t('iosTabBody')}</p>
            <ol>
              <li>{t('iosStepShare')}</li>
              <li>{t('iosStepAdd')}</li>
              <li>{t('iosStepOpen')}</li>
            </ol>
            {code && <p>{t('iosTabCode', { code })}</p>}
          </section>
          {onCancel && <button type="button" class="secondary" onClick={onCancel}>{t('cancel')}</button>}
        </section>
      </main>
    );
  }

  return (
    <main class="single">
      <section class="card" aria-labelledby="enroll-heading">
        <h1 id="enroll-heading" tabIndex={-1} ref={heading}>{t('enrollHeading')}</h1>
        <p class="hint">{t('enrollIntro')}</p>
        {where === 'browser' && <p class="hint">{t('enrollInstallFirst')}</p>}
        <form class="sign-form" onSubmit={submit} autocomplete="off" noValidate>
          <div class="field">
            <label for="enroll-code">{t('enrollCode')}</label>
            <input id="enroll-code" type="text" autocomplete="off" autocapitalize="characters" spellcheck={false} required dir="ltr"
              value={code} maxLength={40} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'enroll-error' : undefined}
              onInput={(e) => setCode(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="enroll-label">{t('enrollLabel')}</label>
            <input id="enroll-label" type="text" autocomplete="off" value={label} maxLength={80} onInput={(e) => setLabel(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="enroll-pin">{t('enrollPin')}</label>
            <input id="enroll-pin" type="password" inputMode="numeric" autocomplete="new-password" maxLength={8} value={pin} dir="ltr"
              aria-invalid={pinError ? 'true' : undefined} aria-describedby={pinError ? 'pin-error' : undefined} onInput={(e) => setPin(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="enroll-pin-again">{t('enrollPinAgain')}</label>
            <input id="enroll-pin-again" type="password" inputMode="numeric" autocomplete="new-password" maxLength={8} value={pinAgain} dir="ltr"
              aria-invalid={pinError ? 'true' : undefined} aria-describedby={pinError ? 'pin-error' : undefined} onInput={(e) => setPinAgain(e.currentTarget.value)} />
            {pinError && <p id="pin-error" class="error">{t(pinError)}</p>}
          </div>
          {error && <p id="enroll-error" class="error banner" role="alert">{error}</p>}
          {canAskPersistence() && <p class="hint">{t('enrollPersistNote')}</p>}
          <button type="submit" class="primary" disabled={busy}>{busy ? t('enrolling') : t('enrollSubmit')}</button>
          {onCancel && <button type="button" class="secondary" onClick={onCancel}>{t('cancel')}</button>}
        </form>
      </section>
    </main>
  );
}
