/**
 * The volunteer screen, behind the PIN: event and volunteer on duty, the petition shown
 * (and the choice of it on a tablet allowed several), the counts, sync
 * state in plain words with "sync now", storage use and persistence, the export of
 * pending signatures to a file, and the signatures the server refused. When the tablet
 * was revoked, what must still be exported, and once a file is written the step that wipes
 * its signatures after the volunteer confirms the file is saved; apart, in its own section,
 * the quick delete.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { useFocusOnArrival } from './focus.ts';
import type { CampaignChoice } from '../db/campaigns.ts';
import type { OutboxRow } from '../db/db.ts';
import type { Persistence } from '../db/storage-persistence.ts';
import type { SyncOutcome, SyncStatus } from '../sync/engine.ts';
import { CampaignPicker } from './CampaignPicker.tsx';
import { EraseDialog } from './EraseDialog.tsx';
import { useI18n } from './i18n/index.ts';
import type { Translate } from './i18n/catalog.ts';
import { PROBLEM_KEYS } from './SyncStatusBar.tsx';
import { StoragePersistence } from './StoragePersistence.tsx';
import { FileText, WipeDialog } from './WipeDialog.tsx';

/** Facts the screen loads when it opens. */
export interface VolunteerFacts {
  event: string;
  volunteerName: string;
  syncedToday: number;
  storage?: { usage: number; quota: number };
  persistence: Persistence;
  /** When the server said this tablet is revoked (ms); absent while it is not. */
  revokedAt?: number;
  /** Signatures exported from this tablet after its revocation, then wiped from it. */
  wiped?: number;
  /** The last transfer file (name, when written) and how many of its signatures are still pending here. */
  exported?: { n: number; file: string; at: number };
  /** The build running here, as reported to the server. */
  appVersion?: string;
  /** When this tablet's enrollment (its token) expires; absent: no expiry given. */
  tokenExpiresAt?: string;
}

interface Props {
  status: SyncStatus;
  load: () => Promise<VolunteerFacts>;
  setVolunteerName: (name: string) => Promise<void>;
  requestPersistence: () => Promise<Persistence>;
  /** Sync at once, contacting the server even with nothing to send; resolves with what was done. */
  syncNow: () => Promise<SyncOutcome>;
  exportPending: () => Promise<number>;
  /** Revoked tablet: the volunteer confirmed the file written at `exportAt` is saved; resolves with how many were wiped. */
  wipeExported: (exportAt: number) => Promise<number>;
  loadQuarantined: () => Promise<OutboxRow[]>;
  /** Quick delete: erase every signature not on the server yet; resolves with how many. */
  erase: () => Promise<number>;
  campaignChoices: () => Promise<CampaignChoice[]>;
  chooseCampaign: (id: string) => Promise<void>;
  /** Changes whenever what the tablet holds about its campaigns changed. */
  campaignNews: number;
  onReenroll: () => void;
  /** Hide the app behind the neutral lock screen at once (the PIN unlocks it). */
  onLock: () => void;
  onClose: () => void;
}

