/**
 * Sealed signatures: unlock the coordinator's private key in this browser, open every
 * sealed signature the server holds, and see what was verified: how many opened, each one
 * that did not (and why), each tablet's chain, possible duplicate signers. The hand-in list,
 * the contacts and the integrity report are built here and downloaded from memory; nothing
 * is uploaded. The key lives in the console's memory only (see ConsoleApp), until "Forget
 * key", signing out or closing the tab.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { useFocusOnArrival } from '../kiosk/focus.ts';
import { deletionsNote } from '../shared/open-signatures.ts';
import type { ConsoleApi } from './api.ts';
import { countryName, formatNumber, plural } from './format.ts';
import { SectionHeading } from './SectionHeading.tsx';
import { contactsCsv, handinCsv, integrityText, openAllSignatures, unlockChosenFile, type OpenedSignatures, type UnlockedKey } from './sealed-open.ts';

interface Props {
  api: ConsoleApi;
  /** The unlocked key, kept by the signed-in console so that it survives changing sections. */
  unlocked: UnlockedKey | undefined;
  onUnlocked: (key: UnlockedKey | undefined) => void;
  onError: (error: unknown) => void;
}

/** The downloads built from one reading, as object URLs. */
interface Downloads {
  handin: { url: string; name: string };
  contacts: { url: string; name: string };
  integrity: { url: string; name: string };
}

export function SealedSignatures({ api, unlocked, onUnlocked, onError }: Props) {
  const [file, setFile] = useState<File | undefined>();
  const [passphrase, setPassphrase] = useState('');
  const [unlockError, setUnlockError] = useState('');
  const [busy, setBusy] = useState<'unlocking' | 'opening' | undefined>();
  const [progress, setProgress] = useState(0);
  const [opened, setOpened] = useState<OpenedSignatures | undefined>();
  const [openError, setOpenError] = useState('');
  const [campaignKeyId, setCampaignKeyId] = useState<string | null | undefined>();
  const passphraseInput = useRef<HTMLInputElement | null>(null);
  const unlockedNote = useRef<HTMLParagraphElement | null>(null);
  const stop = useRef<AbortController | null>(null);

  useEffect(() => {
    api.campaignSealing().then(
      (sealing) => setCampaignKeyId(sealing?.keyId ?? null),
      () => setCampaignKeyId(undefined),
    );
    return () => stop.current?.abort();
  }, []);

  const downloads = useDownloads(opened);

  async function unlock(event: Event) {
    event.preventDefault();
    if (!file || !passphrase) {
      setUnlockError(!file ? 'Choose your private key file (fieldsign-private-key.json).' : 'Type the passphrase of the private key file.');
      return;
    }
    setBusy('unlocking');
    setUnlockError('');
    try {
      const key = await unlockChosenFile(file, passphrase);
      setPassphrase('');
      onUnlocked(key);
      setBusy(undefined);
      requestAnimationFrame(() => unlockedNote.current?.focus());
    } catch (error) {
      setUnlockError((error as Error).message);
      setPassphrase('');
      setBusy(undefined);
      passphraseInput.current?.focus();
    }
  }

  function forget() {
    stop.current?.abort();
    onUnlocked(undefined);
    setOpened(undefined);
    setOpenError('');
    setProgress(0);
  }

  async function openAll() {
    if (!unlocked) return;
    const controller = new AbortController();
    stop.current = controller;
    setBusy('opening');
    setOpenError('');
    setOpened(undefined);
    setProgress(0);
    try {
      const result = await openAllSignatures(api, unlocked, setProgress, controller.signal);
      if (controller.signal.aborted) return;
      setOpened(result);
    } catch (error) {
      if (controller.signal.aborted) return;
      setOpenError((error as Error).message);
      onError(error);
    } finally {
      if (stop.current === controller) {
        stop.current = null;
        setBusy(undefined);
      }
    }
  }

  const mismatch = unlocked && campaignKeyId && campaignKeyId !== unlocked.keyId;

  return (
    <>
      <SectionHeading title="Sealed signatures" />
      <p class="lead">
        In a sealed campaign each tablet encrypts the signer’s details and signature for your key before storing them: the server holds only ciphertext. Open
        them here with your private key file and its passphrase. Both stay in this browser: nothing is uploaded, and the key is kept in this tab’s memory only.
      </p>
      {campaignKeyId === null && (
        <p class="notice-banner neutral">The current campaign is not sealed: its signatures can be read under Signatures and Exports. Any sealed ones from earlier still open here.</p>
      )}

      <section class="card" aria-labelledby="sealed-key-heading">
        <h2 id="sealed-key-heading">Your private key</h2>
        {!unlocked ? (
          <form class="stack key-form" onSubmit={unlock} noValidate>
            <div class="field">
              <label for="sealed-key-file">Private key file</label>
              <input
                id="sealed-key-file"
                type="file"
                accept=".json,application/json"
                aria-describedby="sealed-key-file-hint"
                onChange={(e) => {
                  setFile(e.currentTarget.files?.[0]);
                  setUnlockError('');
                }}
              />
              <p id="sealed-key-file-hint" class="hint">fieldsign-private-key.json, made with “npm run cli -- keygen”. It is read here, not sent anywhere.</p>
            </div>
            <div class="field">
              <label for="sealed-passphrase">Passphrase</label>
              <input
                id="sealed-passphrase"
                ref={passphraseInput}
                type="password"
                autocomplete="off"
                value={passphrase}
                maxLength={1024}
                aria-invalid={unlockError ? 'true' : undefined}
                aria-describedby={unlockError ? 'sealed-unlock-error' : undefined}
                onInput={(e) => setPassphrase(e.currentTarget.value)}
              />
            </div>
            {unlockError && <p id="sealed-unlock-error" class="error banner" role="alert">{unlockError}</p>}
            <div>
              <button type="submit" class="primary" disabled={busy === 'unlocking'}>{busy === 'unlocking' ? 'Unlocking…' : 'Unlock key'}</button>
            </div>
          </form>
        ) : (
          <>
            <p class="notice-banner" role="status" tabIndex={-1} ref={unlockedNote}>
              {'Key '}<span class="mono key-id">{unlocked.keyId}</span>{' is unlocked in this tab only.'}
            </p>
            {mismatch && (
              <p class="error banner" role="alert">
                {`The current campaign seals signatures for key ${campaignKeyId}, not for this one: its signatures will not open with it. Forget this key and unlock the right file.`}
              </p>
            )}
            <p class="hint">It is forgotten when you choose Forget key, sign out or close this tab.</p>
            <div class="button-row">
              <button type="button" class="primary" disabled={busy === 'opening'} onClick={() => void openAll()}>
                {busy === 'opening' ? 'Opening…' : opened ? 'Open the signatures again' : 'Open the signatures'}
              </button>
              <button type="button" class="secondary" onClick={forget}>Forget key</button>
            </div>
            {busy === 'opening' && <p class="result-line" role="status" aria-live="polite">{`Opening… ${plural(progress, 'record', 'records')} read so far.`}</p>}
            {openError && <p class="error banner" role="alert">{openError}</p>}
          </>
        )}
      </section>

      {unlocked && opened && downloads && <Results opened={opened} downloads={downloads} />}
    </>
  );
}

