/**
 * The volunteer's line at the bottom: how many signatures wait, what sync is doing, and
 * the actions: sync now, export pending to a file, and the list of refused signatures.
 */
import { useState } from 'preact/hooks';
import type { OutboxRow } from '../db/db.ts';
import type { SyncStatus } from '../sync/engine.ts';
import { STRINGS as t } from './strings.ts';

interface Props {
  status: SyncStatus;
  onSyncNow: () => void;
  /** Write pending signatures to a file; resolves with how many were written. */
  onExport: () => Promise<number>;
  loadQuarantined: () => Promise<OutboxRow[]>;
}

export function SyncStatusBar({ status, onSyncNow, onExport, loadQuarantined }: Props) {
  const [notice, setNotice] = useState('');
  const [refused, setRefused] = useState<OutboxRow[] | null>(null);
  const detail =
    status.phase === 'syncing' ? t.syncing
    : status.phase === 'blocked' && !status.needsEnrollment ? t.updateNeeded
    : status.phase === 'waiting' ? `${status.lastError ?? ''}. ${t.offlineWaiting}`
    : status.lastSyncAt ? t.lastSync(new Date(status.lastSyncAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }))
    : '';

  async function exportPending() {
    try {
      const n = await onExport();
      setNotice(n > 0 ? t.exportDone(n) : t.exportNone);
    } catch (error) {
      setNotice((error as Error).message);
    }
  }

  return (
    <footer class="status-bar">
      <div class="status-line">
        <p role="status" aria-live="polite" aria-label="Sync status">
          <strong>{t.waiting(status.pending)}</strong>
          {detail && <span> · {detail}</span>}
          {status.clockSuspect && <span class="warn"> · {t.clockWrong}</span>}
        </p>
        {notice && <p class="notice" role="status">{notice}</p>}
      </div>
      <div class="actions">
        {status.quarantined > 0 && (
          <button type="button" class="secondary warn" onClick={() => void loadQuarantined().then(setRefused)}>
            {t.quarantined(status.quarantined)}
          </button>
        )}
        <button type="button" class="secondary" onClick={() => void exportPending()}>{t.exportPending}</button>
        <button type="button" class="secondary" onClick={onSyncNow} disabled={status.phase === 'syncing'}>{t.syncNow}</button>
      </div>
      {refused && (
        <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="refused-title">
          <h2 id="refused-title">{t.attentionTitle}</h2>
          <p class="hint">{t.attentionHint}</p>
          <ul>
            {refused.map((row) => (
              <li key={row.id}><code>{row.id.slice(0, 8)}</code> — {row.reason}</li>
            ))}
          </ul>
          <button type="button" class="primary" onClick={() => setRefused(null)}>{t.close}</button>
        </div>
      )}
    </footer>
  );
}
