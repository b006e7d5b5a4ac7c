/**
 * The team's routes: /api/console/team…, /api/console/settings (owners; the route table says
 * so with `may: 'owner'`) and the invitation's public pair, /api/console/invitation and
 * /api/console/invitation/accept (refused over plain http from another machine, and limited
 * per address, before this runs). Thin: each takes what the contract parsed, calls team.ts,
 * and maps its outcome to an answer.
 */
import QRCode from 'qrcode';
import { api } from '../../src/shared/api/endpoints.ts';
import { HttpError, answer } from '../http-reply.ts';
import { publicOrigin, requestOf } from '../client-address.ts';
import { bodyOf, paramsOf, type Ctx } from '../routes/context.ts';
import { startSession } from './session.ts';
import { sessionInfo } from './routes.ts';
import * as team from './team.ts';
import type { InvitationFailure } from '../store/store.ts';

/** The owner making the change. */
const ownerOf = (c: Ctx): team.Owner => c.var.session.coordinator;

/** The answer to what the rules refused. */
function refused(outcome: team.Refused): HttpError {
  switch (outcome.kind) {
    case 'invalid':
      return new HttpError(400, 'bad_request', outcome.message);
    case 'unknown-campaign':
      return new HttpError(400, 'bad_request', `There is no campaign "${outcome.id}".`, [{ path: 'campaigns', message: `There is no campaign "${outcome.id}".` }]);
    case 'not-found':
      return new HttpError(404, 'not_found', 'No such account or pending invitation.');
    case 'conflict':
      return new HttpError(409, 'conflict', outcome.message);
  }
}

/** The answer to a token that lets no one in: 404 when unknown, 409 when its email has an account, else 410. */
function invitationFailed(reason: InvitationFailure | 'taken'): HttpError {
  const status = reason === 'unknown' ? 404 : reason === 'taken' ? 409 : 410;
  return new HttpError(status, reason === 'taken' ? 'conflict' : 'not_found', team.INVITATION_FAILURES[reason]);
}

/** GET /api/console/team. */
export async function teamView(c: Ctx): Promise<Response> {
  return answer(api.team, 200, await team.teamView(c.var.app.store, c.var.app.now()));
}

/** POST /api/console/team/invitations: the link, with its token, is in this answer only. */
export async function invite(c: Ctx): Promise<Response> {
  const outcome = await team.invite(c.var.app.store, bodyOf(c, api.invite), ownerOf(c), c.var.app.now());
  if (outcome.kind !== 'created') throw refused(outcome);
  const link = `${publicOrigin(requestOf(c), c.var.app.publicUrl)}/console/#invite=${outcome.token}`;
  const qrSvg = await QRCode.toString(link, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return answer(api.invite, 201, { id: outcome.id, link, expiresAt: outcome.expiresAt, qrSvg });
}

/** DELETE /api/console/team/invitations/:id. */
export async function revokeInvitation(c: Ctx): Promise<Response> {
  const outcome = await team.revokeInvitation(c.var.app.store, paramsOf(c, api.revokeInvitation).id, ownerOf(c), c.var.app.now());
  if (outcome.kind !== 'revoked') throw refused(outcome);
  return new Response(null, { status: 204 });
}

/** PATCH /api/console/team/accounts/:id. */
export async function changeAccount(c: Ctx): Promise<Response> {
  const outcome = await team.changeAccount(c.var.app.store, paramsOf(c, api.changeAccount).id, bodyOf(c, api.changeAccount), ownerOf(c), c.var.app.now());
  if (outcome.kind !== 'changed') throw refused(outcome);
  return answer(api.changeAccount, 200, outcome.account);
}

/** POST /api/console/team/accounts/:id/disable and …/enable. */
export function setDisabled(disabled: boolean) {
  return async (c: Ctx): Promise<Response> => {
    const outcome = await team.setDisabled(c.var.app.store, paramsOf(c, api.disableAccount).id, disabled, ownerOf(c), c.var.app.now());
    if (outcome.kind !== 'changed') throw refused(outcome);
    return answer(api.disableAccount, 200, outcome.account);
  };
}

/** PATCH /api/console/settings. */
export async function changeSettings(c: Ctx): Promise<Response> {
  return answer(api.changeConsoleSettings, 200, await team.changeSettings(c.var.app.store, bodyOf(c, api.changeConsoleSettings), ownerOf(c), c.var.app.now()));
}

/** POST /api/console/invitation: what the link invites to. */
export async function showInvitation(c: Ctx): Promise<Response> {
  const outcome = await team.showInvitation(c.var.app.store, bodyOf(c, api.invitation).token, c.var.app.now());
  if (outcome.kind !== 'invitation') throw invitationFailed(outcome.reason);
  return answer(api.invitation, 200, outcome.view);
}

/** POST /api/console/invitation/accept: the account made, and signed in as a sign-in is (without a second factor). */
export async function acceptInvitation(c: Ctx): Promise<Response> {
  const { store, now } = c.var.app;
  const outcome = await team.acceptInvitation(store, bodyOf(c, api.acceptInvitation), now());
  if (outcome.kind === 'failed') throw invitationFailed(outcome.reason);
  if (outcome.kind !== 'accepted') throw refused(outcome);
  const { cookie, idHash } = await startSession(c, outcome.coordinator.id, false);
  const started = await store.sessionByIdHash(idHash, now().toISOString());
  if (!started) throw new HttpError(401, 'unauthorized', 'The account was made, but its session ended as it began. Sign in with your email and password.');
  return answer(api.acceptInvitation, 200, sessionInfo(started), { 'set-cookie': cookie });
}
