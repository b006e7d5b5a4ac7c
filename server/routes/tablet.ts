/**
 * The tablets' API (/api/v1/…) and the health check. Thin: each handler parses, calls the
 * domain function (ingest.ts, devices.ts, campaigns.ts) and turns its typed outcome into a
 * status and body. The token check, the enrollment limit and the body are middleware (routes.ts).
 */
import { createHash } from 'node:crypto';
import { MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, type IncompatibleReason } from '../../src/shared/protocol.ts';
import { currentContent, tabletCampaigns } from '../campaigns.ts';
import { encodeAnswer } from '../content-coding.ts';
import { enroll, recordReport, type CodeRefusal } from '../devices.ts';
import { HttpError, answer } from '../http-reply.ts';
import { api } from '../../src/shared/api/endpoints.ts';
import { ingestBatch } from '../ingest.ts';
import type { MiddlewareHandler } from 'hono';
import { bodyOf, isHead, type AppEnv, type Ctx } from './context.ts';

/** GET /api/health: up, and how many signatures it holds. */
export async function health(c: Ctx): Promise<Response> {
  return answer(api.health, 200, { ok: true, signatures: await c.var.app.store.count() });
}

/** GET /api/v1/campaign: 0.1.0 tablets and the counter: the default campaign's current text, with an ETag. */
export async function defaultCampaign(c: Ctx): Promise<Response> {
  const { store, defaultCampaignId, served } = c.var.app;
  const campaignJson = JSON.stringify((await currentContent(store, defaultCampaignId)) ?? served);
  // On a fresh tablet the kiosk waits for this text before it first shows: it goes compressed,
  // with an ETag of its own per coding (a strong ETag names the bytes sent).
  const encoded = encodeAnswer(campaignJson, c.req.header('accept-encoding') ?? null);
  const hash = createHash('sha256').update(campaignJson).digest('base64url').slice(0, 22);
  const etag = `"${hash}${encoded.coding === 'identity' ? '' : `-${encoded.coding}`}"`;
  if (c.req.header('if-none-match') === etag) return new Response(null, { status: 304, headers: { etag, 'cache-control': 'no-cache', vary: 'Accept-Encoding' } });
  const headers = { 'content-type': 'application/json; charset=utf-8', etag, 'cache-control': 'no-cache', ...encoded.headers };
  return new Response(isHead(c) ? null : encoded.body, { status: 200, headers });
}

/** GET /api/v1/campaigns (S27): the campaigns this tablet may show, each with its current version, open or closed. */
export async function deviceCampaigns(c: Ctx): Promise<Response> {
  const { store, defaultCampaignId } = c.var.app;
  return answer(api.tabletCampaigns, 200, await tabletCampaigns(store, c.var.device, defaultCampaignId));
}

const CODE_REFUSALS: Record<CodeRefusal, string> = {
  unknown: 'This enrollment code is not valid. Check it, or ask the coordinator for a new one.',
  expired: 'This enrollment code has expired. Ask the coordinator for a new one.',
  used: 'This enrollment code was already used. Each code enrolls one tablet; ask for a new one.',
};

/** POST /api/v1/enroll (S13): trade a one-time code for a device token. */
export async function enrollDevice(c: Ctx): Promise<Response> {
  const { store, now, tabletRetentionMs, tokenLifetimeMs } = c.var.app;
  const outcome = await enroll(store, bodyOf(c, api.enroll), now(), tabletRetentionMs, tokenLifetimeMs);
  switch (outcome.kind) {
    case 'enrolled':
      return answer(api.enroll, 201, outcome.response);
    case 'incompatible':
      throw new HttpError(400, 'incompatible_protocol', 'This app and the server speak different versions. Please update the app.', undefined, undefined, {
        reason: outcome.reason,
      });
    case 'refused':
      throw new HttpError(403, 'enrollment_refused', CODE_REFUSALS[outcome.reason]);
  }
}

const INCOMPATIBLE: Record<IncompatibleReason, string> = {
  client_too_old: 'This app is too old for the server. Please update the app.',
  server_too_old: 'The server is older than this app. Please update the server.',
};

/** Middleware: the tablet was heard from (before its body is read: a refused batch is contact too). */
export const seen: MiddlewareHandler<AppEnv> = async (c, next) => {
  await c.var.app.store.touchDevice(c.var.device.id, c.var.app.now().toISOString());
  return next();
};

/** POST /api/v1/batches: store a batch's records and answer each (S5); 422 when any is invalid. */
export async function receiveBatch(c: Ctx): Promise<Response> {
  const { store, now } = c.var.app;
  const device = c.var.device;
  const at = now();
  const outcome = await ingestBatch(store, c.var.body, { deviceId: device.id, source: 'sync', now: at });
  switch (outcome.kind) {
    case 'judged':
      // S21: only a batch the server took (a valid envelope) updates what the console shows.
      await recordReport(store, device, outcome.report, at);
      return answer(api.batches, outcome.anyInvalid ? 422 : 200, outcome.response);
    case 'malformed':
      throw new HttpError(400, 'bad_request', 'The batch is not in the expected shape.', outcome.issues);
    case 'incompatible':
      throw new HttpError(400, 'incompatible_protocol', INCOMPATIBLE[outcome.reason], undefined, undefined, {
        supported: { min: MIN_PROTOCOL_VERSION, max: PROTOCOL_VERSION },
        reason: outcome.reason,
      });
    case 'wrong_device':
      throw new HttpError(403, 'forbidden', 'This token belongs to another device than the batch names.');
  }
}
