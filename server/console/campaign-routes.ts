/**
 * The console's campaign routes (/api/console/campaigns…). Thin: each takes the body the
 * contract parsed (bodyOf), calls server/campaigns.ts, and answers (answer); a CampaignError
 * becomes 404, 409 or 400 here. The session is checked by middleware before any of these
 * runs. The public campaign card is in routes/public.ts.
 */
import { mayReach } from './session.ts';
import { api } from '../../src/shared/api/endpoints.ts';
import { CampaignError, createDraftCampaign, detailOf, publishDraft, requireCampaign, saveDraft, setCampaignOpen, summaryOf } from '../campaigns.ts';
import { HttpError, answer } from '../http-reply.ts';
import { actorOf, bodyOf, paramsOf, type Ctx } from '../routes/context.ts';

/** Run a campaign handler, answering a CampaignError with its status. */
function campaignRoute(handler: (c: Ctx, id: string) => Promise<Response>) {
  return async (c: Ctx): Promise<Response> => {
    try {
      return await handler(c, c.req.param('id') ?? '');
    } catch (error) {
      if (error instanceof CampaignError) {
        const status = error.kind === 'not_found' ? 404 : error.kind === 'conflict' ? 409 : 400;
        throw new HttpError(status, error.kind === 'invalid' ? 'bad_request' : error.kind, error.message, error.field ? [{ path: error.field, message: error.message }] : undefined);
      }
      throw error;
    }
  };
}

/** The campaign's detail, as every change answers it. */
async function detail(c: Ctx, id: string): Promise<Response> {
  const { store } = c.var.app;
  return answer(api.getCampaign, 200, await detailOf(store, await requireCampaign(store, id)));
}

/** GET /api/console/campaigns: every campaign, with its figures, and which is the default. */
export const listCampaigns = campaignRoute(async (c) => {
  const { store, defaultCampaignId } = c.var.app;
  const visible = (await store.listCampaigns()).filter((campaign) => mayReach(c, 'view', campaign.id));
  const campaigns = await Promise.all(visible.map((campaign) => summaryOf(store, campaign)));
  return answer(api.campaigns, 200, { campaigns, defaultCampaignId });
});

/** POST /api/console/campaigns: a new draft, empty or copied from another campaign. */
export const createCampaign = campaignRoute(async (c) => {
  const { store, now } = c.var.app;
  const request = bodyOf(c, api.createCampaign);
  const created = await createDraftCampaign(store, request.id, request.from, actorOf(c), now());
  return answer(api.createCampaign, 201, await detailOf(store, created));
});

/** GET /api/console/campaigns/:id. */
export const getCampaign = campaignRoute(detail);

/** PATCH /api/console/campaigns/:id: its settings (goal, …), audited. */
export const changeSettings = campaignRoute(async (c, id) => {
  const { store, now } = c.var.app;
  const settings = bodyOf(c, api.changeSettings);
  await requireCampaign(store, id);
  await store.updateCampaign(id, settings);
  await store.audit({ at: now().toISOString(), actor: actorOf(c), action: 'change-campaign-settings', detail: settings, campaignId: id });
  return detail(c, id);
});

/** PUT /api/console/campaigns/:id/draft: save the draft's content. */
export const putDraft = campaignRoute(async (c, id) => {
  const { store } = c.var.app;
  const body = c.var.body as { content?: unknown } | null;
  return answer(api.putDraft, 200, await detailOf(store, await saveDraft(store, id, body?.content)));
});

/** POST /api/console/campaigns/:id/publish: the draft becomes the next version. */
export const publish = campaignRoute(async (c, id) => {
  await publishDraft(c.var.app.store, id, actorOf(c), c.var.app.now());
  return detail(c, id);
});

/** POST /api/console/campaigns/:id/close and /reopen. */
export const setOpen = (open: boolean) =>
  campaignRoute(async (c, id) => {
    await setCampaignOpen(c.var.app.store, id, open, actorOf(c), c.var.app.now());
    return detail(c, id);
  });

/** GET /api/console/campaigns/:id/versions/:version: one published version as it was published. */
export const getVersion = campaignRoute(async (c, id) => {
  const { version } = paramsOf(c, api.campaignVersion);
  const found = await c.var.app.store.campaignVersion(id, Number(version));
  if (!found) throw new HttpError(404, 'not_found', `Campaign "${id}" has no version ${version}.`);
  return answer(api.campaignVersion, 200, found);
});
