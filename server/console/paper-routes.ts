/**
 * The console's paper counts (/api/console/paper-counts): list, record, remove. Thin: the
 * logic and the audit are in server/paper.ts. The session and CSRF check is middleware.
 */
import { HttpError, answer } from '../http-reply.ts';
import { api } from '../../src/shared/api/endpoints.ts';
import { recordPaperCount, removePaperCount } from '../paper.ts';
import { mayReach } from './session.ts';
import { actorOf, bodyOf, campaignOf, paramsOf, type Ctx } from '../routes/context.ts';

/** GET /api/console/paper-counts: the campaign's paper counts, latest collected first. */
export async function listPaperCounts(c: Ctx): Promise<Response> {
  return answer(api.paperCounts, 200, { counts: await c.var.app.store.paperCounts(campaignOf(c)) });
}

/** POST /api/console/paper-counts: record one for the campaign (404 when there is no such campaign). */
export async function recordPaper(c: Ctx): Promise<Response> {
  const { store, now } = c.var.app;
  const campaignId = campaignOf(c);
  if (!(await store.getCampaign(campaignId))) throw new HttpError(404, 'not_found', `There is no campaign "${campaignId}".`);
  return answer(api.recordPaperCount, 201, await recordPaperCount(store, campaignId, bodyOf(c, api.recordPaperCount), actorOf(c), now()));
}

/** DELETE /api/console/paper-counts/:id: remove one, audited with its figures. */
export async function removePaper(c: Ctx): Promise<Response> {
  const { id } = paramsOf(c, api.removePaperCount);
  // A count of a campaign this account does not manage is, to it, no count at all.
  const removed = await removePaperCount(c.var.app.store, id, actorOf(c), c.var.app.now(), (campaignId) => mayReach(c, 'manage', campaignId));
  if (!removed) throw new HttpError(404, 'not_found', 'No such paper count.');
  return new Response(null, { status: 204 });
}
