/**
 * The coordinator console's API (/api/console/…): signing in and out, the dashboard (totals
 * and their live stream), devices and enrollment codes, the audit log. Thin: each handler
 * takes its body as the contract parsed it (bodyOf), calls a function that holds the logic,
 * and answers in the contract's types (answer). The session and CSRF check is
 * middleware (session.ts), mounted by routes.ts on every route but login and session;
 * deletions, exports, codes and revocations are written to the audit log.
 * Signatures and exports: signature-routes.ts; campaigns: campaign-routes.ts.
 */
import QRCode from 'qrcode';
import { createEnrollmentCode, revokeDevice, viewDevices } from '../devices.ts';
import { HttpError, answer } from '../http-reply.ts';
import { rateLimited } from '../rate-limit.ts';
import { clientAddress, publicOrigin, requestOf } from '../client-address.ts';
import { checkSignIn, type SignInLimits, type SignInOutcome } from './sign-in.ts';
import type { Coordinator, Session } from '../store/store.ts';
import { auditEntryFor, twoFactorState } from './access.ts';
import { CLEAR_COOKIE, assertMay, currentSession, liveSession, mayReach, startSession } from './session.ts';
import { actorOf, bodyOf, campaignOf, isHead, paramsOf, type Ctx } from '../routes/context.ts';
import { api } from '../../src/shared/api/endpoints.ts';
import { totalsWithPaper } from '../paper.ts';

/**
 * POST /api/console/login: limited per address and per account before the password is
 * checked, and the two-factor code after it (sign-in.ts). Every sign-in, and every wrong
 * password or code, is audited with the address it came from.
 */
export async function login(c: Ctx): Promise<Response> {
  const { store, now } = c.var.app;
  const request = bodyOf(c, api.login);
  const address = clientAddress(requestOf(c));
  const outcome = await checkSignIn(store, signInLimits(c), address, request, now());
  await auditSignIn(c, request.email, address, outcome);
  const { coordinator, secondFactor } = signedIn(outcome);
  const { cookie, idHash } = await startSession(c, coordinator.id, secondFactor !== undefined);
  const started = await liveSession(c.var.app, idHash);
  if (!started) throw new HttpError(401, 'unauthorized', 'The session ended as it began. Sign in again.');
  return answer(api.login, 200, sessionInfo(started), { 'set-cookie': cookie });
}

/** What the console is told of a session: the account, what it may do, and the CSRF token (a sign-in's and an accepted invitation's answer). */
export function sessionInfo(session: Session) {
  const { email, name, role, campaigns, mayExportPersonalData } = session.coordinator;
  return {
    coordinator: { email, name, role, campaigns: role === 'owner' ? ('all' as const) : campaigns, mayExportPersonalData, twoFactor: twoFactorState(session) },
    csrfToken: session.csrfToken,
  };
}

/** Audit a sign-in, a wrong password or code, or a disabled account's attempt; limited and busy attempts were not checked, so are not. */
async function auditSignIn(c: Ctx, email: string, address: string, outcome: SignInOutcome): Promise<void> {
  const at = c.var.app.now().toISOString();
  const tried = email.trim().toLowerCase().slice(0, 254);
  const write = (actor: string, action: string, detail: Record<string, unknown>) => c.var.app.store.audit({ at, actor, action, detail: { ...detail, address } });
  if (outcome.kind === 'signed-in') await write(outcome.coordinator.email, 'login', outcome.secondFactor ? { secondFactor: outcome.secondFactor } : {});
  if (outcome.kind === 'signed-in' && outcome.secondFactor === 'recovery-code') {
    await write(outcome.coordinator.email, 'two-factor.recovery-code-used', { left: await c.var.app.store.unusedRecoveryCodes(outcome.coordinator.id) });
  }
  else if (outcome.kind === 'wrong') await write(tried, 'login-failed', { reason: 'password' });
  else if (outcome.kind === 'wrong-code') await write(outcome.coordinator.email, 'login-failed', { reason: 'code' });
  else if (outcome.kind === 'disabled') await write(tried, 'login-failed', { reason: 'disabled' });
}

/** The limits a sign-in through this app counts against. */
function signInLimits(c: Ctx): SignInLimits {
  const { limiters } = c.var.app;
  return { perAddress: limiters.login, perAccount: limiters.loginAccount };
}

/** The signed-in coordinator, or the answer to a sign-in that was refused. */
function signedIn(outcome: SignInOutcome): { coordinator: Coordinator; secondFactor?: string } {
  switch (outcome.kind) {
    case 'signed-in':
      return outcome;
    case 'wrong':
      throw new HttpError(401, 'unauthorized', 'Wrong email or password.');
    case 'disabled':
      throw new HttpError(403, 'forbidden', 'This account is disabled. Ask an owner of your organisation.');
    case 'code-needed':
      throw new HttpError(401, 'second_factor_required', 'Enter the 6-digit code from your authenticator app, or one of your recovery codes.');
    case 'wrong-code':
      throw new HttpError(401, 'unauthorized', 'Wrong code. Enter the code your authenticator app shows now, or an unused recovery code.');
    case 'limited':
      throw rateLimited(outcome.waitMs);
    case 'busy':
      throw new HttpError(429, 'rate_limited', 'The server is busy checking other sign-ins. Try again in 1 s.', undefined, 1);
  }
}

