/** Enrollment: the volunteer types the coordinator's one-time code; the tablet gets its token. */
import { useState } from 'preact/hooks';
import { STRINGS as t } from './strings.ts';

interface Props {
  enroll: (code: string, label: string) => Promise<void>;
  onCancel?: () => void;
}

export function EnrollScreen({ enroll, onCancel }: Props) {
  const [code, setCode] = useState('');
  const [label, setLabel] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      await enroll(code, label);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  }

  return (
    <main class="enroll">
      <section class="card" aria-labelledby="enroll-heading">
        <h1 id="enroll-heading">{t.enrollHeading}</h1>
        <p class="hint">{t.enrollIntro}</p>
        <form class="sign-form" onSubmit={submit} autocomplete="off" noValidate>
          <div class="field">
            <label for="enroll-code">{t.enrollCode}</label>
            <input id="enroll-code" type="text" autocomplete="off" autocapitalize="characters" spellcheck={false} required
              value={code} maxLength={40} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'enroll-error' : undefined}
              onInput={(e) => setCode(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="enroll-label">{t.enrollLabel}</label>
            <input id="enroll-label" type="text" autocomplete="off" value={label} maxLength={80} onInput={(e) => setLabel(e.currentTarget.value)} />
          </div>
          {error && <p id="enroll-error" class="error banner" role="alert">{error}</p>}
          <button type="submit" class="primary" disabled={busy}>{busy ? t.enrolling : t.enrollSubmit}</button>
          {onCancel && <button type="button" class="secondary" onClick={onCancel}>{t.close}</button>}
        </form>
      </section>
    </main>
  );
}
