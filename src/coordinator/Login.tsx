/** The console's sign-in form. */
import { useRef, useState } from 'preact/hooks';
import { useFocusOnArrival } from '../kiosk/focus.ts';
import { publicApi, type SessionInfo } from './api.ts';

interface Props {
  onSignedIn: (session: SessionInfo) => void;
  /** Shown above the form, e.g. after signing out. */
  notice?: string;
}

export function Login({ onSignedIn, notice }: Props) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement | null>(null);
  const passwordInput = useRef<HTMLInputElement | null>(null);
  useFocusOnArrival(heading);

  async function submit(event: Event) {
    event.preventDefault();
    if (!email.trim() || !password) {
      setError('Enter your email address and your password.');
      return;
    }
    setBusy(true);
    setError('');
    try {
      const session = await publicApi.login(email.trim(), password);
      // A browser drops the Secure session cookie on plain http (except on localhost):
      // say so, rather than failing on the next request.
      if (!(await publicApi.session())) {
        throw new Error('Your browser did not keep the sign-in. Open the console over https:// (or on localhost) and try again.');
      }
      onSignedIn(session);
    } catch (e) {
      setError((e as Error).message);
      setPassword('');
      setBusy(false);
      passwordInput.current?.focus();
    }
  }

  return (
    <main class="login-page" id="main">
      <section class="card login-card" aria-labelledby="login-heading">
        <p class="login-brand">
          <span class="brand-mark" aria-hidden="true">F</span> Fieldsign
        </p>
        <h1 id="login-heading" tabIndex={-1} ref={heading}>Coordinator console</h1>
        <p class="hint">Sign in to follow the count, manage tablets and prepare the hand-in.</p>
        {notice && !error && <p class="notice-banner" role="status">{notice}</p>}
        {/* Said before anyone types a password: the server refuses this sign-in anyway (403). */}
        {!window.isSecureContext && !error && (
          <p class="error banner" id="insecure-warning">
            This page was opened over plain http from another machine: a password typed here would cross the network
            unprotected, so signing in is refused. Open the console at its https:// address.
          </p>
        )}
        <form class="stack" onSubmit={submit} noValidate>
          <div class="field">
            <label for="login-email">Email</label>
            <input id="login-email" type="email" autocomplete="username" required value={email} maxLength={254}
              aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'login-error' : undefined}
              onInput={(e) => setEmail(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="login-password">Password</label>
            <input id="login-password" ref={passwordInput} type="password" autocomplete="current-password" required value={password} maxLength={200}
              aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'login-error' : undefined}
              onInput={(e) => setPassword(e.currentTarget.value)} />
          </div>
          {error && <p id="login-error" class="error banner" role="alert">{error}</p>}
          <button type="submit" class="primary wide" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
        </form>
      </section>
    </main>
  );
}
