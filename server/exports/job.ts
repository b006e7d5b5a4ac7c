/**
 * One export, as a job that runs anywhere: in the request's own thread, or in a worker thread
 * of its own (exports/worker.ts). Writes the body only; the HTTP headers are the caller's.
 */
import type { Writable } from 'node:stream';
import type { Store } from '../store/store.ts';
import { allSignatures, type ExportCampaign } from './stream.ts';
import { writeCsv } from './csv.ts';
import type { ExportKind } from './formats.ts';
import { writeSvgZip } from './zip.ts';
import { campaignSections, writePdf } from './pdf.ts';
import { campaignText, type Language } from '../../src/shared/campaign.ts';
import { writePaperSheets } from './paper-sheets.ts';

export type { ExportKind } from './formats.ts';

/** What a worker is given: plain data only (a Map does not cross threads as is). */
export interface ExportJob {
  kind: ExportKind;
  campaign: Omit<ExportCampaign, 'versionHashes'> & { versionHashes: Array<[number, string | null]> };
  /** Blank paper sheets: of `campaign.content` (the published version), in which language, how many. */
  sheets?: { lang: Language; pages: number };
}

export function jobOf(kind: ExportKind, campaign: ExportCampaign, sheets?: ExportJob['sheets']): ExportJob {
  return { kind, campaign: { ...campaign, versionHashes: [...(campaign.versionHashes ?? new Map())] }, ...(sheets && { sheets }) };
}

/** Write the export's body to `out`, which it ends. */
export async function runExport(store: Store, job: ExportJob, out: Writable): Promise<void> {
  const campaign: ExportCampaign = { ...job.campaign, versionHashes: new Map(job.campaign.versionHashes) };
  if (job.kind === 'handin' || job.kind === 'contacts') {
    return writeCsv(allSignatures(store, { campaignId: campaign.id }, campaign.versionHashes), out, job.kind);
  }
  if (job.kind === 'zip') return writeSvgZip(allSignatures(store, { campaignId: campaign.id }), out);
  if (job.kind === 'paper-sheets') {
    if (!campaign.content || !job.sheets) throw new Error('Paper sheets need a published text, a language and a number of sheets.');
    return writePaperSheets(campaign.content, job.sheets.lang, out, { pages: job.sheets.pages });
  }
  const title = campaign.content ? campaignText(campaign.content, campaign.content.defaultLanguage).title : campaign.id;
  return writePdf(await campaignSections(store, campaign), out, { campaignId: campaign.id, title });
}
