/**
 * The printable hand-in sheets as PDF: A4, every page headed by the petition title and its
 * demands, then numbered rows of name, country, date and the handwritten signature drawn as
 * vectors. Served by the console (exports/serve.ts, in a worker) and written by the CLI's sealed export
 * (`writePdf`).
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
import { campaignText, type Campaign, type CampaignText, type Language } from '../../src/shared/campaign.ts';
import { decodeInk, type Ink } from '../../src/shared/ink.ts';
import { countryName, dateSigned, type RowSource } from '../../src/shared/signer-rows.ts';
import type { Store } from '../store/store.ts';
import { createPdfText, languageOfRegion, normalizeText, type PdfText } from '../pdf-text/pdf-text.ts';
import { allSignatures, coalesce, drained, ExportAborted, isAbort, type ExportCampaign } from './stream.ts';

const NOT_RECORDED = (version: number) => `Version ${version}: text not recorded`;
const UNVERIFIED = 'Signatures that match no published text';
const UNVERIFIED_DETAIL =
  'These signers named a version this server never published, or the text their tablet showed differs from the version it names ' +
  '(another content hash). They are kept and counted, but no petition text is printed over them: check them in the console first.';
const NOT_RECORDED_DETAIL =
  'This server does not hold the text these signers were shown: they signed under this version before the server kept ' +
  'the text of every version. No text is printed here, so that no one is listed under words they may not have seen.';


/**
 * Text. Names come in every script, so all text is set by server/pdf-text (Noto fonts from
 * our own install, HarfBuzz shaping, the bidi algorithm, fallback from font to font, wrapping
 * inside the column), not by pdfkit's text(), which knows neither bidi nor font fallback.
 */
const PAGE = { width: 595.28, height: 841.89 }; // A4 in points
const MARGIN = 36;
const CONTENT_W = PAGE.width - 2 * MARGIN;
const ROW_H = 44;
const PAD = 4;
const COLS = { no: 34, name: 146, country: 104, date: 66 };
const SIG_W = CONTENT_W - COLS.no - COLS.name - COLS.country - COLS.date;
const INK_COLOR = '#1a1a2e';
const RULE_COLOR = '#b8b8c4';
/** How many PDF bytes may wait in pdfkit's buffer before we let the socket catch up. */
const PDF_BUFFER_LIMIT = 1 << 20;

/**
 * Pause while pdfkit's output is backed up behind a slow client. pdfkit pushes its output
 * whatever the reader's pace, so its readable buffer is what grows; wait for the socket.
 */
async function pdfBackpressure(doc: PDFKit.PDFDocument, res: Writable): Promise<void> {
  while (doc.readableLength > PDF_BUFFER_LIMIT) {
    if (res.destroyed) throw new ExportAborted();
    if (res.writableNeedDrain) await drained(res);
    else await new Promise((resolve) => setImmediate(resolve));
  }
  if (res.destroyed) throw new ExportAborted();
}

/** What `forgetFinishedPages` reaches inside pdfkit: the page tree's list of page references. */
interface PageTree {
  _root?: { data?: { Pages?: { data?: { Kids?: Array<{ id: number }> } } } };
}

/**
 * pdfkit keeps every finished page's dictionary in the page tree until the document ends
 * (and through it the page's content and resources objects: about 1 KB a page, 60 MB at
 * 1,000,000 signatures), only to write "<id> 0 R" for each at the end. Once a page has been
 * written out (the next one has started), swap it for a reference that knows only its id.
 */
function forgetFinishedPages(doc: PDFKit.PDFDocument): void {
  let light: object | undefined;
  doc.on('pageAdded', () => {
    const kids = (doc as unknown as PageTree)._root?.data?.Pages?.data?.Kids;
    const finished = kids?.[kids.length - 2];
    if (!kids || !finished || !('data' in finished)) return; // none yet, or already light
    // pdfkit writes any PDFAbstractReference (the prototype of its references) as toString() says.
    light ??= Object.create(Object.getPrototypeOf(Object.getPrototypeOf(finished)) as object, {
      toString: { value: function (this: { id: number }) { return `${this.id} 0 R`; } },
    }) as object;
    kids[kids.length - 2] = Object.assign(Object.create(light) as { id: number }, { id: finished.id });
  });
}

