/**
 * The console's calls about the team (owners) and an invitation (anyone holding its link),
 * parsed with the contract's schemas like every other call (api.ts: request).
 */
import { SessionInfoSchema } from '../shared/api/session.ts';
import {
  InvitationCreatedSchema,
  InvitationViewSchema,
  TeamAccountSchema,
  TeamSchema,
  TeamSettingsSchema,
  type AccountChange,
  type InvitationRequest,
} from '../shared/api/team.ts';
import { request } from './api.ts';

export type { InvitationCreated, InvitationRequest, InvitationView, PendingInvitation, Team, TeamAccount } from '../shared/api/team.ts';

const account = (id: string, rest = '') => `/api/console/team/accounts/${encodeURIComponent(id)}${rest}`;

/** An owner's calls, echoing the session's CSRF token on every change. */
export function teamApi(csrfToken: string) {
  return {
    team: () => request(TeamSchema, 'GET', '/api/console/team'),
    invite: (invitation: InvitationRequest) => request(InvitationCreatedSchema, 'POST', '/api/console/team/invitations', csrfToken, invitation),
    revokeInvitation: (id: string) => request(null, 'DELETE', `/api/console/team/invitations/${encodeURIComponent(id)}`, csrfToken),
    changeAccount: (id: string, change: AccountChange) => request(TeamAccountSchema, 'PATCH', account(id), csrfToken, change),
    setDisabled: (id: string, disabled: boolean) => request(TeamAccountSchema, 'POST', account(id, disabled ? '/disable' : '/enable'), csrfToken),
    requireTwoFactorForAll: (on: boolean) => request(TeamSettingsSchema, 'PATCH', '/api/console/settings', csrfToken, { requireTwoFactorForAll: on }),
  };
}

export type TeamApi = ReturnType<typeof teamApi>;

/** The invited person's calls (no session yet). */
export const invitationApi = {
  show: (token: string) => request(InvitationViewSchema, 'POST', '/api/console/invitation', undefined, { token }),
  accept: (token: string, name: string, password: string) => request(SessionInfoSchema, 'POST', '/api/console/invitation/accept', undefined, { token, name, password }),
};

/** The invitation token of an address's `#invite=<token>`, if it has one. */
export function invitationToken(hash: string): string | undefined {
  return /^#invite=([A-Za-z0-9_-]{43})$/.exec(hash)?.[1];
}
