/** A campaign's status in words: a draft was never published; tablets offer an open one; a closed one is offered no more. */
import type { CampaignStatus } from '../shared/campaigns.ts';

const LOOK: Record<CampaignStatus, { text: string; tone: string; title: string }> = {
  draft: { text: 'Draft', tone: '', title: 'Never published: no tablet shows it yet.' },
  open: { text: 'Open', tone: 'badge-ok', title: 'Tablets enrolled for it offer it to signers.' },
  closed: { text: 'Closed', tone: 'badge-danger', title: 'Tablets no longer offer it; what they captured before still arrives and counts.' },
};

export function StatusBadge({ status }: { status: CampaignStatus }) {
  const look = LOOK[status];
  return <span class={`badge ${look.tone}`} title={look.title} data-testid="campaign-status">{look.text}</span>;
}
