/**
 * Paragraph layout: text → lines that fit a width, each a list of shaped runs in visual order.
 *
 * 1. Itemize (itemize.ts): runs of one face and one bidi level.
 * 2. Shape every run (shape.ts) and credit each cluster's advance to its first character.
 * 3. Fill lines greedily at the break opportunities (line-break.ts); a word wider than the
 *    line breaks between grapheme clusters. Spaces at a line's end take no room.
 * 4. Per line, cut the runs to the line (reshaping the cut pieces) and put them in visual
 *    order by rule L2 of the bidi algorithm: from the highest level down to the lowest odd
 *    one, reverse every stretch of runs at that level or higher.
 */
import { itemize, type Itemized, type TextFace } from './itemize.ts';
import { breakOpportunities, graphemeBoundaries } from './line-break.ts';
import type { HarfBuzzModule } from './fonts.ts';
import type { Shaped, Shaper } from './shape.ts';

/** A run cut to one line: its characters [start, end) of the paragraph and their glyphs. */
export interface LineRun {
  start: number;
  end: number;
  level: number;
  shaped: Shaped;
  /** Width in points. */
  width: number;
}

export interface Line {
  /** In visual order, left to right. */
  runs: LineRun[];
  width: number;
}

export interface Paragraph {
  text: string;
  lines: Line[];
  /** 1 when the paragraph reads right to left (its first strong character is Arabic, Hebrew…). */
  baseLevel: number;
  /** Code points no font of ours draws. */
  missing: number[];
}

const SPACE = /\s/;
// Control characters become spaces (a stored name should hold none, but imports are old data).
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** The text as laid out: NFC (so "é" is one letter, as fonts expect), no control characters, trimmed. */
export function normalizeText(text: string): string {
  return text.normalize('NFC').replace(CONTROL, ' ').trim();
}

/** Lay out `text` (see normalizeText) in lines at most `width` points wide, at `size` points. */
export function layoutParagraph(hb: HarfBuzzModule, shaper: Shaper, text: string, width: number, size: number, face: TextFace): Paragraph {
  if (!text) return { text, lines: [], baseLevel: 0, missing: [] };
  const items = itemize(hb, text, face);
  const whole = items.runs.map((run) => shaper.shape(text.slice(run.start, run.end), run.face, run.level % 2 === 1, face.lang));

  // Width of everything before each position, in points.
  const before = new Float64Array(text.length + 1);
  const credit = new Float64Array(text.length + 1);
  items.runs.forEach((run, r) => {
    const scale = size / run.face.unitsPerEm;
    for (const glyph of whole[r].glyphs) credit[run.start + glyph.cluster] += glyph.advance * scale;
  });
  for (let i = 0; i < text.length; i++) before[i + 1] = before[i] + credit[i];
  const trimEnd = (from: number, to: number) => {
    while (to > from && SPACE.test(text[to - 1])) to--;
    return to;
  };
  const widthOf = (from: number, to: number) => before[trimEnd(from, to)] - before[from];

  const ranges: Array<[number, number]> = [];
  let start = 0;
  let fit = -1;
  const opportunities = breakOpportunities(text);
  for (let k = 0; k < opportunities.length; ) {
    const at = opportunities[k];
    if (widthOf(start, at) <= width) {
      fit = at;
      k++;
    } else if (fit > start) {
      ranges.push([start, fit]);
      start = fit;
      fit = -1;
    } else {
      // One word wider than the line: as many grapheme clusters as fit, at least one.
      const cuts = graphemeBoundaries(text, start, at);
      let cut = cuts[0] ?? at;
      for (const c of cuts) {
        if (widthOf(start, c) > width) break;
        cut = c;
      }
      ranges.push([start, cut]);
      start = cut;
      fit = -1;
    }
  }
  if (start < text.length) ranges.push([start, text.length]);

  const lines = ranges.map(([from, to]) => lineOf(items, whole, shaper, text, from, trimEnd(from, to), size, face.lang));
  return { text, lines, baseLevel: items.baseLevel, missing: items.missing };
}

function lineOf(items: Itemized, whole: Shaped[], shaper: Shaper, text: string, from: number, to: number, size: number, lang?: string): Line {
  const runs: LineRun[] = [];
  items.runs.forEach((run, r) => {
    const start = Math.max(run.start, from);
    const end = Math.min(run.end, to);
    if (start >= end) return;
    const cut = start !== run.start || end !== run.end;
    const shaped = cut ? shaper.shape(text.slice(start, end), run.face, run.level % 2 === 1, lang) : whole[r];
    runs.push({ start, end, level: run.level, shaped, width: (shaped.width * size) / run.face.unitsPerEm });
  });
  // Rule L2: reverse stretches at each level, from the highest down to the lowest odd one.
  const levels = runs.map((r) => r.level);
  const highest = Math.max(0, ...levels);
  const lowestOdd = Math.min(...levels.map((l) => (l % 2 ? l : l + 1)), highest + 1);
  for (let level = highest; level >= lowestOdd; level--) {
    for (let i = 0; i < runs.length; i++) {
      if (runs[i].level < level) continue;
      let j = i;
      while (j + 1 < runs.length && runs[j + 1].level >= level) j++;
      runs.splice(i, j - i + 1, ...runs.slice(i, j + 1).reverse());
      i = j;
    }
  }
  return { runs, width: runs.reduce((sum, r) => sum + r.width, 0) };
}
