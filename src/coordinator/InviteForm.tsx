/**
 * Inviting someone to the team: their email, what they may do, how long the link works. The
 * answer's link (and its QR code) is shown this once: the server keeps only its hash, so it
 * cannot be shown again; a lost link is withdrawn and a new one made.
 */
import { useState } from 'preact/hooks';
import type { CampaignSummary } from './api.ts';
import { formatDateTime } from './format.ts';
import { GrantFields, type Grant } from './TeamGrant.tsx';
import type { InvitationCreated, TeamApi } from './team-api.ts';

interface Props {
  api: TeamApi;
  campaigns: CampaignSummary[];
  defaultCampaignId: string;
  onInvited: () => void;
}

export function InviteForm({ api, campaigns, defaultCampaignId, onInvited }: Props) {
  const [email, setEmail] = useState('');
  const [grant, setGrant] = useState<Grant>({ role: 'viewer', campaigns: [defaultCampaignId], mayExportPersonalData: false });
  const [hours, setHours] = useState('72');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<(InvitationCreated & { email: string }) | undefined>();

  async function submit(event: Event) {
    event.preventDefault();
    const h = Number(hours);
    if (!Number.isInteger(h) || h < 1 || h > 168) return setError('An invitation works for 1 to 168 hours.');
    setBusy(true);
    setError('');
    setCreated(undefined);
    try {
      const answer = await api.invite({ email: email.trim(), ...grant, hours: h });
      setCreated({ ...answer, email: email.trim() });
      setEmail('');
      onInvited();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card" aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite someone</h2>
      <p class="hint">They get a link that works once. It is shown here only now: send it to them yourself, by a channel you trust.</p>
      <form class="stack" onSubmit={submit} noValidate>
        <div class="field">
          <label for="invite-email">Email</label>
          <input id="invite-email" type="email" value={email} maxLength={254} autocomplete="off" required
            aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'invite-error' : undefined} onInput={(e) => setEmail(e.currentTarget.value)} />
        </div>
        <GrantFields idPrefix="invite" grant={grant} campaigns={campaigns} onChange={setGrant} />
        <div class="field narrow">
          <label for="invite-hours">Hours the link works</label>
          <input id="invite-hours" type="number" inputMode="numeric" min="1" max="168" step="1" value={hours} required onInput={(e) => setHours(e.currentTarget.value)} />
        </div>
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Inviting…' : 'Create invitation link'}</button>
      </form>
      {error && <p id="invite-error" class="error banner" role="alert">{error}</p>}
      {created && <CreatedLink created={created} />}
    </section>
  );
}

/** The link just made, once, with a copy button and its QR code. */
function CreatedLink({ created }: { created: InvitationCreated & { email: string } }) {
  const [copied, setCopied] = useState('');
  async function copy() {
    try {
      await navigator.clipboard.writeText(created.link);
      setCopied('Copied.');
    } catch {
      setCopied('Copying is not allowed here: select the link and copy it.');
    }
  }
  return (
    <div class="code-result" role="region" aria-labelledby="invite-result-heading">
      <div class="code-text">
        <h3 id="invite-result-heading">{`Invitation link for ${created.email}`}</h3>
        <p>
          Works once, until <time dateTime={created.expiresAt}>{formatDateTime(created.expiresAt)}</time>. It will not be shown again.
        </p>
        <p class="link-line">
          <input class="mono wide" type="text" readOnly value={created.link} aria-label="Invitation link" onFocus={(e) => e.currentTarget.select()} />
        </p>
        <p class="copy-line">
          <button type="button" class="secondary" onClick={() => void copy()}>Copy the link</button>
          <span role="status">{copied}</span>
        </p>
      </div>
      <img class="qr" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(created.qrSvg)}`} width={220} height={220} alt={`QR code of the invitation link for ${created.email}`} />
    </div>
  );
}
