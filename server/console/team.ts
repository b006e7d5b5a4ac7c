/**
 * The team, apart from HTTP (team-routes.ts maps the outcomes to answers): what an owner sees
 * of the accounts, inviting someone by a one-time link, accepting an invitation, changing an
 * account's role, campaigns and permission, disabling and enabling accounts, and the owners'
 * settings. Every change is written to the audit log under the owner who made it (an accepted
 * invitation under the new account); no entry ever holds an invitation's token.
 *
 * An invitation, step by step:
 * 1. An owner names the email, role, campaigns and permission; the token (32 random bytes) is
 *    put in the link, which only this answer holds; the store keeps sha256(token).
 * 2. The invited person opens the link: the token shows what they are invited to.
 * 3. They choose a name and a password: in one transaction the invitation is used and the
 *    account made (store: redeemInvitation). It works once, before it expires, unless revoked.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { sha256 } from '../devices.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import { twoFactorState } from './access.ts';
import { summaryOf } from '../campaigns.ts';
import type { Coordinator, InvitationFailure, InvitationRecord, Store, TeamMember } from '../store/store.ts';
import type { AccountChange, InvitationRequest, InvitationView, PendingInvitation, Team, TeamAccount, TeamSettings } from '../../src/shared/api/team.ts';

/** The setting that requires two-factor sign-in of everyone (store: console_settings). */
const REQUIRE_TWO_FACTOR = 'require_two_factor';
/** An invitation works this long unless the owner says otherwise. */
export const DEFAULT_INVITATION_HOURS = 72;

/** The signed-in owner who makes a change (the audit log names them). */
export interface Owner {
  id: string;
  email: string;
}

/** What an owner tried that the rules refuse, and why (each becomes a 400, 404 or 409). */
export type Refused =
  | { kind: 'invalid'; message: string }
  | { kind: 'unknown-campaign'; id: string }
  | { kind: 'not-found' }
  | { kind: 'conflict'; message: string };

/** The settings, from the store's rows. */
async function settingsOf(store: Store): Promise<TeamSettings> {
  return { requireTwoFactorForAll: (await store.consoleSettings())[REQUIRE_TWO_FACTOR] === '1' };
}

/** An account as the Team section shows it. */
function teamAccountOf(member: TeamMember, settings: TeamSettings): TeamAccount {
  const { id, email, name, role, campaigns, mayExportPersonalData, createdAt, disabledAt, lastSignInAt } = member;
  return {
    id,
    email,
    name,
    role,
    campaigns: role === 'owner' ? 'all' : campaigns,
    mayExportPersonalData,
    twoFactor: twoFactorState({ coordinator: member, twoFactorForAll: settings.requireTwoFactorForAll }),
    createdAt,
    disabledAt: disabledAt ?? null,
    lastSignInAt,
  };
}

function pendingOf(i: InvitationRecord): PendingInvitation {
  const { id, email, role, campaigns, mayExportPersonalData, createdBy, createdAt, expiresAt } = i;
  return { id, email, role, campaigns, mayExportPersonalData, createdBy, createdAt, expiresAt };
}

/** The accounts, the pending invitations and the settings. */
export async function teamView(store: Store, now: Date): Promise<Team> {
  const settings = await settingsOf(store);
  const [members, invitations] = await Promise.all([store.teamMembers(), store.pendingInvitations(now.toISOString())]);
  return { accounts: members.map((m) => teamAccountOf(m, settings)), invitations: invitations.map(pendingOf), settings };
}

/**
 * What a role may be given, whole: an owner has every campaign; a manager or viewer needs at
 * least one, each of which must exist; a viewer never sees signer data, so it cannot be given
 * the permission to export it.
 */
async function grantProblem(store: Store, grant: { role: Coordinator['role']; campaigns: string[]; mayExportPersonalData: boolean }): Promise<Refused | undefined> {
  if (grant.role === 'viewer' && grant.mayExportPersonalData) {
    return { kind: 'invalid', message: 'A viewer sees totals only and cannot export personal data: make them a campaign manager to grant it.' };
  }
  if (grant.role === 'owner') return undefined;
  if (grant.campaigns.length === 0) return { kind: 'invalid', message: 'Choose at least one campaign for a campaign manager or a viewer.' };
  for (const id of grant.campaigns) if (!(await store.getCampaign(id))) return { kind: 'unknown-campaign', id };
  return undefined;
}

