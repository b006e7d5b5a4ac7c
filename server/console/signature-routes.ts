/**
 * The console's signature routes: the searchable list, one signature's drawing, deletion on
 * a data-subject request, the exports (streamed downloads, exports/serve.ts) and the stored
 * records as they are (sealed-records.ts). Every one of them is audited where it reads or
 * removes personal data. The session is checked by middleware before any of these runs.
 */
import type { CsvKind } from '../exports/formats.ts';
import type { ExportKind } from '../exports/job.ts';
import { serveExport } from '../exports/serve.ts';
import { signatureSvg } from '../exports/signature-svg.ts';
import { organisationKey, publicKeyFile } from '../exports/handin-key.ts';
import * as z from 'zod/mini';
import { HandinPackageQuery, type HandinProfile } from '../../src/shared/api/handin.ts';
import type { Language } from '../../src/shared/campaign.ts';
import { HttpError, answer } from '../http-reply.ts';
import { api } from '../../src/shared/api/endpoints.ts';
import type { Store } from '../store/store.ts';
import { actorOf, audit, campaignOf, intParam, isHead, paramsOf, type Ctx } from '../routes/context.ts';
import { RECORDS_PAGE, recordsPage } from './sealed-records.ts';
import { mayReach } from './session.ts';

/** GET /api/console/signatures: one page of the campaign's signatures, searched and filtered. */
export async function listSignatures(c: Ctx): Promise<Response> {
  const { store } = c.var.app;
  const campaignId = campaignOf(c);
  const q = (c.req.query('q') ?? '').slice(0, 200);
  const offset = intParam(c, 'offset', 0, 1e9, 0);
  const limit = intParam(c, 'limit', 1, 200, 50);
  // Cursors (a row's seq) page by index range however deep; `offset` is then only echoed,
  // for the "showing 26–50" line. Without a cursor, `offset` pages as before.
  const cursor = (name: string) => (c.req.query(name) !== undefined ? intParam(c, name, 0, Number.MAX_SAFE_INTEGER, 0) : undefined);
  const duplicatesOnly = c.req.query('duplicates') === '1';
  const problemsOnly = c.req.query('problems') === '1';
  const version = c.req.query('version') !== undefined ? intParam(c, 'version', 0, 1e9, 0) : undefined;
  const lang = c.req.query('lang')?.slice(0, 8) || undefined;
  const setAsideParam = c.req.query('setAside');
  const setAside = setAsideParam === 'only' ? true : setAsideParam === 'exclude' ? false : undefined;
  const search = { q, offset, limit, before: cursor('before'), after: cursor('after'), duplicatesOnly, problemsOnly, campaignId, version, lang, setAside };
  const { total, rows, totalCapped } = await store.searchSignatures(search);
  const duplicates = await store.duplicateIds(rows.map((r) => r.id));
  const closedAt = (await store.getCampaign(campaignId))?.closedAt ?? null;
  return answer(api.signatures, 200, {
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
        setAside: r.setAside,
      };
    }),
  });
}

