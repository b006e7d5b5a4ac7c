/**
 * A revoked tablet's last step for exported signatures (S12): the volunteer confirms, in a
 * modal <dialog>, that the transfer file is saved before its signatures are wiped from the
 * tablet. Nothing confirms a download reached the disk, so only a person can say so. As in
 * quick delete, focus starts on the safe choice, stays inside, Escape or Cancel wipes
 * nothing, and focus returns to the opener.
 */
import { useRef, useState } from 'preact/hooks';
import { useI18n } from './i18n/index.ts';
import { useModalDialog } from './modal.ts';

interface Props {
  /** Exported signatures still on the tablet. */
  count: number;
  /** The transfer file's name, as the browser saved it. */
  file: string;
  /** Wipe; resolves with how many signatures were wiped. */
  wipe: () => Promise<number>;
  onWiped: (wiped: number) => void;
  onCancel: () => void;
}

/** Stands for the file name inside a translated text until it is rendered. */
const FILE_MARK = '\uE000';

/**
 * A catalog text that names the transfer file (`{file}`). The name is shown left to right
 * and in one piece (an isolated inline block), so it stays readable inside Arabic text.
 */
export function FileText({ text, file }: { text: (file: string) => string; file: string }) {
  const [before, after = ''] = text(FILE_MARK).split(FILE_MARK);
  return (
    <>
      {before}
      <bdi dir="ltr" style={{ display: 'inline-block', overflowWrap: 'anywhere' }}>{file}</bdi>
      {after}
    </>
  );
}

export function WipeDialog({ count, file, wipe, onWiped, onCancel }: Props) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement | null>(null);
  const safe = useRef<HTMLButtonElement | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useModalDialog(dialog, safe);

  async function confirm() {
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      onWiped(await wipe());
    } catch (e) {
      setError(t('wipeFailed', { reason: (e as Error).message }));
      setBusy(false);
    }
  }

  return (
    <dialog
      ref={dialog}
      class="erase-dialog"
      aria-labelledby="wipe-dialog-title"
      aria-describedby="wipe-dialog-body"
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <h2 id="wipe-dialog-title">{t('wipeConfirmHeading')}</h2>
      <p id="wipe-dialog-body"><FileText text={(name) => t('wipeConfirmBody', { n: count, file: name })} file={file} /></p>
      {error && <p class="error" role="alert">{error}</p>}
      <div class="row">
        <button type="button" ref={safe} class="secondary" onClick={onCancel} disabled={busy}>{t('cancel')}</button>
        <button type="button" class="danger" onClick={() => void confirm()} disabled={busy}>
          {busy ? t('wiping') : t('wipeFinal', { n: count })}
        </button>
      </div>
    </dialog>
  );
}
