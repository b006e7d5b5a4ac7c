/**
 * Writing shaped glyphs into a pdfkit page, as real text.
 *
 * pdfkit embeds and subsets the fonts (only the glyphs used go into the file) and writes
 * their width tables and ToUnicode maps at the end; we give it glyph ids, not strings. This
 * leans on pdfkit's EmbeddedFont (`subset.includeGlyph`, `widths`, `unicode`, `id`, `ref()`),
 * the same fields its own text code uses; tests/server/pdf-scripts.test.ts fails if a pdfkit
 * release changes them.
 *
 * Text stays extractable. A glyph that stands for exactly one character maps back to it
 * through the font's ToUnicode table. A cluster where that cannot work (a ligature such as
 * Arabic lam-alef, an Indic conjunct, a vowel sign drawn before its consonant, a glyph
 * already mapped to another character) is wrapped in a marked-content span whose
 * /ActualText gives its characters in logical order (PDF 32000-1 §14.9.4). A left-to-right
 * run with any such cluster gets one span for the whole run, so a reader sees its words
 * whole; in right-to-left runs each cluster gets its own span, since readers (poppler)
 * reorder right-to-left text themselves.
 */
import type { Face } from './fonts.ts';
import type { Shaped } from './shape.ts';

/** The fields of pdfkit's EmbeddedFont we write to. */
interface EmbeddedFont {
  id: string;
  subset: { includeGlyph(glyph: number): number };
  widths: number[];
  unicode: number[][];
  ref(): unknown;
}

/** One piece of a line: shaped glyphs for the characters `text`, drawn from `x` (points). */
export interface PlacedRun {
  shaped: Shaped;
  text: string;
  x: number;
}

/** A glyph ready to show: subset id, position in text space, advance in the width table (points). */
interface Placed {
  gid: number;
  x: number;
  y: number;
  width: number;
}

const hex4 = (n: number) => n.toString(16).padStart(4, '0');
const num = (n: number) => String(Math.round(n * 100) / 100);

/** A PDF text string (UTF-16BE with a byte order mark), as hex. */
function textString(text: string): string {
  let out = '<FEFF';
  for (let i = 0; i < text.length; i++) out += hex4(text.charCodeAt(i));
  return `${out}>`;
}

/** The code points of a string (one per character, astral ones whole). */
function codePoints(text: string): number[] {
  if (text.length === 1) return [text.charCodeAt(0)];
  const out: number[] = [];
  for (const ch of text) out.push(ch.codePointAt(0)!);
  return out;
}

/** A shaped run's clusters: glyphs [from, to) for the characters `chars`. */
interface GlyphCluster {
  from: number;
  to: number;
  chars: string;
  points: number[];
}
const clusterCache = new WeakMap<Shaped, GlyphCluster[]>();

/** The clusters of a shaped run, in visual order; each one's characters run to the next cluster's start, in logical order. */
function clustersOf(shaped: Shaped, text: string): GlyphCluster[] {
  let clusters = clusterCache.get(shaped);
  if (clusters) return clusters;
  const { glyphs } = shaped;
  const starts = [...new Set(glyphs.map((g) => g.cluster))].sort((a, b) => a - b);
  const endOf = new Map(starts.map((s, i) => [s, starts[i + 1] ?? text.length]));
  clusters = [];
  for (let i = 0; i < glyphs.length; ) {
    let j = i;
    while (j < glyphs.length && glyphs[j].cluster === glyphs[i].cluster) j++;
    const chars = text.slice(glyphs[i].cluster, endOf.get(glyphs[i].cluster));
    clusters.push({ from: i, to: j, chars, points: codePoints(chars) });
    i = j;
  }
  clusterCache.set(shaped, clusters);
  return clusters;
}

