/**
 * The invitation page (console/#invite=<token>): who invited this email to do what, then a
 * name and a password (twice); accepting makes the account and signs in. An account that must
 * have two-factor sign-in is then taken to set it up (the session says so).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { useFocusOnArrival } from '../kiosk/focus.ts';
import type { SessionInfo } from './api.ts';
import { formatDateTime } from './format.ts';
import { ROLE_NAMES } from './TeamGrant.tsx';
import { invitationApi, type InvitationView } from './team-api.ts';

/** As the server's rule (server/console/passwords.ts: passwordProblem), said before sending. */
const MIN_PASSWORD = 12;

interface Props {
  token: string;
  onSignedIn: (session: SessionInfo) => void;
}

export function AcceptInvitation({ token, onSignedIn }: Props) {
  const [invitation, setInvitation] = useState<InvitationView | undefined>();
  const [unusable, setUnusable] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement | null>(null);
  useFocusOnArrival(heading);

  useEffect(() => {
    invitationApi.show(token).then(setInvitation, (failure: unknown) => setUnusable((failure as Error).message));
  }, [token]);

  async function submit(event: Event) {
    event.preventDefault();
    if (!name.trim()) return setError('Enter your name, as your colleagues will see it.');
    if (password.length < MIN_PASSWORD) return setError(`Choose a password of at least ${MIN_PASSWORD} characters: a few words make a good one.`);
    if (password !== again) return setError('The two passwords are not the same. Type it again twice.');
    setBusy(true);
    setError('');
    try {
      const session = await invitationApi.accept(token, name.trim(), password);
      // The token is spent: it leaves the address bar and the history entry.
      history.replaceState(null, '', location.pathname);
      onSignedIn(session);
    } catch (failure) {
      setError((failure as Error).message);
      setBusy(false);
    }
  }

  return (
    <main class="login-page" id="main">
      <section class="card login-card" aria-labelledby="invite-page-heading">
        <p class="login-brand">
          <span class="brand-mark" aria-hidden="true">F</span> Fieldsign
        </p>
        <h1 id="invite-page-heading" tabIndex={-1} ref={heading}>Join the team</h1>
        {unusable ? (
          <>
            <p class="error banner" role="alert">{unusable}</p>
            <p><a href="/console" onClick={() => history.replaceState(null, '', location.pathname)}>Go to the sign-in page</a></p>
          </>
        ) : !invitation ? (
          <p class="hint" role="status">Checking the invitation…</p>
        ) : (
          <>
            <p>{`${invitation.invitedBy.name} (${invitation.invitedBy.email}) invites ${invitation.email} to the coordinator console.`}</p>
            <dl class="invitation-facts">
              <dt>Role</dt>
              <dd>{ROLE_NAMES[invitation.role]}</dd>
              <dt>Campaigns</dt>
              <dd>{invitation.campaigns === 'all' ? 'All campaigns' : invitation.campaigns.map((c) => c.title).join(', ')}</dd>
              <dt>Personal data</dt>
              <dd>{invitation.mayExportPersonalData ? 'May export names, emails and signatures (two-factor sign-in required)' : 'No access to names, emails or signatures'}</dd>
              <dt>Link valid until</dt>
              <dd><time dateTime={invitation.expiresAt}>{formatDateTime(invitation.expiresAt)}</time></dd>
            </dl>
            <form class="stack" onSubmit={submit} noValidate>
              <div class="field">
                <label for="invite-name">Your name</label>
                <input id="invite-name" type="text" autocomplete="name" maxLength={120} required value={name} onInput={(e) => setName(e.currentTarget.value)} />
              </div>
              {/* The email, for password managers to save with the new password. */}
              <input type="email" autocomplete="username" value={invitation.email} readOnly hidden />
              <div class="field">
                <label for="invite-password">Choose a password</label>
                <input id="invite-password" type="password" autocomplete="new-password" maxLength={200} required value={password}
                  aria-describedby="invite-password-hint" onInput={(e) => {
                    setPassword(e.currentTarget.value);
                    setError('');
                  }} />
                <p class="hint" id="invite-password-hint">{`At least ${MIN_PASSWORD} characters.`}</p>
              </div>
              <div class="field">
                <label for="invite-password-again">The password again</label>
                <input id="invite-password-again" type="password" autocomplete="new-password" maxLength={200} required value={again} onInput={(e) => {
                    setAgain(e.currentTarget.value);
                    setError('');
                  }} />
              </div>
              {error && <p class="error banner" role="alert">{error}</p>}
              <button type="submit" class="primary wide" disabled={busy}>{busy ? 'Joining…' : 'Join and sign in'}</button>
            </form>
          </>
        )}
      </section>
    </main>
  );
}
