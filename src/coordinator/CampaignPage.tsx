/**
 * One campaign: its status and figures, close and reopen, goal and dates, its published
 * versions (read-only), and the draft of its next version. Before its first publish the
 * draft is compared with the campaign it was copied from (the audit log remembers which).
 */
import { useEffect, useState } from 'preact/hooks';
import type { Campaign } from '../shared/campaign.ts';
import { DEFAULT_CAMPAIGN } from '../shared/default-campaign.ts';
import type { CampaignDetail, CampaignSummary, ConsoleApi } from './api.ts';
import type { Abilities } from './abilities.ts';
import { CampaignSettings } from './CampaignSettings.tsx';
import { CampaignVersions } from './CampaignVersions.tsx';
import { DraftSection } from './DraftSection.tsx';
import { formatNumber } from './format.ts';
import { useLoad } from './hooks.ts';
import { SectionHeading } from './SectionHeading.tsx';
import { StatusBadge } from './StatusBadge.tsx';

/** The built-in petition, as the "copy from" choice that names no campaign. */
export const BUILT_IN = '';

interface Props {
  api: ConsoleApi;
  id: string;
  campaigns: CampaignSummary[];
  defaultCampaignId: string;
  /** What the account may do: without `manage`, the page is read-only (no draft, no settings, no close). */
  can: Abilities;
  /** Something changed that the campaign list (and the chooser) shows. */
  onListChanged: () => void;
  onChoose: (id: string) => void;
  onError: (error: unknown) => void;
}

/** A campaign's latest published content, if it has one with a text. */
async function latestContent(api: ConsoleApi, id: string): Promise<Campaign | undefined> {
  const detail = await api.campaign(id);
  const latest = [...detail.versions].reverse().find((v) => v.textRecorded);
  return latest ? ((await api.version(id, latest.version)).content ?? undefined) : (detail.draft ?? undefined);
}

export function CampaignPage({ api, id, campaigns, defaultCampaignId, can, onListChanged, onChoose, onError }: Props) {
  const { data, error } = useLoad(() => api.campaign(id), [api, id], onError);
  const [campaign, setCampaign] = useState<CampaignDetail | undefined>();
  const [announcement, setAnnouncement] = useState('');
  const [actionError, setActionError] = useState('');
  const [compareWith, setCompareWith] = useState<string | undefined>();
  useEffect(() => setCampaign(data), [data]);

  // Before the first publish: compare with the campaign it was copied from, as the audit log says.
  const firstVersion = campaign !== undefined && campaign.versions.length === 0;
  useEffect(() => {
    if (!firstVersion || compareWith !== undefined) return;
    api.campaignAudit(id).then(
      (entries) => {
        const from = entries.find((e) => e.action === 'create-campaign')?.detail.from;
        setCompareWith(typeof from === 'string' ? from : from === null ? BUILT_IN : defaultCampaignId);
      },
      () => setCompareWith(defaultCampaignId),
    );
  }, [firstVersion, id]);

  const [base, setBase] = useState<{ content: Campaign; label: string; published: boolean } | undefined>();
  const latest = campaign?.latestVersion?.version;
  useEffect(() => {
    let current = true;
    setBase(undefined);
    const load = async () => {
      if (latest !== undefined) {
        const content = (await api.version(id, latest)).content;
        return content ? { content, label: `version ${latest}`, published: true } : undefined;
      }
      if (compareWith === undefined) return undefined;
      if (compareWith === BUILT_IN) return { content: DEFAULT_CAMPAIGN, label: 'the built-in petition', published: false };
      const content = await latestContent(api, compareWith);
      return content && { content, label: `“${compareWith}”`, published: false };
    };
    load().then((b) => current && setBase(b), onError);
    return () => {
      current = false;
    };
  }, [api, id, latest, compareWith]);

  if (!campaign) {
    return (
      <>
        <SectionHeading title="Campaign" />
        {error ? <p class="error banner" role="alert">{error}</p> : <p class="hint">Loading the campaign…</p>}
      </>
    );
  }

  function changed(next: CampaignDetail, message: string) {
    setCampaign(next);
    setAnnouncement(message);
    setActionError('');
    onListChanged();
  }

  async function setOpen(open: boolean) {
    try {
      changed(await api.setOpen(campaign!.id, open), open ? 'The campaign is open again: tablets offer it at their next contact.' : 'The campaign is closed: tablets stop offering it at their next contact. What they captured still arrives and counts.');
    } catch (failure) {
      setActionError((failure as Error).message);
    }
  }

  return (
    <>
      <SectionHeading title={campaign.title}>
        <a href="#campaigns" class="button secondary small">All campaigns</a>
      </SectionHeading>
      <div class="campaign-facts">
        <StatusBadge status={campaign.status} />
        <span class="mono">{campaign.id}</span>
        <span>{`${formatNumber(campaign.total)} ${campaign.total === 1 ? 'signature' : 'signatures'}${campaign.goal ? ` of a goal of ${formatNumber(campaign.goal)}` : ''}`}</span>
        {campaign.latestVersion && <span>{`Version ${campaign.latestVersion.version} is current`}</span>}
      </div>
      <div class="row campaign-actions">
        <button type="button" class="secondary" onClick={() => onChoose(campaign.id)}>{can.personal ? 'Show its signatures in the console' : 'Show its figures in the console'}</button>
        {can.manage && campaign.status === 'open' && <button type="button" class="danger-outline" onClick={() => void setOpen(false)}>Close the campaign</button>}
        {can.manage && campaign.status === 'closed' && <button type="button" class="secondary" onClick={() => void setOpen(true)}>Reopen the campaign</button>}
        {campaign.status !== 'draft' && <a class="button secondary" href={`/counter/${encodeURIComponent(campaign.id)}`} target="_blank" rel="noopener">Open its public counter</a>}
      </div>
      {announcement && <p class="notice-banner" role="status">{announcement}</p>}
      {actionError && <p class="error banner" role="alert">{actionError}</p>}

      {can.manage && firstVersion && (
        <div class="field narrow compare-with">
          <label for="compare-with">Compare the draft with</label>
          <select id="compare-with" value={compareWith ?? defaultCampaignId} onChange={(e) => setCompareWith(e.currentTarget.value)}>
            {campaigns.filter((c) => c.id !== campaign.id).map((c) => <option key={c.id} value={c.id}>{`${c.title} (${c.id})`}</option>)}
            <option value={BUILT_IN}>The built-in petition</option>
          </select>
        </div>
      )}
      {can.manage && <DraftSection key={`${campaign.versions.length}-${campaign.hasDraft}`} api={api} campaign={campaign} base={base} onChanged={changed} />}
      <CampaignVersions key={campaign.versions.length} api={api} campaign={campaign} />
      {can.manage && (
        <CampaignSettings key={campaign.id} api={api} campaign={campaign} onSaved={(c) => {
          setCampaign(c);
          onListChanged();
        }} />
      )}
    </>
  );
}