/** Draws glyph runs into one document, keeping its fonts' ToUnicode maps consistent. */
export class GlyphWriter {
  readonly #doc: PDFKit.PDFDocument;
  readonly #fonts = new Map<Face, EmbeddedFont>();
  /** Subset glyphs whose ToUnicode entry is a guess that a later one-to-one use may correct. */
  readonly #guessed = new Map<EmbeddedFont, Set<number>>();
  #ops: string[] = [];
  /** The TJ array being built, and where the text position is. */
  #show: string[] = [];
  #tx = 0;
  #ty = 0;
  #size = 0;

  constructor(doc: PDFKit.PDFDocument) {
    this.#doc = doc;
  }

  #font(face: Face): EmbeddedFont {
    let font = this.#fonts.get(face);
    if (!font) {
      const doc = this.#doc as PDFKit.PDFDocument & { _font: EmbeddedFont; _fontFamilies: Record<string, EmbeddedFont> };
      doc.registerFont(face.key, face.sfnt);
      doc.font(face.key);
      font = doc._font;
      // pdfkit merges fonts with the same name and checksum; each of our faces must stay its own.
      if (doc._fontFamilies[face.key] !== font) throw new Error(`font ${face.key} was merged with another by pdfkit`);
      this.#fonts.set(face, font);
      this.#guessed.set(font, new Set());
    }
    return font;
  }

  #flush(): void {
    if (this.#show.length) this.#ops.push(`[${this.#show.join(' ')}] TJ`);
    this.#show = [];
  }

  #moveTo(x: number, y: number): void {
    this.#flush();
    this.#ops.push(`1 0 0 1 ${num(x)} ${num(y)} Tm`);
    this.#tx = x;
    this.#ty = y;
  }

  /** Show one subset glyph at (x, y), text space; `width` is its advance in the PDF's width table (points). */
  #glyph(gid: number, x: number, y: number, width: number): void {
    // A new line, a mark set off its base, or a long way along: place it; else nudge within the TJ array.
    if (!(Math.abs(y - this.#ty) <= 0.005 && Math.abs(x - this.#tx) <= 50)) this.#moveTo(x, y);
    else if (Math.abs(x - this.#tx) > 0.005) {
      const adjust = Math.round(((this.#tx - x) * 1000) / this.#size);
      if (adjust) this.#show.push(String(adjust));
      this.#tx -= (adjust * this.#size) / 1000;
    }
    // Glyphs that follow each other with no adjustment share one hex string.
    const last = this.#show.length - 1;
    if (last >= 0 && this.#show[last].endsWith('>')) this.#show[last] = `${this.#show[last].slice(0, -1)}${hex4(gid)}>`;
    else this.#show.push(`<${hex4(gid)}>`);
    this.#tx += width;
  }

  #span(actualText: string): void {
    this.#flush();
    this.#ops.push(`/Span <</ActualText ${textString(actualText)}>> BDC`);
  }

  #endSpan(): void {
    this.#flush();
    this.#ops.push('EMC');
  }

  /**
   * Draw one line: `runs` in visual order, each from its own x, on the baseline `baseline`
   * (points from the top of the page), at `size` points, in the current fill colour.
   */
  line(runs: PlacedRun[], baseline: number, size: number): void {
    const doc = this.#doc;
    const pageHeight = doc.page.height;
    const y = pageHeight - baseline;
    this.#ops = [];
    this.#size = size;
    this.#tx = Number.NaN;
    this.#ty = Number.NaN;
    for (const run of runs) this.#run(run, y, size);
    this.#flush();
    // pdfkit's page space has y going down; text is set in PDF space, as pdfkit's own text is.
    doc.save();
    doc.transform(1, 0, 0, -1, 0, pageHeight);
    doc.addContent(`BT\n${this.#ops.join('\n')}\nET`);
    doc.restore();
  }

  #run({ shaped, text, x }: PlacedRun, y: number, size: number): void {
    const { face, glyphs, rtl } = shaped;
    const font = this.#font(face);
    const guessed = this.#guessed.get(font)!;
    const pageFonts = this.#doc.page.fonts as Record<string, unknown>;
    pageFonts[font.id] ??= font.ref();
    this.#flush();
    this.#ops.push(`/${font.id} ${num(size)} Tf`);
    const scale = size / face.unitsPerEm;
    const toPdfWidth = 1000 / face.unitsPerEm;

    const clusters: Array<GlyphCluster & { oneToOne: boolean }> = [];
    for (const group of clustersOf(shaped, text)) {
      const { from: i, to: j, points } = group;
      let oneToOne = j - i === 1 && points.length === 1;
      if (oneToOne) {
        // One glyph for one character: its ToUnicode entry says so, unless it already says otherwise.
        const gid = font.subset.includeGlyph(glyphs[i].id);
        const mapped = font.unicode[gid];
        oneToOne = mapped === undefined || guessed.has(gid) || (mapped.length === 1 && mapped[0] === points[0]);
        if (oneToOne) {
          font.unicode[gid] = points;
          guessed.delete(gid);
        }
      }
      clusters.push({ ...group, oneToOne });
    }
    // Every glyph's subset id, place and width; a ToUnicode guess for glyphs not mapped yet.
    const placed: Placed[] = [];
    let pen = x;
    for (const cluster of clusters) {
      const points = cluster.points;
      for (let k = cluster.from; k < cluster.to; k++) {
        const glyph = glyphs[k];
        const gid = font.subset.includeGlyph(glyph.id);
        font.widths[gid] ??= face.advance(glyph.id) * toPdfWidth;
        if (font.unicode[gid] === undefined) {
          // A guess for readers that ignore ActualText: the character whose own glyph this is, else the cluster.
          const own = points.find((p) => face.hb.nominalGlyph(p) === glyph.id);
          font.unicode[gid] = own === undefined ? points : [own];
          guessed.add(gid);
        }
        placed.push({ gid, x: pen + glyph.dx * scale, y: y + glyph.dy * scale, width: (font.widths[gid] * size) / 1000 });
        pen += glyph.advance * scale;
      }
    }

    const show = (from: number, to: number) => {
      for (let k = from; k < to; k++) this.#glyph(placed[k].gid, placed[k].x, placed[k].y, placed[k].width);
    };
    if (!rtl && clusters.some((c) => !c.oneToOne)) {
      this.#span(text);
      this.#inSpan(placed, 0, placed.length);
      this.#endSpan();
      return;
    }
    for (const cluster of clusters) {
      if (cluster.oneToOne) {
        show(cluster.from, cluster.to);
        continue;
      }
      this.#span(cluster.chars);
      this.#inSpan(placed, cluster.from, cluster.to);
      this.#endSpan();
    }
  }

  /**
   * Show the glyphs of an ActualText span. Readers (poppler) place the span's text between
   * the start of the first glyph drawn and the end of the last, so draw the leftmost first
   * and the one reaching furthest right last: a mark set off its letter, drawn first or last,
   * would make the span look shorter, and the reader would see a space that is not there.
   * When one glyph is both (a letter with its marks), an invisible copy of it (text render
   * mode 3) goes first.
   */
  #inSpan(placed: Placed[], from: number, to: number): void {
    const order = Array.from({ length: to - from }, (_, i) => from + i);
    const first = order.reduce((a, b) => (placed[b].x < placed[a].x ? b : a));
    const last = order.reduce((a, b) => (placed[b].x + placed[b].width > placed[a].x + placed[a].width ? b : a));
    const show = (k: number) => this.#glyph(placed[k].gid, placed[k].x, placed[k].y, placed[k].width);
    if (first === last) {
      this.#flush();
      this.#ops.push('3 Tr');
      show(first);
      this.#flush();
      this.#ops.push('0 Tr');
    } else show(first);
    for (const k of order) if (k !== first && k !== last) show(k);
    show(last);
  }
}
