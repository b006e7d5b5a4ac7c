/**
 * The PDF's page geometry and what draws below the text: the handwritten signatures as
 * vectors, and the two things that keep a long PDF in flat memory (waiting for a slow client,
 * and forgetting pdfkit's finished pages).
 *
 * Text is not drawn here: names come in every script, so all text is set by exports/pdf-text/
 * (Noto fonts from our own install, HarfBuzz shaping, the bidi algorithm, fallback from font
 * to font, wrapping inside the column), not by pdfkit's text(), which knows neither bidi nor
 * font fallback.
 */
import type { Writable } from 'node:stream';
import type { Ink } from '../../src/shared/ink.ts';
import { simplify } from './simplify.ts';
import { drained, ExportAborted } from './stream.ts';

export const PAGE = { width: 595.28, height: 841.89 }; // A4 in points
export const MARGIN = 36;
export const CONTENT_W = PAGE.width - 2 * MARGIN;
export const ROW_H = 44;
export const PAD = 4;
export const COLS = { no: 34, name: 146, country: 104, date: 66 };
export const SIG_W = CONTENT_W - COLS.no - COLS.name - COLS.country - COLS.date;
export const GREY = '#555555';
const INK_COLOR = '#1a1a2e';
export const RULE_COLOR = '#b8b8c4';
/** How many PDF bytes may wait in pdfkit's buffer before we let the socket catch up. */
const PDF_BUFFER_LIMIT = 1 << 20;

/**
 * Pause while pdfkit's output is backed up behind a slow client. pdfkit pushes its output
 * whatever the reader's pace, so its readable buffer is what grows; wait for the socket.
 */
export async function pdfBackpressure(doc: PDFKit.PDFDocument, res: Writable): Promise<void> {
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
export function forgetFinishedPages(doc: PDFKit.PDFDocument): void {
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

const r2 = (n: number) => Math.round(n * 100) / 100;

/** Draw the strokes as vectors, scaled to fit and centred in the box. */
export function drawInk(doc: PDFKit.PDFDocument, ink: Ink, x: number, y: number, w: number, h: number): void {
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

/** A horizontal rule across the content width at `y`. */
export function rule(doc: PDFKit.PDFDocument, y: number, width: number, color: string): void {
  doc.moveTo(MARGIN, y).lineTo(MARGIN + CONTENT_W, y).lineWidth(width).stroke(color);
}