/**
 * Simplify a polyline (Ramer–Douglas–Peucker), keeping every point that deviates more than
 * `tolerance` from the chord. At hand-in-sheet scale most samples of a smooth pen stroke are
 * redundant; dropping them keeps a 100,000-signature PDF a reasonable size.
 */
export function simplify(points: Array<{ x: number; y: number }>, tolerance: number): Array<{ x: number; y: number }> {
  const n = points.length;
  if (n <= 2) return points.slice();
  const keep = new Uint8Array(n);
  keep[0] = keep[n - 1] = 1;
  const stack: Array<[number, number]> = [[0, n - 1]];
  const tol2 = tolerance * tolerance;
  while (stack.length) {
    const [a, b] = stack.pop()!;
    const ax = points[a].x, ay = points[a].y;
    const dx = points[b].x - ax, dy = points[b].y - ay;
    const len2 = dx * dx + dy * dy;
    let worst = -1, worstD = tol2;
    for (let i = a + 1; i < b; i++) {
      const px = points[i].x - ax, py = points[i].y - ay;
      let d2: number;
      if (len2 === 0) d2 = px * px + py * py;
      else {
        const t = Math.max(0, Math.min(1, (px * dx + py * dy) / len2));
        const ex = px - t * dx, ey = py - t * dy;
        d2 = ex * ex + ey * ey;
      }
      if (d2 > worstD) {
        worst = i;
        worstD = d2;
      }
    }
    if (worst >= 0) {
      keep[worst] = 1;
      stack.push([a, worst], [worst, b]);
    }
  }
  return points.filter((_, i) => keep[i]);
}

const r2 = (n: number) => Math.round(n * 100) / 100;

/** Draw the strokes as vectors, scaled to fit and centred in the box. */
function drawInk(doc: PDFKit.PDFDocument, ink: Ink, x: number, y: number, w: number, h: number): void {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const stroke of ink.strokes) {
    for (const p of stroke) {
      if (p.x < minX) minX = p.x;
      if (p.x > maxX) maxX = p.x;
      if (p.y < minY) minY = p.y;
      if (p.y > maxY) maxY = p.y;
    }
  }
  if (!Number.isFinite(minX)) return;
  const bw = Math.max(maxX - minX, 1), bh = Math.max(maxY - minY, 1);
  // Fit the drawn part, but never blow a tiny scribble up past 3× the whole-canvas scale.
  const canvasScale = Math.min(w / ink.width, h / ink.height);
  const scale = Math.min(w / bw, h / bh, canvasScale * 3);
  const ox = x + (w - bw * scale) / 2 - minX * scale;
  const oy = y + (h - bh * scale) / 2 - minY * scale;
  for (const stroke of ink.strokes) {
    const pts = simplify(stroke.map((p) => ({ x: ox + p.x * scale, y: oy + p.y * scale })), 0.12);
    doc.moveTo(r2(pts[0].x), r2(pts[0].y));
    if (pts.length === 1) doc.lineTo(r2(pts[0].x) + 0.01, r2(pts[0].y)); // a tap: a round dot
    for (let i = 1; i < pts.length; i++) doc.lineTo(r2(pts[i].x), r2(pts[i].y));
  }
  doc.lineWidth(0.9).lineCap('round').lineJoin('round').stroke(INK_COLOR);
}

/**
 * One section of the sheets: the signers of one version in one language, headed by the exact
 * text they read. `content` is null when that version's text was never recorded (a database
 * upgraded from release 0.1.0): the section then says so instead of printing a text those
 * signers may not have seen.
 */
