/**
 * The coordinator console: sign in, then the dashboard (live), devices, signatures, exports
 * and the audit log, one section at a time, chosen by the address's #hash.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, consoleApi, publicApi, type SessionInfo, type Totals } from './api.ts';
import { AuditLog } from './AuditLog.tsx';
import { Dashboard } from './Dashboard.tsx';
import { Devices } from './Devices.tsx';
import { Exports } from './Exports.tsx';
import { Login } from './Login.tsx';
import { Signatures } from './Signatures.tsx';
import { SealedSignatures } from './SealedSignatures.tsx';
import type { UnlockedKey } from './sealed-open.ts';
import { useEventStream, useNow, type LiveState } from './hooks.ts';

const SECTIONS = [
  { id: 'dashboard', title: 'Dashboard' },
  { id: 'devices', title: 'Devices' },
  { id: 'signatures', title: 'Signatures' },
  { id: 'exports', title: 'Exports' },
  { id: 'sealed', title: 'Sealed signatures' },
  { id: 'audit', title: 'Audit log' },
] as const;
type SectionId = (typeof SECTIONS)[number]['id'];

function sectionFromHash(): SectionId {
  const id = location.hash.slice(1);
  return SECTIONS.find((s) => s.id === id)?.id ?? 'dashboard';
}

export function ConsoleApp() {
  // undefined: still asking the server; null: signed out.
  const [session, setSession] = useState<SessionInfo | null | undefined>();
  const [notice, setNotice] = useState('');
  const [bootError, setBootError] = useState('');

  useEffect(() => {
    publicApi.session().then(
      (s) => setSession(s ?? null),
      (error: unknown) => {
        setBootError((error as Error).message);
        setSession(null);
      },
    );
  }, []);

  useEffect(() => {
    document.title = session ? 'Fieldsign console' : 'Sign in · Fieldsign console';
  }, [session]);

  if (session === undefined) {
    return (
      <main class="login-page" id="main">
        <p class="hint" role="status">Loading the console…</p>
      </main>
    );
  }
  if (!session) {
    return (
      <Login
        notice={notice || bootError}
        onSignedIn={(s) => {
          setNotice('');
          setBootError('');
          setSession(s);
        }}
      />
    );
  }
  return (
    <SignedIn
      session={session}
      onSignedOut={(message) => {
        setNotice(message);
        setSession(null);
      }}
    />
  );
}

function SignedIn({ session, onSignedOut }: { session: SessionInfo; onSignedOut: (message: string) => void }) {
  const api = useMemo(() => consoleApi(session.csrfToken), [session.csrfToken]);
  const [section, setSection] = useState<SectionId>(sectionFromHash);
  const [totals, setTotals] = useState<Totals | undefined>();
  const [totalsError, setTotalsError] = useState('');
  const [tick, setTick] = useState(0);
  const [problem, setProblem] = useState('');
  // The coordinator's private key, unlocked in this tab only: gone on sign-out (this component unmounts).
  const [openingKey, setOpeningKey] = useState<UnlockedKey | undefined>();
  const now = useNow();

  useEffect(() => {
    const onHash = () => setSection(sectionFromHash());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  /** A failed call: a 401 means the session ended (expired, or signed out elsewhere). */
  function onError(error: unknown) {
    if (error instanceof ApiError && error.status === 401) onSignedOut('Your session has ended. Please sign in again.');
  }

  const live = useEventStream<Totals>(
    '/api/console/events',
    (snapshot) => {
      setTotals(snapshot);
      setTotalsError('');
      setTick((n) => n + 1);
    },
    () => void publicApi.session().then((s) => !s && onSignedOut('Your session has ended. Please sign in again.'), () => undefined),
  );

  // Without the live stream, fetch the figures now and every 15 s.
  useEffect(() => {
    if (live === 'live') return;
    const load = () =>
      api.totals().then(
        (t) => {
          setTotals(t);
          setTotalsError('');
        },
        (error: unknown) => {
          setTotalsError((error as Error).message);
          onError(error);
        },
      );
    const first = setTimeout(load, live === 'connecting' ? 2_000 : 0);
    const timer = setInterval(load, 15_000);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [api, live]);

  async function logout() {
    try {
      await api.logout();
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) return setProblem(`Could not sign out: ${(error as Error).message}`);
    }
    history.replaceState(null, '', location.pathname);
    onSignedOut('You have signed out.');
  }

  return (
    <div class="console">
      <a class="skip-link" href="#main">Skip to content</a>
      <header class="topbar">
        <div class="brand">
          <span class="brand-mark" aria-hidden="true">F</span>
          <span>
            Fieldsign <span class="brand-sub">Coordinator console</span>
          </span>
        </div>
        <LiveBadge state={live} />
        <div class="who">
          <span class="who-name">{session.coordinator.name}</span>
          <span class="who-email">{session.coordinator.email}</span>
        </div>
        <button type="button" class="ghost" onClick={() => void logout()}>Log out</button>
      </header>
      <div class="shell">
        <nav class="sidenav" aria-label="Console sections">
          <ul>
            {SECTIONS.map((s) => (
              <li key={s.id}>
                <a href={`#${s.id}`} aria-current={s.id === section ? 'page' : undefined}>{s.title}</a>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" class="content" tabIndex={-1}>
          {problem && <p class="error banner" role="alert">{problem}</p>}
          {section === 'dashboard' && <Dashboard totals={totals} now={now} error={totalsError} api={api} tick={tick} onError={onError} />}
          {section === 'devices' && <Devices api={api} tick={tick} now={now} onError={onError} />}
          {section === 'signatures' && <Signatures api={api} tick={tick} onError={onError} />}
          {section === 'exports' && <Exports />}
          {section === 'sealed' && <SealedSignatures api={api} unlocked={openingKey} onUnlocked={setOpeningKey} onError={onError} />}
          {section === 'audit' && <AuditLog api={api} tick={tick} onError={onError} />}
        </main>
      </div>
    </div>
  );
}

function LiveBadge({ state }: { state: LiveState }) {
  const text = state === 'live' ? 'Live' : state === 'connecting' ? 'Connecting…' : 'Reconnecting…';
  return (
    <p class={`live live-${state}`} role="status" title={state === 'live' ? 'Figures update by themselves as signatures arrive.' : 'Trying to reach the server for live figures.'}>
      <span class="live-dot" aria-hidden="true" />
      {text}
    </p>
  );
}

