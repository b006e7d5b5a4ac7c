/**
 * The coordinator console: sign in, then the campaigns, the dashboard (live), devices,
 * signatures, exports and the audit log, one section at a time, chosen by the address's
 * #hash (#campaigns/<id> opens one campaign). The chooser at the top says which campaign the
 * dashboard, signatures, exports, sealed signatures and audit log are about; the choice is
 * remembered in this browser until sign-out.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, consoleApi, publicApi, type SessionInfo, type Totals } from './api.ts';
import { TotalsSchema } from '../shared/api/dashboard.ts';
import { AuditLog } from './AuditLog.tsx';
import { Account } from './Account.tsx';
import { CampaignChooser, forgetCampaignChoice, rememberCampaignChoice, rememberedCampaign } from './CampaignChooser.tsx';
import { Campaigns } from './Campaigns.tsx';
import { Dashboard } from './Dashboard.tsx';
import { Devices } from './Devices.tsx';
import { Exports } from './Exports.tsx';
import { Login } from './Login.tsx';
import { TwoFactorSetup } from './TwoFactorSetup.tsx';
import { Signatures } from './Signatures.tsx';
import { PaperCounts } from './PaperCounts.tsx';
import { SealedSignatures } from './SealedSignatures.tsx';
import type { UnlockedKey } from './sealed-open.ts';
import { useEventStream, useLoad, useNow, type LiveState } from './hooks.ts';
import { abilitiesOf, campaignToShow, type Abilities } from './abilities.ts';
import { AcceptInvitation } from './AcceptInvitation.tsx';
import { Team } from './Team.tsx';
import { invitationToken } from './team-api.ts';

/** Each section, and what the account must be able to do to see it (abilities.ts; none: any account). */
const SECTIONS: ReadonlyArray<{ id: string; title: string; needs?: keyof Abilities }> = [
  { id: 'campaigns', title: 'Campaigns' },
  { id: 'dashboard', title: 'Dashboard' },
  { id: 'devices', title: 'Devices' },
  { id: 'signatures', title: 'Signatures', needs: 'personal' },
  { id: 'paper', title: 'Paper' },
  { id: 'exports', title: 'Exports', needs: 'personal' },
  { id: 'sealed', title: 'Sealed signatures', needs: 'personal' },
  { id: 'audit', title: 'Audit log', needs: 'manage' },
  // ---- #19 B: the team ----
  { id: 'team', title: 'Team', needs: 'owner' },
  // ---- #19 C: your account (everyone) ----
  { id: 'account', title: 'Your account' },
];
type SectionId = 'campaigns' | 'dashboard' | 'devices' | 'signatures' | 'paper' | 'exports' | 'sealed' | 'audit' | 'team' | 'account';

/** The sections `can` allows. */
const sectionsFor = (can: Abilities) => SECTIONS.filter((s) => !s.needs || can[s.needs]);

/** The section the #hash names (of those the account may see), and the campaign of `#campaigns/<id>`. */
function placeFromHash(can: Abilities): { section: SectionId; campaignPage?: string } {
  const [id, sub] = location.hash.slice(1).split('/');
  const section = (sectionsFor(can).find((s) => s.id === id)?.id ?? 'dashboard') as SectionId;
  let campaignPage: string | undefined;
  try {
    campaignPage = section === 'campaigns' && sub ? decodeURIComponent(sub) : undefined;
  } catch {
    campaignPage = undefined;
  }
  return { section, campaignPage };
}

export function ConsoleApp() {
  // undefined: still asking the server; null: signed out.
  const [session, setSession] = useState<SessionInfo | null | undefined>();
  const [notice, setNotice] = useState('');
  const [bootError, setBootError] = useState('');
  // An invitation link (#invite=<token>) opens the invitation page, whoever is signed in here.
  const [invitation, setInvitation] = useState(() => invitationToken(location.hash));

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

  if (invitation) {
    return (
      <AcceptInvitation token={invitation} onSignedIn={(s) => {
        setInvitation(undefined);
        setNotice('');
        setSession(s);
      }} />
    );
  }
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
  // ---- #19 A: an account that must have two-factor sign-in sets it up before anything else ----
  if (session.coordinator.twoFactor === 'setup-required') {
    return (
      <TwoFactorSetup
        session={session}
        onDone={() => setSession({ ...session, coordinator: { ...session.coordinator, twoFactor: 'on' } })}
        onSignedOut={(message) => {
          setNotice(message);
          setSession(null);
        }}
      />
    );
  }
  return (
    <SignedIn
      session={session}
      onTwoFactorChanged={(twoFactor) => setSession({ ...session, coordinator: { ...session.coordinator, twoFactor } })}
      onSignedOut={(message) => {
        setNotice(message);
        setSession(null);
      }}
    />
  );
}

interface SignedInProps {
  session: SessionInfo;
  onSignedOut: (message: string) => void;
  /** Two-factor was turned on or off from the account's page. */
  onTwoFactorChanged: (twoFactor: SessionInfo['coordinator']['twoFactor']) => void;
}

