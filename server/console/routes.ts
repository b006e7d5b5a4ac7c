/**
 * The coordinator console's API (/api/console/…) and the public counter (/api/public/…).
 * Every console route but login demands a valid session (and, for changes, the CSRF
 * token); deletions, exports, codes and revocations are written to the audit log.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod/mini';
import QRCode from 'qrcode';
import type { Campaign } from '../../src/shared/campaign.ts';
import { createEnrollmentCode, revokeDevice, viewDevices } from '../devices.ts';
import { HttpError, readJsonBody } from '../http-body.ts';
import type { RateLimiter } from '../rate-limit.ts';
import type { Store, Totals } from '../store/store.ts';
import { clientAddress } from '../client-address.ts';
import type { CsvKind } from '../exports/formats.ts';
import { serveExport } from '../exports/serve.ts';
import type { LiveSignals } from './live.ts';
import type { SnapshotSource } from './snapshot-source.ts';
import type { StreamSlots } from './stream-slots.ts';
import { RECORDS_PAGE, recordsPage } from './sealed-records.ts';
import { DUMMY_HASH, verifyPassword } from './passwords.ts';
import { CLEAR_COOKIE, currentSession, requireSession, startSession } from './session.ts';
import { signatureSvg } from '../exports/signature-svg.ts';
import { CAMPAIGN_ROUTES, campaignParam, handleCampaigns, handlePublicCampaign } from './campaign-routes.ts';
import { LoginSchema } from '../../src/shared/api/session.ts';
import { CodeRequestSchema as CodeSchema } from '../../src/shared/api/devices.ts';

/** What the console routes need from the app. */
export interface ConsoleContext {
  store: Store;
  /** The campaign a console request concerns when it names none (`?campaign=`). */
  defaultCampaignId: string;
  /** A campaign's current published text (the served file's for the default one, before anything is published). */
  campaignContent: (id: string) => Promise<Campaign | undefined>;
  /** The database setting, for exports to run in a worker thread of their own (exports/worker.ts); omitted: in this thread. */
  exportDb?: string;
  /** Silent this long while holding unsynced signatures: the Devices section flags the tablet. */
  staleAfterMs: number;
  /** Device token lifetime (0: never expires), to show each token's expiry. */
  tokenLifetimeMs: number;
  now: () => Date;
  live: LiveSignals;
  /** A campaign's public counter snapshot, shared by its streams. */
  publicTotal: (campaignId: string) => SnapshotSource<{ total: number }>;
  /** A campaign's dashboard snapshot, shared by every signed-in coordinator's stream of it. */
  dashboardTotals: (campaignId: string) => SnapshotSource<Totals>;
  /** Caps on the public counter's streams. */
  publicSlots: StreamSlots;
  loginLimiter: RateLimiter;
  checkLimit: (limiter: RateLimiter, key: string) => void;
  sendJson: (res: ServerResponse, status: number, body: unknown) => void;
}

const SMALL_BODY = { maxBytes: 8192, maxInflatedBytes: 8192 };

/** Every console route that needs a session, for the test that walks them all without one. */
export const CONSOLE_ROUTES: Array<[method: string, path: string]> = [
  ['POST', '/api/console/logout'],
  ['GET', '/api/console/totals'],
  ['GET', '/api/console/events'],
  ['GET', '/api/console/devices'],
  ['POST', '/api/console/devices/00000000-0000-0000-0000-000000000000/revoke'],
  ['POST', '/api/console/codes'],
  ['GET', '/api/console/signatures'],
  ['GET', '/api/console/signatures/00000000-0000-0000-0000-000000000000/svg'],
  ['DELETE', '/api/console/signatures/00000000-0000-0000-0000-000000000000'],
  ['GET', '/api/console/audit'],
  ['GET', '/api/console/export/handin.csv'],
  ['GET', '/api/console/export/contacts.csv'],
  ['GET', '/api/console/export/signatures.zip'],
  ['GET', '/api/console/export/handin.pdf'],
  ['GET', '/api/console/records'],
  ...CAMPAIGN_ROUTES,
];

