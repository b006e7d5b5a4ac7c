/**
 * The console's sign-in form, in up to two steps: the email and password, then (for an
 * account with two-factor sign-in, when the server answers second_factor_required) the code
 * of the authenticator app or a recovery code. The email and password are kept in this
 * form's state between the steps, and sent again with the code: the server keeps nothing
 * of a half-finished sign-in.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, publicApi, type SessionInfo } from './api.ts';
import { BrandedCard } from './BrandedCard.tsx';

interface Props {
  onSignedIn: (session: SessionInfo) => void;
  /** Shown above the form, e.g. after signing out. */
  notice?: string;
}

export function Login({ onSignedIn, notice }: Props) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  // The second step: the password was right, the account's code is needed too.
  const [askCode, setAskCode] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const passwordInput = useRef<HTMLInputElement | null>(null);
  const codeInput = useRef<HTMLInputElement | null>(null);
  useEffect(() => {
    if (askCode) codeInput.current?.focus();
  }, [askCode]);

  async function submit(event: Event) {
    event.preventDefault();
    if (!email.trim() || !password) {
      setError('Enter your email address and your password.');
      return;
    }
    if (askCode && !code.trim()) {
      setError('Enter the code from your authenticator app, or a recovery code.');
      return;
    }
    setBusy(true);
    setError('');
    try {
      const session = await publicApi.login(email.trim(), password, askCode ? code.trim() : undefined);
      // A browser drops the Secure session cookie on plain http (except on localhost):
      // say so, rather than failing on the next request.
      if (!(await publicApi.session())) {
        throw new Error('Your browser did not keep the sign-in. Open the console over https:// (or on localhost) and try again.');
      }
      onSignedIn(session);
    } catch (e) {
      setBusy(false);
      if (e instanceof ApiError && e.code === 'second_factor_required') {
        setAskCode(true);
        return;
      }
      setError((e as Error).message);
      if (askCode) {
        setCode('');
        codeInput.current?.focus();
      } else {
        setPassword('');
        passwordInput.current?.focus();
      }
    }
  }

  /** Back to the first step, e.g. to sign in as someone else. */
  function startOver() {
    setAskCode(false);
    setCode('');
    setPassword('');
    setError('');
  }

  const invalid = error ? 'true' : undefined;
  const describedBy = error ? 'login-error' : undefined;
  return (
    <BrandedCard title="Coordinator console" class="login-card">
      <p class="hint">Sign in to follow the count, manage tablets and prepare the hand-in.</p>
      {notice && !error && !askCode && <p class="notice-banner" role="status">{notice}</p>}
      {/* Said before anyone types a password: the server refuses this sign-in anyway (403). */}
      {!window.isSecureContext && !error && (
        <p class="error banner" id="insecure-warning">
          This page was opened over plain http from another machine: a password typed here would cross the network
          unprotected, so signing in is refused. Open the console at its https:// address.
        </p>
      )}
      <form class="stack" onSubmit={submit} noValidate>
        {askCode ? (
          <>
            <p class="hint" id="login-code-for">Signing in as <strong>{email.trim()}</strong>.</p>
            <div class="field">
              <label for="login-code">Two-factor code</label>
              <input id="login-code" ref={codeInput} type="text" inputMode="numeric" autocomplete="one-time-code" required value={code} maxLength={64}
                spellcheck={false} autoCapitalize="off" aria-invalid={invalid} aria-describedby={`login-code-hint${describedBy ? ` ${describedBy}` : ''}`}
                onInput={(e) => setCode(e.currentTarget.value)} />
              <p class="hint" id="login-code-hint">
                The 6 digits your authenticator app shows for Fieldsign. Lost your phone? A recovery code works too, once.
              </p>
            </div>
          </>
        ) : (
          <>
            <div class="field">
              <label for="login-email">Email</label>
              <input id="login-email" type="email" autocomplete="username" required value={email} maxLength={254}
                aria-invalid={invalid} aria-describedby={describedBy}
                onInput={(e) => setEmail(e.currentTarget.value)} />
            </div>
            <div class="field">
              <label for="login-password">Password</label>
              <input id="login-password" ref={passwordInput} type="password" autocomplete="current-password" required value={password} maxLength={200}
                aria-invalid={invalid} aria-describedby={describedBy}
                onInput={(e) => setPassword(e.currentTarget.value)} />
            </div>
          </>
        )}
        {error && <p id="login-error" class="error banner" role="alert">{error}</p>}
        <button type="submit" class="primary wide" disabled={busy}>{busy ? 'Signing in…' : askCode ? 'Verify' : 'Sign in'}</button>
        {askCode && <button type="button" class="secondary wide" onClick={startOver}>Use another account</button>}
      </form>
    </BrandedCard>
  );
}
