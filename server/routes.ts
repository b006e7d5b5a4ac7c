/**
 * Every route of the server, in one table: method, path, who may call it, and its handler.
 * A newcomer finds any route here; app.ts mounts the table on Hono, and the test that walks
 * every session route without a session (tests/server/console-api.test.ts) reads it too, so
 * no route can be added without its guard being checked.
 *
 * `auth`: 'public' (anyone), 'device' (a tablet's bearer token, middleware.ts: requireDevice)
 * or 'session' (a coordinator's session, and the CSRF token for changes: console/session.ts).
 * `before` and `body` run after the auth check, in that order: the JSON body is read (within
 * its limits) only for a caller let in. A GET route answers HEAD too (headers only) unless `head: false`. Another method on a known
 * path is answered 405 with `wrongMethod` (default "Use <method>." of the path's last route).
 * Paths take Hono's patterns; `:name{regex}` only matches what the regex allows, and anything
 * else is a 404.
 */
import type { MiddlewareHandler } from 'hono';
import * as tablet from './routes/tablet.ts';
import * as pub from './routes/public.ts';
import * as coordinator from './console/routes.ts';
import * as signatures from './console/signature-routes.ts';
import * as campaigns from './console/campaign-routes.ts';
import { attemptsLeft, attemptsPerAddress } from './middleware.ts';
import type { BodyLimits } from './http-body.ts';
import type { AppEnv, Ctx } from './routes/context.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One route. */
export interface Route {
  method: Method;
  path: string;
  auth: 'public' | 'device' | 'session';
  handler: (c: Ctx) => Response | Promise<Response>;
  /** Middleware between the auth check and the body. */
  before?: MiddlewareHandler<AppEnv>[];
  /** A JSON body is read within these limits into `c.var.body` ('batch': the app's batch limits). */
  body?: BodyLimits | 'batch';
  /** False: a GET that refuses HEAD (405). */
  head?: false;
  /** The 405 message for another method on this path. */
  wrongMethod?: string;
}

/** An enrollment request is a code and a label: a few hundred bytes. */
const ENROLL_BODY = { maxBytes: 4096, maxInflatedBytes: 4096 };
/** The console's small JSON bodies (a login, a code request, campaign settings). */
const SMALL_BODY = { maxBytes: 8192, maxInflatedBytes: 8192 };
/** A campaign document with its texts in four languages, and perhaps a logo, stays well under this. */
const DRAFT_BODY = { maxBytes: 512 * 1024, maxInflatedBytes: 512 * 1024 };

const ID = '[A-Za-z0-9_-]{1,64}';
const CAMPAIGN = `/api/console/campaigns/:id{${ID}}`;
const SIGNATURE = '/api/console/signatures/:id{[0-9a-fA-F-]{36}}';

