/** The kiosk: the petition, the sign form, and the sync status line. */
import { useEffect, useState } from 'preact/hooks';
import type { Campaign } from '../shared/default-campaign.ts';
import type { SignatureRecord } from '../shared/protocol.ts';
import type { SyncEngine, SyncStatus } from '../sync/engine.ts';
import { Petition } from './Petition.tsx';
import { SignForm } from './SignForm.tsx';
import { SyncStatusBar } from './SyncStatusBar.tsx';

interface Props {
  campaign: Campaign;
  deviceId: string;
  engine: SyncEngine;
  save: (record: SignatureRecord) => Promise<void>;
  /** Called between signers: the moment a waiting app update may be applied. */
  betweenSigners: () => void;
}

export function App({ campaign, deviceId, engine, save, betweenSigners }: Props) {
  const [status, setStatus] = useState<SyncStatus>(engine.current);
  useEffect(() => engine.subscribe(setStatus), [engine]);

  return (
    <div class="layout">
      <main>
        <Petition campaign={campaign} />
        <SignForm
          campaign={campaign}
          deviceId={deviceId}
          save={save}
          onSaved={() => {
            void engine.refresh().then(() => engine.syncNow());
            betweenSigners();
          }}
        />
      </main>
      <SyncStatusBar status={status} onSyncNow={() => void engine.syncNow()} />
    </div>
  );
}
