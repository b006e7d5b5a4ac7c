/** Kiosk entry point: opens the database, starts sync, renders the app. */
import { render } from 'preact';
import { FieldsignDB } from './db/db.ts';
import { deviceId as loadDeviceId } from './db/meta.ts';
import { enqueue } from './db/outbox.ts';
import { DEFAULT_CAMPAIGN } from './shared/default-campaign.ts';
import { SyncEngine } from './sync/engine.ts';
import { httpTransport } from './sync/transport.ts';
import { App } from './kiosk/App.tsx';
import { applyUpdateBetweenSigners, registerServiceWorker } from './pwa/register.ts';
import './kiosk/kiosk.css';

async function boot(): Promise<void> {
  registerServiceWorker();
  const db = new FieldsignDB();
  const deviceId = await loadDeviceId(db);
  const engine = new SyncEngine({ db, transport: httpTransport(), deviceId });
  await engine.refresh();
  engine.start();
  render(
    <App
      campaign={DEFAULT_CAMPAIGN}
      deviceId={deviceId}
      engine={engine}
      save={(record) => enqueue(db, record)}
      betweenSigners={applyUpdateBetweenSigners}
    />,
    document.getElementById('app')!,
  );
}

boot().catch((error: unknown) => {
  const root = document.getElementById('app')!;
  root.textContent = `Fieldsign could not start: ${(error as Error)?.message ?? String(error)}. Close and reopen the app; stored signatures are kept.`;
  root.setAttribute('role', 'alert');
});
