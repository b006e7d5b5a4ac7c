/**
 * One export, as a job that runs anywhere: in the request's own thread, or in a worker thread
 * of its own (exports/worker.ts). Writes the body only; the HTTP headers are the caller's.
 */
import type { Writable } from 'node:stream';
import type { Store, StoredSignature } from '../store/store.ts';
import { allSignatures, type ExportCampaign } from './stream.ts';
import { writeCsv } from './csv.ts';
import type { ExportKind } from './formats.ts';
import { writeSvgZip } from './zip.ts';
import { campaignSections, writePdf } from './pdf.ts';
import { handinFacts } from './handin-facts.ts';
import { campaignPaperTotals } from '../paper.ts';
import { campaignText, type Language } from '../../src/shared/campaign.ts';
import { writeHandinPackage, type HandinOptions } from './handin-package.ts';
import { writePaperSheets } from './paper-sheets.ts';

export type { ExportKind } from './formats.ts';

/** What a worker is given: plain data only (a Map does not cross threads as is). */
export interface ExportJob {
  kind: ExportKind;
  campaign: Omit<ExportCampaign, 'versionHashes'> & { versionHashes: Array<[number, string | null]> };
  /** The hand-in package's profile (and language), for that kind only. */
  handin?: Pick<HandinOptions, 'profile' | 'lang'>;
  /** Blank paper sheets: of `campaign.content` (the published version), in which language, how many. */
  sheets?: { lang: Language; pages: number };
}

/** What some kinds take besides the campaign. */
export type JobOptions = Pick<ExportJob, 'handin' | 'sheets'>;

export function jobOf(kind: ExportKind, campaign: ExportCampaign, options: JobOptions = {}): ExportJob {
  return { kind, campaign: { ...campaign, versionHashes: [...(campaign.versionHashes ?? new Map())] }, ...options };
}

/**
 * Write the export's body to `out`, which it ends; resolves with the signers' rows it carried
 * (the audit log records how many): CSV lines, SVG files, PDF rows. Blank paper sheets carry
 * none.
 */
export async function runExport(store: Store, job: ExportJob, out: Writable): Promise<number> {
  const campaign: ExportCampaign = { ...job.campaign, versionHashes: new Map(job.campaign.versionHashes) };
  // Signatures set aside in review are left out of the hand-in (CSV, drawings, PDF).
  if (job.kind === 'handin') return writeCsv(allSignatures(store, { campaignId: campaign.id, setAside: false }, campaign.versionHashes), out, job.kind);
  if (job.kind === 'contacts') return writeCsv(stillContactable(allSignatures(store, { campaignId: campaign.id }, campaign.versionHashes)), out, job.kind);
  if (job.kind === 'zip') return writeSvgZip(allSignatures(store, { campaignId: campaign.id, setAside: false }), out);
  if (job.kind === 'handin-package') return writeHandinPackage(store, campaign, out, job.handin ?? { profile: 'informal' });
  if (job.kind === 'paper-sheets') {
    if (!campaign.content || !job.sheets) throw new Error('Paper sheets need a published text, a language and a number of sheets.');
    await writePaperSheets(campaign.content, job.sheets.lang, out, { pages: job.sheets.pages });
    return 0;
  }
  const title = campaign.content ? campaignText(campaign.content, campaign.content.defaultLanguage).title : campaign.id;
  const facts = await handinFacts(store, campaign.id);
  return writePdf(await campaignSections(store, campaign), out, { campaignId: campaign.id, title, setAside: facts.setAside, paper: await campaignPaperTotals(store, campaign.id) });
}

/**
 * A signature set aside as a test, or withdrawn by its signer, is no one to contact; one set
 * aside as a duplicate, unreadable or for another reason is still a person who opted in.
 */
const NOT_CONTACTED: ReadonlySet<string> = new Set(['test', 'withdrawn']);
async function* stillContactable<T extends StoredSignature>(rows: AsyncIterable<T>): AsyncGenerator<T> {
  for await (const row of rows) if (!row.setAside || !NOT_CONTACTED.has(row.setAside.reason)) yield row;
}
