/**
 * Every route of the server, in one table: for each endpoint of the contract
 * (src/shared/api/endpoints.ts, which gives its method, path, who may call it, and the
 * schemas of what it takes and answers), its handler and guards. The table is keyed by the
 * endpoint's name, so the compiler refuses a route without an endpoint and an endpoint
 * without a route. A newcomer finds any route here; app.ts mounts the table on Hono, and the
 * test that walks every session route without a session (tests/server/console-api.test.ts)
 * reads it too, so no route can be added without its guard being checked.
 *
 * `auth` (the endpoint's): 'public' (anyone), 'device' (a tablet's bearer token,
 * middleware.ts: requireDevice) or 'session' (a coordinator's session, and the CSRF token for
 * changes: console/session.ts). `before` and `body` run after the auth check, in that order:
 * the JSON body is read (within its limits) only for a caller let in, then parsed with the
 * endpoint's body schema (a 400 with the issues otherwise). A GET route answers HEAD too
 * (headers only) unless `head: false`. Another method on a known path is answered 405 with
 * `wrongMethod` (default "Use <method>." of the path's last route).
 * Paths take Hono's patterns, made from the endpoint's: each `:name` gets the regex of its
 * params schema, so it only matches what the contract allows, and anything else is a 404.
 */
import type { MiddlewareHandler } from 'hono';
import * as z from 'zod/mini';
import { api, type EndpointName } from '../src/shared/api/endpoints.ts';
import type { Auth, Endpoint, Method } from '../src/shared/api/endpoint.ts';
import * as tablet from './routes/tablet.ts';
import * as pub from './routes/public.ts';
import * as coordinator from './console/routes.ts';
import * as signatures from './console/signature-routes.ts';
import * as campaigns from './console/campaign-routes.ts';
import * as review from './console/review-routes.ts';
import * as paperSheets from './console/paper-sheets-route.ts';
import * as paper from './console/paper-routes.ts';
import * as twoFactor from './console/two-factor-routes.ts';
import * as account from './console/account-routes.ts';
import { exportAuditCsv } from './console/audit-csv-route.ts';
import * as team from './console/team-routes.ts';
import { attemptsPerAddress } from './middleware.ts';
import { refuseInsecureSignIn, type CampaignScope } from './console/session.ts';
import type { Need } from './console/access.ts';
import type { BodyLimits } from './http-body.ts';
import type { AppEnv, Ctx } from './routes/context.ts';

export type { Method };

/** What the table says of one endpoint's route. */
export interface RouteSpec {
  /**
   * The endpoint's method and path, written out so that this table reads as the list of routes;
   * building the table checks them against the endpoint.
   */
  at: `${Method} /${string}`;
  handler: (c: Ctx) => Response | Promise<Response>;
  /** Middleware between the auth check and the body. */
  before?: MiddlewareHandler<AppEnv>[];
  /** A JSON body is read within these limits into `c.var.body` ('batch': the app's batch limits). */
  body?: BodyLimits | 'batch';
  /**
   * How the body is judged: 'contract' (the default), parsed with the endpoint's body schema;
   * 'handler', handed on as sent, for the domain function to judge (a batch record by record).
   */
  judge?: 'contract' | 'handler';
  /** The 400 message for a body the contract refuses (default: its first issue's message). */
  invalidBody?: (issues: readonly z.core.$ZodIssue[]) => string;
  /**
   * What a session route needs (console/access.ts), of the route's campaign: the path's
   * `:id` for /api/console/campaigns/:id…, `?campaign=` when its query takes one, else none
   * (the role is judged, and the handler judges each item). Every session route has one.
   */
  may?: Need;
  /** False: a GET that refuses HEAD (405). */
  head?: false;
  /** The 405 message for another method on this path. */
  wrongMethod?: string;
}

/** One route: its endpoint, and the method, Hono path and auth that come from it. */
export interface Route extends RouteSpec {
  name: EndpointName;
  endpoint: Endpoint;
  method: Method;
  /** The endpoint's path with each parameter's regex: `/api/console/campaigns/:id{[A-Za-z0-9_-]{1,64}}`. */
  path: string;
  auth: Auth;
  /** Where the route's campaign is named, for its `may` check. */
  scope: CampaignScope;
}

