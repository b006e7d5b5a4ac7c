/**
 * The kiosk shell: which screen is up (enrollment, signing, PIN, volunteer), the signer's
 * language, and the petition in force (one version of one campaign, or none open). A new
 * campaign version, the volunteer's choice of campaign or an app update is applied only
 * between signers, or to a form nobody has touched for a while. The quick lock hides all of
 * it behind a neutral screen until the volunteer PIN is given; sync carries on underneath.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { offerLanguage, type CampaignChoice, type KioskOffer } from '../db/campaigns.ts';
import type { OutboxRow } from '../db/db.ts';
import type { Enrollment } from '../db/meta.ts';
import type { Persistence } from '../db/storage-persistence.ts';
import type { Shown, SignerEntries } from '../db/new-record.ts';
import { kioskTiming, type Language } from '../shared/campaign.ts';
import type { SyncEngine, SyncStatus } from '../sync/engine.ts';
import { I18nContext, i18nFor, loadCatalog } from './i18n/index.ts';
import { IdleGuard } from './IdleGuard.tsx';
import { NEUTRAL_COLOR, isLocked, neutralDocument, saveLocked } from './lock.ts';
import { LockScreen } from './LockScreen.tsx';
import { NoPetition } from './NoPetition.tsx';
import { SignFlow } from './SignFlow.tsx';
import { SyncStatusBar } from './SyncStatusBar.tsx';
import type { VolunteerFacts } from './VolunteerScreen.tsx';
import { lazy } from './lazy.ts';
import { PinDialog } from './PinDialog.tsx';
import { contrastText } from './contrast.ts';

// Loaded on demand (and warmed once the sign form is up): a signer never needs them.
const EnrollScreen = lazy(() => import('./EnrollScreen.tsx').then((m) => m.EnrollScreen));
const VolunteerScreen = lazy(() => import('./VolunteerScreen.tsx').then((m) => m.VolunteerScreen));

/**
 * Start loading the screen the kiosk will open on, while it still starts up: a tablet not
 * enrolled yet opens on the enroll screen, whose chunk would otherwise be fetched only once
 * the kiosk first renders, one more round trip before anything shows on a fresh tablet.
 */
export function prefetchFirstScreen(enrolled: boolean): void {
  if (!enrolled) void EnrollScreen.prefetch().catch(() => undefined);
}

/** What the kiosk can ask of the tablet's storage and network. */
export interface KioskServices {
  engine: SyncEngine;
  /**
   * Store what a signer entered under the petition they saw: capture builds, seals and chains
   * the record, stores it and has it synced (src/db/capture.ts). Rejects when nothing was stored.
   */
  capture: (entries: SignerEntries, shown: Shown) => Promise<void>;
  enroll: (code: string, label: string, pin: string) => Promise<Enrollment>;
  checkPin: (pin: string) => Promise<boolean | number>;
  volunteerFacts: () => Promise<VolunteerFacts>;
  setVolunteerName: (name: string) => Promise<void>;
  /** A volunteer asked the browser to keep the tablet's storage (it may prompt); resolves with its answer. */
  requestPersistence: () => Promise<Persistence>;
  exportPending: () => Promise<number>;
  /** Revoked tablet: the volunteer confirmed the file written at `exportAt` is saved; wipe what it holds (S12). */
  wipeExported: (exportAt: number) => Promise<number>;
  loadQuarantined: () => Promise<OutboxRow[]>;
  /** Quick delete: erase every signature not on the server yet; resolves with how many. */
  erase: () => Promise<number>;
  /** When the server said this tablet is revoked (ms), or undefined. */
  revokedAt: () => Promise<number | undefined>;
  /** What the next signer should see: the petition version in force, or none open. */
  latestOffer: () => KioskOffer;
  /** Be told when what the tablet holds about its campaigns changed; returns the unsubscribe function. */
  onCampaigns: (listener: () => void) => () => void;
  /** The campaigns this tablet may show, for the volunteer's choice. */
  campaignChoices: () => Promise<CampaignChoice[]>;
  /** The volunteer chose the campaign the next signers see (kept across reloads). */
  chooseCampaign: (id: string) => Promise<void>;
  /** Called between signers: the moment a waiting app update may be applied. */
  betweenSigners: () => void;
}