/** GET /api/console/signatures/:id/svg: the drawn signature, under a CSP of its own. */
export async function signatureDrawing(c: Ctx): Promise<Response> {
  const stored = await c.var.app.store.getSignature(paramsOf(c, api.signatureSvg).id);
  // A signature of a campaign this account cannot see is, to it, no signature at all.
  if (!stored || !mayReach(c, 'personal', stored.campaignId)) throw new HttpError(404, 'not_found', 'No such signature.');
  return new Response(signatureSvg(stored.record), {
    status: 200,
    headers: { 'content-type': 'image/svg+xml', 'cache-control': 'private, no-store', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" },
  });
}

/** DELETE /api/console/signatures/:id: a data-subject request, audited under the signature's own campaign. */
export async function deleteSignature(c: Ctx): Promise<Response> {
  const { store, now } = c.var.app;
  const { id } = paramsOf(c, api.deleteSignature);
  const signature = await store.getSignature(id);
  if (!signature || !mayReach(c, 'personal', signature.campaignId) || !(await store.deleteSignature(id, now().toISOString()))) throw new HttpError(404, 'not_found', 'No such signature.');
  await audit(c, 'delete-signature', { id, reason: 'data-subject request' }, signature.campaignId);
  return new Response(null, { status: 204 });
}

/** What an export of this request's campaign needs: its id, and its current text when it has one. */
async function exportCampaign(c: Ctx) {
  const { store, campaignContent } = c.var.app;
  const campaignId = campaignOf(c);
  if (!(await store.getCampaign(campaignId)) && !(await store.count(campaignId))) throw new HttpError(404, 'not_found', `There is no campaign "${campaignId}".`);
  const versionHashes = new Map((await store.campaignVersions(campaignId)).map((v) => [v.version, v.hash]));
  return { id: campaignId, content: await campaignContent(campaignId), versionHashes };
}

/**
 * Audit a download once it was written whole, or the client left: `action` with its kind and
 * the signers' rows it carried (`rows`; null when the client left before the end, and how far
 * it got is not known), of the request's campaign unless told another. A failure part-way is logged; the client
 * sees the body break off.
 */
export function auditDownload(
  c: Ctx,
  finished: Promise<number | null>,
  action: string,
  detail: Record<string, unknown> & { kind: string },
  campaign: string | null = campaignOf(c),
): void {
  const { log } = c.var.app;
  finished.then(
    (rows) => audit(c, action, { ...detail, rows }, campaign).catch((error: unknown) => log(`Auditing the download ${c.req.path} failed`, error)),
    (error: unknown) => log(`GET ${c.req.path} failed`, error),
  );
}

/** A download route: streams the export, and audits it (auditDownload). */
function download(kind: ExportKind, action: string, detail: Record<string, unknown> | ((c: Ctx) => Record<string, unknown>) = {}) {
  return async (c: Ctx): Promise<Response> => {
    const { store, exportDb } = c.var.app;
    const handin = kind === 'handin-package' ? handinChoice(c) : undefined;
    // Made (once) before the worker starts, so that a package never races another for the key.
    if (handin && !isHead(c)) await organisationKey(store);
    const { response, finished } = serveExport(store, kind, await exportCampaign(c), { head: isHead(c), db: exportDb, handin });
    if (!isHead(c)) auditDownload(c, finished, action, { kind, ...(typeof detail === 'function' ? detail(c) : detail) });
    return response;
  };
}

/** GET /api/console/export/handin.csv and contacts.csv. */
export const exportCsv = (kind: CsvKind) => download(kind, 'export-csv');
/** GET /api/console/export/signatures.zip: every drawing as an SVG. */
export const exportZip = download('zip', 'export-svg-zip');
/** GET /api/console/export/handin.pdf: the hand-in document. */
export const exportPdf = download('pdf', 'export-pdf');

/** The hand-in package's profile and language, from the query; 400 for one there is not. */
function handinChoice(c: Ctx): { profile: HandinProfile; lang?: Language } {
  const parsed = z.safeParse(HandinPackageQuery, { campaign: c.req.query('campaign'), profile: c.req.query('profile'), lang: c.req.query('lang') });
  if (!parsed.success) throw new HttpError(400, 'bad_request', 'profile must be informal, per-country or paper, and lang one of the campaign languages.');
  const query = parsed.data;
  return { profile: query.profile ?? 'informal', ...(query.lang && { lang: query.lang }) };
}

/** GET /api/console/export/handin-package.zip: the signed hand-in package (exports/handin-package.ts). */
export const exportHandinPackage = download('handin-package', 'export-handin-package', (c) => handinChoice(c));

/** GET /api/console/handin-key: the organisation's public key and fingerprint (made on first use). */
export async function handinKey(c: Ctx): Promise<Response> {
  return answer(api.handinKey, 200, publicKeyFile((await organisationKey(c.var.app.store)).publicJwk));
}

/**
 * GET /api/console/records: the stored records as they are (sealed ones stay sealed), for the
 * console to open with the coordinator's key in the browser; see sealed-records.ts.
 */
export async function records(c: Ctx): Promise<Response> {
  const { store, now } = c.var.app;
  const after = intParam(c, 'after', 0, Number.MAX_SAFE_INTEGER, 0);
  const limit = intParam(c, 'limit', 1, RECORDS_PAGE.max, RECORDS_PAGE.default);
  const campaign = await exportCampaign(c);
  const page = await recordsPage(store, campaign, after, limit);
  if (!isHead(c) && (after === 0 || !(await downloadedRecordsLately(store, actorOf(c), now())))) {
    // Audited at its first page, a download's rows are what the campaign holds then: the most it can carry.
    await audit(c, 'download-records', { kind: 'records', sealed: !!campaign.content?.sealing, rows: await store.count(campaign.id) });
  }
  return answer(api.records, 200, page);
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
