/**
 * The volunteer screen's word on persistent storage: whether the browser keeps this tablet's
 * storage when space runs low, and, while it does not, why that matters and a button to ask
 * it (a volunteer's action: Firefox shows a prompt; see src/db/storage-persistence.ts).
 */
import { useState } from 'preact/hooks';
import type { Persistence } from '../db/storage-persistence.ts';
import { useI18n } from './i18n/index.ts';

interface Props {
  /** As the browser last said; undefined while loading. */
  persistence: Persistence | undefined;
  ask: () => Promise<Persistence>;
  /** The browser answered (the screen reloads its facts). */
  onAnswer: () => void;
}

export function StoragePersistence({ persistence, ask, onAnswer }: Props) {
  const { t } = useI18n();
  const [asking, setAsking] = useState(false);
  const [refused, setRefused] = useState(false);

  async function request() {
    setAsking(true);
    const answer = await ask();
    setAsking(false);
    setRefused(answer === 'not-persistent');
    onAnswer();
  }

  if (persistence === undefined) return <p>…</p>;
  if (persistence === 'persistent') return <p>{t('storagePersistent')}</p>;
  if (persistence === 'unknown') return <p class="warn-text">{t('storagePersistenceUnknown')}</p>;
  return (
    <>
      <p class="warn-text">{t('storageNotPersistent')}</p>
      <p class="hint">{t('persistWhy')}</p>
      <div class="row">
        <button type="button" class="secondary" onClick={() => void request()} disabled={asking}>{t('persistAsk')}</button>
      </div>
      <p role="status" class="notice">{asking ? t('persistAsking') : refused ? t('persistRefused') : ''}</p>
    </>
  );
}
