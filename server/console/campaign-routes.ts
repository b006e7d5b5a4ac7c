/**
 * The console's campaign routes (/api/console/campaigns…) and the public campaign card
 * (/api/public/campaigns/:id). Thin: each parses, calls server/campaigns.ts, and answers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod/mini';
import { campaignText } from '../../src/shared/campaign.ts';
import { CampaignSettingsSchema, NewCampaignSchema, type PublicCampaign } from '../../src/shared/api/campaigns.ts';
import { CampaignError, createDraftCampaign, detailOf, publishDraft, requireCampaign, saveDraft, setCampaignOpen, summaryOf } from '../campaigns.ts';
import { HttpError, readJsonBody } from '../http-body.ts';
import type { ConsoleContext } from './routes.ts';

const ID = '[A-Za-z0-9_-]{1,64}';
const SMALL_BODY = { maxBytes: 8192, maxInflatedBytes: 8192 };
/** A campaign document with its texts in four languages, and perhaps a logo, stays well under this. */
const DRAFT_BODY = { maxBytes: 512 * 1024, maxInflatedBytes: 512 * 1024 };

/** The campaign routes that need a session, for the test that walks them all without one. */
export const CAMPAIGN_ROUTES: Array<[method: string, path: string]> = [
  ['GET', '/api/console/campaigns'],
  ['POST', '/api/console/campaigns'],
  ['GET', '/api/console/campaigns/protect-defenders'],
  ['PATCH', '/api/console/campaigns/protect-defenders'],
  ['PUT', '/api/console/campaigns/protect-defenders/draft'],
  ['POST', '/api/console/campaigns/protect-defenders/publish'],
  ['POST', '/api/console/campaigns/protect-defenders/close'],
  ['POST', '/api/console/campaigns/protect-defenders/reopen'],
  ['GET', '/api/console/campaigns/protect-defenders/versions/1'],
];

/** `?campaign=<id>` when it is a well-formed id. */
export function campaignParam(url: URL): string | undefined {
  const id = url.searchParams.get('campaign');
  return id !== null && new RegExp(`^${ID}$`).test(id) ? id : undefined;
}

interface Request {
  req: IncomingMessage;
  res: ServerResponse;
  ctx: ConsoleContext;
  actor: string;
}

/** Handle a /api/console/campaigns… route (the session is already checked); false for any other path. */
export async function handleCampaigns(path: string, method: string, { req, res, ctx, actor }: Request): Promise<boolean> {
  if (!path.startsWith('/api/console/campaigns')) return false;
  const { store, sendJson } = ctx;
  const at = ctx.now();
  const one = new RegExp(`^/api/console/campaigns/(${ID})(/draft|/publish|/close|/reopen|/versions/(\\d{1,9}))?$`).exec(path);
  try {
    if (path === '/api/console/campaigns') {
      if (method === 'GET') {
        const campaigns = await Promise.all((await store.listCampaigns()).map((c) => summaryOf(store, c)));
        return send(sendJson, res, 200, { campaigns, defaultCampaignId: ctx.defaultCampaignId });
      }
      expect(method, 'POST');
      const parsed = z.safeParse(NewCampaignSchema, await readJsonBody(req, SMALL_BODY));
      if (!parsed.success) throw new HttpError(400, 'bad_request', `id: ${parsed.error.issues[0].message}`);
      const created = await createDraftCampaign(store, parsed.data.id, parsed.data.from, actor, at);
      return send(sendJson, res, 201, await detailOf(store, created));
    }
    if (!one) throw new HttpError(404, 'not_found', `No console route ${path.slice(0, 100)}.`);
    const [, id, action, version] = one;
    if (action === undefined) {
      if (method === 'GET') return send(sendJson, res, 200, await detailOf(store, await requireCampaign(store, id)));
      expect(method, 'PATCH');
      const parsed = z.safeParse(CampaignSettingsSchema, await readJsonBody(req, SMALL_BODY));
      if (!parsed.success) throw new HttpError(400, 'bad_request', `${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`);
      await requireCampaign(store, id);
      await store.updateCampaign(id, parsed.data);
      await store.audit({ at: at.toISOString(), actor, action: 'change-campaign-settings', detail: parsed.data, campaignId: id });
      return send(sendJson, res, 200, await detailOf(store, await requireCampaign(store, id)));
    }
    if (action === '/draft') {
      expect(method, 'PUT');
      const body = (await readJsonBody(req, DRAFT_BODY)) as { content?: unknown } | null;
      const saved = await saveDraft(store, id, body?.content);
      return send(sendJson, res, 200, await detailOf(store, saved));
    }
    if (action === '/publish') {
      expect(method, 'POST');
      await publishDraft(store, id, actor, at);
      return send(sendJson, res, 200, await detailOf(store, await requireCampaign(store, id)));
    }
    if (action === '/close' || action === '/reopen') {
      expect(method, 'POST');
      await setCampaignOpen(store, id, action === '/reopen', actor, at);
      return send(sendJson, res, 200, await detailOf(store, await requireCampaign(store, id)));
    }
    expect(method, 'GET');
    const found = await store.campaignVersion(id, Number(version));
    if (!found) throw new HttpError(404, 'not_found', `Campaign "${id}" has no version ${version}.`);
    return send(sendJson, res, 200, found);
  } catch (error) {
    if (error instanceof CampaignError) {
      const status = error.kind === 'not_found' ? 404 : error.kind === 'conflict' ? 409 : 400;
      throw new HttpError(status, error.kind === 'invalid' ? 'bad_request' : error.kind, error.message, error.field ? [{ path: error.field, message: error.message }] : undefined);
    }
    throw error;
  }
}

/** GET /api/public/campaigns/:id: the counter's card. Title, goal, total; nothing personal. */
export async function handlePublicCampaign(path: string, method: string, ctx: ConsoleContext, res: ServerResponse): Promise<boolean> {
  const m = new RegExp(`^/api/public/campaigns/(${ID})$`).exec(path);
  if (!m) return false;
  expect(method, 'GET');
  const campaign = await ctx.store.getCampaign(m[1]);
  const content = campaign && campaign.status !== 'draft' ? await ctx.campaignContent(m[1]) : undefined;
  if (!campaign || !content) throw new HttpError(404, 'not_found', 'No such campaign.');
  const card: PublicCampaign = {
    id: campaign.id,
    title: campaignText(content, content.defaultLanguage).title,
    lang: content.defaultLanguage,
    color: content.theme.color,
    status: campaign.status,
    goal: campaign.goal,
    total: await ctx.store.count(campaign.id),
  };
  return send(ctx.sendJson, res, 200, card);
}

function send(sendJson: ConsoleContext['sendJson'], res: ServerResponse, status: number, body: unknown): true {
  sendJson(res, status, body);
  return true;
}

function expect(method: string, expected: string): void {
  if (method !== expected && !(expected === 'GET' && method === 'HEAD')) throw new HttpError(405, 'method_not_allowed', `Use ${expected}.`);
}
