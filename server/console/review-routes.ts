/**
 * POST /api/console/signatures/set-aside and /restore: thin routes over review.ts, scoped to
 * the console's chosen campaign (?campaign=), each audited once with the coordinator as actor.
 */
import { api } from '../../src/shared/api/endpoints.ts';
import { HttpError, answer } from '../http-reply.ts';
import { actorOf, audit, bodyOf, campaignOf, type Ctx } from '../routes/context.ts';
import { auditedTargets, restore, ReviewError, setAside, targetsOf, type ReviewTargets } from './review.ts';

function targets(request: Parameters<typeof targetsOf>[0]): ReviewTargets {
  try {
    return targetsOf(request);
  } catch (error) {
    if (error instanceof ReviewError) throw new HttpError(400, 'bad_request', error.message);
    throw error;
  }
}

export async function setAsideSignatures(c: Ctx): Promise<Response> {
  const { store, now } = c.var.app;
  const request = bodyOf(c, api.setAside);
  const chosen = targets(request);
  const note = request.note?.trim() || null;
  const changed = await setAside(store, campaignOf(c), chosen, { reason: request.reason, note, at: now().toISOString(), by: actorOf(c) });
  await audit(c, 'signatures.set-aside', { count: changed, reason: request.reason, note, ...auditedTargets(chosen) });
  return answer(api.setAside, 200, { changed });
}

export async function restoreSignatures(c: Ctx): Promise<Response> {
  const { store } = c.var.app;
  const chosen = targets(bodyOf(c, api.restoreSetAside));
  const changed = await restore(store, campaignOf(c), chosen);
  await audit(c, 'signatures.restored', { count: changed, ...auditedTargets(chosen) });
  return answer(api.restoreSetAside, 200, { changed });
}