/** Object URLs for the three files of a reading, revoked when the reading goes (forget, sign out). */
function useDownloads(opened: OpenedSignatures | undefined): Downloads | undefined {
  const [downloads, setDownloads] = useState<Downloads | undefined>();
  useEffect(() => {
    if (!opened) {
      setDownloads(undefined);
      return;
    }
    const day = opened.at.slice(0, 10);
    const names = { handin: `fieldsign-handin-opened-${day}.csv`, contacts: `fieldsign-contacts-opened-${day}.csv`, integrity: `fieldsign-integrity-${day}.txt` };
    const url = (text: string, type: string) => URL.createObjectURL(new Blob([text], { type }));
    const made: Downloads = {
      handin: { url: url(handinCsv(opened.rows), 'text/csv;charset=utf-8'), name: names.handin },
      contacts: { url: url(contactsCsv(opened.rows), 'text/csv;charset=utf-8'), name: names.contacts },
      integrity: { url: url(integrityText(opened, [names.handin, names.contacts, names.integrity]), 'text/plain;charset=utf-8'), name: names.integrity },
    };
    setDownloads(made);
    return () => {
      for (const d of Object.values(made)) URL.revokeObjectURL(d.url);
    };
  }, [opened]);
  return downloads;
}

/** The outcome of one reading; its heading takes the focus when it appears. */
function Results({ opened, downloads }: { opened: OpenedSignatures; downloads: Downloads }) {
  const heading = useRef<HTMLHeadingElement | null>(null);
  useFocusOnArrival(heading, [opened]);
  const { report, rows } = opened;
  const byId = new Map(rows.map((r) => [r.id, r]));
  const optedIn = rows.filter((r) => r.record.payload.signer.optIn).length;
  return (
    <>
      <section class="card" aria-labelledby="sealed-result-heading">
        <div class="card-head">
          <h2 id="sealed-result-heading" tabIndex={-1} ref={heading}>What was verified</h2>
          <span class={`badge ${report.ok ? 'badge-ok' : 'badge-danger'}`}>{report.ok ? 'All verified' : 'Problems found'}</span>
        </div>
        <p class={report.ok ? 'verdict-ok' : 'error'} data-testid="sealed-summary">{report.summary}</p>
        <dl class="summary">
          <dt>Signatures held</dt>
          <dd data-testid="sealed-held">{formatNumber(report.held)}</dd>
          <dt>Opened with your key</dt>
          <dd data-testid="sealed-opened">{`${formatNumber(report.opened)} of ${formatNumber(report.sealed)} sealed`}</dd>
          <dt>Could not be opened</dt>
          <dd data-testid="sealed-failed">{formatNumber(report.failures.length)}</dd>
          {report.plain > 0 && (
            <>
              <dt>Stored in clear</dt>
              <dd>{formatNumber(report.plain)}</dd>
            </>
          )}
        </dl>

        {report.failures.length > 0 && (
          <>
            <h3>Signatures that could not be opened</h3>
            <p class="hint">They are left out of the lists below. Each reason says what failed: a changed byte, a record moved, or another key.</p>
            <div class="table-wrap">
              <table class="data" id="sealed-failures">
                <thead>
                  <tr>
                    <th scope="col">Signature ID</th>
                    <th scope="col">Tablet, place in its chain</th>
                    <th scope="col">Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {report.failures.map((f) => (
                    <tr key={f.id}>
                      <th scope="row" class="mono">{f.id}</th>
                      <td class="mono">{f.chainSeq !== undefined ? `${f.device}, seq ${f.chainSeq}` : f.device}</td>
                      <td>{f.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}

        <h3>Tablet chains</h3>
        <ul class="verdicts" id="sealed-chains">
          {report.chain.devices.map((d) => (
            <li key={d.device} class={d.ok ? 'verdict-ok' : 'error'}>{d.summary}</li>
          ))}
        </ul>
        <p class="hint">{report.chain.summary}</p>
        {report.deletedOnRequest ? <p class="hint">{deletionsNote(report)}</p> : null}
      </section>

      <section class="card" aria-labelledby="sealed-downloads-heading">
        <h2 id="sealed-downloads-heading">Files</h2>
        <p class="hint">Made in this browser from the signatures opened above. They hold personal data: keep them on an encrypted drive.</p>
        <ul class="export-grid">
          <li class="export-card">
            <h3>Hand-in list (CSV)</h3>
            <p>{`${plural(rows.length, 'signature', 'signatures')}: name, country and date. No contact details.`}</p>
            <a class="button primary" href={downloads.handin.url} download={downloads.handin.name}>Download hand-in CSV</a>
          </li>
          <li class="export-card">
            <h3>Contacts who opted in (CSV)</h3>
            <p>{`${plural(optedIn, 'signer', 'signers')} who ticked “keep me informed”, with their contact details.`}</p>
            <p class="badge badge-warn">Contains personal data</p>
            <a class="button primary" href={downloads.contacts.url} download={downloads.contacts.name}>Download contacts CSV</a>
          </li>
          <li class="export-card">
            <h3>Integrity report (text)</h3>
            <p>What was verified: every signature that failed to open, each tablet’s chain. Signature IDs only, no names.</p>
            <a class="button secondary" href={downloads.integrity.url} download={downloads.integrity.name}>Download integrity report</a>
          </li>
        </ul>
        <p class="hint">For the printable PDF and the signature images, run “npm run cli -- export” on your own computer with the same key file.</p>
      </section>

      <section class="card" aria-labelledby="sealed-duplicates-heading">
        <h2 id="sealed-duplicates-heading">Possible duplicate signers</h2>
        {report.duplicates.length === 0 ? (
          <p class="hint">None: no two opened signatures share an email, or a name and country.</p>
        ) : (
          <>
            <p class="hint">Same email, or same name and country. Flagged for you to look at, never dropped: two people can share a name.</p>
            <div class="table-wrap">
              <table class="data" id="sealed-duplicates">
                <thead>
                  <tr>
                    <th scope="col">Shared</th>
                    <th scope="col">Name</th>
                    <th scope="col">Email</th>
                    <th scope="col">Country</th>
                    <th scope="col">Signature ID</th>
                  </tr>
                </thead>
                {report.duplicates.map((group, i) => (
                  <tbody key={i} class="dup-group">
                    {group.ids.map((id) => {
                      const signer = byId.get(id)?.record.payload.signer;
                      return (
                        <tr key={id}>
                          <td>{group.reason === 'email' ? 'Same email' : 'Same name and country'}</td>
                          <th scope="row" class="name-cell">{signer?.name ?? '—'}</th>
                          <td class="email-cell">{signer?.email ?? '—'}</td>
                          <td>{countryName(signer?.country)}</td>
                          <td class="mono">{id}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                ))}
              </table>
            </div>
          </>
        )}
      </section>
    </>
  );
}
