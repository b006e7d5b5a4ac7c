// INTEGRATE: replaced by SHEETS
/** The blank paper collection sheets as PDF: here a one-page placeholder with the petition's title. */
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import PDFDocument from 'pdfkit';
import { campaignText, type Campaign, type Language } from '../../src/shared/campaign.ts';

/** Write the blank sheets for `lang` to `out`, which it ends. */
export async function writePaperSheets(content: Campaign, lang: Language, out: Writable, options: { pages?: number } = {}): Promise<void> {
  const doc = new PDFDocument({ size: 'A4', info: { Title: 'Paper collection sheet', Creator: 'Fieldsign' } });
  const done = pipeline(doc, out);
  for (let page = 0; page < (options.pages ?? 1); page++) {
    if (page > 0) doc.addPage();
    doc.fontSize(14).text(`${content.id} (${lang})`);
    doc.fontSize(10).text(`Paper collection sheet: ${campaignText(content, lang).title.normalize('NFKD').replace(/[^\x20-\x7e]/g, '')}`);
  }
  doc.end();
  await done;
}
