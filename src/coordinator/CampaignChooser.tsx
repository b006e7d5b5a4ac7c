/**
 * The campaign the console is about, at the top of every section: the dashboard, signatures,
 * exports, sealed signatures and audit log follow it. The choice is kept in this browser's
 * localStorage (a campaign id, nothing about signers) and forgotten at sign-out, since a
 * campaign's id can say what it is about.
 */
import type { CampaignSummary } from './api.ts';

const KEY = 'fieldsign-console-campaign';

/** The campaign chosen last in this browser, or '' (then the server's default). */
export function rememberedCampaign(): string {
  try {
    return localStorage.getItem(KEY) ?? '';
  } catch {
    return '';
  }
}

export function rememberCampaignChoice(id: string): void {
  try {
    localStorage.setItem(KEY, id);
  } catch {
    // Storage refused (private mode): the choice lasts as long as the page.
  }
}

export function forgetCampaignChoice(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // Nothing was kept.
  }
}

interface Props {
  campaigns: CampaignSummary[];
  chosen: string;
  onChoose: (id: string) => void;
}

export function CampaignChooser({ campaigns, chosen, onChoose }: Props) {
  return (
    <div class="chooser">
      <label for="campaign-chooser">Campaign</label>
      <select id="campaign-chooser" value={chosen} title={campaigns.find((c) => c.id === chosen)?.title} onChange={(e) => onChoose(e.currentTarget.value)}>
        {campaigns.map((c) => (
          <option key={c.id} value={c.id}>{c.status === 'open' ? c.title : `${c.title} (${c.status})`}</option>
        ))}
      </select>
    </div>
  );
}
