/**
 * What the signed-in account may do, as the console shows it: sections and buttons it cannot
 * use are not offered. The server checks every route regardless (server/console/access.ts);
 * this only keeps the console from offering what would be refused.
 */
import type { Coordinator } from '../shared/api/session.ts';

export interface Abilities {
  /** The team, the settings, new campaigns, the whole audit log. */
  owner: boolean;
  /** Edit and publish, tablets and codes, paper counts, the campaign's audit log. */
  manage: boolean;
  /** Names, emails, signatures, records, exports, the review. */
  personal: boolean;
}

export function abilitiesOf(coordinator: Coordinator): Abilities {
  const manage = coordinator.role !== 'viewer';
  return { owner: coordinator.role === 'owner', manage, personal: manage && coordinator.mayExportPersonalData };
}

/** The campaign the console shows first: the one chosen before, else the server's default, else the account's first. */
export function campaignToShow(ids: string[], chosen: string | undefined, defaultId: string): string | undefined {
  if (chosen !== undefined && ids.includes(chosen)) return chosen;
  return ids.includes(defaultId) ? defaultId : ids[0];
}
