/**
 * Every HTTP route of the server, as data, each under a name (`api.totals`): the one list
 * that the server's route table (server/routes.ts) is keyed by, so that no route lacks an
 * endpoint nor an endpoint a route; that the server validates bodies and types its answers
 * with; that the OpenAPI document (server/openapi.ts) is generated from; and that the
 * conformance test drives the real server through (tests/server/contract.test.ts). The
 * schemas are the wire as sent today.
 *
 * Every non-2xx answer is an ErrorResponse; each route lists the statuses it gives besides
 * those every route may (405 for another method, 500).
 */
import * as z from 'zod/mini';
import { ErrorResponseSchema } from '../protocol.ts';
import { file, eventStream, type Endpoint } from './endpoint.ts';
import { BatchRequestSchema, BatchResponseSchema, CampaignSchema, EnrollRequestSchema, EnrollResponseSchema, HealthSchema, TabletCampaignsSchema } from './tablet.ts';
import { LoginSchema, SessionAnswerSchema, SessionInfoSchema } from './session.ts';
import { RecoveryCodesSchema, TwoFactorCodeSchema, TwoFactorSetupSchema } from './two-factor.ts';
import { AuditLogSchema, PublicCountSchema, TotalsSchema } from './dashboard.ts';
import { CodeRequestSchema, DeviceIdParams, DeviceListSchema, EnrollmentCodeSchema, RevokedSchema } from './devices.ts';
import {
  CampaignScopeQuery, ChangedSchema, RecordsPageSchema, RecordsQuery, RestoreRequestSchema, SetAsideRequestSchema, SignatureIdParams, SignaturePageSchema, SignaturesQuery,
} from './signatures.ts';
import { HandinKeySchema, HandinPackageQuery } from './handin.ts';
import { AccountSessionListSchema, PasswordChangedSchema, PasswordChangeSchema, SessionIdParams } from './account.ts';
import { PaperSheetsQuery } from './paper-sheets.ts';
import {
  AcceptInvitationSchema, AccountChangeSchema, InvitationCreatedSchema, InvitationRequestSchema, InvitationTokenSchema, InvitationViewSchema, SettingsChangeSchema, TeamAccountSchema,
  TeamIdParams, TeamSchema, TeamSettingsSchema,
} from './team.ts';
import { NewPaperCountSchema, PaperCountIdParams, PaperCountListSchema, PaperCountSchema } from './paper.ts';
import {
  CampaignDetailSchema,
  CampaignIdParams,
  CampaignListSchema,
  CampaignSettingsSchema,
  CampaignVersionParams,
  DraftRequestSchema,
  NewCampaignSchema,
  PublicCampaignSchema,
  PublishedVersionSchema,
} from './campaigns.ts';

/** The same error body under each status. */
const errors = <S extends number>(...statuses: S[]) => Object.fromEntries(statuses.map((s) => [s, ErrorResponseSchema])) as Record<S, typeof ErrorResponseSchema>;
/** What reading a JSON body may refuse: bad JSON or shape (400), too large (413), not JSON (415). */
const BODY_ERRORS = [400, 413, 415] as const;
/** A session route: no session (401), and for a change, no CSRF token or another origin (403). */
const SESSION_ERRORS = [401] as const;
const CHANGE_ERRORS = [...SESSION_ERRORS, 403] as const;
/** An export of `?campaign=`: 404 when there is no such campaign. */
const download = (path: string, media: string, summary: string) => ({
  method: 'GET' as const,
  path,
  summary,
  auth: 'session' as const,
  request: { query: CampaignScopeQuery },
  responses: { 200: file(media, summary), ...errors(...SESSION_ERRORS, 404) },
}) satisfies Endpoint;
/** POST /api/console/campaigns/:id/<action>: the campaign's detail after it. */
const campaignAction = (action: string, summary: string) => ({
  method: 'POST' as const,
  path: `/api/console/campaigns/:id/${action}`,
  summary,
  auth: 'session' as const,
  request: { params: CampaignIdParams },
  responses: { 200: CampaignDetailSchema, ...errors(...CHANGE_ERRORS, 404, 409) },
}) satisfies Endpoint;