export interface PdfSection {
  version: number;
  /** The language they read it in; null when the record names none (0.1.0 tablets). */
  lang: Language | null;
  content: Campaign | null;
  hash: string | null;
  count: number;
  rows: () => AsyncIterable<RowSource>;
  /** The signatures that match no published text (S26): listed apart, under no petition text. */
  unverified?: true;
}

/**
 * The sections of a campaign's hand-in: one per version and language that has signatures,
 * in version order, from the counters (no scan), each read from the store on its own; then,
 * apart, the signatures that match no published text (an unknown version, another content
 * hash): printing them under a version's text would say they saw it.
 */
export async function campaignSections(store: Store, campaign: ExportCampaign): Promise<PdfSection[]> {
  const versions = new Map((await store.campaignVersions(campaign.id)).map((v) => [v.version, v]));
  const groups = (await store.campaignCounts(campaign.id, 'version'))
    .map(({ key, count }) => {
      const [version, lang] = key.split(' ');
      return { version: Number(version), lang: (lang || null) as Language | null, count };
    })
    .sort((a, b) => a.version - b.version || (a.lang ?? '').localeCompare(b.lang ?? ''));
  const unverified = new Map((await store.campaignCounts(campaign.id, 'problem-version')).map((c) => [c.key, c.count]));
  const sections: PdfSection[] = groups
    .map(({ version, lang, count }) => {
      const published = versions.get(version);
      return {
        version,
        lang,
        content: published?.content ?? null,
        hash: published?.hash ?? null,
        count: count - (unverified.get(`${version} ${lang ?? ''}`) ?? 0),
        rows: () => allSignatures(store, { campaignId: campaign.id, version, lang, problems: false }, campaign.versionHashes),
      };
    })
    .filter((s) => s.count > 0);
  const apart = [...unverified.values()].reduce((n, c) => n + c, 0);
  if (apart > 0) {
    sections.push({ version: 0, lang: null, content: null, hash: null, count: apart, unverified: true, rows: () => allSignatures(store, { campaignId: campaign.id, problems: true }) });
  }
  return sections;
}

/** A section's text in its language (the version's default language when it names none). */
function sectionText(section: PdfSection): { text: CampaignText; lang: string } | undefined {
  if (!section.content) return undefined;
  const lang = section.lang && section.content.text[section.lang] ? section.lang : section.content.defaultLanguage;
  return { text: campaignText(section.content, lang), lang };
}

const LANGUAGE_NAMES: Record<string, string> = { en: 'English', fr: 'French', es: 'Spanish', ar: 'Arabic' };

/**
 * The hand-in sheets from any sections to any stream, which it ends. Each section
 * lists at most `count` rows (the signatures stored when the export began; any arriving
 * during it belong to the next one).
 */