export const ROUTES: Route[] = [
  // ---- Tablets (docs/PROTOCOL.md) and the health check ----
  { method: 'GET', path: '/api/health', auth: 'public', handler: tablet.health, wrongMethod: 'Use GET for the health check.' },
  { method: 'GET', path: '/api/v1/campaign', auth: 'public', handler: tablet.defaultCampaign, wrongMethod: 'Use GET for the campaign.' },
  { method: 'GET', path: '/api/v1/campaigns', auth: 'device', handler: tablet.deviceCampaigns, head: false, wrongMethod: 'Use GET for the campaigns.' },
  {
    method: 'POST',
    path: '/api/v1/enroll',
    auth: 'public',
    before: [attemptsPerAddress((app) => app.limiters.enroll)],
    body: ENROLL_BODY,
    handler: tablet.enrollDevice,
    wrongMethod: 'Use POST to enroll.',
  },
  {
    method: 'POST',
    path: '/api/v1/batches',
    auth: 'device',
    before: [tablet.seen],
    body: 'batch',
    handler: tablet.receiveBatch,
    wrongMethod: 'Use POST to send a batch.',
  },

  // ---- The public counter: no personal data, ever ----
  { method: 'GET', path: '/api/public/count', auth: 'public', handler: pub.publicCount },
  { method: 'GET', path: '/api/public/events', auth: 'public', handler: pub.publicEvents },
  { method: 'GET', path: `/api/public/campaigns/:id{${ID}}`, auth: 'public', handler: pub.publicCampaign },
  { method: 'GET', path: '/api/openapi.json', auth: 'public', handler: pub.openApi },

  // ---- The coordinator console ----
  { method: 'POST', path: '/api/console/login', auth: 'public', before: [attemptsLeft((app) => app.limiters.login)], body: SMALL_BODY, handler: coordinator.login },
  { method: 'GET', path: '/api/console/session', auth: 'public', handler: coordinator.session },
  { method: 'POST', path: '/api/console/logout', auth: 'session', handler: coordinator.logout },
  { method: 'GET', path: '/api/console/totals', auth: 'session', handler: coordinator.totals },
  { method: 'GET', path: '/api/console/events', auth: 'session', handler: coordinator.events },
  { method: 'GET', path: '/api/console/devices', auth: 'session', handler: coordinator.devices },
  { method: 'POST', path: '/api/console/devices/:id{[\\w-]{1,64}}/revoke', auth: 'session', handler: coordinator.revoke },
  { method: 'POST', path: '/api/console/codes', auth: 'session', body: SMALL_BODY, handler: coordinator.createCode },
  { method: 'GET', path: '/api/console/audit', auth: 'session', handler: coordinator.auditLog },
  { method: 'GET', path: '/api/console/signatures', auth: 'session', handler: signatures.listSignatures },
  { method: 'GET', path: `${SIGNATURE}/svg`, auth: 'session', handler: signatures.signatureDrawing },
  { method: 'DELETE', path: SIGNATURE, auth: 'session', handler: signatures.deleteSignature },
  { method: 'GET', path: '/api/console/export/handin.csv', auth: 'session', handler: signatures.exportCsv('handin') },
  { method: 'GET', path: '/api/console/export/contacts.csv', auth: 'session', handler: signatures.exportCsv('contacts') },
  { method: 'GET', path: '/api/console/export/signatures.zip', auth: 'session', handler: signatures.exportZip },
  { method: 'GET', path: '/api/console/export/handin.pdf', auth: 'session', handler: signatures.exportPdf },
  { method: 'GET', path: '/api/console/records', auth: 'session', handler: signatures.records },

  // ---- Campaigns, in the console ----
  { method: 'GET', path: '/api/console/campaigns', auth: 'session', handler: campaigns.listCampaigns },
  { method: 'POST', path: '/api/console/campaigns', auth: 'session', body: SMALL_BODY, handler: campaigns.createCampaign },
  { method: 'GET', path: CAMPAIGN, auth: 'session', handler: campaigns.getCampaign },
  { method: 'PATCH', path: CAMPAIGN, auth: 'session', body: SMALL_BODY, handler: campaigns.changeSettings },
  { method: 'PUT', path: `${CAMPAIGN}/draft`, auth: 'session', body: DRAFT_BODY, handler: campaigns.putDraft },
  { method: 'POST', path: `${CAMPAIGN}/publish`, auth: 'session', handler: campaigns.publish },
  { method: 'POST', path: `${CAMPAIGN}/close`, auth: 'session', handler: campaigns.setOpen(false) },
  { method: 'POST', path: `${CAMPAIGN}/reopen`, auth: 'session', handler: campaigns.setOpen(true) },
  { method: 'GET', path: `${CAMPAIGN}/versions/:version{\\d{1,9}}`, auth: 'session', handler: campaigns.getVersion },
];

/**
 * Every console path is behind the session, including the ones no route has: without a
 * session, an unknown or misused console path is 401, never a 404 or 405 that would map the API.
 */
export const CONSOLE_PREFIX = '/api/console/';