/** An enrollment request is a code and a label: a few hundred bytes. */
const ENROLL_BODY = { maxBytes: 4096, maxInflatedBytes: 4096 };
/** The console's small JSON bodies (a login, a code request, campaign settings). */
const SMALL_BODY = { maxBytes: 8192, maxInflatedBytes: 8192 };
/** A campaign document with its texts in four languages, and perhaps a logo, stays well under this. */
/** A thousand ids (about 39 KB) and a note. */
const REVIEW_BODY = { maxBytes: 64 * 1024, maxInflatedBytes: 64 * 1024 };
const DRAFT_BODY = { maxBytes: 512 * 1024, maxInflatedBytes: 512 * 1024 };

/** Opening or accepting an invitation, per client address. */
const invitationAttempts = attemptsPerAddress((app) => app.limiters.invitation);

/** The first issue, with the field it is about: `goal: Too small: expected number to be >=1`. */
const fieldAndMessage = (issues: readonly z.core.$ZodIssue[]) => `${issues[0].path.join('.')}: ${issues[0].message}`;

const TABLE: { [Name in EndpointName]: RouteSpec } = {
  // ---- Tablets (docs/PROTOCOL.md) and the health check ----
  health: { at: 'GET /api/health', handler: tablet.health, wrongMethod: 'Use GET for the health check.' },
  defaultCampaign: { at: 'GET /api/v1/campaign', handler: tablet.defaultCampaign, wrongMethod: 'Use GET for the campaign.' },
  tabletCampaigns: { at: 'GET /api/v1/campaigns', handler: tablet.deviceCampaigns, head: false, wrongMethod: 'Use GET for the campaigns.' },
  enroll: { at: 'POST /api/v1/enroll', before: [attemptsPerAddress((app) => app.limiters.enroll)], body: ENROLL_BODY, handler: tablet.enrollDevice, wrongMethod: 'Use POST to enroll.' },
  // Not parsed as a whole: ingestion judges each record, and answers each (S5).
  batches: { at: 'POST /api/v1/batches', before: [tablet.seen], body: 'batch', judge: 'handler', handler: tablet.receiveBatch, wrongMethod: 'Use POST to send a batch.' },

  // ---- The public counter: no personal data, ever ----
  publicCount: { at: 'GET /api/public/count', handler: pub.publicCount },
  publicEvents: { at: 'GET /api/public/events', handler: pub.publicEvents },
  publicCampaign: { at: 'GET /api/public/campaigns/:id', handler: pub.publicCampaign },
  openApi: { at: 'GET /api/openapi.json', handler: pub.openApi },

  // ---- The coordinator console ----
  login: { at: 'POST /api/console/login', before: [refuseInsecureSignIn], body: SMALL_BODY, invalidBody: () => 'Send an email and a password.', handler: coordinator.login },
  session: { at: 'GET /api/console/session', handler: coordinator.session },
  logout: { at: 'POST /api/console/logout', may: 'self', handler: coordinator.logout },

  // ---- The console: two-factor (reachable by an account that must set it up: 'self') ----
  twoFactorSetup: { at: 'POST /api/console/two-factor/setup', may: 'self', handler: twoFactor.setup },
  twoFactorConfirm: { at: 'POST /api/console/two-factor/confirm', may: 'self', body: SMALL_BODY, invalidBody: () => 'Send the code.', handler: twoFactor.confirm },
  twoFactorRecoveryCodes: { at: 'POST /api/console/two-factor/recovery-codes', may: 'self', body: SMALL_BODY, invalidBody: () => 'Send the code.', handler: twoFactor.recoveryCodes },
  twoFactorOff: { at: 'POST /api/console/two-factor/off', may: 'self', body: SMALL_BODY, invalidBody: () => 'Send the code.', handler: twoFactor.off },

  totals: { at: 'GET /api/console/totals', may: 'view', handler: coordinator.totals },
  events: { at: 'GET /api/console/events', may: 'view', handler: coordinator.events },
  devices: { at: 'GET /api/console/devices', may: 'view', handler: coordinator.devices },
  revoke: { at: 'POST /api/console/devices/:id/revoke', may: 'manage', handler: coordinator.revoke },
  codes: { at: 'POST /api/console/codes', may: 'manage', body: SMALL_BODY, handler: coordinator.createCode },
  audit: { at: 'GET /api/console/audit', may: 'manage', handler: coordinator.auditLog },
  auditCsv: { at: 'GET /api/console/audit.csv', may: 'owner', handler: exportAuditCsv },

  // ---- The console: your account ----
  accountSessions: { at: 'GET /api/console/sessions', may: 'self', handler: account.listSessions },
  endSession: { at: 'DELETE /api/console/sessions/:id', may: 'self', handler: account.endSession },
  changePassword: { at: 'POST /api/console/password', may: 'self', body: SMALL_BODY, invalidBody: () => 'Send the current password and the new one.', handler: account.changePassword },

  signatures: { at: 'GET /api/console/signatures', may: 'personal', handler: signatures.listSignatures },
  signatureSvg: { at: 'GET /api/console/signatures/:id/svg', may: 'personal', handler: signatures.signatureDrawing },
  deleteSignature: { at: 'DELETE /api/console/signatures/:id', may: 'personal', handler: signatures.deleteSignature },
  setAside: { at: 'POST /api/console/signatures/set-aside', may: 'personal', body: REVIEW_BODY, invalidBody: fieldAndMessage, handler: review.setAsideSignatures },
  restoreSetAside: { at: 'POST /api/console/signatures/restore', may: 'personal', body: REVIEW_BODY, invalidBody: fieldAndMessage, handler: review.restoreSignatures },
  handinCsv: { at: 'GET /api/console/export/handin.csv', may: 'personal', handler: signatures.exportCsv('handin') },
  contactsCsv: { at: 'GET /api/console/export/contacts.csv', may: 'personal', handler: signatures.exportCsv('contacts') },
  signaturesZip: { at: 'GET /api/console/export/signatures.zip', may: 'personal', handler: signatures.exportZip },
  handinPdf: { at: 'GET /api/console/export/handin.pdf', may: 'personal', handler: signatures.exportPdf },
  handinPackage: { at: 'GET /api/console/export/handin-package.zip', may: 'personal', handler: signatures.exportHandinPackage },
  handinKey: { at: 'GET /api/console/handin-key', may: 'manage', handler: signatures.handinKey },
  paperSheetsPdf: { at: 'GET /api/console/export/paper-sheets.pdf', may: 'manage', handler: paperSheets.exportPaperSheets },
  records: { at: 'GET /api/console/records', may: 'personal', handler: signatures.records },

  // ---- Paper counts, in the console ----
  paperCounts: { at: 'GET /api/console/paper-counts', may: 'view', handler: paper.listPaperCounts },
  recordPaperCount: { at: 'POST /api/console/paper-counts', may: 'manage', body: SMALL_BODY, invalidBody: fieldAndMessage, handler: paper.recordPaper },
  removePaperCount: { at: 'DELETE /api/console/paper-counts/:id', may: 'manage', handler: paper.removePaper },

  // ---- Campaigns, in the console ----
  campaigns: { at: 'GET /api/console/campaigns', may: 'view', handler: campaigns.listCampaigns },
  createCampaign: { at: 'POST /api/console/campaigns', may: 'owner', body: SMALL_BODY, invalidBody: (issues) => `id: ${issues[0].message}`, handler: campaigns.createCampaign },
  getCampaign: { at: 'GET /api/console/campaigns/:id', may: 'view', handler: campaigns.getCampaign },
  changeSettings: { at: 'PATCH /api/console/campaigns/:id', may: 'manage', body: SMALL_BODY, invalidBody: fieldAndMessage, handler: campaigns.changeSettings },
  // The draft's text is judged by saveDraft once the campaign's id and version are put in
  // (whatever the draft says of them), naming the field at fault as the console shows it.
  putDraft: { at: 'PUT /api/console/campaigns/:id/draft', may: 'manage', body: DRAFT_BODY, judge: 'handler', handler: campaigns.putDraft },
  publish: { at: 'POST /api/console/campaigns/:id/publish', may: 'manage', handler: campaigns.publish },
  close: { at: 'POST /api/console/campaigns/:id/close', may: 'manage', handler: campaigns.setOpen(false) },
  reopen: { at: 'POST /api/console/campaigns/:id/reopen', may: 'manage', handler: campaigns.setOpen(true) },
  campaignVersion: { at: 'GET /api/console/campaigns/:id/versions/:version', may: 'view', handler: campaigns.getVersion },

  // ---- The console: the team (owners), and the invitation's public pair ----
  team: { at: 'GET /api/console/team', may: 'owner', handler: team.teamView },
  invite: { at: 'POST /api/console/team/invitations', may: 'owner', body: SMALL_BODY, invalidBody: fieldAndMessage, handler: team.invite },
  revokeInvitation: { at: 'DELETE /api/console/team/invitations/:id', may: 'owner', handler: team.revokeInvitation },
  changeAccount: { at: 'PATCH /api/console/team/accounts/:id', may: 'owner', body: SMALL_BODY, invalidBody: fieldAndMessage, handler: team.changeAccount },
  disableAccount: { at: 'POST /api/console/team/accounts/:id/disable', may: 'owner', handler: team.setDisabled(true) },
  enableAccount: { at: 'POST /api/console/team/accounts/:id/enable', may: 'owner', handler: team.setDisabled(false) },
  changeConsoleSettings: { at: 'PATCH /api/console/settings', may: 'owner', body: SMALL_BODY, invalidBody: fieldAndMessage, handler: team.changeSettings },
  // A token can be guessed no more than a password: every try counts against the address.
  invitation: { at: 'POST /api/console/invitation', before: [refuseInsecureSignIn, invitationAttempts], body: SMALL_BODY, invalidBody: fieldAndMessage, handler: team.showInvitation },
  acceptInvitation: { at: 'POST /api/console/invitation/accept', before: [refuseInsecureSignIn, invitationAttempts], body: SMALL_BODY, invalidBody: fieldAndMessage, handler: team.acceptInvitation },
};

