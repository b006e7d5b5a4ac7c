/**
 * Blank paper-collection sheets (issue 17): A4 pages for wet-ink signatures, for the bodies
 * that accept only those (the UK House of Commons, the Canadian and Australian parliaments).
 * Every sheet carries the petition's whole text as published in one language (title,
 * introduction, call, demands, closing), then numbered rows with Name, Address and Signature
 * columns, and a footer naming the campaign, version, language and the version's text
 * SHA-256, "Sheet n of N" and a blank "Collected at / by" line. Arabic sheets read right to
 * left: the columns are mirrored and the text is set from the right.
 *
 * Text is set by exports/pdf-text/ (fonts, shaping, bidi, wrapping) and the page geometry is
 * exports/pdf-drawing.ts; the words of the sheet itself are exports/paper-sheet-labels.ts.
 */
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import PDFDocument from 'pdfkit';
import { campaignText, RTL_LANGUAGES, type Campaign, type Language } from '../../src/shared/campaign.ts';
import { contentHash } from '../../src/shared/campaigns.ts';
import { PAPER_SHEETS } from '../../src/shared/api/paper-sheets.ts';
import { CONTENT_W, forgetFinishedPages, GREY, MARGIN, PAD, PAGE, pdfBackpressure, rule, RULE_COLOR } from './pdf-drawing.ts';
import { createPdfText, normalizeText, type PdfText, type TextStyle } from './pdf-text/pdf-text.ts';
import { LANGUAGE_NAMES, PAPER_SHEET_LABELS } from './paper-sheet-labels.ts';
import { coalesce, isAbort, pacer } from './stream.ts';

export { PAPER_SHEETS };

/** The petition text's size: as large as leaves room for MIN_ROWS rows, never below the readable minimum. */
const TEXT_SIZES = [9.5, 9, 8.5, 8, 7.5, 7];
const MIN_ROWS = 6;
/** A row tall enough to write a name in by hand. */
const ROW_H = 30;
const HEAD_H = 16;
const FOOTER_H = 30;
/** Where rows and text stop: above the footer. */
const BOTTOM = PAGE.height - MARGIN - FOOTER_H;
/** The columns, left to right on a left-to-right sheet (mirrored on a right-to-left one). */
const COLUMNS = [
  { key: 'number', w: 28 },
  { key: 'name', w: 150 },
  { key: 'address', w: 200 },
  { key: 'signature', w: CONTENT_W - 28 - 150 - 200 },
] as const;

/** The language asked for is not one the published version has a text in. */
export class UnknownSheetLanguage extends Error {}

/**
 * Write `pages` sheets (1 to 500; 10 unless given) of `content` in `lang` to `out`, which it
 * ends. A sheet is one page, or two when the text needs a page of its own (then print both
 * sides). Throws UnknownSheetLanguage before writing anything when `lang` has no text.
 */