/** Every endpoint, by the name the route table (server/routes.ts) knows it by. */
export const api = {
  // ---- Tablets (docs/PROTOCOL.md) ----
  health: { method: 'GET', path: '/api/health', summary: 'Health check: up, and the signatures held in all', auth: 'public', request: {}, responses: { 200: HealthSchema } },
  defaultCampaign: {
    method: 'GET',
    path: '/api/v1/campaign',
    summary: 'The default campaign’s current text (release 0.1.0 tablets and counters); ETag / If-None-Match',
    auth: 'public',
    request: {},
    responses: { 200: CampaignSchema, 304: null },
  },
  tabletCampaigns: {
    method: 'GET',
    path: '/api/v1/campaigns',
    summary: 'The campaigns this tablet may show, each with its current version (S27)',
    auth: 'device',
    request: {},
    responses: { 200: TabletCampaignsSchema, ...errors(401, 429) },
  },
  enroll: {
    method: 'POST',
    path: '/api/v1/enroll',
    summary: 'Trade a one-time enrollment code for a device token',
    auth: 'public',
    request: { body: EnrollRequestSchema },
    responses: { 201: EnrollResponseSchema, ...errors(...BODY_ERRORS, 403, 429) },
  },
  batches: {
    method: 'POST',
    path: '/api/v1/batches',
    summary: 'Send a batch of signatures: one result per record (422 when any is invalid)',
    auth: 'device',
    request: { body: BatchRequestSchema },
    responses: { 200: BatchResponseSchema, 422: BatchResponseSchema, ...errors(...BODY_ERRORS, 401, 403, 429) },
  },

  // ---- The public counter: no personal data, ever ----
  publicCount: { method: 'GET', path: '/api/public/count', summary: 'A campaign’s total', auth: 'public', request: { query: CampaignScopeQuery }, responses: { 200: PublicCountSchema } },
  publicEvents: {
    method: 'GET',
    path: '/api/public/events',
    summary: 'A campaign’s total, live: one event now and one after every change',
    auth: 'public',
    request: { query: CampaignScopeQuery },
    responses: { 200: eventStream(PublicCountSchema, 'The total, as each change arrives'), ...errors(404, 429, 503) },
  },
  publicCampaign: {
    method: 'GET',
    path: '/api/public/campaigns/:id',
    summary: 'A campaign’s card for the counter: title, colour, goal, total',
    auth: 'public',
    request: { params: CampaignIdParams },
    responses: { 200: PublicCampaignSchema, ...errors(404) },
  },

  // ---- The console: signing in ----
  login: {
    method: 'POST',
    path: '/api/console/login',
    summary: 'Sign in: sets the session cookie, returns the CSRF token (403 over plain http from another machine)',
    auth: 'public',
    request: { body: LoginSchema },
    responses: { 200: SessionInfoSchema, ...errors(...BODY_ERRORS, 401, 403, 429) },
  },
  session: { method: 'GET', path: '/api/console/session', summary: 'Am I signed in? (200 either way)', auth: 'public', request: {}, responses: { 200: SessionAnswerSchema } },
  logout: { method: 'POST', path: '/api/console/logout', summary: 'Sign out', auth: 'session', request: {}, responses: { 204: null, ...errors(...CHANGE_ERRORS) } },

  // ---- The console: two-factor ----
  twoFactorSetup: {
    method: 'POST',
    path: '/api/console/two-factor/setup',
    summary: 'Begin setting up two-factor sign-in: a new secret, its otpauth:// URI and QR code (409 when it is on)',
    auth: 'session',
    request: {},
    responses: { 200: TwoFactorSetupSchema, ...errors(...CHANGE_ERRORS, 409) },
  },
  twoFactorConfirm: {
    method: 'POST',
    path: '/api/console/two-factor/confirm',
    summary: 'Turn two-factor sign-in on with a code of the new secret: recovery codes, shown once; the account’s other sessions end',
    auth: 'session',
    request: { body: TwoFactorCodeSchema },
    responses: { 200: RecoveryCodesSchema, ...errors(...BODY_ERRORS, ...CHANGE_ERRORS, 409, 429) },
  },
  twoFactorRecoveryCodes: {
    method: 'POST',
    path: '/api/console/two-factor/recovery-codes',
    summary: 'New recovery codes for a current code (the old ones stop working)',
    auth: 'session',
    request: { body: TwoFactorCodeSchema },
    responses: { 200: RecoveryCodesSchema, ...errors(...BODY_ERRORS, ...CHANGE_ERRORS, 409, 429) },
  },
  twoFactorOff: {
    method: 'POST',
    path: '/api/console/two-factor/off',
    summary: 'Turn two-factor sign-in off with a current code (403 when the account must have it)',
    auth: 'session',
    request: { body: TwoFactorCodeSchema },
    responses: { 204: null, ...errors(...BODY_ERRORS, ...CHANGE_ERRORS, 409, 429) },
  },

  // ---- The console: dashboard, tablets, audit ----
  totals: {
    method: 'GET',
    path: '/api/console/totals',
    summary: 'The dashboard’s figures',
    auth: 'session',
    request: { query: CampaignScopeQuery },
    responses: { 200: TotalsSchema, ...errors(...SESSION_ERRORS) },
  },
  events: {
    method: 'GET',
    path: '/api/console/events',
    summary: 'The dashboard’s figures, live, while the session lasts',
    auth: 'session',
    request: { query: CampaignScopeQuery },
    responses: { 200: eventStream(TotalsSchema, 'The figures, as each change arrives'), ...errors(...SESSION_ERRORS) },
  },
  devices: { method: 'GET', path: '/api/console/devices', summary: 'Every tablet, silent ones first', auth: 'session', request: {}, responses: { 200: DeviceListSchema, ...errors(...SESSION_ERRORS) } },
  revoke: {
    method: 'POST',
    path: '/api/console/devices/:id/revoke',
    summary: 'Revoke a tablet: its token stops working at once',
    auth: 'session',
    request: { params: DeviceIdParams },
    responses: { 200: RevokedSchema, ...errors(...CHANGE_ERRORS, 404) },
  },
  codes: {
    method: 'POST',
    path: '/api/console/codes',
    summary: 'A one-time enrollment code, with its link and QR code',
    auth: 'session',
    request: { body: CodeRequestSchema },
    responses: { 201: EnrollmentCodeSchema, ...errors(...BODY_ERRORS, ...CHANGE_ERRORS) },
  },
  audit: {
    method: 'GET',
    path: '/api/console/audit',
    summary: 'The audit log, newest first (of one campaign with `?campaign=`)',
    auth: 'session',
    request: { query: CampaignScopeQuery },
    responses: { 200: AuditLogSchema, ...errors(...SESSION_ERRORS) },
  },
  auditCsv: {
    method: 'GET',
    path: '/api/console/audit.csv',
    summary: 'The whole audit log as CSV, oldest first (owners only; the download is audited too)',
    auth: 'session',
    request: {},
    responses: { 200: file('text/csv; charset=utf-8', 'The audit log as CSV: seq, at, actor, action, campaign, detail (JSON)'), ...errors(...SESSION_ERRORS, 403) },
  },

  // ---- The console: your account ----
  accountSessions: {
    method: 'GET',
    path: '/api/console/sessions',
    summary: 'Your own live sessions: browser, address, started, last seen, and which is this one',
    auth: 'session',
    request: {},
    responses: { 200: AccountSessionListSchema, ...errors(...SESSION_ERRORS) },
  },
  endSession: {
    method: 'DELETE',
    path: '/api/console/sessions/:id',
    summary: 'End one of your sessions (404 for any other); ending this one signs you out',
    auth: 'session',
    request: { params: SessionIdParams },
    responses: { 204: null, ...errors(...CHANGE_ERRORS, 404) },
  },
  changePassword: {
    method: 'POST',
    path: '/api/console/password',
    summary: 'Change your password (the current one is checked and limited like a sign-in); your other sessions end',
    auth: 'session',
    request: { body: PasswordChangeSchema },
    responses: { 200: PasswordChangedSchema, ...errors(...BODY_ERRORS, ...CHANGE_ERRORS, 429) },
  },

  // ---- The console: signatures ----
  signatures: {
    method: 'GET',
    path: '/api/console/signatures',
    summary: 'Search and page the signatures, newest first',
    auth: 'session',
    request: { query: SignaturesQuery },
    responses: { 200: SignaturePageSchema, ...errors(...SESSION_ERRORS) },
  },
  signatureSvg: {
    method: 'GET',
    path: '/api/console/signatures/:id/svg',
    summary: 'One signature’s strokes (or typed name) as SVG',
    auth: 'session',
    request: { params: SignatureIdParams },
    responses: { 200: file('image/svg+xml', 'The signature as an SVG image'), ...errors(...SESSION_ERRORS, 404) },
  },
  deleteSignature: {
    method: 'DELETE',
    path: '/api/console/signatures/:id',
    summary: 'Delete a signature on a data-subject request (a tombstone keeps its id and chain place)',
    auth: 'session',
    request: { params: SignatureIdParams },
    responses: { 204: null, ...errors(...CHANGE_ERRORS, 404) },
  },
  setAside: {
    method: 'POST',
    path: '/api/console/signatures/set-aside',
    summary: 'Set signatures aside from the hand-in, with a reason: by ids (at most 1000) or all a filter matches (kept, counted apart, audited)',
    auth: 'session',
    request: { query: CampaignScopeQuery, body: SetAsideRequestSchema },
    responses: { 200: ChangedSchema, ...errors(...BODY_ERRORS, ...CHANGE_ERRORS) },
  },
  restoreSetAside: {
    method: 'POST',
    path: '/api/console/signatures/restore',
    summary: 'Put set-aside signatures back into the hand-in: by ids (at most 1000) or all a filter matches',
    auth: 'session',
    request: { query: CampaignScopeQuery, body: RestoreRequestSchema },
    responses: { 200: ChangedSchema, ...errors(...BODY_ERRORS, ...CHANGE_ERRORS) },
  },
  records: {
    method: 'GET',
    path: '/api/console/records',
    summary: 'The stored records as they are (sealed ones sealed), page by page in arrival order',
    auth: 'session',
    request: { query: RecordsQuery },
    responses: { 200: RecordsPageSchema, ...errors(...SESSION_ERRORS, 404) },
  },
  handinCsv: download('/api/console/export/handin.csv', 'text/csv; charset=utf-8', 'The hand-in list as CSV (no contact details)'),
  contactsCsv: download('/api/console/export/contacts.csv', 'text/csv; charset=utf-8', 'The signers who opted in, with their contact details, as CSV'),
  signaturesZip: download('/api/console/export/signatures.zip', 'application/zip', 'Every signature as an SVG file, in a zip'),
  handinPdf: download('/api/console/export/handin.pdf', 'application/pdf', 'The hand-in list as PDF, with the signatures drawn'),
  handinPackage: {
    ...download('/api/console/export/handin-package.zip', 'application/zip', 'The hand-in package: PDF and CSV (whole, or per country) or the paper sheets, with a signed manifest'),
    request: { query: HandinPackageQuery },
    responses: { 200: file('application/zip', 'The hand-in package'), ...errors(...SESSION_ERRORS, 400, 404) },
  },
  handinKey: {
    method: 'GET',
    path: '/api/console/handin-key',
    summary: 'The organisation’s public key that checks hand-in packages, with its fingerprint, to publish',
    auth: 'session',
    request: {},
    responses: { 200: HandinKeySchema, ...errors(...SESSION_ERRORS) },
  },
  paperSheetsPdf: {
    method: 'GET',
    path: '/api/console/export/paper-sheets.pdf',
    summary: 'Blank A4 sheets for handwritten signatures: the published text in one language on every sheet, then numbered rows',
    auth: 'session',
    request: { query: PaperSheetsQuery },
    responses: { 200: file('application/pdf', 'Blank paper-collection sheets as PDF'), ...errors(...SESSION_ERRORS, 400, 404) },
  },

  // ---- The console: paper counts (signatures counted by hand, always shown as paper) ----
  paperCounts: {
    method: 'GET',
    path: '/api/console/paper-counts',
    summary: 'The campaign’s paper counts, latest collected first',
    auth: 'session',
    request: { query: CampaignScopeQuery },
    responses: { 200: PaperCountListSchema, ...errors(...SESSION_ERRORS) },
  },
  recordPaperCount: {
    method: 'POST',
    path: '/api/console/paper-counts',
    summary: 'Record a paper count for the campaign (400 names the field at fault)',
    auth: 'session',
    request: { query: CampaignScopeQuery, body: NewPaperCountSchema },
    responses: { 201: PaperCountSchema, ...errors(...BODY_ERRORS, ...CHANGE_ERRORS, 404) },
  },
  removePaperCount: {
    method: 'DELETE',
    path: '/api/console/paper-counts/:id',
    summary: 'Remove a paper count (audited with its figures)',
    auth: 'session',
    request: { params: PaperCountIdParams },
    responses: { 204: null, ...errors(...CHANGE_ERRORS, 404) },
  },

  // ---- The console: campaigns ----
  campaigns: { method: 'GET', path: '/api/console/campaigns', summary: 'Every campaign', auth: 'session', request: {}, responses: { 200: CampaignListSchema, ...errors(...SESSION_ERRORS) } },
  createCampaign: {
    method: 'POST',
    path: '/api/console/campaigns',
    summary: 'A new draft campaign, copied from another (`from`) or from the default text',
    auth: 'session',
    request: { body: NewCampaignSchema },
    responses: { 201: CampaignDetailSchema, ...errors(...BODY_ERRORS, ...CHANGE_ERRORS, 404, 409) },
  },
  getCampaign: {
    method: 'GET',
    path: '/api/console/campaigns/:id',
    summary: 'One campaign, with its draft and versions',
    auth: 'session',
    request: { params: CampaignIdParams },
    responses: { 200: CampaignDetailSchema, ...errors(...SESSION_ERRORS, 404) },
  },
  changeSettings: {
    method: 'PATCH',
    path: '/api/console/campaigns/:id',
    summary: 'Change a campaign’s goal and dates',
    auth: 'session',
    request: { params: CampaignIdParams, body: CampaignSettingsSchema },
    responses: { 200: CampaignDetailSchema, ...errors(...BODY_ERRORS, ...CHANGE_ERRORS, 404) },
  },
  putDraft: {
    method: 'PUT',
    path: '/api/console/campaigns/:id/draft',
    summary: 'Save the draft (400 names the field at fault)',
    auth: 'session',
    request: { params: CampaignIdParams, body: DraftRequestSchema },
    responses: { 200: CampaignDetailSchema, ...errors(...BODY_ERRORS, ...CHANGE_ERRORS, 404) },
  },
  publish: campaignAction('publish', 'Publish the draft as the next version (409 when it changes nothing)'),
  close: campaignAction('close', 'Close the campaign: tablets stop offering it'),
  reopen: campaignAction('reopen', 'Reopen a closed campaign'),
  campaignVersion: {
    method: 'GET',
    path: '/api/console/campaigns/:id/versions/:version',
    summary: 'One published version, exactly as it was published',
    auth: 'session',
    request: { params: CampaignVersionParams },
    responses: { 200: PublishedVersionSchema, ...errors(...SESSION_ERRORS, 404) },
  },

  // ---- The console: the team ----
  team: {
    method: 'GET',
    path: '/api/console/team',
    summary: 'The accounts (roles, campaigns, two-factor, last sign-in), the pending invitations and the owners’ settings',
    auth: 'session',
    request: {},
    responses: { 200: TeamSchema, ...errors(...SESSION_ERRORS, 403) },
  },
  invite: {
    method: 'POST',
    path: '/api/console/team/invitations',
    summary: 'Invite someone by a one-time link (in this answer only; the server keeps its hash); 409 when the email has an account',
    auth: 'session',
    request: { body: InvitationRequestSchema },
    responses: { 201: InvitationCreatedSchema, ...errors(...BODY_ERRORS, ...CHANGE_ERRORS, 409) },
  },
  revokeInvitation: {
    method: 'DELETE',
    path: '/api/console/team/invitations/:id',
    summary: 'Withdraw a pending invitation: its link stops working at once',
    auth: 'session',
    request: { params: TeamIdParams },
    responses: { 204: null, ...errors(...CHANGE_ERRORS, 404) },
  },
  changeAccount: {
    method: 'PATCH',
    path: '/api/console/team/accounts/:id',
    summary: 'Change an account’s role, campaigns or personal-data permission (its open sessions follow at once; 409 for the last owner)',
    auth: 'session',
    request: { params: TeamIdParams, body: AccountChangeSchema },
    responses: { 200: TeamAccountSchema, ...errors(...BODY_ERRORS, ...CHANGE_ERRORS, 404, 409) },
  },
  disableAccount: {
    method: 'POST',
    path: '/api/console/team/accounts/:id/disable',
    summary: 'Disable an account: its sessions end at once (409 for oneself and for the last owner)',
    auth: 'session',
    request: { params: TeamIdParams },
    responses: { 200: TeamAccountSchema, ...errors(...CHANGE_ERRORS, 404, 409) },
  },
  enableAccount: {
    method: 'POST',
    path: '/api/console/team/accounts/:id/enable',
    summary: 'Enable a disabled account again',
    auth: 'session',
    request: { params: TeamIdParams },
    responses: { 200: TeamAccountSchema, ...errors(...CHANGE_ERRORS, 404) },
  },
  changeConsoleSettings: {
    method: 'PATCH',
    path: '/api/console/settings',
    summary: 'Change the owners’ settings: require two-factor sign-in of everyone',
    auth: 'session',
    request: { body: SettingsChangeSchema },
    responses: { 200: TeamSettingsSchema, ...errors(...BODY_ERRORS, ...CHANGE_ERRORS) },
  },
  invitation: {
    method: 'POST',
    path: '/api/console/invitation',
    summary: 'What an invitation’s token invites to (410 when it expired, was used or withdrawn; 403 over plain http from another machine)',
    auth: 'public',
    request: { body: InvitationTokenSchema },
    responses: { 200: InvitationViewSchema, ...errors(...BODY_ERRORS, 403, 404, 410, 429) },
  },
  acceptInvitation: {
    method: 'POST',
    path: '/api/console/invitation/accept',
    summary: 'Accept an invitation with a name and a password: the account is made and signed in (sets the session cookie, like a sign-in)',
    auth: 'public',
    request: { body: AcceptInvitationSchema },
    responses: { 200: SessionInfoSchema, ...errors(...BODY_ERRORS, 403, 404, 409, 410, 429) },
  },

  // ---- This document ----
  openApi: {
    method: 'GET',
    path: '/api/openapi.json',
    summary: 'This API described as OpenAPI 3.1',
    auth: 'public',
    request: {},
    responses: { 200: z.record(z.string(), z.unknown()) },
  },
} satisfies Record<string, Endpoint>;

/** An endpoint's name in {@link api}. */
export type EndpointName = keyof typeof api;

/** Every endpoint, as a list. */
export const ENDPOINTS: readonly Endpoint[] = Object.values(api);
