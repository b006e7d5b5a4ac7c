/**
 * Setting up two-factor sign-in: a new secret as a QR code for an authenticator app (and as
 * text, to type by hand), a code from the app to prove it has the secret, then the recovery
 * codes, once. `TwoFactorEnroll` is the flow; `TwoFactorSetup` is the page the console shows
 * in its place while the account must set it up (the server allows it nothing else).
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, consoleApi, type ConsoleApi, type SessionInfo, type TwoFactorSetup as Setup } from './api.ts';
import { BrandedCard } from './BrandedCard.tsx';
import { RecoveryCodes } from './RecoveryCodes.tsx';

/** The secret in groups of four, as authenticator apps show and ask for it. */
const grouped = (secret: string) => secret.replace(/(.{4})(?=.)/g, '$1 ');

interface EnrollProps {
  api: ConsoleApi;
  email: string;
  /** Two-factor is on and the recovery codes are saved. */
  onDone: () => void;
  onError: (error: unknown) => void;
}

/** New secret → a code of it → the recovery codes. */
export function TwoFactorEnroll({ api, email, onDone, onError }: EnrollProps) {
  const [setup, setSetup] = useState<Setup | undefined>();
  const [codes, setCodes] = useState<string[] | undefined>();
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const codeInput = useRef<HTMLInputElement | null>(null);

  useEffect(() => {
    api.setUpTwoFactor().then(setSetup, (e: unknown) => {
      setError((e as Error).message);
      onError(e);
    });
  }, [api]);

  async function confirm(event: Event) {
    event.preventDefault();
    if (!/^\d{6}$/.test(code.replace(/\s/g, ''))) {
      setError('Enter the 6 digits your authenticator app shows now.');
      codeInput.current?.focus();
      return;
    }
    setBusy(true);
    setError('');
    try {
      setCodes(await api.confirmTwoFactor(code.replace(/\s/g, '')));
    } catch (e) {
      setError((e as Error).message);
      setCode('');
      codeInput.current?.focus();
      onError(e);
    } finally {
      setBusy(false);
    }
  }

  if (codes) return <RecoveryCodes codes={codes} email={email} onSaved={onDone} />;
  if (!setup) return error ? <p class="error banner" role="alert">{error}</p> : <p class="hint" role="status">Preparing a new secret…</p>;
  return (
    <div class="two-factor-enroll">
      <ol class="steps">
        <li>Open an authenticator app on your phone (for example Aegis, FreeOTP, Google Authenticator or 1Password) and add an account.</li>
        <li>Scan this QR code, or type the key below by hand.</li>
        <li>Enter the 6-digit code the app then shows for Fieldsign.</li>
      </ol>
      <div class="two-factor-secret">
        <img class="qr" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(setup.qrSvg)}`} width={220} height={220}
          alt="QR code of the two-factor secret, for an authenticator app" />
        <div>
          <p class="hint">Key, to type by hand (time-based, 6 digits):</p>
          <p class="mono secret-text" data-testid="totp-secret" aria-label="Two-factor key">{grouped(setup.secret)}</p>
        </div>
      </div>
      <form class="code-form" onSubmit={confirm} noValidate>
        <div class="field grow">
          <label for="setup-code">Code from the app</label>
          <input id="setup-code" ref={codeInput} type="text" inputMode="numeric" autocomplete="one-time-code" maxLength={8} value={code}
            aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'setup-error' : undefined}
            onInput={(e) => setCode(e.currentTarget.value)} />
        </div>
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Checking…' : 'Turn on two-factor sign-in'}</button>
      </form>
      {error && <p id="setup-error" class="error banner" role="alert">{error}</p>}
    </div>
  );
}

interface PageProps {
  session: SessionInfo;
  /** Two-factor is on: the console may open. */
  onDone: () => void;
  onSignedOut: (message: string) => void;
}

/** The page shown instead of the console until the account has two-factor sign-in. */
export function TwoFactorSetup({ session, onDone, onSignedOut }: PageProps) {
  const api = useMemo(() => consoleApi(session.csrfToken, ''), [session.csrfToken]);

  function onError(error: unknown) {
    if (error instanceof ApiError && error.status === 401) onSignedOut('Your session has ended. Please sign in again.');
  }

  async function logout() {
    await api.logout().catch(() => undefined);
    onSignedOut('You have signed out.');
  }

  return (
    <BrandedCard title="Set up two-factor sign-in" class="setup-card">
      <p class="hint">
        This account ({session.coordinator.email}) must sign in with a code from your phone as well as its password:
        owners, anyone who may export signers' personal data, and everyone when an owner says so. Set it up once, now;
        the console opens right after.
      </p>
      <TwoFactorEnroll api={api} email={session.coordinator.email} onDone={onDone} onError={onError} />
      <p class="setup-leave">
        <button type="button" class="secondary small" onClick={() => void logout()}>Log out</button>
      </p>
    </BrandedCard>
  );
}