/** Make an invitation (step 1): its id, the token to put in the link (only here), and when it expires. */
export async function invite(store: Store, request: InvitationRequest, by: Owner, now: Date): Promise<{ kind: 'created'; id: string; token: string; expiresAt: string } | Refused> {
  const campaigns = request.role === 'owner' ? [] : [...new Set(request.campaigns)];
  const problem = await grantProblem(store, { ...request, campaigns });
  if (problem) return problem;
  if (await store.coordinatorByEmail(request.email)) return { kind: 'conflict', message: `${request.email} already has an account: change its role in the list instead.` };
  const token = randomBytes(32).toString('base64url');
  const id = randomUUID();
  const createdAt = now.toISOString();
  const expiresAt = new Date(now.getTime() + (request.hours ?? DEFAULT_INVITATION_HOURS) * 3600_000).toISOString();
  const { email, role, mayExportPersonalData } = request;
  await store.createInvitation({ id, tokenHash: sha256(token), email, role, campaigns, mayExportPersonalData, createdBy: by.email, createdAt, expiresAt });
  await store.audit({ at: createdAt, actor: by.email, action: 'invitation.created', detail: { invitation: id, email, role, campaigns, mayExportPersonalData, expiresAt }, campaignId: null });
  return { kind: 'created', id, token, expiresAt };
}

/** Revoke a pending invitation: its link stops working at once. */
export async function revokeInvitation(store: Store, id: string, by: Owner, now: Date): Promise<{ kind: 'revoked' } | Refused> {
  const at = now.toISOString();
  const revoked = await store.revokeInvitation(id, at);
  if (!revoked) return { kind: 'not-found' };
  await store.audit({ at, actor: by.email, action: 'invitation.revoked', detail: { invitation: id, email: revoked.email }, campaignId: null });
  return { kind: 'revoked' };
}

/** What the invited person is told when a token lets no one in. */
export const INVITATION_FAILURES: Record<InvitationFailure | 'taken', string> = {
  unknown: 'This invitation link is not valid. Ask the person who invited you for a new one.',
  expired: 'This invitation has expired. Ask the person who invited you for a new one.',
  used: 'This invitation has already been used. Sign in with the account it made, or ask for a new one.',
  revoked: 'This invitation was withdrawn. Ask the person who invited you for a new one.',
  taken: 'This email address already has an account: sign in with it instead.',
};

/** What the token invites to (step 2), or why it lets no one in. */
export async function showInvitation(store: Store, token: string, now: Date): Promise<{ kind: 'invitation'; view: InvitationView } | { kind: 'failed'; reason: InvitationFailure }> {
  const found = await store.invitationByTokenHash(sha256(token), now.toISOString());
  if (!found.ok) return { kind: 'failed', reason: found.reason };
  const { email, role, campaigns, mayExportPersonalData, createdBy, expiresAt } = found.invitation;
  const inviter = await store.coordinatorByEmail(createdBy);
  const titled = await Promise.all(
    campaigns.map(async (id) => {
      const campaign = await store.getCampaign(id);
      return { id, title: campaign ? (await summaryOf(store, campaign)).title : id };
    }),
  );
  return {
    kind: 'invitation',
    view: { email, role, campaigns: role === 'owner' ? 'all' : titled, mayExportPersonalData, invitedBy: { name: inviter?.name ?? createdBy, email: createdBy }, expiresAt },
  };
}

/** Accept an invitation (step 3): the account made, or why not. The caller signs it in. */
export async function acceptInvitation(
  store: Store,
  request: { token: string; name: string; password: string },
  now: Date,
): Promise<{ kind: 'accepted'; coordinator: Coordinator } | { kind: 'failed'; reason: InvitationFailure | 'taken' } | Refused> {
  const problem = passwordProblem(request.password);
  if (problem) return { kind: 'invalid', message: problem };
  const at = now.toISOString();
  const outcome = await store.redeemInvitation(sha256(request.token), at, { id: randomUUID(), name: request.name, passwordHash: await hashPassword(request.password) });
  if (!outcome.ok) return { kind: 'failed', reason: outcome.reason };
  const { invitation, coordinator } = outcome;
  await store.audit({
    at,
    actor: coordinator.email,
    action: 'invitation.accepted',
    detail: { invitation: invitation.id, role: coordinator.role, campaigns: coordinator.campaigns, mayExportPersonalData: coordinator.mayExportPersonalData, invitedBy: invitation.createdBy },
    campaignId: null,
  });
  return { kind: 'accepted', coordinator };
}