export function VolunteerScreen(props: Props) {
  const { t, locale } = useI18n();
  const { status } = props;
  const [facts, setFacts] = useState<VolunteerFacts | undefined>();
  const [name, setName] = useState('');
  const [notice, setNotice] = useState('');
  const [syncReport, setSyncReport] = useState('');
  const [refused, setRefused] = useState<OutboxRow[]>([]);
  const [erasing, setErasing] = useState(false);
  const [erased, setErased] = useState('');
  const [wiping, setWiping] = useState(false);
  const heading = useRef<HTMLHeadingElement | null>(null);
  const exportButton = useRef<HTMLButtonElement | null>(null);
  const focusExport = useRef(false);
  useFocusOnArrival(heading);

  const reload = () =>
    void props.load().then((f) => {
      setFacts(f);
      setName((current) => current || f.volunteerName);
    });
  useEffect(reload, [status.pending, status.synced, status.lastSyncAt, status.needsEnrollment]);
  useEffect(() => void props.loadQuarantined().then(setRefused), [status.quarantined]);

  const bytes = (n: number) => new Intl.NumberFormat(locale, { style: 'unit', unit: n > 1e9 ? 'gigabyte' : 'megabyte', maximumFractionDigits: 1 }).format(n / (n > 1e9 ? 1e9 : 1e6));
  const time = (ms: number) => new Date(ms).toLocaleString(locale, { hour: '2-digit', minute: '2-digit', day: 'numeric', month: 'short' });

  /** "Sync now" always says what it did: how many went, or why nothing could. */
  async function syncNow() {
    setSyncReport('');
    const outcome = await props.syncNow();
    setSyncReport(describeSync(outcome, status.quarantined, t));
  }

  async function exportPending() {
    const n = await props.exportPending().catch((e: Error) => {
      setNotice(e.message);
      return -1;
    });
    if (n < 0) return;
    // On a revoked tablet the wipe step below says what was saved and asks to check the file.
    setNotice(n === 0 ? t('exportNone') : facts?.revokedAt !== undefined ? '' : t('exportDone', { n }));
    reload();
  }

  /** The wipe is done: say so, and put focus beside it (its button goes). */
  function wiped(n: number) {
    setWiping(false);
    setNotice(t('wipeDone', { n }));
    focusExport.current = true;
    reload();
  }
  // After the dialog has closed (and handed focus back to a button about to go).
  useEffect(() => {
    if (!focusExport.current || wiping) return;
    focusExport.current = false;
    exportButton.current?.focus();
  }, [wiping, facts]);

  const toWipe = facts?.revokedAt !== undefined ? facts.exported : undefined;

  return (
    <main class="single volunteer">
      <section class="card" aria-labelledby="volunteer-heading">
        <h1 id="volunteer-heading" tabIndex={-1} ref={heading}>{t('volunteerHeading')}</h1>
        <div class="row">
          <button type="button" class="secondary" onClick={props.onLock}>{t('lockNow')}</button>
        </div>
        <dl class="summary">
          <dt>{t('eventLabel')}</dt>
          <dd>{facts?.event ?? '…'}</dd>
        </dl>
        <div class="field">
          <label for="volunteer-name">{t('volunteerNameLabel')}</label>
          <input id="volunteer-name" type="text" autocomplete="off" maxLength={80} value={name}
            onInput={(e) => setName(e.currentTarget.value)} onBlur={() => void props.setVolunteerName(name)} />
        </div>

        {facts?.revokedAt !== undefined && (
          <section class="revoked-notice" aria-labelledby="revoked-heading">
            <h2 id="revoked-heading">{t('revokedHeading')}</h2>
            <p>{t('revokedNotice', { time: time(facts.revokedAt) })}</p>
            {status.pending > 0 && <p class="warn-text">{t('revokedMustExport', { n: status.pending })}</p>}
            {(facts.wiped ?? 0) > 0 && <p>{t('revokedWiped', { n: facts.wiped ?? 0 })}</p>}
          </section>
        )}

        <CampaignPicker load={props.campaignChoices} choose={props.chooseCampaign} news={props.campaignNews} />

        <h2>{t('countsHeading')}</h2>
        <dl class="counts">
          <div><dt>{t('countWaiting')}</dt><dd>{status.pending}</dd></div>
          <div><dt>{t('countSyncedToday')}</dt><dd>{facts?.syncedToday ?? '…'}</dd></div>
          <div><dt>{t('countQuarantined')}</dt><dd>{status.quarantined}</dd></div>
        </dl>

        <h2>{t('syncHeading')}</h2>
        <dl class="summary">
          <dt>{t('lastSyncLabel')}</dt>
          <dd>{status.lastSyncAt ? time(status.lastSyncAt) : t('neverSynced')}</dd>
          <dt>{t('lastError')}</dt>
          <dd>
            {status.problem ? t(PROBLEM_KEYS[status.problem]) : t('noError')}
            {status.problem && status.lastError && <span class="hint"> ({status.lastError})</span>}
          </dd>
        </dl>
        {status.clockSuspect && <p class="warn-text">{t('clockWrong')}</p>}
        <div class="row">
          <button type="button" class="primary" onClick={() => void syncNow()} disabled={status.phase === 'syncing'}>
            {status.phase === 'syncing' ? t('syncing') : t('syncNow')}
          </button>
          <button type="button" class="secondary" ref={exportButton} onClick={() => void exportPending()}>{t('exportPending')}</button>
        </div>
        <p role="status" class="notice">{syncReport}</p>
        {notice && <p role="status" class="notice">{notice}</p>}
        {facts?.revokedAt !== undefined && (
          <div class="wipe-step">
            <p role="status" class="notice">
              {toWipe && <FileText text={(file) => t('exportSavedCheck', { n: toWipe.n, file })} file={toWipe.file} />}
            </p>
            {toWipe && (
              <button type="button" class="danger" onClick={() => setWiping(true)}>{t('wipeExportedStart', { n: toWipe.n })}</button>
            )}
          </div>
        )}

        <h2>{t('storageHeading')}</h2>
        <p>{facts?.storage ? t('storageUsed', { used: bytes(facts.storage.usage), quota: bytes(facts.storage.quota) }) : t('storageUnknown')}</p>
        <StoragePersistence persistence={facts?.persistence} ask={props.requestPersistence} onAnswer={reload} />

        <h2>{t('tabletHeading')}</h2>
        <dl class="summary">
          <dt>{t('appVersionLabel')}</dt>
          <dd><code dir="ltr">{facts?.appVersion ?? '…'}</code></dd>
          <dt>{t('tokenExpiresLabel')}</dt>
          <dd>{!facts ? '…' : facts.tokenExpiresAt ? new Date(facts.tokenExpiresAt).toLocaleDateString(locale, { day: 'numeric', month: 'long', year: 'numeric' }) : t('tokenNeverExpires')}</dd>
        </dl>

        <h2>{t('attentionTitle')}</h2>
        <p class="hint">{t('attentionHint')}</p>
        {refused.length === 0 ? (
          <p>{t('attentionNone')}</p>
        ) : (
          <ul class="refused">
            {refused.map((row) => (
              <li key={row.id}><code dir="ltr">{row.id.slice(0, 8)}</code> {row.reason}</li>
            ))}
          </ul>
        )}

        <div class="row">
          <button type="button" class="secondary" onClick={props.onReenroll}>{t('reenroll')}</button>
          <button type="button" class="primary" onClick={props.onClose}>{t('close')}</button>
        </div>
      </section>

      <section class="card danger-zone" aria-labelledby="erase-heading">
        <h2 id="erase-heading">{t('eraseHeading')}</h2>
        <p>{t('eraseIntro')}</p>
        <button type="button" class="danger" onClick={() => setErasing(true)}>{t('eraseStart')}</button>
        <p role="status" class="notice">{erased}</p>
      </section>
      {wiping && toWipe && (
        <WipeDialog
          count={toWipe.n}
          file={toWipe.file}
          wipe={() => props.wipeExported(toWipe.at)}
          onWiped={wiped}
          onCancel={() => setWiping(false)}
        />
      )}
      {erasing && (
        <EraseDialog
          count={status.pending + status.quarantined}
          erase={props.erase}
          onErased={(n) => {
            setErasing(false);
            setErased(t('eraseDone', { n }));
          }}
          onCancel={() => setErasing(false)}
        />
      )}
    </main>
  );
}

/** The volunteer's answer to "Sync now", from what the engine did (and what still needs attention). */
export function describeSync(outcome: SyncOutcome, quarantined: number, t: Translate): string {
  const parts: string[] = [];
  if (outcome.sent > 0) parts.push(t('syncNowSent', { n: outcome.sent }));
  if (outcome.refused > 0) parts.push(t('syncNowRefused', { n: outcome.refused }));
  if (outcome.problem) {
    const problem = t(PROBLEM_KEYS[outcome.problem]);
    parts.push(t(outcome.sent > 0 ? 'syncNowPartly' : 'syncNowFailed', { problem }));
  } else if (parts.length === 0) {
    parts.push(quarantined > 0 ? t('syncNowNothingAttention', { n: quarantined }) : t('syncNowNothing'));
  }
  return parts.join(' ');
}
