/** The line at the bottom: how many signatures wait, sync activity, the quick lock and the volunteer button. */
import type { SyncProblem, SyncStatus } from '../sync/engine.ts';
import type { CatalogKey } from './i18n/catalog.ts';
import { useI18n } from './i18n/index.ts';
import { HoldToLock } from './HoldToLock.tsx';

/** Catalog key for each kind of sync problem. */
export const PROBLEM_KEYS: Record<SyncProblem, CatalogKey> = {
  offline: 'problemOffline',
  network: 'problemNetwork',
  server: 'problemServer',
  unreadable: 'problemUnreadable',
  unconfirmed: 'problemUnconfirmed',
  refused: 'problemRefused',
  incompatible: 'problemIncompatible',
  unauthorized: 'problemUnauthorized',
  token_expired: 'problemTokenExpired',
  not_enrolled: 'problemNotEnrolled',
};

interface Props {
  status: SyncStatus;
  onVolunteer: () => void;
  /** Lock the tablet at once (after the lock button was held). */
  onLock: () => void;
}

export function SyncStatusBar({ status, onVolunteer, onLock }: Props) {
  const { t } = useI18n();
  const detail =
    status.phase === 'syncing' ? t('syncing')
    : status.phase === 'waiting' && status.problem ? `${t(PROBLEM_KEYS[status.problem])} ${t('retrying')}`
    : status.phase === 'blocked' && status.problem ? t(PROBLEM_KEYS[status.problem])
    : '';
  return (
    <footer class="status-bar">
      <p role="status" aria-live="polite">
        <strong>{t('waiting', { n: status.pending })}</strong>
        {status.quarantined > 0 && <span class="warn"> · {t('quarantined', { n: status.quarantined })}</span>}
        {detail && <span> · {detail}</span>}
      </p>
      <div class="status-actions">
        <HoldToLock onLock={onLock} />
        <button type="button" class="secondary" onClick={onVolunteer}>{t('volunteer')}</button>
      </div>
    </footer>
  );
}
