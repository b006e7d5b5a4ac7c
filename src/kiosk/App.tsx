/** The kiosk: enrollment when needed, then the petition, the sign form and the status line. */
import { useEffect, useState } from 'preact/hooks';
import type { OutboxRow } from '../db/db.ts';
import type { Enrollment } from '../db/meta.ts';
import type { Campaign } from '../shared/default-campaign.ts';
import type { SignatureRecord } from '../shared/protocol.ts';
import type { SyncEngine, SyncStatus } from '../sync/engine.ts';
import { EnrollScreen } from './EnrollScreen.tsx';
import { Petition } from './Petition.tsx';
import { SignForm } from './SignForm.tsx';
import { SyncStatusBar } from './SyncStatusBar.tsx';
import { STRINGS as t } from './strings.ts';

/** What the kiosk can ask of the tablet's storage and network. */
export interface KioskServices {
  engine: SyncEngine;
  save: (record: SignatureRecord) => Promise<void>;
  enroll: (code: string, label: string) => Promise<Enrollment>;
  exportPending: () => Promise<number>;
  loadQuarantined: () => Promise<OutboxRow[]>;
  /** Called between signers: the moment a waiting app update may be applied. */
  betweenSigners: () => void;
}

interface Props {
  campaign: Campaign;
  initialEnrollment: Enrollment | undefined;
  services: KioskServices;
}

export function App({ campaign, initialEnrollment, services }: Props) {
  const { engine } = services;
  const [status, setStatus] = useState<SyncStatus>(engine.current);
  const [enrollment, setEnrollment] = useState(initialEnrollment);
  const [enrolling, setEnrolling] = useState(false);
  useEffect(() => engine.subscribe(setStatus), [engine]);

  const enroll = async (code: string, label: string) => {
    setEnrollment(await services.enroll(code, label));
    setEnrolling(false);
    void engine.syncNow();
  };

  if (!enrollment || enrolling) {
    return <EnrollScreen enroll={enroll} onCancel={enrollment ? () => setEnrolling(false) : undefined} />;
  }

  return (
    <div class="layout">
      {status.needsEnrollment && (
        <div class="banner" role="alert">
          <p>{status.lastError} {t.reenrollNeeded}</p>
          <button type="button" class="secondary" onClick={() => setEnrolling(true)}>{t.reenroll}</button>
        </div>
      )}
      <main>
        <Petition campaign={campaign} />
        <SignForm
          campaign={campaign}
          deviceId={enrollment.deviceId}
          save={services.save}
          onSaved={() => {
            void engine.refresh().then(() => engine.syncNow());
            services.betweenSigners();
          }}
        />
      </main>
      <SyncStatusBar
        status={status}
        onSyncNow={() => void engine.syncNow()}
        onExport={services.exportPending}
        loadQuarantined={services.loadQuarantined}
      />
    </div>
  );
}
