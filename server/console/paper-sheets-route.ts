/**
 * GET /api/console/export/paper-sheets.pdf?campaign=&lang=&pages=: blank sheets for
 * handwritten signatures (exports/paper-sheets.ts), of the campaign's latest published
 * version only (a draft's words are not yet the petition). Served like every export
 * (exports/serve.ts: in a worker thread when the database allows). They hold no personal
 * data, but the download is audited like every export: the log shows which sheets went out.
 */
import { LANGUAGES, type Language } from '../../src/shared/campaign.ts';
import { currentContent } from '../campaigns.ts';
import { PAPER_SHEETS } from '../exports/paper-sheets.ts';
import { serveExport } from '../exports/serve.ts';
import { HttpError } from '../http-reply.ts';
import { campaignOf, isHead, type Ctx } from '../routes/context.ts';
import { auditDownload } from './signature-routes.ts';

export async function exportPaperSheets(c: Ctx): Promise<Response> {
  const { store, exportDb } = c.var.app;
  const campaignId = campaignOf(c);
  const content = await currentContent(store, campaignId);
  if (!content) throw new HttpError(404, 'not_found', `The campaign "${campaignId}" has no published version: publish it before printing sheets.`);
  const asked = c.req.query('lang') ?? content.defaultLanguage;
  if (!(LANGUAGES as readonly string[]).includes(asked) || !content.languages.includes(asked as Language)) {
    throw new HttpError(400, 'bad_request', `The published version of "${campaignId}" has no text in "${asked.slice(0, 16)}": use one of ${content.languages.join(', ')}.`);
  }
  const lang = asked as Language;
  const pagesText = c.req.query('pages');
  const pages = pagesText === undefined ? PAPER_SHEETS.default : Number(pagesText);
  if (!Number.isInteger(pages) || pages < 1 || pages > PAPER_SHEETS.max) {
    throw new HttpError(400, 'bad_request', `pages is how many sheets to print: a whole number from 1 to ${PAPER_SHEETS.max}.`);
  }
  const campaign = { id: campaignId, content, versionHashes: new Map<number, string | null>() };
  const { response, finished } = serveExport(store, 'paper-sheets', campaign, { head: isHead(c), db: exportDb, sheets: { lang, pages } });
  if (!isHead(c)) auditDownload(c, finished, 'export-paper-sheets', { kind: 'paper-sheets', version: content.version, lang, pages });
  return response;
}
