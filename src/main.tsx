/** Kiosk entry point: opens the database, starts sync, renders the app. */
import { render } from 'preact';
import { FieldsignDB } from './db/db.ts';
import { getEnrollment, saveEnrollment } from './db/meta.ts';
import { allPending, enqueue, quarantined } from './db/outbox.ts';
import { DEFAULT_CAMPAIGN } from './shared/default-campaign.ts';
import { TRANSFER_FORMAT, type TransferFile } from './shared/transfer.ts';
import { SyncEngine } from './sync/engine.ts';
import { enrollDevice, httpTransport } from './sync/transport.ts';
import { App, type KioskServices } from './kiosk/App.tsx';
import { applyUpdateBetweenSigners, registerServiceWorker } from './pwa/register.ts';
import './kiosk/kiosk.css';

async function boot(): Promise<void> {
  registerServiceWorker();
  const db = new FieldsignDB();
  const engine = new SyncEngine({ db, transport: httpTransport(), credentials: () => getEnrollment(db) });
  const services: KioskServices = {
    engine,
    save: (record) => enqueue(db, record),
    async enroll(code, label) {
      const answer = await enrollDevice(code, label.trim() || undefined);
      const enrollment = { ...answer, enrolledAt: Date.now() };
      await saveEnrollment(db, enrollment);
      return enrollment;
    },
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
      };
      download(`fieldsign-pending-${file.exportedAt.replace(/[:.]/g, '-')}.json`, JSON.stringify(file));
      return records.length;
    },
    loadQuarantined: () => quarantined(db),
    betweenSigners: applyUpdateBetweenSigners,
  };
  const enrollment = await getEnrollment(db);
  await engine.refresh();
  engine.start();
  render(<App campaign={DEFAULT_CAMPAIGN} initialEnrollment={enrollment} services={services} />, document.getElementById('app')!);
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
  root.textContent = `Fieldsign could not start: ${(error as Error)?.message ?? String(error)}. Close and reopen the app; stored signatures are kept.`;
  root.setAttribute('role', 'alert');
});
