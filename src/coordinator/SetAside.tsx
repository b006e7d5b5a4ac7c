/**
 * Review before the hand-in, on the signatures page: set a signature aside (with a reason and
 * a note) or restore it, one at a time or every one the page's filter matches. A set-aside
 * signature stays stored and counted; the hand-in leaves it out and says how many and why.
 */
import { useState } from 'preact/hooks';
import type { SetAside } from '../shared/api/signatures.ts';
import type { ConsoleApi, ReviewTargets, SetAsideReason, SignatureRow } from './api.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { formatDateTime } from './format.ts';

/** Each reason as the console names it. */
export const REASONS: Record<SetAsideReason, string> = {
  duplicate: 'Duplicate',
  test: 'Test',
  withdrawn: 'Withdrawn by the signer',
  unreadable: 'Unreadable',
  other: 'Other',
};

/** The badge of a set-aside row: its reason, with the note and who set it aside on hover and to screen readers. */
export function SetAsideBadge({ setAside }: { setAside: SetAside }) {
  const detail = `${setAside.note ? `${setAside.note} — ` : ''}set aside by ${setAside.by}, ${formatDateTime(setAside.at)}`;
  return (
    <span class="badge badge-muted" title={detail}>
      {`Set aside: ${REASONS[setAside.reason]}`}
      <span class="visually-hidden">{` (${detail})`}</span>
    </span>
  );
}

/** What the page asks to set aside or restore: one row, or all its filter matches. */
export type ReviewAction = { kind: 'set-aside' | 'restore'; row: SignatureRow } | { kind: 'set-aside' | 'restore'; all: { count: string; targets: ReviewTargets } };

interface DialogProps {
  api: ConsoleApi;
  action: ReviewAction;
  onClose: () => void;
  /** After the change: what to announce. */
  onDone: (announcement: string) => void;
}

const signatures = (n: number) => `${n.toLocaleString('en')} signature${n === 1 ? '' : 's'}`;

/** The confirmation of a review action, naming the signer or the count; setting aside asks why. */
export function ReviewDialog({ api, action, onClose, onDone }: DialogProps) {
  const [reason, setReason] = useState<SetAsideReason>('duplicate');
  const [note, setNote] = useState('');
  const one = 'row' in action;
  const who = one ? (action.row.name ?? action.row.id) : '';
  const targets: ReviewTargets = one ? { ids: [action.row.id] } : action.all.targets;
  const setting = action.kind === 'set-aside';
  const title = setting
    ? one ? `Set aside the signature of ${who}?` : `Set aside all ${action.all.count} matching signatures?`
    : one ? `Restore the signature of ${who}?` : `Restore all ${action.all.count} matching signatures?`;

  return (
    <ConfirmDialog
      title={title}
      confirmLabel={setting ? (one ? 'Set aside' : `Set aside ${action.all.count}`) : one ? 'Restore' : `Restore ${action.all.count}`}
      onClose={onClose}
      onConfirm={async () => {
        const changed = setting ? await api.setAside(targets, reason, note) : await api.restore(targets);
        onDone(
          setting
            ? `${signatures(changed)} set aside (${REASONS[reason]}). They stay stored and counted, and are left out of the hand-in.`
            : `${signatures(changed)} restored to the hand-in.`,
        );
      }}
    >
      {setting ? (
        <>
          <p>
            {one ? 'It stays stored and counted' : 'They stay stored and counted'}, but the hand-in (PDF, CSV and drawings) leaves
            {one ? ' it' : ' them'} out and says how many were set aside and why. You can restore {one ? 'it' : 'them'} at any time; the audit log records both.
          </p>
          {!one && <p>Signatures already set aside keep the reason they were given.</p>}
          <div class="field">
            <label for="set-aside-reason">Reason</label>
            <select id="set-aside-reason" value={reason} onChange={(e) => setReason(e.currentTarget.value as SetAsideReason)}>
              {(Object.keys(REASONS) as SetAsideReason[]).map((r) => <option key={r} value={r}>{REASONS[r]}</option>)}
            </select>
          </div>
          <div class="field">
            <label for="set-aside-note">Note (optional)</label>
            <textarea id="set-aside-note" rows={2} maxLength={500} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
          </div>
        </>
      ) : (
        <p>{one ? 'It goes' : 'They go'} back into the hand-in. The audit log records it.</p>
      )}
    </ConfirmDialog>
  );
}