/** What the audit log keeps of an account's grant. */
const grantOf = (c: Coordinator) => ({ role: c.role, campaigns: c.role === 'owner' ? 'all' : c.campaigns, mayExportPersonalData: c.mayExportPersonalData });

const LAST_OWNER = 'This is the only enabled owner: make another account an owner first, so that someone can still manage the team.';

/**
 * Change an account's role, campaigns or permission; its open sessions follow at once (they
 * read the account on every request). Made a viewer, it loses the personal-data permission
 * unless the change asks to keep it (which is refused: a viewer cannot have it).
 */
export async function changeAccount(store: Store, id: string, change: AccountChange, by: Owner, now: Date): Promise<{ kind: 'changed'; account: TeamAccount } | Refused> {
  if (change.role === undefined && change.campaigns === undefined && change.mayExportPersonalData === undefined) return { kind: 'invalid', message: 'Say what to change: role, campaigns or mayExportPersonalData.' };
  const current = await store.coordinatorById(id);
  if (!current) return { kind: 'not-found' };
  const role = change.role ?? current.role;
  const update = {
    role,
    campaigns: role === 'owner' ? [] : [...new Set(change.campaigns ?? current.campaigns)],
    mayExportPersonalData: change.mayExportPersonalData ?? (role === 'viewer' ? false : current.mayExportPersonalData),
  };
  const problem = await grantProblem(store, update);
  if (problem) return problem;
  const outcome = await store.changeAccount(id, update);
  if (!outcome.ok) return outcome.reason === 'unknown' ? { kind: 'not-found' } : { kind: 'conflict', message: LAST_OWNER };
  await store.audit({ at: now.toISOString(), actor: by.email, action: 'account.changed', detail: { account: outcome.after.email, before: grantOf(outcome.before), after: grantOf(outcome.after) }, campaignId: null });
  return { kind: 'changed', account: await accountNow(store, id) };
}

/** Disable an account (its sessions end at once: they are deleted with it) or enable it again. */
export async function setDisabled(store: Store, id: string, disabled: boolean, by: Owner, now: Date): Promise<{ kind: 'changed'; account: TeamAccount } | Refused> {
  if (disabled && id === by.id) return { kind: 'conflict', message: 'You cannot disable your own account: ask another owner.' };
  const at = now.toISOString();
  const outcome = await store.setAccountDisabled(id, disabled ? at : null);
  if (!outcome.ok) return outcome.reason === 'unknown' ? { kind: 'not-found' } : { kind: 'conflict', message: LAST_OWNER };
  // Disabling a disabled account (or enabling an enabled one) changes nothing, so is not audited.
  if (!!outcome.before.disabledAt !== disabled) {
    await store.audit({ at, actor: by.email, action: disabled ? 'account.disabled' : 'account.enabled', detail: { account: outcome.after.email }, campaignId: null });
  }
  return { kind: 'changed', account: await accountNow(store, id) };
}

/** The account as the Team section shows it now. */
async function accountNow(store: Store, id: string): Promise<TeamAccount> {
  const member = (await store.teamMembers()).find((m) => m.id === id);
  if (!member) throw new Error(`The account ${id} went missing.`);
  return teamAccountOf(member, await settingsOf(store));
}

/** Change the owners' settings. */
export async function changeSettings(store: Store, settings: TeamSettings, by: Owner, now: Date): Promise<TeamSettings> {
  const before = await settingsOf(store);
  await store.setConsoleSetting(REQUIRE_TWO_FACTOR, settings.requireTwoFactorForAll ? '1' : '0');
  if (before.requireTwoFactorForAll !== settings.requireTwoFactorForAll) {
    await store.audit({ at: now.toISOString(), actor: by.email, action: 'settings.changed', detail: { before, after: settings }, campaignId: null });
  }
  return settings;
}