type View = 'sign' | 'pin' | 'volunteer' | 'enroll';

/** After the last touch, how long a blank form waits before another petition may replace it. */
const QUIET_MS = 10_000;

interface Props {
  initialOffer: KioskOffer;
  initialEnrollment: Enrollment | undefined;
  services: KioskServices;
}

export function App({ initialOffer, initialEnrollment, services }: Props) {
  const { engine } = services;
  const [status, setStatus] = useState<SyncStatus>(engine.current);
  const [enrollment, setEnrollment] = useState(initialEnrollment);
  const [offer, setOffer] = useState(initialOffer);
  const campaign = offer.campaign;
  /** The petition on screen, when one is open. */
  const shown: Shown | undefined = offer.campaign ? offer : undefined;
  const [lang, setLang] = useState<Language>(offerLanguage(initialOffer));
  const [view, setView] = useState<View>(initialEnrollment ? 'sign' : 'enroll');
  const [signer, setSigner] = useState(0);
  const [catalogs, setCatalogs] = useState(0);
  // A lock needs the PIN chosen at enrollment to open: without an enrollment there is none.
  const [locked, setLocked] = useState(() => !!initialEnrollment && isLocked());
  const i18n = useMemo(() => i18nFor(lang), [lang, catalogs]);
  useEffect(() => engine.subscribe(setStatus), [engine]);
  // Warm the on-demand screens once the first screen is up, so opening one is instant.
  useEffect(() => {
    const warm = () => [VolunteerScreen, EnrollScreen].forEach((screen) => void screen.prefetch().catch(() => undefined));
    const timer = setTimeout(warm, 1500);
    return () => clearTimeout(timer);
  }, []);
  // A revoked tablet says so until it is enrolled again (the engine learns it at a contact).
  const [revokedAt, setRevokedAt] = useState<number | undefined>();
  useEffect(() => void services.revokedAt().then(setRevokedAt), [status.needsEnrollment, enrollment]);
  useEffect(() => {
    document.documentElement.lang = i18n.lang;
    document.documentElement.dir = i18n.dir;
  }, [i18n]);
  useEffect(() => applyTheme(locked || !campaign ? NEUTRAL_COLOR : campaign.theme.color), [campaign?.theme.color, locked]);
  useEffect(() => {
    if (locked) neutralDocument(i18n.t('lockedTitle'));
    else document.title = i18n.t('appName');
  }, [locked, i18n]);

  // Whether the signer has entered anything (SignFlow says), and when the screen was last
  // touched: a form in use keeps its petition until the signer is done, whatever changes.
  const started = useRef(false);
  const touchedAt = useRef(-Infinity);
  const touched = () => void (touchedAt.current = performance.now());

  /** A blank flow of the latest petition, in its default language. */
  function showLatest() {
    const latest = services.latestOffer();
    setOffer(latest);
    setLang(offerLanguage(latest));
    void loadCatalog(offerLanguage(latest)).then(() => setCatalogs((n) => n + 1));
    setSigner((n) => n + 1);
    started.current = false;
  }

  /** Start a blank flow for the next signer. */
  function nextSigner() {
    showLatest();
    services.betweenSigners();
  }

  const [campaignNews, setCampaignNews] = useState(0);
  useEffect(() => services.onCampaigns(() => setCampaignNews((n) => n + 1)), [services]);
  // A closed campaign must not wait on an untouched form for the next signer: such a form,
  // or the "no petition open" notice, takes the latest petition once the screen is quiet.
  useEffect(() => {
    if (view !== 'sign' || locked || services.latestOffer() === offer) return;
    const apply = () => {
      if (!started.current && performance.now() - touchedAt.current >= QUIET_MS) showLatest();
    };
    apply();
    const timer = setInterval(apply, 2000);
    return () => clearInterval(timer);
  }, [campaignNews, offer, view, locked]);

  /** Leave the volunteer side (also when a volunteer walked away from it). */
  function backToSigning() {
    setView('sign');
    nextSigner();
  }

  /** Hide everything at once, no PIN needed; the form in progress is dropped. */
  function lock() {
    saveLocked(true);
    neutralDocument(i18n.t('lockedTitle'));
    setLocked(true);
    backToSigning();
  }

  function unlock() {
    saveLocked(false);
    setLocked(false);
  }

  async function enroll(code: string, label: string, pin: string) {
    setEnrollment(await services.enroll(code, label, pin));
    unlock(); // a lock left from an earlier enrollment would ask for the old PIN
    if (location.search) history.replaceState(null, '', location.pathname);
    setView('sign');
    void engine.syncNow();
  }

  let screen;
  if (locked && enrollment) {
    screen = <LockScreen checkPin={services.checkPin} onUnlock={unlock} />;
  } else if (view === 'enroll' || !enrollment) {
    screen = <EnrollScreen enroll={enroll} onCancel={enrollment ? () => setView('volunteer') : undefined} />;
  } else if (view === 'pin') {
    screen = <PinDialog check={services.checkPin} onOpen={() => setView('volunteer')} onCancel={() => setView('sign')} />;
  } else if (view === 'volunteer') {
    screen = (
      <VolunteerScreen
        status={status}
        load={services.volunteerFacts}
        setVolunteerName={services.setVolunteerName}
        requestPersistence={services.requestPersistence}
        syncNow={() => engine.syncNow({ contact: true })}
        exportPending={services.exportPending}
        wipeExported={services.wipeExported}
        loadQuarantined={services.loadQuarantined}
        erase={services.erase}
        campaignChoices={services.campaignChoices}
        chooseCampaign={services.chooseCampaign}
        campaignNews={campaignNews}
        onReenroll={() => setView('enroll')}
        onLock={lock}
        onClose={backToSigning}
      />
    );
  } else {
    screen = (
      <>
        {revokedAt !== undefined ? (
          <div class="banner" role="alert">
            <p>{status.pending > 0 ? i18n.t('revokedBanner', { n: status.pending }) : i18n.t('revokedBannerNone')}</p>
          </div>
        ) : status.needsEnrollment && (
          <div class="banner" role="alert">
            <p>{i18n.t('reenrollNeeded')}</p>
          </div>
        )}
        <main onPointerDownCapture={touched} onKeyDownCapture={touched} onWheelCapture={touched}>
          {!shown ? <NoPetition key={signer} /> : <SignFlow
            key={signer}
            campaign={shown.campaign}
            onEntered={(entered) => void (started.current = entered)}
            capture={(entries) => services.capture(entries, shown)}
            onDone={nextSigner}
            onLanguage={(l) => {
              const { languages, defaultLanguage } = shown.campaign;
              const next = languages.includes(l as Language) ? (l as Language) : defaultLanguage;
              void loadCatalog(next).then(() => {
                setLang(next);
                setCatalogs((n) => n + 1);
              });
            }}
          />}
        </main>
      </>
    );
  }

  return (
    <I18nContext.Provider value={i18n}>
      <div class="layout">
        {screen}
        {enrollment && !locked && view === 'sign' && <SyncStatusBar status={status} onVolunteer={() => setView('pin')} onLock={lock} />}
        {enrollment && !locked && view !== 'sign' && (
          <IdleGuard active timing={kioskTiming(campaign ?? {})} bodyKey="idleVolunteerBody" onExpire={backToSigning} />
        )}
      </div>
    </I18nContext.Provider>
  );
}

/**
 * The campaign's colour for the primary actions and the status bar, with black or white
 * text, whichever contrasts more (WCAG relative luminance), so any colour stays readable.
 */
export function applyTheme(color: string): void {
  const root = document.documentElement.style;
  root.setProperty('--brand', color);
  root.setProperty('--on-brand', contrastText(color));
  document.querySelector('meta[name="theme-color"]')?.setAttribute('content', color);
}
