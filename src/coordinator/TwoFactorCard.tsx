/**
 * The Account section's two-factor card: whether it is on; new recovery codes (the old ones
 * stop working); turning it off, where the account is allowed to; setting it up, where it is
 * off. Changes need a current code from the authenticator app (or a recovery code).
 */
import { useState } from 'preact/hooks';
import type { ConsoleApi, Coordinator } from './api.ts';
import { RecoveryCodes } from './RecoveryCodes.tsx';
import { TwoFactorEnroll } from './TwoFactorSetup.tsx';

interface Props {
  api: ConsoleApi;
  coordinator: Coordinator;
  /** Two-factor was turned on or off here: the session's account should say so. */
  onChanged: (twoFactor: Coordinator['twoFactor']) => void;
  onError: (error: unknown) => void;
}

/** What the card is doing: showing its state, asking a code for an action, setting up, or showing new codes. */
type Mode = { kind: 'idle' } | { kind: 'code'; action: 'new-codes' | 'off' } | { kind: 'enroll' } | { kind: 'codes'; codes: string[] };

/** Whether the account must keep two-factor (the owners' "everyone" setting is the server's to say: it answers 403). */
const mustKeep = (c: Coordinator) => c.role === 'owner' || c.mayExportPersonalData;

export function TwoFactorCard({ api, coordinator, onChanged, onError }: Props) {
  const [mode, setMode] = useState<Mode>({ kind: 'idle' });
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  const on = coordinator.twoFactor === 'on';

  async function submit(event: Event) {
    event.preventDefault();
    if (mode.kind !== 'code') return;
    if (!code.trim()) return setError('Enter the code from your authenticator app, or a recovery code.');
    setBusy(true);
    setError('');
    try {
      if (mode.action === 'new-codes') {
        setMode({ kind: 'codes', codes: await api.newRecoveryCodes(code.trim()) });
      } else {
        await api.turnOffTwoFactor(code.trim());
        setMode({ kind: 'idle' });
        setNotice('Two-factor sign-in is off: this account signs in with its password alone.');
        onChanged('off');
      }
      setCode('');
    } catch (e) {
      setError((e as Error).message);
      onError(e);
    } finally {
      setBusy(false);
    }
  }

  function ask(action: 'new-codes' | 'off') {
    setMode({ kind: 'code', action });
    setError('');
    setNotice('');
  }

  return (
    <section class="card" aria-labelledby="two-factor-heading">
      <h2 id="two-factor-heading">Two-factor sign-in</h2>
      <p>
        {on ? <span class="badge badge-ok">On</span> : <span class="badge badge-warn">Off</span>}{' '}
        {on ? 'Signing in asks for a code from your authenticator app, or a recovery code.' : 'Signing in asks for your password only.'}
      </p>
      {notice && <p class="notice-banner" role="status">{notice}</p>}
      {mode.kind === 'codes' && <RecoveryCodes codes={mode.codes} email={coordinator.email} onSaved={() => setMode({ kind: 'idle' })} />}
      {mode.kind === 'enroll' && (
        <TwoFactorEnroll api={api} email={coordinator.email} onError={onError} onDone={() => {
          setMode({ kind: 'idle' });
          onChanged('on');
        }} />
      )}
      {mode.kind === 'idle' && (
        <div class="button-row">
          {on && <button type="button" class="secondary" onClick={() => ask('new-codes')}>New recovery codes</button>}
          {on && !mustKeep(coordinator) && <button type="button" class="danger-outline" onClick={() => ask('off')}>Turn off</button>}
          {!on && <button type="button" class="primary" onClick={() => setMode({ kind: 'enroll' })}>Set up two-factor sign-in</button>}
        </div>
      )}
      {on && mustKeep(coordinator) && mode.kind === 'idle' && <p class="hint">This account must keep it: it may reach signers' personal data or the team.</p>}
      {mode.kind === 'code' && (
        <form class="code-form" onSubmit={submit} noValidate>
          <div class="field grow">
            <label for="two-factor-code">{mode.action === 'off' ? 'Code, to turn two-factor sign-in off' : 'Code, for new recovery codes (the old ones stop working)'}</label>
            <input id="two-factor-code" type="text" inputMode="numeric" autocomplete="one-time-code" maxLength={64} value={code}
              aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'two-factor-error' : undefined}
              onInput={(e) => setCode(e.currentTarget.value)} />
          </div>
          <button type="submit" class={mode.action === 'off' ? 'danger' : 'primary'} disabled={busy}>{mode.action === 'off' ? 'Turn off' : 'Make new codes'}</button>
          <button type="button" class="secondary" onClick={() => setMode({ kind: 'idle' })}>Cancel</button>
        </form>
      )}
      {error && <p id="two-factor-error" class="error banner" role="alert">{error}</p>}
    </section>
  );
}
