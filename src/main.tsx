/** Kiosk entry point: opens the database, starts sync, renders the app. */
import { render } from 'preact';
import { FieldsignDB } from './db/db.ts';
import { getEnrollment, getVolunteerName, saveEnrollment, setVolunteerName } from './db/meta.ts';
import { allPending, quarantined, syncedOn } from './db/outbox.ts';
import { capture, chainLogs } from './db/capture.ts';
import { PinGuard, hashPin, verifyPin } from './db/pin.ts';
import { TRANSFER_FORMAT, type TransferFile } from './shared/transfer.ts';
import { cachedCampaign, refreshCampaign } from './sync/campaign-cache.ts';
import { SyncEngine } from './sync/engine.ts';
import { enrollDevice, httpTransport } from './sync/transport.ts';
import { App, type KioskServices } from './kiosk/App.tsx';
import { i18nFor, loadCatalog } from './kiosk/i18n/index.ts';
import { applyUpdateBetweenSigners, registerServiceWorker } from './pwa/register.ts';
import './kiosk/kiosk.css';

async function boot(): Promise<void> {
  registerServiceWorker();
  const db = new FieldsignDB();
  const engine = new SyncEngine({ db, transport: httpTransport(), credentials: () => getEnrollment(db) });
  const guard = new PinGuard(globalThis.localStorage);
  // The campaign: the cached copy, else the server's, else the built-in one (its own chunk).
  let campaign = (await cachedCampaign(db)) ?? (await refreshCampaign(db)) ?? (await import('./shared/default-campaign.ts')).DEFAULT_CAMPAIGN;
  await loadCatalog(campaign.defaultLanguage);
  let persisted: boolean | undefined;
  // Ask the browser not to evict our storage under pressure; the volunteer sees the answer.
  void navigator.storage?.persist?.().then((granted) => (persisted = granted));
  void refreshCampaign(db).then((fresh) => {
    if (fresh) campaign = fresh;
  });

  const services: KioskServices = {
    engine,
    async save(record, shown) {
      // Seal when the campaign the signer saw seals, or when the newest one does.
      const latest = campaign.id === shown.id && campaign.sealing ? campaign : shown;
      await capture(db, record, shown.sealing ? shown : latest);
    },
    async enroll(code, label, pin) {
      const answer = await enrollDevice(code, label.trim() || undefined);
      const enrollment = { ...answer, enrolledAt: Date.now(), pin: await hashPin(pin) };
      await saveEnrollment(db, enrollment);
      return enrollment;
    },
    async checkPin(pin) {
      const wait = guard.waitMs();
      if (wait > 0) return wait;
      const stored = (await getEnrollment(db))?.pin;
      if (stored && (await verifyPin(pin, stored))) {
        guard.reset();
        return true;
      }
      guard.miss();
      return guard.waitMs() || false;
    },
    async volunteerFacts() {
      const estimate = await navigator.storage?.estimate?.().catch(() => undefined);
      persisted = (await navigator.storage?.persisted?.().catch(() => undefined)) ?? persisted;
      return {
        event: (await getEnrollment(db))?.event ?? '',
        volunteerName: await getVolunteerName(db),
        syncedToday: await syncedOn(db),
        storage: estimate?.quota ? { usage: estimate.usage ?? 0, quota: estimate.quota } : undefined,
        persisted,
      };
    },
    setVolunteerName: (name) => setVolunteerName(db, name),
    async exportPending() {
      const records = await allPending(db);
      if (records.length === 0) return 0;
      const enrollment = await getEnrollment(db);
      const file: TransferFile = {
        format: TRANSFER_FORMAT,
        version: 1,
        deviceId: enrollment?.deviceId ?? 'unenrolled',
        exportedAt: new Date().toISOString(),
        records,
        chains: await chainLogs(db),
      };
      download(`fieldsign-pending-${file.exportedAt.replace(/[:.]/g, '-')}.json`, JSON.stringify(file));
      return records.length;
    },
    loadQuarantined: () => quarantined(db),
    latestCampaign: () => campaign,
    betweenSigners() {
      applyUpdateBetweenSigners();
      void refreshCampaign(db).then((fresh) => {
        if (fresh) campaign = fresh;
      });
    },
  };
  const enrollment = await getEnrollment(db);
  await engine.refresh();
  engine.start();
  render(<App initialCampaign={campaign} initialEnrollment={enrollment} services={services} />, document.getElementById('app')!);
}

/** Offer `text` as a file download. */
function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

boot().catch((error: unknown) => {
  const root = document.getElementById('app')!;
  root.textContent = i18nFor('en').t('startFailed', { reason: (error as Error)?.message ?? String(error) });
  root.setAttribute('role', 'alert');
});
