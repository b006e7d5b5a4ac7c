/**
 * Who may do what in the console, apart from HTTP. Every session route of the route table
 * (routes.ts) names what it needs; the guard (session.ts: requireAccess) asks `refusal`.
 *
 * - 'self': any signed-in account, about itself (its session, sessions, password, two-factor).
 * - 'view': a viewer or more of the campaign: totals, charts, devices and counts.
 * - 'manage': a campaign manager or owner of the campaign: edit and publish, tablets and
 *   codes, paper counts, the campaign's audit log.
 * - 'personal': 'manage', and the permission to export personal data that an owner grants:
 *   anything that shows or acts on one signer (names, emails, signatures, records, review).
 *   A viewer never has it, whatever it is granted.
 * - 'owner': the team, the settings, new campaigns, the whole audit log.
 *
 * Two-factor sign-in is required of owners, of anyone who may export personal data, and of
 * everyone when an owner says so. An account that must have it and has none may do nothing
 * but set it up.
 */
import type { Role } from '../../src/shared/api/session.ts';
import type { TwoFactorState } from '../../src/shared/api/session.ts';
import type { Coordinator } from '../store/store.ts';

export type Need = 'self' | 'view' | 'manage' | 'personal' | 'owner';

/** What a request's account may do: its coordinator row, and the owners' two-factor setting. */
export interface Access {
  coordinator: Coordinator;
  twoFactorForAll: boolean;
}

const RANK: Record<Role, number> = { viewer: 0, manager: 1, owner: 2 };

/** Whether the account must sign in with a second factor. */
export function twoFactorRequired({ coordinator, twoFactorForAll }: Access): boolean {
  return twoFactorForAll || coordinator.role === 'owner' || coordinator.mayExportPersonalData;
}

/** The account's two-factor state, as the console shows it. */
export function twoFactorState(access: Access): TwoFactorState {
  if (access.coordinator.twoFactorOn) return 'on';
  return twoFactorRequired(access) ? 'setup-required' : 'off';
}

/** Whether the account has `campaignId` (an owner has every campaign). */
export function hasCampaign(coordinator: Coordinator, campaignId: string): boolean {
  return coordinator.role === 'owner' || coordinator.campaigns.includes(campaignId);
}

/** The campaigns of `ids` the account has. */
export function visibleCampaigns<T extends { id: string }>(coordinator: Coordinator, campaigns: readonly T[]): T[] {
  return campaigns.filter((c) => hasCampaign(coordinator, c.id));
}

/** Audit actions about signers: their detail names signatures (ids, a search filter, a note). */
const SIGNER_ACTIONS = new Set(['delete-signature', 'signatures.set-aside', 'signatures.restored']);
/** Detail fields of those entries that say nothing about who signed. */
const COUNTS_ONLY = ['count', 'reason', 'idsSent'];

/**
 * An audit entry as the account may see it: an entry about signers keeps only its counts
 * and reason for an account without the personal-data permission, since its ids, filter and
 * note could single out a signer the account may not see.
 */
export function auditEntryFor<E extends { action: string; detail: Record<string, unknown> }>(coordinator: Coordinator, entry: E): E {
  if (coordinator.mayExportPersonalData && coordinator.role !== 'viewer') return entry;
  if (!SIGNER_ACTIONS.has(entry.action)) return entry;
  const detail = Object.fromEntries(Object.entries(entry.detail).filter(([key]) => COUNTS_ONLY.includes(key)));
  return { ...entry, detail: { ...detail, withheld: 'signer details need the permission to export personal data' } };
}

/** Why a refusal is one: the error code of the 403. */
export type RefusalCode = 'forbidden' | 'two_factor_setup_required';

/**
 * Why the account may not do what `need` names (of `campaignId`, when the route is about
 * one), or undefined when it may. Without a campaign, the role alone is judged, and the
 * handler judges each item it touches (assertMay).
 */
export function refusal(access: Access, need: Need, campaignId?: string): { code: RefusalCode; message: string } | undefined {
  const { coordinator } = access;
  if (need === 'self') return undefined;
  if (twoFactorState(access) === 'setup-required') {
    return { code: 'two_factor_setup_required', message: 'Set up two-factor sign-in first: this account needs it before it can do anything else.' };
  }
  const forbidden = (message: string) => ({ code: 'forbidden' as const, message });
  if (need === 'owner') {
    return coordinator.role === 'owner' ? undefined : forbidden('Only an owner can do this: the team, the settings, new campaigns and the whole audit log are theirs.');
  }
  if (campaignId !== undefined && !hasCampaign(coordinator, campaignId)) return forbidden(`This account has no access to the campaign "${campaignId}".`);
  if (need === 'view') return undefined;
  if (RANK[coordinator.role] < RANK.manager) return forbidden('A viewer sees totals, charts and devices only: this needs a campaign manager.');
  if (need === 'manage') return undefined;
  if (!coordinator.mayExportPersonalData) {
    return forbidden('Names, emails and signatures need the permission to export personal data, which only an owner can grant.');
  }
  return undefined;
}
