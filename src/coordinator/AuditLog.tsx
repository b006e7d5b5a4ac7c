/** Who did what, when: sign-ins, codes, revocations, deletions, exports, campaign changes; of one campaign or all. */
import { useState } from 'preact/hooks';
import { AUDIT_CSV, type AuditEntry, type ConsoleApi } from './api.ts';
import { deviceName, formatDateTime, plural } from './format.ts';
import { SectionHeading } from './SectionHeading.tsx';
import { useLoad } from './hooks.ts';

const ACTIONS: Record<string, string> = {
  login: 'Signed in',
  logout: 'Signed out',
  'create-coordinator': 'Created a coordinator account',
  'create-enrollment-code': 'Created an enrollment code',
  'enroll-device': 'A tablet enrolled with a code',
  'import-transfer-file': 'Imported a transfer file from a tablet',
  'revoke-device': 'Revoked a tablet',
  'delete-signature': 'Deleted a signature',
  'export-csv': 'Exported a CSV file',
  'export-svg-zip': 'Exported the signature images',
  'export-pdf': 'Exported the hand-in PDF',
  'download-records': 'Downloaded the stored records (to open sealed signatures with the key)',
  'tablet-erased': 'A tablet erased signatures (quick delete)',
  'tablet-erased-implausible': 'A tablet reported more erased signatures than it could have held (not kept)',
  'create-campaign': 'Created a campaign',
  'publish-campaign': 'Published a version of the campaign',
  'close-campaign': 'Closed the campaign',
  'reopen-campaign': 'Reopened the campaign',
  'change-campaign-settings': 'Changed the campaign’s goal or dates',
  'record-campaign-text': 'Recorded the text of a version',
  'signatures.set-aside': 'Set signatures aside from the hand-in',
  'signatures.restored': 'Restored set-aside signatures to the hand-in',
  'paper.recorded': 'Recorded a paper count',
  'paper.removed': 'Removed a paper count',
  'export-handin-package': 'Exported the signed hand-in package',
  'export-paper-sheets': 'Exported blank paper collection sheets',
  'download-audit-log': 'Downloaded the whole audit log (CSV)',
  'session.ended': 'Ended one of their sessions',
  'password.changed': 'Changed their password',
  'password.change-failed': 'Tried to change their password with a wrong current one',
};

/** What happened, in words; a tablet's erasure names the tablet and how many it erased. */
function whatHappened(e: AuditEntry): string {
  const { deviceId, label, erased } = e.detail;
  if (e.action === 'tablet-erased' && typeof deviceId === 'string' && typeof erased === 'number') {
    return `${deviceName(typeof label === 'string' ? label : null, deviceId)} erased ${plural(erased, 'signature', 'signatures')} (quick delete)`;
  }
  return ACTIONS[e.action] ?? e.action;
}

const DETAIL_NAMES: Record<string, string> = {
  event: 'Event',
  expiresAt: 'Expires',
  deviceId: 'Tablet ID',
  id: 'Signature ID',
  reason: 'Reason',
  kind: 'File',
  email: 'Email',
  sealed: 'Sealed campaign',
  label: 'Tablet name',
  erased: 'Erased',
  total: 'Erased since enrollment',
  records: 'Signatures in the file',
  accepted: 'New',
  duplicate: 'Already stored',
  conflict: 'Conflicting',
  invalid: 'Invalid',
  chainsIntact: 'Chains intact',
  campaigns: 'Campaigns',
  from: 'Copied from',
  version: 'Version',
  goal: 'Goal',
  startsAt: 'Starts',
  endsAt: 'Ends',
  count: 'Signatures',
  note: 'Note',
  ids: 'Signature IDs',
  idsSent: 'Signature IDs sent',
  filter: 'Filter',
  rows: 'Rows',
  session: 'Session',
  current: 'This session',
  otherSessionsEnded: 'Other sessions ended',
};

function detailValue(key: string, value: unknown): string {
  if (typeof value === 'string') return key === 'expiresAt' || key === 'at' || key === 'startsAt' || key === 'endsAt' ? formatDateTime(value) : value;
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (value === null) return key === 'from' ? 'the built-in petition' : key === 'rows' ? 'not known (the download broke off)' : 'none';
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(', ');
  return JSON.stringify(value);
}

export function AuditLog({ api, tick, onError, isOwner = false }: { api: ConsoleApi; tick: number; onError: (error: unknown) => void; isOwner?: boolean }) {
  // This campaign's entries and the server-wide ones (sign-ins, codes, tablets), or every campaign's too.
  const [all, setAll] = useState(false);
  const { data: entries, error: loadError, reload } = useLoad(() => api.audit(all, isOwner), [api, tick, all, isOwner], onError);

  return (
    <>
      <SectionHeading title="Audit log">
        <div class="button-row">
          {isOwner && <a class="button secondary" href={AUDIT_CSV} download>Download the whole log (CSV)</a>}
          <button type="button" class="secondary" onClick={reload}>Refresh</button>
        </div>
      </SectionHeading>
      <p class="lead">The latest 500 entries, newest first. Entries cannot be edited or removed, from the console or anywhere else.</p>
      {isOwner && (
        <label class="check-inline">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.currentTarget.checked)} />
          {`Show every campaign’s entries (not only “${api.campaignId}” and the server-wide ones)`}
        </label>
      )}
      {loadError && <p class="error banner" role="alert">{loadError}</p>}
      <section class="card" aria-label="Audit entries">
        {!entries ? (
          <p class="hint">Loading…</p>
        ) : entries.length === 0 ? (
          <p class="hint">Nothing recorded yet.</p>
        ) : (
          <div class="table-wrap">
            <table class="data" id="audit-table">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">What</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((e) => (
                  <tr key={e.seq}>
                    <td class="nowrap"><time dateTime={e.at}>{formatDateTime(e.at)}</time></td>
                    <td>{e.actor}</td>
                    <td>{whatHappened(e)}</td>
                    <td>
                      {Object.keys(e.detail).length > 0 && (
                        <dl class="details">
                          {Object.entries(e.detail).map(([key, value]) => (
                            <div key={key}>
                              <dt>{DETAIL_NAMES[key] ?? key}</dt>
                              <dd class={key.endsWith('Id') || key === 'id' ? 'mono' : undefined}>{detailValue(key, value)}</dd>
                            </div>
                          ))}
                        </dl>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
