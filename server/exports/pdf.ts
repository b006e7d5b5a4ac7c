/**
 * The printable hand-in sheets as PDF: A4, every page headed by the petition title and its
 * demands, then numbered rows of name, country, date and the handwritten signature drawn as
 * vectors. Served by the console (exports/serve.ts, in a worker) and written by the CLI's
 * sealed export (`writePdf`). What each section lists is exports/pdf-sections.ts; the page
 * geometry and the ink drawing are exports/pdf-drawing.ts; text is set by exports/pdf-text/.
 *
 * Memory stays flat however many pages: pdfkit writes each page out when the next one
 * starts, we pause whenever its output waits on a slow client, and `forgetFinishedPages`
 * drops what pdfkit would otherwise keep of every finished page until the end. The event
 * loop gets a turn every few milliseconds: the rows come from `allSignatures`, which paces
 * the loop that draws them (exports/stream.ts).
 */
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import PDFDocument from 'pdfkit';
import { decodeInk, type Ink } from '../../src/shared/ink.ts';
import { countryName, dateSigned } from '../../src/shared/signer-rows.ts';
import { createPdfText, languageOfRegion, normalizeText, type PdfText } from './pdf-text/pdf-text.ts';
import { COLS, CONTENT_W, drawInk, forgetFinishedPages, GREY, MARGIN, PAD, PAGE, pdfBackpressure, ROW_H, rule, RULE_COLOR, SIG_W } from './pdf-drawing.ts';
import {
  NOT_RECORDED, NOT_RECORDED_DETAIL, sectionLine, sectionText, setAsideLine, signatures, UNVERIFIED, UNVERIFIED_DETAIL, type PdfSection,
} from './pdf-sections.ts';
import { coalesce, isAbort, pacer } from './stream.ts';
import type { PaperTotals } from '../../src/shared/api/paper.ts';

export { campaignSections, type PdfSection } from './pdf-sections.ts';

/** The hand-in summary's paper line: counted by hand, apart from the signatures listed. */
export function paperLine(paper: PaperTotals): string {
  const byCountry = paper.byCountry.map((c) => `${c.country ? `${countryName(c.country)} (${c.country})` : 'country not recorded'} ${c.count.toLocaleString('en')}`).join(', ');
  return `Also collected on paper and counted by hand (not listed above, not in the total): ${signatures(paper.total)} on ${paper.sheets.toLocaleString('en')} sheet${paper.sheets === 1 ? '' : 's'}, in ${paper.entries.toLocaleString('en')} count${paper.entries === 1 ? '' : 's'}; by country: ${byCountry}.`;
}

/**
 * The hand-in sheets from any sections to any stream, which it ends. Each section
 * lists at most `count` rows (the signatures stored when the export began; any arriving
 * during it belong to the next one). Resolves with the signatures listed (those drawn before
 * a client left, when one did).
 */
