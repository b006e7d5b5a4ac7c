/**
 * Shaping with HarfBuzz: a run of text in one face and direction becomes positioned glyphs
 * (Arabic letters joined, Indic conjuncts and reordered vowel signs, Thai marks stacked).
 *
 * pdfkit's own shaper (fontkit) agrees with HarfBuzz on Arabic and Devanagari, but not on
 * Bengali ra-phala nor Thai sara am: checked glyph by glyph on the same fonts, so we shape
 * with HarfBuzz, the shaper of Chrome, Firefox and Android, and hand pdfkit only glyph ids.
 */
import type * as HarfBuzz from 'harfbuzzjs';
import type { Face, HarfBuzzModule } from './fonts.ts';

/** One glyph, in font units, in visual (left to right) order. */
export interface Glyph {
  id: number;
  /** Index (UTF-16, from the start of the shaped text) of the first character of its cluster. */
  cluster: number;
  advance: number;
  dx: number;
  dy: number;
}

export interface Shaped {
  face: Face;
  rtl: boolean;
  glyphs: Glyph[];
  /** Sum of the advances, in font units. */
  width: number;
}

/** Entries kept by a shaper before it starts afresh (names repeat little; dates and countries a lot). */
const CACHE_LIMIT = 4096;

/** Shapes text, remembering recent results. One per document. */
export class Shaper {
  readonly #hb: HarfBuzzModule;
  readonly #buffer: HarfBuzz.Buffer;
  #cache = new Map<string, Shaped>();

  constructor(hb: HarfBuzzModule) {
    this.#hb = hb;
    this.#buffer = new hb.Buffer();
  }

  /** Shape `text` (a whole run) in `face`, right to left when `rtl`. */
  shape(text: string, face: Face, rtl: boolean, lang?: string): Shaped {
    const key = `${face.key}\u0000${rtl ? 1 : 0}\u0000${lang ?? ''}\u0000${text}`;
    let shaped = this.#cache.get(key);
    if (shaped) return shaped;
    const buffer = this.#buffer;
    buffer.reset();
    buffer.addText(text);
    buffer.setDirection(rtl ? this.#hb.Direction.RTL : this.#hb.Direction.LTR);
    if (lang && /^[A-Za-z0-9-]{1,35}$/.test(lang)) buffer.setLanguage(lang);
    buffer.guessSegmentProperties();
    this.#hb.shape(face.hb, buffer);
    const infos = buffer.getGlyphInfos();
    const positions = buffer.getGlyphPositions();
    const glyphs: Glyph[] = [];
    let width = 0;
    for (let i = 0; i < infos.length; i++) {
      const p = positions[i];
      glyphs.push({ id: infos[i].codepoint, cluster: infos[i].cluster, advance: p.xAdvance, dx: p.xOffset, dy: p.yOffset });
      width += p.xAdvance;
    }
    shaped = { face, rtl, glyphs, width };
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(key, shaped);
    return shaped;
  }
}