export async function writePdf(sections: PdfSection[], res: Writable, meta: { campaignId: string; title: string }): Promise<void> {
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

  const totalLine = `${total.toLocaleString('en')} signature${total === 1 ? '' : 's'} in total`;
  const GREY = '#555555';
  let page = 0;
  let y = 0;
  let section: PdfSection | undefined;

  /** Which version and language this part lists, in words. */
  const sectionLine = (s: PdfSection) =>
    s.unverified
      ? `Campaign ${meta.campaignId} · signatures matching no published text · ${s.count.toLocaleString('en')} signature${s.count === 1 ? '' : 's'}`
      : `Campaign ${meta.campaignId} · version ${s.version} · ${s.lang ? (LANGUAGE_NAMES[s.lang] ?? s.lang) : 'language not recorded'} · ` +
    `${s.count.toLocaleString('en')} signature${s.count === 1 ? '' : 's'}${s.hash ? ` · text SHA-256 ${s.hash}` : ''}`;

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
    if (section) y += pdf.write(sectionLine(section), MARGIN, y + 2, CONTENT_W, { size: 6.5, color: GREY }) + 4;
    y += 3;
    pdf.write(totalLine, MARGIN, y, CONTENT_W / 2, { size: 8, bold: true });
    pdf.write(`Page ${page}`, MARGIN + CONTENT_W / 2, y, CONTENT_W / 2, { size: 8, bold: true, align: 'end' });
    y += 14;
    // Column heads.
    doc.moveTo(MARGIN, y).lineTo(MARGIN + CONTENT_W, y).lineWidth(0.8).stroke('#000000');
    y += 4;
    let x = MARGIN;
    for (const [label, w] of [['No.', COLS.no], ['Name', COLS.name], ['Country', COLS.country], ['Date signed', COLS.date], ['Signature', SIG_W]] as const) {
      pdf.write(label, x + PAD, y, w - 2 * PAD, { size: 8, bold: true });
      x += w;
    }
    y += 12;
    doc.moveTo(MARGIN, y).lineTo(MARGIN + CONTENT_W, y).lineWidth(0.8).stroke('#000000');
    // Footer, below the bottom margin.
    pdf.write(`Page ${page}`, MARGIN, PAGE.height - MARGIN + 12, CONTENT_W, { size: 7, color: GREY, align: 'center' });
  };

  /** A section opens on a new page with the whole text its signers read: title, introduction, call, demands, closing. */
  const openSection = (s: PdfSection) => {
    section = s;
    doc.addPage();
    page++;
    y = MARGIN;
    const shown = sectionText(s);
    y += pdf.write(sectionLine(s), MARGIN, y, CONTENT_W, { size: 8, color: GREY }) + 8;
    if (!shown) {
      y += pdf.write(s.unverified ? UNVERIFIED : NOT_RECORDED(s.version), MARGIN, y, CONTENT_W, { size: 12, bold: true }) + 6;
      y += pdf.write(s.unverified ? UNVERIFIED_DETAIL : NOT_RECORDED_DETAIL, MARGIN, y, CONTENT_W, { size: 9 }) + 6;
    } else {
      const { text, lang } = shown;
      y += pdf.write(text.title, MARGIN, y, CONTENT_W, { size: 14, bold: true, lang }) + 6;
      for (const paragraph of text.intro) y += pdf.write(paragraph, MARGIN, y, CONTENT_W, { size: 8.5, leading: 1.35, lang }) + 4;
      y += pdf.write(text.call, MARGIN, y, CONTENT_W, { size: 9, bold: true, lang }) + 4;
      text.demands.forEach((d, i) => {
        y += pdf.write(`${i + 1}. ${d}`, MARGIN, y, CONTENT_W, { size: 8.5, leading: 1.35, lang }) + 3;
      });
      if (text.closing) y += pdf.write(text.closing, MARGIN, y, CONTENT_W, { size: 8.5, leading: 1.35, lang }) + 4;
    }
    pdf.write(`Page ${page}`, MARGIN, PAGE.height - MARGIN + 12, CONTENT_W, { size: 7, color: GREY, align: 'center' });
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
      openSection(part);
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
        doc.moveTo(MARGIN, y).lineTo(MARGIN + CONTENT_W, y).lineWidth(0.4).stroke(RULE_COLOR);
      }
    }
    const listPages = page;
    if (page === 0 || y + 48 > bottom) {
      section = undefined;
      newPage();
    }
    const end =
      number === 0
        ? 'No signatures yet.'
        : `End of list: ${number.toLocaleString('en')} signature${number === 1 ? '' : 's'} in ${sections.length} part${sections.length === 1 ? '' : 's'} (one per version and language) on ${listPages.toLocaleString('en')} page${listPages === 1 ? '' : 's'}` +
          (sealed
            ? `, of which ${sealed.toLocaleString('en')} sealed (encrypted, not readable here: open them with the coordinator's key in the console, or with "npm run cli -- export").`
            : '.');
    pdf.write(end, MARGIN, y + 12, CONTENT_W, { size: 9, bold: true });
    doc.end();
    const error = await sent;
    if (error) throw error;
  } catch (error) {
    if (!doc.destroyed) doc.destroy();
    if (!isAbort(error, res)) throw error;
  }
}