/** The table as a list, each route with its endpoint's method, auth and Hono path. */
export const ROUTES: Route[] = routesOf(TABLE);

/** Check a table against the contract and list its routes; throws at the first disagreement. */
export function routesOf(table: { [Name in EndpointName]: RouteSpec }): Route[] {
  return (Object.keys(table) as EndpointName[]).map((name) => {
    const endpoint: Endpoint = api[name];
    const spec = table[name];
    if (spec.at !== `${endpoint.method} ${endpoint.path}`) throw new Error(`${name}: the table says ${spec.at}, the endpoint ${endpoint.method} ${endpoint.path}.`);
    // A body the contract describes is read; one it does not, never.
    if (!endpoint.request.body !== !spec.body) throw new Error(`${name}: the route reads a body if and only if its endpoint has one.`);
    // Every session route says who may call it; no other route does.
    if ((endpoint.auth === 'session') !== (spec.may !== undefined)) throw new Error(`${name}: a session route, and only one, says what it needs (may).`);
    return { ...spec, name, endpoint, method: endpoint.method, path: honoPath(endpoint), auth: endpoint.auth, scope: scopeOf(endpoint) };
  });
}

/** Where an endpoint names its campaign: the path of a campaign, or a `campaign` query parameter. */
function scopeOf(endpoint: Endpoint): CampaignScope {
  if (endpoint.path.startsWith('/api/console/campaigns/:id')) return 'path';
  return endpoint.request.query && 'campaign' in endpoint.request.query.shape ? 'query' : 'none';
}

/**
 * The endpoint's path as a Hono pattern: each `:name` followed by the regex its params schema
 * gives it (`:id{[0-9a-fA-F-]{36}}`). A parameter without one is a fault of the contract.
 */
export function honoPath(endpoint: Endpoint): string {
  const params = endpoint.request.params && (z.toJSONSchema(endpoint.request.params) as { properties?: Record<string, { pattern?: string }> });
  return endpoint.path.replace(/:(\w+)/g, (_, name: string) => {
    const pattern = params?.properties?.[name]?.pattern;
    if (!pattern) throw new Error(`${endpoint.method} ${endpoint.path}: the parameter "${name}" has no pattern in its params schema.`);
    return `:${name}{${pattern.replace(/^\^/, '').replace(/\$$/, '')}}`;
  });
}

/**
 * Every console path is behind the session, including the ones no route has: without a
 * session, an unknown or misused console path is 401, never a 404 or 405 that would map the API.
 */
export const CONSOLE_PREFIX = '/api/console/';
