/**
 * Quick delete's two confirmations, in one modal <dialog>: first what is lost, then typing
 * the number of signatures to erase. A number is the same in every language (no word to
 * translate or mistype), and any digits the keyboard gives are accepted (Arabic-Indic too).
 * Focus starts on the safe choice, stays inside, Escape cancels, and returns to the opener.
 */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from './i18n/index.ts';
import { useModalDialog } from './modal.ts';

interface Props {
  /** Signatures on the tablet that are not on the server yet (pending and quarantined). */
  count: number;
  /** Erase; resolves with how many signatures were erased. */
  erase: () => Promise<number>;
  onErased: (erased: number) => void;
  onCancel: () => void;
}

export function EraseDialog({ count, erase, onErased, onCancel }: Props) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement | null>(null);
  const safe = useRef<HTMLButtonElement | null>(null);
  const input = useRef<HTMLInputElement | null>(null);
  const [step, setStep] = useState<'warn' | 'type'>('warn');
  const [typed, setTyped] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useModalDialog(dialog, safe);
  // In the render's own task (see focus.ts), so a key pressed right away lands in the field.
  useLayoutEffect(() => {
    if (step === 'type') input.current?.focus();
  }, [step]);

  async function submit(event: Event) {
    event.preventDefault();
    if (busy) return;
    if (typedNumber(typed) !== count) {
      setError(t('eraseTypeWrong', { n: count }));
      input.current?.focus();
      return;
    }
    setBusy(true);
    setError('');
    try {
      onErased(await erase());
    } catch (e) {
      setError(t('eraseFailed', { reason: (e as Error).message }));
      setBusy(false);
    }
  }

  return (
    <dialog
      ref={dialog}
      class="erase-dialog"
      aria-labelledby="erase-dialog-title"
      aria-describedby={step === 'warn' ? 'erase-dialog-body' : undefined}
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <h2 id="erase-dialog-title">{t('eraseConfirmHeading')}</h2>
      {step === 'warn' ? (
        <>
          <div id="erase-dialog-body">
            <p>{t('eraseConfirmBody', { n: count })}</p>
            <p>{t('eraseConfirmSynced')}</p>
          </div>
          <div class="row">
            <button type="button" ref={safe} class="secondary" onClick={onCancel}>{t('cancel')}</button>
            <button type="button" class="danger" onClick={() => setStep('type')}>{t('eraseContinue')}</button>
          </div>
        </>
      ) : (
        <form class="sign-form" onSubmit={submit} autocomplete="off" noValidate>
          <div class="field">
            <label for="erase-count">{t('eraseTypeLabel', { n: count })}</label>
            <input ref={input} id="erase-count" type="text" inputMode="numeric" autocomplete="off" dir="ltr" maxLength={12} value={typed}
              aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'erase-count-error' : undefined}
              onInput={(e) => setTyped(e.currentTarget.value)} />
            {error && <p id="erase-count-error" class="error" role="alert">{error}</p>}
          </div>
          <div class="row">
            <button type="button" class="secondary" onClick={onCancel} disabled={busy}>{t('cancel')}</button>
            <button type="submit" class="danger" disabled={busy}>{busy ? t('erasing') : t('eraseFinal', { n: count })}</button>
          </div>
        </form>
      )}
    </dialog>
  );
}

/**
 * The whole number in `text`, written with Latin, Arabic-Indic or Persian digits and
 * optional spaces or group separators; NaN when it is anything else.
 */
export function typedNumber(text: string): number {
  const latin = text
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/[\s,.'\u066b\u066c\u00a0\u202f]/g, '');
  return /^\d+$/.test(latin) ? Number(latin) : NaN;
}
