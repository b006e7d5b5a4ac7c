/**
 * Tablets: enroll new ones with a one-time code (and its QR), see their last contact and what
 * each last reported (queue, erasures, storage, app version, token expiry), revoke. A tablet
 * silent too long while holding unsynced signatures is flagged and listed first.
 */
import { useEffect, useState } from 'preact/hooks';
import type { CampaignSummary, ConsoleApi, DeviceView, EnrollmentCode } from './api.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { deviceName, formatAgo, formatBytes, formatDate, formatDateTime, formatNumber, silentText } from './format.ts';
import { formatDuration } from '../shared/duration.ts';
import { SectionHeading } from './SectionHeading.tsx';
import { useLoad } from './hooks.ts';

interface Props {
  api: ConsoleApi;
  /** Every campaign on the server: a code names the published ones its tablet may show. */
  campaigns: CampaignSummary[];
  /** What a tablet enrolled before campaigns shows. */
  defaultCampaignId: string;
  /** Bumped on every live update: time to reload. */
  tick: number;
  now: number;
  onError: (error: unknown) => void;
  /** A manager or owner: makes codes and revokes tablets (a viewer only looks). */
  mayManage: boolean;
}

export function Devices({ api, campaigns, defaultCampaignId, tick, now, onError, mayManage }: Props) {
  const { data: list, error: loadError, reload } = useLoad(() => api.devices(), [api, tick], onError);
  const devices = list?.devices;
  // A tablet enrolled before campaigns (campaigns: null) shows the server's default campaign.
  const defaultId = defaultCampaignId;
  const [revoking, setRevoking] = useState<DeviceView | undefined>();
  const [announcement, setAnnouncement] = useState('');

  // Contacts without new signatures send no live update: look again now and then.
  useEffect(() => {
    const timer = setInterval(() => reload(), 30_000);
    return () => clearInterval(timer);
  }, []);

  // Silent tablets first (the longest silent on top), revoked ones last, else newest first.
  const sorted =
    devices &&
    [...devices].sort(
      (a, b) =>
        (b.silent?.forMs ?? -1) - (a.silent?.forMs ?? -1) || Number(!!a.revokedAt) - Number(!!b.revokedAt) || b.enrolledAt.localeCompare(a.enrolledAt),
    );

  return (
    <>
      <SectionHeading title="Devices" />
      {mayManage && <NewCodeForm api={api} campaigns={campaigns} onError={onError} onCreated={() => reload()} />}

      <section class="card" aria-labelledby="devices-heading">
        <div class="card-head">
          <h2 id="devices-heading">Enrolled tablets</h2>
          <button type="button" class="secondary small" onClick={reload}>Refresh</button>
        </div>
        <p class="hint" role="status">{announcement}</p>
        {loadError && <p class="error banner" role="alert">{loadError}</p>}
        {!sorted ? (
          <p class="hint">Loading…</p>
        ) : sorted.length === 0 ? (
          <p class="hint">No tablet is enrolled yet. Create an enrollment code above and type it on the tablet.</p>
        ) : (
          <div class="table-wrap">
            <table class="data" id="devices-table">
              <thead>
                <tr>
                  <th scope="col">Tablet</th>
                  <th scope="col">Event</th>
                  <th scope="col">Last contact</th>
                  <th scope="col" class="num">Waiting to sync</th>
                  <th scope="col" class="num">Quarantined</th>
                  <th scope="col">Status</th>
                  <th scope="col" class="num">Erased</th>
                  <th scope="col">Last sync</th>
                  <th scope="col">Storage</th>
                  <th scope="col">Token expires</th>
                  <th scope="col"><span class="visually-hidden">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {sorted.map((d) => (
                  <tr key={d.id} class={d.revokedAt ? 'revoked' : d.silent ? 'silent' : undefined}>
                    <th scope="row" class="name-cell">
                      {deviceName(d.label, d.id)}
                      <span class="sub mono">{d.id.slice(0, 8)}</span>
                      {d.lastReport?.appVersion && <span class="sub">App <span class="mono">{d.lastReport.appVersion}</span></span>}
                      <span class="sub">{`Campaigns: ${(d.campaigns ?? [defaultId]).join(', ')}`}</span>
                    </th>
                    <td>{d.event}</td>
                    <td>
                      {d.lastSeenAt ? (
                        <time dateTime={d.lastSeenAt} title={formatDateTime(d.lastSeenAt)}>{formatAgo(d.lastSeenAt, now)}</time>
                      ) : (
                        <span class="muted">Never</span>
                      )}
                    </td>
                    <td class="num">
                      {d.lastReport ? formatNumber(d.lastReport.pending) : '—'}
                    </td>
                    <td class="num">
                      {d.lastReport ? <span class={d.lastReport.quarantined > 0 ? 'warn-text' : undefined}>{formatNumber(d.lastReport.quarantined)}</span> : '—'}
                    </td>
                    <td>
                      {d.revokedAt ? (
                        <span class="badge badge-danger" title={formatDateTime(d.revokedAt)}>Revoked</span>
                      ) : d.silent ? (
                        <span class="badge badge-warn badge-wrap">{silentText(d.silent)}</span>
                      ) : (
                        <span class="badge badge-ok">Active</span>
                      )}
                    </td>
                    <td class="num">{d.lastReport ? formatNumber(d.lastReport.erased ?? 0) : '—'}</td>
                    <td>
                      <LastSync at={d.lastReport?.lastSyncAt} now={now} />
                    </td>
                    <td>
                      <StorageFacts device={d} />
                    </td>
                    <td>
                      {!d.tokenExpiresAt ? (
                        <span class="muted">Never</span>
                      ) : Date.parse(d.tokenExpiresAt) <= now ? (
                        <span class="badge badge-danger" title={formatDateTime(d.tokenExpiresAt)}>Expired</span>
                      ) : (
                        <time dateTime={d.tokenExpiresAt} title={formatDateTime(d.tokenExpiresAt)}>{formatDate(d.tokenExpiresAt)}</time>
                      )}
                    </td>
                    <td class="actions">
                      {mayManage && !d.revokedAt && (
                        <button type="button" class="secondary small" aria-label={`Revoke ${deviceName(d.label, d.id)}`} onClick={() => setRevoking(d)}>
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p class="hint table-note">
          Figures are what each tablet last reported when it synced.
          {list && ` A tablet holding unsynced signatures that has been silent for over ${formatDuration(list.staleAfterMs)} is flagged and listed first: find it before its browser clears its storage.`}
        </p>
      </section>

      {revoking && (
        <ConfirmDialog
          title={`Revoke ${deviceName(revoking.label, revoking.id)}?`}
          confirmLabel="Revoke tablet"
          onClose={() => setRevoking(undefined)}
          onConfirm={async () => {
            await api.revoke(revoking.id);
            setAnnouncement(`${deviceName(revoking.label, revoking.id)} was revoked.`);
            reload();
          }}
        >
          <p>The tablet’s key stops working at once: it can no longer send signatures to the server.</p>
          {revoking.lastReport && revoking.lastReport.pending > 0 && (
            <p class="warn-text">
              It last reported {formatNumber(revoking.lastReport.pending)} signatures waiting to sync. Export them on the tablet (volunteer screen) and import the file
              before revoking, or they will not arrive.
            </p>
          )}
          <p>Use this for a lost or stolen tablet. To use it again, enroll it with a new code.</p>
        </ConfirmDialog>
      )}
    </>
  );
}

/** When the tablet last synced successfully, by its own clock (it may differ from its last contact). */
function LastSync({ at, now }: { at: string | undefined; now: number }) {
  return at ? (
    <time dateTime={at} title={`${formatDateTime(at)} (tablet clock)`}>{formatAgo(at, now)}</time>
  ) : (
    <span class="muted">Not confirmed yet</span>
  );
}

/** Storage used of the quota, and whether the browser promised not to evict it. */
function StorageFacts({ device }: { device: DeviceView }) {
  const r = device.lastReport;
  if (!r || (!r.storage && r.persisted === undefined)) return <span class="muted">—</span>;
  return (
    <>
      {r.storage ? `${formatBytes(r.storage.usage)} of ${formatBytes(r.storage.quota)}` : 'Use unknown'}
      {r.persisted !== undefined && (
        <span class={r.persisted ? 'sub' : 'sub warn-text'}>{r.persisted ? 'Persistent' : 'Not persistent: may be evicted'}</span>
      )}
    </>
  );
}

interface CodeFormProps {
  api: ConsoleApi;
  campaigns: CampaignSummary[];
  onError: (error: unknown) => void;
  onCreated: () => void;
}

function NewCodeForm({ api, campaigns, onError, onCreated }: CodeFormProps) {
  const published = campaigns.filter((c) => c.status !== 'draft');
  // By default the tablet shows the campaign the console is about.
  const [chosen, setChosen] = useState<string[]>(() => (published.some((c) => c.id === api.campaignId) ? [api.campaignId] : published.slice(0, 1).map((c) => c.id)));
  const [event, setEvent] = useState('');
  const [hours, setHours] = useState('24');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [code, setCode] = useState<EnrollmentCode | undefined>();

  async function submit(e: Event) {
    e.preventDefault();
    const h = Number(hours);
    if (!event.trim()) return setError('Name the event the tablet will collect at.');
    if (!Number.isFinite(h) || h < 0.1 || h > 720) return setError('Hours valid must be between 0.1 and 720 (30 days).');
    if (chosen.length === 0) return setError('Tick at least one campaign for the tablet to show.');
    setBusy(true);
    setError('');
    try {
      setCode(await api.createCode(event.trim(), h, chosen));
      onCreated();
    } catch (err) {
      setError((err as Error).message);
      onError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card" aria-labelledby="new-code-heading">
      <h2 id="new-code-heading">New enrollment code</h2>
      <p class="hint">A code enrolls one tablet, once. Type it on the tablet’s enrollment screen, or scan the QR code with the tablet.</p>
      <form class="code-form" onSubmit={submit} noValidate>
        <div class="field grow">
          <label for="code-event">Event name</label>
          <input id="code-event" type="text" value={event} maxLength={120} required placeholder="e.g. Rally, Place de la République"
            aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'code-error' : undefined} onInput={(e) => setEvent(e.currentTarget.value)} />
        </div>
        <div class="field narrow">
          <label for="code-hours">Hours valid</label>
          <input id="code-hours" type="number" inputMode="decimal" min="0.1" max="720" step="any" value={hours} required
            onInput={(e) => setHours(e.currentTarget.value)} />
        </div>
        <fieldset class="campaign-picks">
          <legend>Campaigns the tablet may show</legend>
          {published.map((c) => (
            <label key={c.id} class="check-inline">
              <input type="checkbox" checked={chosen.includes(c.id)}
                onChange={(e) => setChosen((now) => (e.currentTarget.checked ? [...now, c.id] : now.filter((id) => id !== c.id)))} />
              {`${c.title} (${c.id}${c.status === 'closed' ? ', closed' : ''})`}
            </label>
          ))}
          {published.length < campaigns.length && <p class="hint">Drafts are not listed: publish a campaign before enrolling tablets for it.</p>}
        </fieldset>
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Creating…' : 'Create code'}</button>
      </form>
      {error && <p id="code-error" class="error banner" role="alert">{error}</p>}
      {code && (
        <div class="code-result" role="region" aria-labelledby="code-result-heading">
          <div class="code-text">
            <h3 id="code-result-heading">Enrollment code for {code.event}</h3>
            <p data-testid="code-campaigns">{`Campaigns: ${code.campaigns.join(', ')}`}</p>
            <p class="big-code mono" data-testid="enrollment-code">{code.code}</p>
            <p>
              Valid once, until <time dateTime={code.expiresAt}>{formatDateTime(code.expiresAt)}</time>.
            </p>
            <p class="link-line">
              Link: <a href={code.link} target="_blank" rel="noopener noreferrer" class="mono">{code.link}</a>
            </p>
          </div>
          <img class="qr" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(code.qrSvg)}`} width={220} height={220}
            alt={`QR code of the enrollment link for code ${code.code}`} />
        </div>
      )}
    </section>
  );
}
