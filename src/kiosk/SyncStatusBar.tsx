/** A one-line view of the outbox for the volunteer: how many wait, and a "sync now" button. */
import type { SyncStatus } from '../sync/engine.ts';
import { STRINGS as t } from './strings.ts';

export function SyncStatusBar({ status, onSyncNow }: { status: SyncStatus; onSyncNow: () => void }) {
  const detail =
    status.phase === 'syncing' ? t.syncing
    : status.phase === 'blocked' ? t.updateNeeded
    : status.phase === 'waiting' ? t.offlineWaiting
    : status.lastSyncAt ? t.lastSync(new Date(status.lastSyncAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }))
    : '';
  return (
    <footer class="status-bar">
      <p role="status" aria-live="polite" aria-label="Sync status">
        <strong>{t.waiting(status.pending)}</strong>
        {status.quarantined > 0 && <span class="warn"> · {t.quarantined(status.quarantined)}</span>}
        {detail && <span> · {detail}</span>}
      </p>
      <button type="button" class="secondary" onClick={onSyncNow} disabled={status.phase === 'syncing'}>
        {t.syncNow}
      </button>
    </footer>
  );
}
