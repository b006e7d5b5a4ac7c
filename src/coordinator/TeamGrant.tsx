/**
 * What an account may do, as an owner chooses it for an invitation or a change: the role, the
 * campaigns (an owner has them all), and the permission to export personal data, with what it
 * means said next to it. The server judges the choice again (server/console/team.ts).
 */
import type { Role } from '../shared/api/session.ts';
import type { CampaignSummary } from './api.ts';

export interface Grant {
  role: Role;
  campaigns: string[];
  mayExportPersonalData: boolean;
}

/** How each role reads in the console. */
export const ROLE_NAMES: Record<Role, string> = { owner: 'Owner', manager: 'Campaign manager', viewer: 'Viewer' };

const ROLE_HINTS: Record<Role, string> = {
  owner: 'Everything, on every campaign: the team, the settings, new campaigns.',
  manager: 'For the campaigns chosen: edit and publish, tablets and codes, paper counts, review.',
  viewer: 'For the campaigns chosen: totals, charts, devices and counts. No names, no contacts, no signatures.',
};

interface Props {
  /** Prefix of the fields' ids, so that two forms on one page keep their labels apart. */
  idPrefix: string;
  grant: Grant;
  campaigns: CampaignSummary[];
  onChange: (grant: Grant) => void;
}

export function GrantFields({ idPrefix, grant, campaigns, onChange }: Props) {
  const set = (change: Partial<Grant>) => onChange({ ...grant, ...change });
  const { role } = grant;
  return (
    <>
      <div class="field">
        <label for={`${idPrefix}-role`}>Role</label>
        <select id={`${idPrefix}-role`} value={role} aria-describedby={`${idPrefix}-role-hint`}
          onChange={(e) => {
            const next = e.currentTarget.value as Role;
            set({ role: next, ...(next === 'viewer' && { mayExportPersonalData: false }) });
          }}>
          {(Object.keys(ROLE_NAMES) as Role[]).map((r) => <option key={r} value={r}>{ROLE_NAMES[r]}</option>)}
        </select>
        <p class="hint" id={`${idPrefix}-role-hint`}>{ROLE_HINTS[role]}</p>
      </div>
      {role !== 'owner' && (
        <fieldset class="campaign-picks">
          <legend>Campaigns</legend>
          {campaigns.map((c) => (
            <label key={c.id} class="check-inline">
              <input type="checkbox" checked={grant.campaigns.includes(c.id)}
                onChange={(e) => set({ campaigns: e.currentTarget.checked ? [...grant.campaigns, c.id] : grant.campaigns.filter((id) => id !== c.id) })} />
              {`${c.title} (${c.id})`}
            </label>
          ))}
        </fieldset>
      )}
      {role !== 'viewer' && (
        <div class="field">
          <label class="check-inline">
            <input type="checkbox" checked={grant.mayExportPersonalData} aria-describedby={`${idPrefix}-personal-warning`}
              onChange={(e) => set({ mayExportPersonalData: e.currentTarget.checked })} />
            May export personal data (names, emails, signatures)
          </label>
          <p class="personal-warning" id={`${idPrefix}-personal-warning`}>
            Signers may be at risk: grant this to as few people as you can. Whoever has it can download every name and email of
            {role === 'owner' ? ' every campaign' : ' these campaigns'}, and must sign in with two-factor.
          </p>
        </div>
      )}
    </>
  );
}

/** The campaigns of an account, as the team table shows them. */
export function campaignNames(campaigns: string[] | 'all', list: CampaignSummary[]): string {
  if (campaigns === 'all') return 'All campaigns';
  return campaigns.map((id) => list.find((c) => c.id === id)?.title ?? id).join(', ') || 'None';
}
