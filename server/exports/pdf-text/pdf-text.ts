/**
 * Text in any script for the PDFs the product writes (the hand-in sheets, the CLI's sealed
 * export): `createPdfText(doc)` gives `measure`, `draw` and `write`, which lay text out in a
 * column of a given width, wrapping it onto as many lines as it needs, and draw it as real,
 * extractable text.
 *
 *   fonts.ts        which Noto face draws a character (fallback across families, per cluster)
 *   itemize.ts      bidi levels (UAX #9) and font runs
 *   shape.ts        HarfBuzz shaping: joined Arabic, Indic conjuncts, Thai marks
 *   line-break.ts   break opportunities (UAX #14, dictionary words for Thai)
 *   text-layout.ts  lines that fit, runs in visual order
 *   draw.ts         glyphs into pdfkit, with ToUnicode and ActualText for extraction
 *
 * Memory stays flat over a long document: the shaper and the layouts keep a bounded cache,
 * the loaded font subsets are shared by all documents of the process, and pdfkit keeps only
 * the list of glyphs each font uses until it embeds them at the end.
 */
import { loadHarfBuzz, type HarfBuzzModule } from './fonts.ts';
import { GlyphWriter } from './draw.ts';
import { Shaper } from './shape.ts';
import { layoutParagraph, normalizeText, type Paragraph } from './text-layout.ts';

export { normalizeText };

export interface TextStyle {
  /** Font size in points. */
  size: number;
  bold?: boolean;
  italic?: boolean;
  /** Fill colour, e.g. '#555555'; black by default. */
  color?: string;
  /**
   * 'start' (the default) is the left edge for left-to-right text and the right edge for
   * right-to-left text, as each paragraph's first strong character says; 'end' the other.
   */
  align?: 'start' | 'end' | 'center';
  /** BCP 47 language of the text, when known (it picks Chinese, Japanese or Korean glyph forms). */
  lang?: string;
  /** Distance between baselines, as a multiple of `size`; 1.3 by default. */
  leading?: number;
}

/** Text laid out in a column, ready to draw. */
export interface TextBox {
  paragraph: Paragraph;
  width: number;
  style: TextStyle;
  /** Points from the top of the first line to the bottom of the last; 0 for no text. */
  height: number;
}

export interface PdfText {
  /** Lay `text` out in a column `width` points wide. */
  measure(text: string, width: number, style: TextStyle): TextBox;
  /** Draw a laid-out box with its top left corner at (x, y), in pdfkit's page coordinates. */
  draw(box: TextBox, x: number, y: number): void;
  /** `measure` then `draw`; returns the height used. */
  write(text: string, x: number, y: number, width: number, style: TextStyle): number;
}

/** Where Han characters are written in traditional or Japanese or Korean forms. */
const HAN_REGIONS: Record<string, string> = { TW: 'zh-Hant', HK: 'zh-Hant', MO: 'zh-Hant', JP: 'ja', KR: 'ko', KP: 'ko', CN: 'zh-Hans', SG: 'zh-Hans' };

/**
 * A language hint from a signer's country (ISO 3166 code), for `TextStyle.lang`: 李 from
 * Taiwan is drawn in traditional forms, from Japan in Japanese ones. Undefined elsewhere.
 */
export function languageOfRegion(country: string | undefined): string | undefined {
  return country ? HAN_REGIONS[country.toUpperCase()] : undefined;
}

const DEFAULT_LEADING = 1.3;
/** Where the first baseline sits below the top of the box, as a multiple of the size. */
const ASCENT = 1.0;
/** Layouts kept per document: repeated cells (dates, countries, headers) are laid out once. */
const LAYOUT_CACHE_LIMIT = 2048;

/** The text engine for one pdfkit document. */
export async function createPdfText(doc: PDFKit.PDFDocument): Promise<PdfText> {
  const hb: HarfBuzzModule = await loadHarfBuzz();
  const shaper = new Shaper(hb);
  const writer = new GlyphWriter(doc);
  const layouts = new Map<string, Paragraph>();
  let colorPage: unknown;
  let fillColor = '';

  const measure = (text: string, width: number, style: TextStyle): TextBox => {
    const face = { weight: style.bold ? 700 : 400, italic: style.italic === true, lang: style.lang } as const;
    const key = `${width}\u0000${style.size}\u0000${face.weight}\u0000${face.italic}\u0000${face.lang ?? ''}\u0000${text}`;
    let paragraph = layouts.get(key);
    if (!paragraph) {
      paragraph = layoutParagraph(hb, shaper, normalizeText(text), width, style.size, face);
      if (layouts.size >= LAYOUT_CACHE_LIMIT) layouts.clear();
      layouts.set(key, paragraph);
    }
    return { paragraph, width, style, height: paragraph.lines.length * style.size * (style.leading ?? DEFAULT_LEADING) };
  };

  const draw = ({ paragraph, width, style }: TextBox, x: number, y: number): void => {
    if (!paragraph.lines.length) return;
    const lineHeight = style.size * (style.leading ?? DEFAULT_LEADING);
    const align = style.align ?? 'start';
    const toRight = align === 'start' ? paragraph.baseLevel % 2 === 1 : align === 'end' ? paragraph.baseLevel % 2 === 0 : false;
    // Set the colour only when it changes (a new page starts black again).
    const color = style.color ?? '#000000';
    if (doc.page !== colorPage || color !== fillColor) doc.fillColor(color);
    colorPage = doc.page;
    fillColor = color;
    paragraph.lines.forEach((line, i) => {
      let left = x + (align === 'center' ? (width - line.width) / 2 : toRight ? width - line.width : 0);
      const runs = line.runs.map((run) => {
        const placed = { shaped: run.shaped, text: paragraph.text.slice(run.start, run.end), x: left };
        left += run.width;
        return placed;
      });
      writer.line(runs, y + style.size * ASCENT + i * lineHeight, style.size);
    });
  };

  return {
    measure,
    draw,
    write(text, x, y, width, style) {
      const box = measure(text, width, style);
      draw(box, x, y);
      return box.height;
    },
  };
}
