/**
 * The console's "your account" routes: the account's own sessions (list, end one) and its
 * password. Thin: each calls account.ts and maps the outcome to an answer; each change is
 * audited under the account, about no campaign.
 */
import { api } from '../../src/shared/api/endpoints.ts';
import { HttpError, answer } from '../http-reply.ts';
import { rateLimited } from '../rate-limit.ts';
import { audit, bodyOf, paramsOf, type Ctx } from '../routes/context.ts';
import { changePassword as change, endSession as end, sessionsOf } from './account.ts';
import { CLEAR_COOKIE } from './session.ts';

/** GET /api/console/sessions: the account's own live sessions. */
export async function listSessions(c: Ctx): Promise<Response> {
  const { store, sessions, now } = c.var.app;
  return answer(api.accountSessions, 200, { sessions: await sessionsOf(store, c.var.session, sessions, now()) });
}

/** DELETE /api/console/sessions/:id: one of the account's own (any other is a 404); this one signs out. */
export async function endSession(c: Ctx): Promise<Response> {
  const { id } = paramsOf(c, api.endSession);
  const outcome = await end(c.var.app.store, c.var.session, id);
  if (outcome === 'none') throw new HttpError(404, 'not_found', 'No such session of yours: it may have ended already.');
  await audit(c, 'session.ended', { session: id, current: outcome === 'ended-this-one' }, null);
  return new Response(null, { status: 204, headers: outcome === 'ended-this-one' ? { 'set-cookie': CLEAR_COOKIE } : {} });
}

/** POST /api/console/password: the current password and a new one; the account's other sessions end. */
export async function changePassword(c: Ctx): Promise<Response> {
  const { store, limiters } = c.var.app;
  const outcome = await change(store, limiters.loginAccount, c.var.session, bodyOf(c, api.changePassword));
  switch (outcome.kind) {
    case 'changed':
      await audit(c, 'password.changed', { otherSessionsEnded: outcome.otherSessionsEnded }, null);
      return answer(api.changePassword, 200, { otherSessionsEnded: outcome.otherSessionsEnded });
    case 'weak':
      throw new HttpError(400, 'bad_request', outcome.problem);
    case 'wrong':
      await audit(c, 'password.change-failed', { reason: 'password' }, null);
      throw new HttpError(403, 'forbidden', 'The current password is wrong: the password was not changed.');
    case 'limited':
      throw rateLimited(outcome.waitMs);
    case 'busy':
      throw new HttpError(429, 'rate_limited', 'The server is busy checking other passwords. Try again in 1 s.', undefined, 1);
  }
}
