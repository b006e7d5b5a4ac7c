/**
 * The kiosk shell: which screen is up (enrollment, signing, PIN, volunteer), the signer's
 * language, and the campaign in force. A new campaign or app version waiting in the
 * background is applied only between signers.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { OutboxRow } from '../db/db.ts';
import type { Enrollment } from '../db/meta.ts';
import type { Campaign, Language } from '../shared/campaign.ts';
import type { SignatureRecord } from '../shared/protocol.ts';
import type { SyncEngine, SyncStatus } from '../sync/engine.ts';
import { EnrollScreen } from './EnrollScreen.tsx';
import { I18nContext, i18nFor, loadCatalog } from './i18n/index.ts';
import { PinDialog } from './PinDialog.tsx';
import { SignFlow } from './SignFlow.tsx';
import { SyncStatusBar } from './SyncStatusBar.tsx';
import { VolunteerScreen, type VolunteerFacts } from './VolunteerScreen.tsx';

/** What the kiosk can ask of the tablet's storage and network. */
export interface KioskServices {
  engine: SyncEngine;
  /** Store a signature captured under `campaign` (sealed and chained; see src/db/capture.ts). */
  save: (record: SignatureRecord, campaign: Campaign) => Promise<void>;
  enroll: (code: string, label: string, pin: string) => Promise<Enrollment>;
  checkPin: (pin: string) => Promise<boolean | number>;
  volunteerFacts: () => Promise<VolunteerFacts>;
  setVolunteerName: (name: string) => Promise<void>;
  exportPending: () => Promise<number>;
  loadQuarantined: () => Promise<OutboxRow[]>;
  /** The newest campaign known to the tablet (cached copy, refreshed from the server). */
  latestCampaign: () => Campaign;
  /** Called between signers: the moment a waiting app update may be applied. */
  betweenSigners: () => void;
}

type View = 'sign' | 'pin' | 'volunteer' | 'enroll';

interface Props {
  initialCampaign: Campaign;
  initialEnrollment: Enrollment | undefined;
  services: KioskServices;
}

export function App({ initialCampaign, initialEnrollment, services }: Props) {
  const { engine } = services;
  const [status, setStatus] = useState<SyncStatus>(engine.current);
  const [enrollment, setEnrollment] = useState(initialEnrollment);
  const [campaign, setCampaign] = useState(initialCampaign);
  const [lang, setLang] = useState<Language>(initialCampaign.defaultLanguage);
  const [view, setView] = useState<View>(initialEnrollment ? 'sign' : 'enroll');
  const [signer, setSigner] = useState(0);
  const [catalogs, setCatalogs] = useState(0);
  const i18n = useMemo(() => i18nFor(lang), [lang, catalogs]);
  useEffect(() => engine.subscribe(setStatus), [engine]);
  useEffect(() => {
    document.documentElement.lang = i18n.lang;
    document.documentElement.dir = i18n.dir;
  }, [i18n]);
  useEffect(() => applyTheme(campaign.theme.color), [campaign.theme.color]);

  /** Start a blank flow for the next signer, in the campaign's default language. */
  function nextSigner() {
    const latest = services.latestCampaign();
    setCampaign(latest);
    setLang(latest.defaultLanguage);
    void loadCatalog(latest.defaultLanguage).then(() => setCatalogs((n) => n + 1));
    setSigner((n) => n + 1);
    services.betweenSigners();
  }

  async function enroll(code: string, label: string, pin: string) {
    setEnrollment(await services.enroll(code, label, pin));
    if (location.search) history.replaceState(null, '', location.pathname);
    setView('sign');
    void engine.syncNow();
  }

  let screen;
  if (view === 'enroll' || !enrollment) {
    screen = <EnrollScreen enroll={enroll} onCancel={enrollment ? () => setView('volunteer') : undefined} />;
  } else if (view === 'pin') {
    screen = <PinDialog check={services.checkPin} onOpen={() => setView('volunteer')} onCancel={() => setView('sign')} />;
  } else if (view === 'volunteer') {
    screen = (
      <VolunteerScreen
        status={status}
        load={services.volunteerFacts}
        setVolunteerName={services.setVolunteerName}
        syncNow={() => engine.syncNow()}
        exportPending={services.exportPending}
        loadQuarantined={services.loadQuarantined}
        onReenroll={() => setView('enroll')}
        onClose={() => {
          setView('sign');
          nextSigner();
        }}
      />
    );
  } else {
    screen = (
      <>
        {status.needsEnrollment && (
          <div class="banner" role="alert">
            <p>{i18n.t('reenrollNeeded')}</p>
          </div>
        )}
        <main>
          <SignFlow
            key={signer}
            campaign={campaign}
            deviceId={enrollment.deviceId}
            save={services.save}
            onSaved={() => void engine.refresh().then(() => engine.syncNow())}
            onDone={nextSigner}
            onLanguage={(l) => {
              const next = campaign.languages.includes(l as Language) ? (l as Language) : campaign.defaultLanguage;
              void loadCatalog(next).then(() => {
                setLang(next);
                setCatalogs((n) => n + 1);
              });
            }}
          />
        </main>
      </>
    );
  }

  return (
    <I18nContext.Provider value={i18n}>
      <div class="layout">
        {screen}
        {enrollment && view === 'sign' && <SyncStatusBar status={status} onVolunteer={() => setView('pin')} />}
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

/** '#000' or '#fff', whichever has the higher contrast ratio against `hex`. */
export function contrastText(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) ? '#000' : '#fff';
}