export async function writePaperSheets(content: Campaign, lang: Language, out: Writable, options: { pages?: number } = {}): Promise<void> {
  if (!content.languages.includes(lang) || !content.text[lang]) {
    throw new UnknownSheetLanguage(`The campaign has no text in "${lang}"; it has ${content.languages.join(', ')}.`);
  }
  const sheets = Math.min(PAPER_SHEETS.max, Math.max(1, Math.floor(options.pages ?? PAPER_SHEETS.default)));
  const text = campaignText(content, lang);
  const labels = PAPER_SHEET_LABELS[lang];
  const rtl = RTL_LANGUAGES.has(lang);
  const hash = await contentHash(content);

  const doc = new PDFDocument({
    size: 'A4',
    autoFirstPage: false,
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    info: { Title: normalizeText(text.title), Subject: 'Petition sheets for handwritten signatures', Creator: 'Fieldsign' },
  });
  forgetFinishedPages(doc);
  const pdf: PdfText = await createPdfText(doc);
  // Settles (never rejects, so it cannot go unhandled) when the response is done or broken.
  const sent = pipeline(doc, coalesce(), out).then(
    () => undefined,
    (error: unknown) => error,
  );

  // The text's paragraphs, each with its style at a given size.
  const paragraphs = (size: number): Array<{ text: string; style: TextStyle; gap: number }> => {
    const body = { size, leading: 1.35, lang };
    return [
      { text: text.title, style: { size: size + 4, bold: true, lang }, gap: 6 },
      ...text.intro.map((p) => ({ text: p, style: body, gap: 4 })),
      { text: text.call, style: { ...body, bold: true }, gap: 4 },
      ...text.demands.map((d, i) => ({ text: `${i + 1}. ${d}`, style: body, gap: 3 })),
      ...(text.closing ? [{ text: text.closing, style: body, gap: 4 }] : []),
    ];
  };
  const textHeight = (size: number) => paragraphs(size).reduce((h, p) => h + pdf.measure(p.text, CONTENT_W, p.style).height + p.gap, 0);
  const rowsRoom = (textH: number) => BOTTOM - MARGIN - textH - 8 - HEAD_H;
  // The whole text is on every sheet, not only the first: sheets are handed round, signed and
  // filed one by one, and the bodies that take them count a signature only under the words it
  // was given under. So the text shrinks (to 7 pt at the least) to leave room for rows; if even
  // then it does not, it takes a page of its own and the rows follow on the next.
  const size = TEXT_SIZES.find((s) => rowsRoom(textHeight(s)) >= MIN_ROWS * ROW_H) ?? TEXT_SIZES.at(-1)!;
  const ownPage = rowsRoom(textHeight(size)) < MIN_ROWS * ROW_H;

  /** A column's left edge: mirrored on a right-to-left sheet. */
  const left = (i: number) => {
    const x = MARGIN + COLUMNS.slice(0, i).reduce((sum, c) => sum + c.w, 0);
    return rtl ? MARGIN + CONTENT_W - (x - MARGIN) - COLUMNS[i].w : x;
  };

  const footer = (sheet: number) => {
    const y = BOTTOM + 8;
    const blank = '____________________';
    pdf.write(`${labels.collectedAt}: ${blank}   ${labels.collectedBy}: ${blank}`, MARGIN, y, CONTENT_W, { size: 8, lang });
    const facts = `${labels.campaign} ${content.id} · ${labels.version} ${content.version} · ${labels.language}: ${LANGUAGE_NAMES[lang]} · ${labels.textHash} ${hash}`;
    pdf.write(facts, rtl ? MARGIN + CONTENT_W * 0.2 : MARGIN, y + 13, CONTENT_W * 0.8, { size: 6.5, color: GREY, lang });
    const sheetLine = labels.sheet(sheet, sheets);
    pdf.write(sheetLine, rtl ? MARGIN : MARGIN + CONTENT_W * 0.8, y + 13, CONTENT_W * 0.2, { size: 6.5, bold: true, lang, align: rtl ? 'start' : 'end' });
  };

  const newPage = async (sheet: number) => {
    await pdfBackpressure(doc, out);
    doc.addPage();
    footer(sheet);
    return MARGIN;
  };

  const pace = pacer();
  try {
    for (let sheet = 1; sheet <= sheets; sheet++) {
      let y = await newPage(sheet);
      for (const p of paragraphs(size)) {
        const box = pdf.measure(p.text, CONTENT_W, p.style);
        if (y + box.height > BOTTOM) y = await newPage(sheet); // only when the text has pages of its own
        pdf.draw(box, MARGIN, y);
        y += box.height + p.gap;
      }
      if (ownPage) y = await newPage(sheet);
      y += 8;
      // Column heads.
      rule(doc, y, 0.8, '#000000');
      COLUMNS.forEach((c, i) => pdf.write(labels[c.key], left(i) + PAD, y + 4, c.w - 2 * PAD, { size: 8, bold: true, lang, align: c.key === 'number' ? 'center' : 'start' }));
      y += HEAD_H;
      rule(doc, y, 0.8, '#000000');
      const top = y - HEAD_H;
      const rows = Math.floor((BOTTOM - y) / ROW_H);
      for (let row = 1; row <= rows; row++) {
        pdf.write(String(row), left(0) + PAD, y + PAD + 6, COLUMNS[0].w - 2 * PAD, { size: 8, color: GREY, align: 'center' });
        y += ROW_H;
        rule(doc, y, 0.4, RULE_COLOR);
      }
      // Lines between the columns, from the heads to the last row.
      for (let i = 1; i < COLUMNS.length; i++) {
        const x = rtl ? left(i) + COLUMNS[i].w : left(i);
        doc.moveTo(x, top).lineTo(x, y).lineWidth(0.4).stroke(RULE_COLOR);
      }
      await pace();
    }
    doc.end();
    const error = await sent;
    if (error) throw error;
  } catch (error) {
    if (!doc.destroyed) doc.destroy();
    if (!isAbort(error, out)) throw error;
  }
}
