/**
 * Sealed signatures: unlock the coordinator's private key in this browser, open every
 * sealed signature the server holds, and see what was verified: how many opened, each one
 * that did not (and why), each tablet's chain, possible duplicate signers. The hand-in list,
 * the contacts and the integrity report are built here and downloaded from memory; nothing
 * is uploaded. The key lives in the console's memory only (see ConsoleApp), until "Forget
 * key", signing out or closing the tab. This is the key and the reading; what a reading found,
 * and its files, are SealedResults.tsx; the opening itself is sealed-open.ts.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ConsoleApi } from './api.ts';
import { plural } from './format.ts';
import { SealedResults, useDownloads } from './SealedResults.tsx';
import { SectionHeading } from './SectionHeading.tsx';
import { openAllSignatures, unlockChosenFile, type OpenedSignatures, type UnlockedKey } from './sealed-open.ts';

interface Props {
  api: ConsoleApi;
  /** The unlocked key, kept by the signed-in console so that it survives changing sections. */
  unlocked: UnlockedKey | undefined;
  onUnlocked: (key: UnlockedKey | undefined) => void;
  onError: (error: unknown) => void;
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

      {unlocked && opened && downloads && <SealedResults opened={opened} downloads={downloads} />}
    </>
  );
}
