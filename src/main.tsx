/** Kiosk entry point: opens the database, starts sync, renders the app. */
import { render } from 'preact';
import { FieldsignDB } from './db/db.ts';
import { getEnrollment, getErasedReported, getErasedTotal, getRevokedAt, getVolunteerName, saveEnrollment, setErasedReported, setVolunteerName } from './db/meta.ts';
import { allPending, eraseSignerData, exportedPending, markExported, quarantined, recordRevocation, syncedOn, wipeExported, wipedCount } from './db/outbox.ts';
import { capture, chainLogs } from './db/capture.ts';
import { PinGuard, hashPin, verifyPin } from './db/pin.ts';
import { requestPersistence, storagePersistence } from './db/storage-persistence.ts';
import { TRANSFER_FORMAT, type TransferFile } from './shared/transfer.ts';
import { campaignChoices, chooseCampaign, currentOffer, offerLanguage, sameOffer, type KioskOffer } from './db/campaigns.ts';
import { refreshCampaigns } from './sync/campaign-cache.ts';
import { SyncEngine } from './sync/engine.ts';
import { deviceReport } from './sync/device-report.ts';
import { enrollDevice, httpTransport } from './sync/transport.ts';
import { App, prefetchFirstScreen, type KioskServices } from './kiosk/App.tsx';
import { i18nFor, loadCatalog } from './kiosk/i18n/index.ts';
import { isLocked, neutralDocument } from './kiosk/lock.ts';
import { applyUpdateBetweenSigners, registerServiceWorker } from './pwa/register.ts';
import { APP_VERSION } from './pwa/app-version.ts';
import './kiosk/kiosk.css';

