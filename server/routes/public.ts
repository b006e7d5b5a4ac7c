/**
 * The public counter's API (/api/public/…): a campaign's total, its live stream, and its
 * card; and the API's own description (/api/openapi.json). No sign-in, and no personal data, ever. The live streams are capped in total and per
 * client address (console/stream-slots.ts), since anyone may open them.
 */
import { campaignText } from '../../src/shared/campaign.ts';
import { api } from '../../src/shared/api/endpoints.ts';
import { clientAddress, requestOf } from '../client-address.ts';
import type { StreamSlots } from '../console/stream-slots.ts';
import { HttpError, answer } from '../http-reply.ts';
import { openApiDocument } from '../openapi.ts';
import { publicCountWithPaper } from '../paper.ts';
import { campaignOf, isHead, paramsOf, type Ctx } from './context.ts';

/** GET /api/public/count: the campaign's total (the tablets'), and its paper count apart. */
export async function publicCount(c: Ctx): Promise<Response> {
  return answer(api.publicCount, 200, await publicCountWithPaper(c.var.app.store, campaignOf(c)));
}

/** GET /api/public/events: the campaign's total, live (SSE), while a stream slot is free. */
export async function publicEvents(c: Ctx): Promise<Response> {
  const { store, publicSlots, live, publicTotal } = c.var.app;
  const campaignId = campaignOf(c);
  if (!(await store.getCampaign(campaignId))) throw new HttpError(404, 'not_found', 'No such campaign.');
  const slot = publicSlots.take(clientAddress(requestOf(c)));
  if (!slot.ok) throw streamRefusal(slot.reason, publicSlots);
  return live.stream(publicTotal(campaignId), { onClose: slot.release, head: isHead(c) });
}

/** GET /api/public/campaigns/:id: the counter's card. Title, goal, total; nothing personal. */
export async function publicCampaign(c: Ctx): Promise<Response> {
  const { store, campaignContent } = c.var.app;
  const { id } = paramsOf(c, api.publicCampaign);
  const campaign = await store.getCampaign(id);
  const content = campaign && campaign.status !== 'draft' ? await campaignContent(id) : undefined;
  if (!campaign || !content) throw new HttpError(404, 'not_found', 'No such campaign.');
  return answer(api.publicCampaign, 200, {
    id: campaign.id,
    title: campaignText(content, content.defaultLanguage).title,
    lang: content.defaultLanguage,
    color: content.theme.color,
    status: campaign.status,
    goal: campaign.goal,
    total: await store.count(campaign.id),
  });
}

let document: Record<string, unknown> | undefined;

/** GET /api/openapi.json: the API as OpenAPI 3.1, generated from the contract (server/openapi.ts) once. */
export function openApi(): Response {
  document ??= openApiDocument();
  return answer(api.openApi, 200, document);
}

/** How long a refused counter is asked to wait before opening its stream again. */
const STREAM_RETRY_S = 30;

/** The refusal of a public stream beyond its cap: 429 for one address, 503 for the server. */
function streamRefusal(reason: 'total' | 'address', slots: StreamSlots): HttpError {
  return reason === 'address'
    ? new HttpError(429, 'rate_limited', `Too many live counters open from this address (at most ${slots.limit.perAddress}). Close one, or use /api/public/count.`, undefined, STREAM_RETRY_S)
    : new HttpError(503, 'unavailable', `The server has as many live counters open as it allows (${slots.limit.total}). Try again in ${STREAM_RETRY_S} s, or use /api/public/count.`, undefined, STREAM_RETRY_S);
}