/**
 * GET /api/console/session: "am I signed in?" is a question the sign-in page asks, not an
 * error: signed out, it is answered 200 with no coordinator (a 401 would be logged in the
 * browser's console).
 */
export async function session(c: Ctx): Promise<Response> {
  const current = await currentSession(c.var.app, c.req.header('cookie'));
  if (!current) return answer(api.session, 200, { coordinator: null });
  return answer(api.session, 200, sessionInfo(current));
}

/** POST /api/console/logout. */
export async function logout(c: Ctx): Promise<Response> {
  await c.var.app.store.deleteSession(c.var.session.idHash);
  return new Response(null, { status: 204, headers: { 'set-cookie': CLEAR_COOKIE } });
}

/** GET /api/console/totals: the dashboard's figures for the campaign. */
export async function totals(c: Ctx): Promise<Response> {
  return answer(api.totals, 200, await totalsWithPaper(c.var.app.store, campaignOf(c)));
}

/**
 * GET /api/console/events: the dashboard's figures, live (SSE). The totals are read once for
 * all dashboards; each update re-checks only this stream's session (one indexed lookup), so
 * logging out (or expiry) ends the stream.
 */
export function events(c: Ctx): Response {
  const { live, dashboardTotals } = c.var.app;
  const { idHash } = c.var.session;
  return live.stream(dashboardTotals(campaignOf(c)), {
    stillAllowed: async () => !!(await liveSession(c.var.app, idHash)),
    head: isHead(c),
  });
}

/** The campaigns a tablet shows (one enrolled before campaigns shows the default one). */
function tabletCampaigns(c: Ctx, device: { campaigns: string[] | null }): string[] {
  return device.campaigns ?? [c.var.app.defaultCampaignId];
}

/** GET /api/console/devices: the tablets of the account's campaigns, the silent ones holding signatures first. */
export async function devices(c: Ctx): Promise<Response> {
  const { store, now, staleAfterMs, tokenLifetimeMs } = c.var.app;
  const options = { now: now(), staleAfterMs, tokenLifetimeMs };
  const visible = (await store.listDevices()).filter((d) => tabletCampaigns(c, d).some((id) => mayReach(c, 'view', id)));
  return answer(api.devices, 200, { devices: viewDevices(visible, options), staleAfterMs });
}

/**
 * POST /api/console/devices/:id/revoke: the tablet's token stops working at once. It stops
 * collecting for every campaign it shows, so the account must manage them all.
 */
export async function revoke(c: Ctx): Promise<Response> {
  const { id } = paramsOf(c, api.revoke);
  const device = (await c.var.app.store.listDevices()).find((d) => d.id === id);
  if (!device || !tabletCampaigns(c, device).some((campaign) => mayReach(c, 'view', campaign))) throw new HttpError(404, 'not_found', 'No such device.');
  for (const campaign of tabletCampaigns(c, device)) assertMay(c, 'manage', campaign);
  if (!(await revokeDevice(c.var.app.store, id, actorOf(c), c.var.app.now()))) throw new HttpError(404, 'not_found', 'No such device.');
  return answer(api.revoke, 200, { revoked: id });
}

/** POST /api/console/codes: a one-time enrollment code, with its link and QR code. */
export async function createCode(c: Ctx): Promise<Response> {
  const { store, now, defaultCampaignId } = c.var.app;
  const request = bodyOf(c, api.codes);
  const campaigns = [...new Set(request.campaigns ?? [defaultCampaignId])];
  for (const id of campaigns) assertMay(c, 'manage', id);
  for (const id of campaigns) {
    const campaign = await store.getCampaign(id);
    if (!campaign || campaign.status === 'draft') throw new HttpError(400, 'bad_request', `"${id}" is not a published campaign.`);
  }
  const { code, expiresAt } = await createEnrollmentCode(store, request.event, (request.hours ?? 24) * 3600_000, actorOf(c), now(), campaigns);
  const link = `${publicOrigin(requestOf(c), c.var.app.publicUrl)}/?enroll=${code}`;
  const qrSvg = await QRCode.toString(link, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return answer(api.codes, 201, { code, expiresAt, event: request.event, campaigns, link, qrSvg });
}

/** GET /api/console/audit: the newest 500 entries, of the campaign when `?campaign=` names one (the whole log: owners only). */
export async function auditLog(c: Ctx): Promise<Response> {
  const scoped = c.req.query('campaign') !== undefined;
  if (!scoped) assertMay(c, 'owner', c.var.app.defaultCampaignId);
  const entries = await c.var.app.store.auditLog(500, scoped ? campaignOf(c) : undefined);
  return answer(api.audit, 200, { entries: entries.map((entry) => auditEntryFor(c.var.session.coordinator, entry)) });
}