async function boot(): Promise<void> {
  // A tablet locked before a reload shows nothing of the app, not even its title, while it starts.
  if (isLocked()) neutralDocument(i18nFor('en').t('lockedTitle'));
  registerServiceWorker();
  const db = new FieldsignDB();
  // Alongside the campaign's fetch below, not after it.
  void getEnrollment(db).then((enrollment) => prefetchFirstScreen(enrollment !== undefined));
  const engine = new SyncEngine({
    db,
    transport: httpTransport(),
    credentials: () => getEnrollment(db),
    // Each batch tells the server how this tablet is doing (S21): storage, version, erasures.
    report: (status) => deviceReport(db, APP_VERSION, status),
    // Revoked: drop synced data now; exported records wait for the volunteer's confirmation (S12).
    onRevoked: () => recordRevocation(db).then(() => undefined),
    // A quick delete's total reaches the server at the next contact, even with nothing to send (S24).
    reportDue: async () => (await getErasedTotal(db)) > (await getErasedReported(db)),
    onReported: async (report) => {
      if (report.erased !== undefined) await setErasedReported(db, report.erased);
    },
  });
  const guard = new PinGuard(globalThis.localStorage);
  // What the next signer sees: from the campaigns held, else the server's, else the built-in
  // petition (its own chunk), shown until the server is first reached.
  const token = async () => (await getEnrollment(db))?.token;
  let offer: KioskOffer =
    (await currentOffer(db)) ??
    ((await refreshCampaigns(db, await token())) ? await currentOffer(db) : undefined) ??
    { campaign: (await import('./shared/default-campaign.ts')).DEFAULT_CAMPAIGN };
  await loadCatalog(offerLanguage(offer));
  const listeners = new Set<() => void>();
  /** Re-read what the next signer sees (after a refresh or a choice) and tell the kiosk. */
  async function campaignsChanged(): Promise<void> {
    const next = await currentOffer(db);
    if (next && !sameOffer(next, offer)) offer = next;
    for (const listener of listeners) listener();
  }
  let refreshing: Promise<void> | undefined;
  /** Ask the server what this tablet may show; one request at a time. */
  const refresh = () =>
    (refreshing ??= (async () => {
      if (await refreshCampaigns(db, await token())) await campaignsChanged();
    })()
      .catch(() => undefined)
      .finally(() => (refreshing = undefined)));
  // A campaign closed on the server stops being offered from the tablet's next contact: each
  // answered batch (lastSyncAt) is followed by a refresh.
  let contactAt = engine.current.lastSyncAt;
  engine.subscribe((status) => {
    if (status.lastSyncAt === contactAt) return;
    contactAt = status.lastSyncAt;
    void refresh();
  });
  void refresh();

  const services: KioskServices = {
    engine,
    async capture(entries, shown) {
      // Once stored, the signature is counted and sent at once (the signer does not wait for it).
      await capture(db, entries, shown, { onStored: () => void engine.refresh().then(() => engine.syncNow()) });
    },
    async enroll(code, label, pin) {
      const answer = await enrollDevice(code, label.trim() || undefined);
      const enrollment = { ...answer, enrolledAt: Date.now(), pin: await hashPin(pin) };
      await saveEnrollment(db, enrollment);
      // Enrolling is a volunteer's action: the moment to ask the browser to keep the signatures
      // (never at startup, where Firefox's prompt would cover the petition). Not awaited: the
      // prompt may stay unanswered; the volunteer screen shows the outcome.
      void requestPersistence();
      // With its token, the tablet may now learn which campaigns it shows.
      void refresh();
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
      return {
        event: (await getEnrollment(db))?.event ?? '',
        volunteerName: await getVolunteerName(db),
        syncedToday: await syncedOn(db),
        storage: estimate?.quota ? { usage: estimate.usage ?? 0, quota: estimate.quota } : undefined,
        persistence: await storagePersistence(),
        revokedAt: await getRevokedAt(db),
        appVersion: APP_VERSION,
        tokenExpiresAt: (await getEnrollment(db))?.tokenExpiresAt,
        wiped: await wipedCount(db),
        // Only a revoked tablet asks for it (it reads every pending record).
        exported: (await getRevokedAt(db)) !== undefined ? await exportedPending(db) : undefined,
      };
    },
    setVolunteerName: (name) => setVolunteerName(db, name),
    requestPersistence,
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
      const name = `fieldsign-pending-${file.exportedAt.replace(/[:.]/g, '-')}.json`;
      download(name, JSON.stringify(file));
      // Nothing tells whether the file reached the disk: the records stay pending, and a
      // revoked tablet wipes them only once the volunteer confirms the file (S12).
      await markExported(db, records.map((r) => r.id), name);
      return records.length;
    },
    async wipeExported(exportAt) {
      const wiped = await wipeExported(db, exportAt);
      await engine.refresh();
      return wiped;
    },
    loadQuarantined: () => quarantined(db),
    async erase() {
      const erased = await eraseSignerData(db);
      await engine.refresh();
      // Tell the server how many were erased at the next contact (the batch report).
      void engine.syncNow();
      return erased;
    },
    revokedAt: () => getRevokedAt(db),
    latestOffer: () => offer,
    onCampaigns(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    campaignChoices: () => campaignChoices(db),
    async chooseCampaign(id) {
      await chooseCampaign(db, id);
      await campaignsChanged();
    },
    betweenSigners() {
      applyUpdateBetweenSigners();
      void refresh();
    },
  };
  const enrollment = await getEnrollment(db);
  await engine.refresh();
  engine.start();
  render(<App initialOffer={offer} initialEnrollment={enrollment} services={services} />, document.getElementById('app')!);
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

// The browser check (src/browser-check) ran first: on a browser it found too old it already
// shows why, and nothing may be stored. Otherwise it now knows the kiosk's modules parsed.
if (!document.documentElement.hasAttribute('data-unsupported-browser')) {
  document.documentElement.setAttribute('data-kiosk-started', '');
  boot().catch((error: unknown) => {
    const root = document.getElementById('app')!;
    root.textContent = i18nFor('en').t('startFailed', { reason: (error as Error)?.message ?? String(error) });
    root.setAttribute('role', 'alert');
  });
}
