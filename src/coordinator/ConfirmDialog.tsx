/**
 * A modal confirmation built on <dialog>: focus stays inside, Escape cancels, and focus
 * starts on the safe choice. Never window.confirm (it cannot be styled or explained).
 */
import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { useModalDialog } from '../kiosk/modal.ts';

interface Props {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  /** Runs the action; a thrown error is shown in the dialog. */
  onConfirm: () => Promise<void>;
  onClose: () => void;
}

export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onClose }: Props) {
  const dialog = useRef<HTMLDialogElement | null>(null);
  const cancel = useRef<HTMLButtonElement | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  useModalDialog(dialog, cancel);

  async function confirm() {
    setBusy(true);
    setError('');
    try {
      await onConfirm();
      onClose();
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  }

  return (
    <dialog
      ref={dialog}
      class="confirm-dialog"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-body"
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onClose();
      }}
    >
      <h2 id="confirm-title">{title}</h2>
      <div id="confirm-body" class="confirm-body">{children}</div>
      {error && <p class="error banner" role="alert">{error}</p>}
      <div class="dialog-actions">
        <button type="button" ref={cancel} class="secondary" onClick={onClose} disabled={busy}>Cancel</button>
        <button type="button" class="danger" onClick={() => void confirm()} disabled={busy}>{busy ? 'Working…' : confirmLabel}</button>
      </div>
    </dialog>
  );
}
