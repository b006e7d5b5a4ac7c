/**
 * "Your account": the signed-in account's own sessions (browser, address, started, last
 * seen, which is this one; any of them can be ended), changing its password (which ends the
 * others), and two-factor sign-in (part A's card).
 */
import { useState } from 'preact/hooks';
import type { AccountSessionView, ConsoleApi } from './api.ts';
import { formatAgo, formatDateTime, plural } from './format.ts';
import { SectionHeading } from './SectionHeading.tsx';
import { useLoad } from './hooks.ts';
import { TwoFactorCard } from './TwoFactorCard.tsx';
import type { Coordinator } from '../shared/api/session.ts';

interface Props {
  api: ConsoleApi;
  /** The signed-in account, for its two-factor card. */
  coordinator: Coordinator;
  /** Two-factor was turned on or off here. */
  onTwoFactorChanged: (twoFactor: Coordinator['twoFactor']) => void;
  now: number;
  onError: (error: unknown) => void;
  /** This browser's session was ended from here. */
  onSignedOut: (message: string) => void;
}

export function Account({ api, coordinator, now, onError, onSignedOut, onTwoFactorChanged }: Props) {
  const { data: sessions, error: loadError, reload } = useLoad(() => api.accountSessions(), [api], onError);
  return (
    <>
      <SectionHeading title="Your account">
        <button type="button" class="secondary" onClick={reload}>Refresh</button>
      </SectionHeading>
      <p class="lead">Where you are signed in, your password and your two-factor sign-in. Only you see this page’s sessions; ending one signs that browser out at once.</p>
      {loadError && <p class="error banner" role="alert">{loadError}</p>}
      <Sessions api={api} sessions={sessions} now={now} onChanged={reload} onError={onError} onSignedOut={onSignedOut} />
      <PasswordForm api={api} onChanged={reload} onError={onError} />
      <TwoFactorCard api={api} coordinator={coordinator} onChanged={onTwoFactorChanged} onError={onError} />
    </>
  );
}

function Sessions({ api, sessions, now, onChanged, onError, onSignedOut }: Pick<Props, 'api' | 'now' | 'onError' | 'onSignedOut'> & { sessions: AccountSessionView[] | undefined; onChanged: () => void }) {
  const [problem, setProblem] = useState('');

  async function end(session: AccountSessionView) {
    setProblem('');
    try {
      await api.endSession(session.id);
      if (session.current) return onSignedOut('You ended this session: you are signed out.');
      onChanged();
    } catch (error) {
      setProblem(`The session could not be ended: ${(error as Error).message}`);
      onError(error);
    }
  }

  return (
    <section class="card" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Your sessions</h2>
      {problem && <p class="error banner" role="alert">{problem}</p>}
      {!sessions ? (
        <p class="hint">Loading…</p>
      ) : (
        <div class="table-wrap">
          <table class="data" id="sessions-table">
            <thead>
              <tr>
                <th scope="col">Browser</th>
                <th scope="col">Address</th>
                <th scope="col">Started</th>
                <th scope="col">Last seen</th>
                <th scope="col"><span class="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((s) => (
                <tr key={s.id}>
                  <td>
                    {s.browser} {s.current && <span class="badge badge-ok">This one</span>}
                  </td>
                  <td class="mono">{s.address}</td>
                  <td class="nowrap"><time dateTime={s.createdAt}>{formatDateTime(s.createdAt)}</time></td>
                  <td class="nowrap"><time dateTime={s.lastSeenAt} title={formatDateTime(s.lastSeenAt)}>{formatAgo(s.lastSeenAt, now)}</time></td>
                  <td>
                    <button type="button" class="small" onClick={() => void end(s)} aria-label={s.current ? 'End this session (sign out here)' : `End the session of ${s.browser} from ${s.address}`}>
                      {s.current ? 'End (sign out)' : 'End'}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function PasswordForm({ api, onChanged, onError }: { api: ConsoleApi; onChanged: () => void; onError: (error: unknown) => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');

  async function submit(e: Event) {
    e.preventDefault();
    setError('');
    setDone('');
    if (next !== again) return setError('The new password and its repetition differ: type the same new password twice.');
    setBusy(true);
    try {
      const ended = await api.changePassword(current, next);
      setCurrent('');
      setNext('');
      setAgain('');
      setDone(`Your password is changed.${ended ? ` ${plural(ended, 'other session was', 'other sessions were')} ended.` : ''}`);
      onChanged();
    } catch (err) {
      setError((err as Error).message);
      onError(err);
    } finally {
      setBusy(false);
    }
  }

  const described = error ? 'password-error' : undefined;
  return (
    <section class="card" aria-labelledby="password-heading">
      <h2 id="password-heading">Change your password</h2>
      <p class="hint">At least 12 characters: a passphrase of a few words is easy to remember and hard to guess. Your other sessions end; this one goes on.</p>
      <form class="code-form" onSubmit={submit} noValidate>
        <div class="field grow">
          <label for="password-current">Current password</label>
          <input id="password-current" type="password" autoComplete="current-password" value={current} required aria-describedby={described} onInput={(e) => setCurrent(e.currentTarget.value)} />
        </div>
        <div class="field grow">
          <label for="password-new">New password</label>
          <input id="password-new" type="password" autoComplete="new-password" minLength={12} maxLength={200} value={next} required aria-describedby={described} onInput={(e) => setNext(e.currentTarget.value)} />
        </div>
        <div class="field grow">
          <label for="password-again">New password again</label>
          <input id="password-again" type="password" autoComplete="new-password" maxLength={200} value={again} required aria-describedby={described} onInput={(e) => setAgain(e.currentTarget.value)} />
        </div>
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Changing…' : 'Change password'}</button>
      </form>
      {error && <p id="password-error" class="error banner" role="alert">{error}</p>}
      {done && <p class="notice-banner" role="status">{done}</p>}
    </section>
  );
}