/** Handle `path` if it is a console or public route; returns false otherwise. */
export async function handleConsole(req: IncomingMessage, res: ServerResponse, url: URL, ctx: ConsoleContext): Promise<boolean> {
  const { store, now, sendJson } = ctx;
  const path = url.pathname;
  const method = req.method ?? 'GET';
  /** The campaign this request concerns: `?campaign=<id>`, or the default one. */
  const campaignId = campaignParam(url) ?? ctx.defaultCampaignId;

  // ---- Public: the big-screen counter. No personal data, ever. ----
  if (path === '/api/public/count') {
    allow(method, 'GET');
    sendJson(res, 200, { total: await store.count(campaignId) });
    return true;
  }
  if (path === '/api/public/events') {
    allow(method, 'GET');
    if (!(await store.getCampaign(campaignId))) throw new HttpError(404, 'not_found', 'No such campaign.');
    const slot = ctx.publicSlots.take(clientAddress(req));
    if (!slot.ok) throw streamRefusal(slot.reason, ctx.publicSlots);
    ctx.live.stream(res, ctx.publicTotal(campaignId), { onClose: slot.release });
    return true;
  }
  if (await handlePublicCampaign(path, method, ctx, res)) return true;
  if (!path.startsWith('/api/console/')) return false;

  const client = clientAddress(req);
  if (path === '/api/console/login') {
    allow(method, 'POST');
    ctx.checkLimit(ctx.loginLimiter, client);
    const parsed = z.safeParse(LoginSchema, await readJsonBody(req, SMALL_BODY));
    if (!parsed.success) throw new HttpError(400, 'bad_request', 'Send an email and a password.');
    const email = parsed.data.email.trim().toLowerCase();
    const account = await store.coordinatorByEmail(email);
    const ok = await verifyPassword(parsed.data.password, account?.passwordHash ?? DUMMY_HASH);
    if (!account || !ok) {
      ctx.loginLimiter.consume(client);
      ctx.loginLimiter.consume(`email:${email}`);
      throw new HttpError(401, 'unauthorized', 'Wrong email or password.');
    }
    ctx.checkLimit(ctx.loginLimiter, `email:${email}`);
    const { cookie, csrfToken } = await startSession(store, account.id, now());
    await store.audit({ at: now().toISOString(), actor: account.email, action: 'login', detail: {} });
    res.setHeader('set-cookie', cookie);
    sendJson(res, 200, { coordinator: { email: account.email, name: account.name }, csrfToken });
    return true;
  }

  if (path === '/api/console/session') {
    // "Am I signed in?" is a question the sign-in page asks, not an error: signed out, it is
    // answered 200 with no coordinator (a 401 would be logged in the browser's console).
    allow(method, 'GET');
    const current = await currentSession(store, req, now());
    const coordinator = current && { email: current.coordinator.email, name: current.coordinator.name };
    sendJson(res, 200, current ? { coordinator, csrfToken: current.csrfToken } : { coordinator: null });
    return true;
  }

  const session = await requireSession(store, req, now());
  const actor = session.coordinator.email;
  const audit = (action: string, detail: Record<string, unknown> = {}, campaign: string | null = campaignId) =>
    store.audit({ at: now().toISOString(), actor, action, detail, campaignId: campaign });
  const match = (pattern: RegExp) => pattern.exec(path);
  let m: RegExpExecArray | null;
  /** What an export of this request's campaign needs: its id, and its current text when it has one. */
  const exportCampaign = async () => {
    if (!(await store.getCampaign(campaignId)) && !(await store.count(campaignId))) throw new HttpError(404, 'not_found', `There is no campaign "${campaignId}".`);
    const versionHashes = new Map((await store.campaignVersions(campaignId)).map((v) => [v.version, v.hash]));
    return { id: campaignId, content: await ctx.campaignContent(campaignId), versionHashes };
  };
  if (await handleCampaigns(path, method, { req, res, ctx, actor })) return true;

  if (path === '/api/console/logout') {
    allow(method, 'POST');
    await store.deleteSession(session.idHash);
    res.setHeader('set-cookie', CLEAR_COOKIE);
    res.writeHead(204).end();
  } else if (path === '/api/console/totals') {
    allow(method, 'GET');
    sendJson(res, 200, await store.totals(campaignId));
  } else if (path === '/api/console/events') {
    allow(method, 'GET');
    // The totals are read once for all dashboards; each update re-checks only this stream's
    // session (one indexed lookup), so logging out (or expiry) ends the stream.
    ctx.live.stream(res, ctx.dashboardTotals(campaignId), {
      stillAllowed: async () => !!(await store.sessionByIdHash(session.idHash, now().toISOString())),
    });
  } else if (path === '/api/console/devices') {
    allow(method, 'GET');
    const options = { now: now(), staleAfterMs: ctx.staleAfterMs, tokenLifetimeMs: ctx.tokenLifetimeMs };
    sendJson(res, 200, { devices: viewDevices(await store.listDevices(), options), staleAfterMs: ctx.staleAfterMs });
  } else if ((m = match(/^\/api\/console\/devices\/([\w-]{1,64})\/revoke$/))) {
    allow(method, 'POST');
    if (!(await revokeDevice(store, m[1], actor, now()))) throw new HttpError(404, 'not_found', 'No such device.');
    sendJson(res, 200, { revoked: m[1] });
  } else if (path === '/api/console/codes') {
    allow(method, 'POST');
    const parsed = z.safeParse(CodeSchema, await readJsonBody(req, SMALL_BODY));
    if (!parsed.success) throw new HttpError(400, 'bad_request', parsed.error.issues[0].message);
    const campaigns = [...new Set(parsed.data.campaigns ?? [ctx.defaultCampaignId])];
    for (const id of campaigns) {
      const campaign = await store.getCampaign(id);
      if (!campaign || campaign.status === 'draft') throw new HttpError(400, 'bad_request', `"${id}" is not a published campaign.`);
    }
    const { code, expiresAt } = await createEnrollmentCode(store, parsed.data.event, (parsed.data.hours ?? 24) * 3600_000, actor, now(), campaigns);
    const link = `${origin(req)}/?enroll=${code}`;
    const qrSvg = await QRCode.toString(link, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    sendJson(res, 201, { code, expiresAt, event: parsed.data.event, campaigns, link, qrSvg });
  } else if (path === '/api/console/signatures') {
    allow(method, 'GET');
    const q = (url.searchParams.get('q') ?? '').slice(0, 200);
    const offset = clampInt(url.searchParams.get('offset'), 0, 1e9, 0);
    const limit = clampInt(url.searchParams.get('limit'), 1, 200, 50);
    // Cursors (a row's seq) page by index range however deep; `offset` is then only echoed,
    // for the "showing 26–50" line. Without a cursor, `offset` pages as before.
    const cursor = (name: string) => (url.searchParams.has(name) ? clampInt(url.searchParams.get(name), 0, Number.MAX_SAFE_INTEGER, 0) : undefined);
    const duplicatesOnly = url.searchParams.get('duplicates') === '1';
    const problemsOnly = url.searchParams.get('problems') === '1';
    const version = url.searchParams.has('version') ? clampInt(url.searchParams.get('version'), 0, 1e9, 0) : undefined;
    const lang = url.searchParams.get('lang')?.slice(0, 8) || undefined;
    const search = { q, offset, limit, before: cursor('before'), after: cursor('after'), duplicatesOnly, problemsOnly, campaignId, version, lang };
    const { total, rows, totalCapped } = await store.searchSignatures(search);
    const duplicates = await store.duplicateIds(rows.map((r) => r.id));
    const closedAt = (await store.getCampaign(campaignId))?.closedAt ?? null;
    sendJson(res, 200, {
      total,
      ...(totalCapped && { totalCapped }),
      offset,
      rows: rows.map((r) => {
        const p = r.record.payload;
        const signer = p.kind === 'plain' ? p.signer : undefined;
        return {
          seq: r.seq,
          id: r.id,
          name: signer?.name ?? null,
          email: signer?.email ?? null,
          country: signer?.country ?? null,
          optIn: signer?.optIn ?? null,
          typed: p.kind === 'plain' && !!p.typed,
          lang: r.record.lang ?? null,
          campaignVersion: r.record.campaignVersion,
          versionProblem: r.versionProblem,
          capturedAfterClose: closedAt !== null && Date.parse(r.capturedAt) > Date.parse(closedAt),
          deviceId: r.deviceId,
          capturedAt: r.capturedAt,
          receivedAt: r.receivedAt,
          clockSuspect: r.clockSuspect,
          possibleDuplicate: duplicates.has(r.id),
        };
      }),
    });
  } else if ((m = match(/^\/api\/console\/signatures\/([0-9a-fA-F-]{36})\/svg$/))) {
    allow(method, 'GET');
    const stored = await store.getSignature(m[1]);
    if (!stored) throw new HttpError(404, 'not_found', 'No such signature.');
    res.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'private, no-store', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" });
    res.end(signatureSvg(stored.record));
  } else if ((m = match(/^\/api\/console\/signatures\/([0-9a-fA-F-]{36})$/))) {
    allow(method, 'DELETE');
    // Audited under the signature's own campaign, whichever campaign the console was showing.
    const signature = await store.getSignature(m[1]);
    if (!signature || !(await store.deleteSignature(m[1], now().toISOString()))) throw new HttpError(404, 'not_found', 'No such signature.');
    await audit('delete-signature', { id: m[1], reason: 'data-subject request' }, signature.campaignId);
    res.writeHead(204).end();
  } else if (path === '/api/console/audit') {
    allow(method, 'GET');
    sendJson(res, 200, { entries: await store.auditLog(500, url.searchParams.get('campaign') === null ? undefined : campaignId) });
  } else if ((m = match(/^\/api\/console\/export\/(handin|contacts)\.csv$/))) {
    allow(method, 'GET');
    await serveExport(store, res, m[1] as CsvKind, await exportCampaign(), ctx.exportDb);
    if (method === 'GET') await audit('export-csv', { kind: m[1] });
  } else if (path === '/api/console/export/signatures.zip') {
    allow(method, 'GET');
    await serveExport(store, res, 'zip', await exportCampaign(), ctx.exportDb);
    if (method === 'GET') await audit('export-svg-zip');
  } else if (path === '/api/console/export/handin.pdf') {
    allow(method, 'GET');
    await serveExport(store, res, 'pdf', await exportCampaign(), ctx.exportDb);
    if (method === 'GET') await audit('export-pdf');
  } else if (path === '/api/console/records') {
    // The stored records as they are (sealed ones stay sealed), for the console to open
    // with the coordinator's key in the browser; see sealed-records.ts.
    allow(method, 'GET');
    const after = clampInt(url.searchParams.get('after'), 0, Number.MAX_SAFE_INTEGER, 0);
    const limit = clampInt(url.searchParams.get('limit'), 1, RECORDS_PAGE.max, RECORDS_PAGE.default);
    const campaign = await exportCampaign();
    const page = await recordsPage(store, campaign, after, limit);
    if (method === 'GET' && (after === 0 || !(await downloadedRecordsLately(store, actor, now())))) {
      await audit('download-records', { sealed: !!campaign.content?.sealing });
    }
    sendJson(res, 200, page);
  } else {
    throw new HttpError(404, 'not_found', `No console route ${path.slice(0, 100)}.`);
  }
  return true;
}

/** A records download audited this long ago still covers the pages that follow it. */
const RECORDS_AUDIT_WINDOW_MS = 10 * 60_000;

/**
 * Whether `actor` has a records download in the audit log from the last 10 minutes. Each
 * download is audited once, at its first page (after=0); but a page further on can be asked
 * for directly, so one is audited too unless a download by the same coordinator is that
 * recent: whoever pages from after=1 is still in the log, once per 10 minutes of paging.
 * Only the newest entries are looked at; when they are crowded out, a page is audited again,
 * which errs the safe way.
 */
async function downloadedRecordsLately(store: Store, actor: string, now: Date): Promise<boolean> {
  const since = now.getTime() - RECORDS_AUDIT_WINDOW_MS;
  const entries = await store.auditLog(500);
  return entries.some((e) => e.action === 'download-records' && e.actor === actor && Date.parse(e.at) >= since && Date.parse(e.at) <= now.getTime());
}

/** How long a refused counter is asked to wait before opening its stream again. */
const STREAM_RETRY_S = 30;

/** The refusal of a public stream beyond its cap: 429 for one address, 503 for the server. */
function streamRefusal(reason: 'total' | 'address', slots: StreamSlots): HttpError {
  return reason === 'address'
    ? new HttpError(429, 'rate_limited', `Too many live counters open from this address (at most ${slots.limit.perAddress}). Close one, or use /api/public/count.`, undefined, STREAM_RETRY_S)
    : new HttpError(503, 'unavailable', `The server has as many live counters open as it allows (${slots.limit.total}). Try again in ${STREAM_RETRY_S} s, or use /api/public/count.`, undefined, STREAM_RETRY_S);
}

function allow(method: string, expected: string): void {
  if (method !== expected && !(expected === 'GET' && method === 'HEAD')) throw new HttpError(405, 'method_not_allowed', `Use ${expected}.`);
}

function clampInt(text: string | null, min: number, max: number, fallback: number): number {
  const n = Number(text);
  return text !== null && Number.isInteger(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

/** The origin the browser used, for links in QR codes. */
function origin(req: IncomingMessage): string {
  const host = /^[\w.:[\]-]{1,255}$/.test(req.headers.host ?? '') ? req.headers.host : 'localhost';
  const proto = req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http';
  return `${proto}://${host}`;
}

