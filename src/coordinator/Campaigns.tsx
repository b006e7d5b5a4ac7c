/**
 * The Campaigns section: every petition on this server with its status, current version,
 * total and goal; a new one copied from another (or from the built-in petition); and, at
 * #campaigns/<id>, one campaign's page.
 */
import { useState } from 'preact/hooks';
import type { CampaignList, ConsoleApi } from './api.ts';
import type { Abilities } from './abilities.ts';
import { BUILT_IN, CampaignPage } from './CampaignPage.tsx';
import { formatDate, formatNumber } from './format.ts';
import { SectionHeading } from './SectionHeading.tsx';
import { StatusBadge } from './StatusBadge.tsx';

interface Props {
  api: ConsoleApi;
  list: CampaignList | undefined;
  /** The campaign whose page is open (#campaigns/<id>), if any. */
  openId: string | undefined;
  /** What the account may do: a viewer reads, a manager edits, an owner also creates. */
  can: Abilities;
  onListChanged: () => void;
  onChoose: (id: string) => void;
  onError: (error: unknown) => void;
}

export function Campaigns({ api, list, openId, can, onListChanged, onChoose, onError }: Props) {
  if (openId) {
    return (
      <CampaignPage key={openId} api={api} id={openId} campaigns={list?.campaigns ?? []} defaultCampaignId={list?.defaultCampaignId ?? ''} can={can}
        onListChanged={onListChanged} onChoose={onChoose} onError={onError} />
    );
  }
  return (
    <>
      <SectionHeading title="Campaigns" />
      <p class="lead">
        Each petition on this server. A published version is kept exactly as it was published; every signature names the version, language and text it was
        signed under.
      </p>
      <section class="card" aria-labelledby="campaigns-heading">
        <h2 id="campaigns-heading">All campaigns</h2>
        {!list ? (
          <p class="hint">Loading…</p>
        ) : (
          <div class="table-wrap">
            <table class="data" id="campaigns-table">
              <thead>
                <tr>
                  <th scope="col">Campaign</th>
                  <th scope="col">Status</th>
                  <th scope="col">Current version</th>
                  <th scope="col" class="num">Signatures</th>
                  <th scope="col" class="num">Goal</th>
                </tr>
              </thead>
              <tbody>
                {list.campaigns.map((c) => (
                  <tr key={c.id}>
                    <th scope="row" class="name-cell">
                      <a href={`#campaigns/${encodeURIComponent(c.id)}`}>{c.title}</a>
                      <span class="sub">
                        <span class="mono">{c.id}</span>
                        {c.id === list.defaultCampaignId && <span class="badge default-badge">Server default</span>}
                      </span>
                    </th>
                    <td><StatusBadge status={c.status} /></td>
                    <td>
                      {c.latestVersion ? `Version ${c.latestVersion.version}, ${formatDate(c.latestVersion.publishedAt)}` : <span class="muted">Not published</span>}
                      {c.hasDraft && <span class="sub">A draft is waiting</span>}
                    </td>
                    <td class="num">{formatNumber(c.total)}</td>
                    <td class="num">{c.goal === null ? <span class="muted">—</span> : formatNumber(c.goal)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {list && can.owner && <NewCampaignForm api={api} list={list} onCreated={onListChanged} />}
    </>
  );
}

function NewCampaignForm({ api, list, onCreated }: { api: ConsoleApi; list: CampaignList; onCreated: () => void }) {
  const [id, setId] = useState('');
  const [from, setFrom] = useState(list.defaultCampaignId);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function create(event: Event) {
    event.preventDefault();
    const wanted = id.trim();
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(wanted)) return setError('Use 1–64 letters, digits, - or _ for the id: it appears in links and in every signature.');
    setBusy(true);
    setError('');
    try {
      await api.createCampaign(wanted, from === BUILT_IN ? undefined : from);
      onCreated();
      location.hash = `#campaigns/${encodeURIComponent(wanted)}`;
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card" aria-labelledby="new-campaign-heading">
      <h2 id="new-campaign-heading">New campaign</h2>
      <p class="hint">It starts as a draft copied from another campaign’s current text. Nothing reaches a tablet until you publish it and enroll tablets for it.</p>
      <form class="code-form" onSubmit={create} noValidate>
        <div class="field grow">
          <label for="new-campaign-id">Id (letters, digits, - and _)</label>
          <input id="new-campaign-id" type="text" value={id} maxLength={64} autocomplete="off" spellcheck={false} placeholder="e.g. clean-water-2026"
            aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'new-campaign-error' : undefined} onInput={(e) => setId(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="new-campaign-from">Copy the text from</label>
          <select id="new-campaign-from" value={from} onChange={(e) => setFrom(e.currentTarget.value)}>
            {list.campaigns.map((c) => <option key={c.id} value={c.id}>{`${c.title} (${c.id})`}</option>)}
            <option value={BUILT_IN}>The built-in petition</option>
          </select>
        </div>
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Creating…' : 'Create draft campaign'}</button>
      </form>
      {error && <p id="new-campaign-error" class="error banner" role="alert">{error}</p>}
    </section>
  );
}