function SignedIn({ session, onSignedOut, onTwoFactorChanged }: SignedInProps) {
  const can = abilitiesOf(session.coordinator);
  const [place, setPlace] = useState(() => placeFromHash(can));
  const section = place.section;
  const [tick, setTick] = useState(0);
  // The campaign list does not depend on the chosen campaign; everything about signatures does.
  const listApi = useMemo(() => consoleApi(session.csrfToken, ''), [session.csrfToken]);
  const { data: campaignList, error: listError, reload: reloadList } = useLoad(() => listApi.campaigns(), [listApi, section === 'campaigns' ? tick : 0], onError);
  const [chosen, setChosen] = useState(rememberedCampaign);
  const campaignId = campaignList && campaignToShow(campaignList.campaigns.map((c) => c.id), chosen, campaignList.defaultCampaignId);
  const api = useMemo(() => consoleApi(session.csrfToken, campaignId ?? ''), [session.csrfToken, campaignId]);
  const campaign = campaignList?.campaigns.find((c) => c.id === campaignId);
  const [totals, setTotals] = useState<Totals | undefined>();
  const [totalsError, setTotalsError] = useState('');
  const [problem, setProblem] = useState('');
  // The coordinator's private key, unlocked in this tab only: gone on sign-out (this component unmounts).
  const [openingKey, setOpeningKey] = useState<UnlockedKey | undefined>();
  const now = useNow();

  useEffect(() => {
    const onHash = () => setPlace(placeFromHash(can));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, [session.coordinator.role, session.coordinator.mayExportPersonalData]);

  /** A failed call: a 401 means the session ended (expired, or signed out elsewhere). */
  function onError(error: unknown) {
    if (error instanceof ApiError && error.status === 401) onSignedOut('Your session has ended. Please sign in again.');
  }

  function choose(id: string) {
    setChosen(id);
    rememberCampaignChoice(id);
  }

  // Another campaign's figures: nothing of the previous one stays on screen meanwhile.
  useEffect(() => {
    setTotals(undefined);
    setTotalsError('');
  }, [campaignId]);

  const live = useEventStream(
    campaignId === undefined ? '' : `/api/console/events?campaign=${encodeURIComponent(campaignId)}`,
    TotalsSchema,
    (snapshot) => {
      setTotals(snapshot);
      setTotalsError('');
      setTick((n) => n + 1);
    },
    () => void publicApi.session().then((s) => !s && onSignedOut('Your session has ended. Please sign in again.'), () => undefined),
  );

  // Without the live stream, fetch the figures now and every 15 s.
  useEffect(() => {
    if (live === 'live' || campaignId === undefined) return;
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

  /** This browser's session ended from the Account section: as after a sign-out. */
  function signedOutHere(message: string) {
    history.replaceState(null, '', location.pathname);
    forgetCampaignChoice();
    onSignedOut(message);
  }

  async function logout() {
    try {
      await api.logout();
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) return setProblem(`Could not sign out: ${(error as Error).message}`);
    }
    history.replaceState(null, '', location.pathname);
    forgetCampaignChoice();
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
        {campaignList && campaignId && <CampaignChooser campaigns={campaignList.campaigns} chosen={campaignId} onChoose={choose} />}
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
            {sectionsFor(can).map((s) => (
              <li key={s.id}>
                <a href={`#${s.id}`} aria-current={s.id === section && !place.campaignPage ? 'page' : s.id === section ? 'location' : undefined}>{s.title}</a>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" class="content" tabIndex={-1}>
          {problem && <p class="error banner" role="alert">{problem}</p>}
          {listError && !campaignList && <p class="error banner" role="alert">{`The campaigns could not be loaded: ${listError}`}</p>}
          {section === 'campaigns' && (
            <Campaigns api={api} list={campaignList} openId={place.campaignPage} can={can} onListChanged={reloadList} onError={onError} onChoose={(id) => {
              choose(id);
              location.hash = can.personal ? '#signatures' : '#dashboard';
            }} />
          )}
          {campaignId !== undefined && (
            <>
              {section === 'dashboard' && <Dashboard totals={totals} now={now} error={totalsError} api={api} tick={tick} onError={onError} />}
              {section === 'devices' && <Devices api={api} campaigns={campaignList!.campaigns} defaultCampaignId={campaignList!.defaultCampaignId} tick={tick} now={now} onError={onError} mayManage={can.manage} />}
              {section === 'signatures' && <Signatures key={campaignId} api={api} tick={tick} onError={onError} />}
              {section === 'paper' && <PaperCounts key={campaignId} api={api} tick={tick} onError={onError} />}
              {section === 'exports' && <Exports api={api} campaignTitle={campaign?.title ?? campaignId} />}
              {section === 'sealed' && <SealedSignatures key={campaignId} api={api} unlocked={openingKey} onUnlocked={setOpeningKey} onError={onError} />}
              {section === 'audit' && <AuditLog api={api} tick={tick} onError={onError} isOwner={session.coordinator.role === 'owner'} />}
              {section === 'team' && (
                <Team csrfToken={session.csrfToken} self={session.coordinator.email} campaigns={campaignList!.campaigns} defaultCampaignId={campaignList!.defaultCampaignId} onError={onError} />
              )}
            </>
          )}
          {section === 'account' && <Account api={listApi} coordinator={session.coordinator} now={now} onError={onError} onSignedOut={signedOutHere} onTwoFactorChanged={onTwoFactorChanged} />}
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