export async function writePdf(
  sections: PdfSection[],
  res: Writable,
  meta: {
    campaignId: string;
    title: string;
    setAside?: ReadonlyArray<{ reason: string; count: number }>;
    /** Signatures collected on paper and counted by hand: named apart, never listed or added in. */
    paper?: PaperTotals;
  },
): Promise<number> {
  const total = sections.reduce((n, s) => n + s.count, 0);
  const doc = new PDFDocument({
    size: 'A4',
    autoFirstPage: false,
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    info: { Title: normalizeText(meta.title), Subject: 'Petition signatures for hand-in', Creator: 'Fieldsign' },
  });
  forgetFinishedPages(doc);
  const pdf: PdfText = await createPdfText(doc);
  // Settles (never rejects, so it cannot go unhandled) when the response is done or broken.
  const sent = pipeline(doc, coalesce(), res).then(
    () => undefined,
    (error: unknown) => error,
  );

  const totalLine = `${signatures(total)} in total`;
  let page = 0;
  let y = 0;
  let section: PdfSection | undefined;

  const footer = () => pdf.write(`Page ${page}`, MARGIN, PAGE.height - MARGIN + 12, CONTENT_W, { size: 7, color: GREY, align: 'center' });

  const newPage = () => {
    doc.addPage();
    page++;
    y = MARGIN;
    const shown = section && sectionText(section);
    if (shown) {
      y += pdf.write(shown.text.title, MARGIN, y, CONTENT_W, { size: 11, bold: true, lang: shown.lang }) + 3;
      shown.text.demands.forEach((d, i) => {
        y += pdf.write(`${i + 1}. ${d}`, MARGIN, y, CONTENT_W, { size: 7, leading: 1.35, lang: shown.lang }) + 1.5;
      });
    } else if (section) {
      y += pdf.write(section.unverified ? UNVERIFIED : NOT_RECORDED(section.version), MARGIN, y, CONTENT_W, { size: 9, bold: true }) + 3;
    }
    if (section) y += pdf.write(sectionLine(section, meta.campaignId), MARGIN, y + 2, CONTENT_W, { size: 6.5, color: GREY }) + 4;
    y += 3;
    pdf.write(totalLine, MARGIN, y, CONTENT_W / 2, { size: 8, bold: true });
    pdf.write(`Page ${page}`, MARGIN + CONTENT_W / 2, y, CONTENT_W / 2, { size: 8, bold: true, align: 'end' });
    y += 14;
    // Column heads.
    rule(doc, y, 0.8, '#000000');
    y += 4;
    let x = MARGIN;
    for (const [label, w] of [['No.', COLS.no], ['Name', COLS.name], ['Country', COLS.country], ['Date signed', COLS.date], ['Signature', SIG_W]] as const) {
      pdf.write(label, x + PAD, y, w - 2 * PAD, { size: 8, bold: true });
      x += w;
    }
    y += 12;
    rule(doc, y, 0.8, '#000000');
    // Footer, below the bottom margin.
    footer();
  };

  // Setting a section's text is the one stretch not paced by the rows: the first PDF of a
  // process loads HarfBuzz and each font face as its paragraphs first need them, which held
  // the event loop for about 100 ms in one piece. A turn between paragraphs splits that up.
  const pace = pacer();

  /** A section opens on a new page with the whole text its signers read: title, introduction, call, demands, closing. */
  const openSection = async (s: PdfSection) => {
    section = s;
    doc.addPage();
    page++;
    y = MARGIN;
    const shown = sectionText(s);
    y += pdf.write(sectionLine(s, meta.campaignId), MARGIN, y, CONTENT_W, { size: 8, color: GREY }) + 8;
    if (!shown) {
      y += pdf.write(s.unverified ? UNVERIFIED : NOT_RECORDED(s.version), MARGIN, y, CONTENT_W, { size: 12, bold: true }) + 6;
      y += pdf.write(s.unverified ? UNVERIFIED_DETAIL : NOT_RECORDED_DETAIL, MARGIN, y, CONTENT_W, { size: 9 }) + 6;
    } else {
      const { text, lang } = shown;
      y += pdf.write(text.title, MARGIN, y, CONTENT_W, { size: 14, bold: true, lang }) + 6;
      for (const paragraph of text.intro) {
        await pace();
        y += pdf.write(paragraph, MARGIN, y, CONTENT_W, { size: 8.5, leading: 1.35, lang }) + 4;
      }
      await pace();
      y += pdf.write(text.call, MARGIN, y, CONTENT_W, { size: 9, bold: true, lang }) + 4;
      for (const [i, d] of text.demands.entries()) {
        await pace();
        y += pdf.write(`${i + 1}. ${d}`, MARGIN, y, CONTENT_W, { size: 8.5, leading: 1.35, lang }) + 3;
      }
      await pace();
      if (text.closing) y += pdf.write(text.closing, MARGIN, y, CONTENT_W, { size: 8.5, leading: 1.35, lang }) + 4;
    }
    footer();
    await pace();
    // The list starts on the next page, headed like every page of the section.
    newPage();
  };

  const bottom = PAGE.height - MARGIN;
  const nameW = COLS.name - 2 * PAD;
  const countryW = COLS.country - 2 * PAD;
  const sigW = SIG_W - 2 * PAD;
  let number = 0;
  let sealed = 0;
  try {
    for (const part of sections) {
      await openSection(part);
      let listed = 0;
      for await (const row of part.rows()) {
        if (listed >= part.count) break;
        listed++;
        number++;
        const p = row.record.payload;
        // A row is as tall as its longest name or country needs: nothing is cut off or runs into the next column.
        const region = p.kind === 'plain' ? p.signer.country : undefined;
        const nameStyle = { size: 9, lang: languageOfRegion(region) };
        const name = p.kind === 'plain' ? pdf.measure(p.signer.name, nameW, nameStyle) : pdf.measure('(sealed signature: encrypted, not readable here)', nameW + COLS.country, { size: 9, italic: true, color: GREY });
        const country = pdf.measure(region ? `${countryName(region)} (${region})` : '', countryW, { size: 8 });
        const typed = p.kind === 'plain' && !p.ink && p.typed ? pdf.measure(p.typed.name, sigW, { size: 13, italic: true, lang: nameStyle.lang }) : undefined;
        const rowH = Math.max(ROW_H, name.height + 2 * PAD, country.height + 2 * PAD, typed ? typed.height + 21 : 0);
        if (y + rowH > bottom) {
          await pdfBackpressure(doc, res);
          newPage();
        }
        const top = y + PAD;
        let x = MARGIN;
        pdf.write(String(number), x + PAD, top, COLS.no - 2 * PAD, { size: 8 });
        x += COLS.no;
        pdf.draw(name, x + PAD, top);
        if (p.kind === 'plain') {
          x += COLS.name;
          pdf.draw(country, x + PAD, top);
          x += COLS.country;
          pdf.write(dateSigned(row), x + PAD, top, COLS.date - 2 * PAD, { size: 8 });
          x += COLS.date;
          if (p.ink) {
            let ink: Ink | undefined;
            try {
              ink = decodeInk(p.ink);
            } catch {
              pdf.write('(signature unreadable)', x + PAD, top, sigW, { size: 8, color: GREY });
            }
            if (ink) drawInk(doc, ink, x + PAD, y + 2, sigW, ROW_H - 4);
          } else if (typed) {
            pdf.draw(typed, x + PAD, y + 6);
            pdf.write('typed, with attestation', x + PAD, y + rowH - 10, sigW, { size: 5.5, color: GREY });
          }
        } else {
          sealed++;
          x += COLS.name + COLS.country;
          pdf.write(dateSigned(row), x + PAD, top, COLS.date - 2 * PAD, { size: 8 });
        }
        y += rowH;
        rule(doc, y, 0.4, RULE_COLOR);
      }
    }
    const listPages = page;
    if (page === 0 || y + (meta.paper?.entries ? 96 : 48) > bottom) {
      section = undefined;
      newPage();
    }
    const end =
      number === 0
        ? 'No signatures yet.'
        : `End of list: ${signatures(number)} in ${sections.length} part${sections.length === 1 ? '' : 's'} (one per version and language) on ${listPages.toLocaleString('en')} page${listPages === 1 ? '' : 's'}` +
          (sealed
            ? `, of which ${sealed.toLocaleString('en')} sealed (encrypted, not readable here: open them with the coordinator's key in the console, or with "npm run cli -- export").`
            : '.');
    const apart = setAsideLine(meta.setAside ?? []);
    y += 12 + pdf.write(apart ? `${end} ${apart}` : end, MARGIN, y + 12, CONTENT_W, { size: 9, bold: true });
    // Paper signatures are not in the list: the summary says how many, labelled as paper, never added in.
    if (meta.paper?.entries) pdf.write(paperLine(meta.paper), MARGIN, y + 8, CONTENT_W, { size: 9 });
    doc.end();
    const error = await sent;
    if (error) throw error;
  } catch (error) {
    if (!doc.destroyed) doc.destroy();
    if (!isAbort(error, res)) throw error;
  }
  return number;
}
