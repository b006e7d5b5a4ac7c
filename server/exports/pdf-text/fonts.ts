/**
 * The fonts the PDFs are set in, and which one draws a given character.
 *
 * Every font comes from the product's own install: the Noto families of the @fontsource
 * packages in package.json, never a font that happens to be on the server. Fontsource splits
 * each family into subsets (latin, latin-ext, greek, arabic… and, for Chinese, Japanese and
 * Korean, about a hundred numbered slices) and lists each subset's characters in its
 * `unicode.json`. A subset is loaded the first time a character needs it, once per process,
 * and pdfkit embeds only the glyphs a document uses, so a sheet of Latin names carries no
 * CJK font at all.
 *
 * A loaded subset is a `Face`: its sfnt bytes (for pdfkit, which subsets and embeds them) and
 * a HarfBuzz font over the same bytes (for shaping), so glyph ids agree between the two.
 */
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as HarfBuzz from 'harfbuzzjs';
import { woffToSfnt } from './woff.ts';

export type Weight = 400 | 700;

/**
 * One Noto family: an @fontsource package, and the subsets of it we use. Each family is used
 * for its own script only (not for the Latin subsets every package carries), so that each
 * character has one obvious face and no two faces in a PDF share a font name and checksum
 * (pdfkit would merge them).
 */
export const FAMILIES = {
  sans: { pkg: '@fontsource/noto-sans', subsets: /^(latin|latin-ext|greek|greek-ext|cyrillic|cyrillic-ext|vietnamese)$/ },
  arabic: { pkg: '@fontsource/noto-sans-arabic', subsets: /^arabic$/ }, // Arabic, Persian, Urdu…
  hebrew: { pkg: '@fontsource/noto-sans-hebrew', subsets: /^hebrew$/ },
  devanagari: { pkg: '@fontsource/noto-sans-devanagari', subsets: /^devanagari$/ },
  bengali: { pkg: '@fontsource/noto-sans-bengali', subsets: /^bengali$/ },
  tamil: { pkg: '@fontsource/noto-sans-tamil', subsets: /^tamil$/ },
  thai: { pkg: '@fontsource/noto-sans-thai', subsets: /^thai$/ },
  ethiopic: { pkg: '@fontsource/noto-sans-ethiopic', subsets: /^ethiopic$/ },
  // Chinese, Japanese and Korean: about a hundred numbered slices each.
  sc: { pkg: '@fontsource/noto-sans-sc', subsets: /^\d+$/ }, // simplified forms
  tc: { pkg: '@fontsource/noto-sans-tc', subsets: /^\d+$/ }, // traditional forms
  jp: { pkg: '@fontsource/noto-sans-jp', subsets: /^\d+$/ },
  kr: { pkg: '@fontsource/noto-sans-kr', subsets: /^\d+$/ },
  emoji: { pkg: '@fontsource/noto-emoji', subsets: /^\d+$/ }, // monochrome, as the sheets are printed
} as const;
export type FamilyId = keyof typeof FAMILIES;

/** Tried in this order when a character's own script has no font that draws it. */
export const FALLBACK_ORDER: readonly FamilyId[] = ['sans', 'arabic', 'hebrew', 'devanagari', 'bengali', 'tamil', 'thai', 'ethiopic', 'sc', 'tc', 'jp', 'kr', 'emoji'];

/** One loaded subset of one family in one weight and style. */
export interface Face {
  /** Unique and stable, e.g. "noto-sans-sc-12-400-normal": the name pdfkit registers it under. */
  key: string;
  family: FamilyId;
  sfnt: Buffer;
  unitsPerEm: number;
  hb: HarfBuzz.Font;
  /** Whether the face has a glyph for the code point. */
  has(codePoint: number): boolean;
  /** The glyph's own advance (hmtx), in font units: what the PDF's width table must say. */
  advance(glyph: number): number;
}

export type HarfBuzzModule = typeof HarfBuzz;
let harfbuzz: HarfBuzzModule | undefined;

/** Load HarfBuzz's WebAssembly once, on the first PDF (not at server start). */
export async function loadHarfBuzz(): Promise<HarfBuzzModule> {
  harfbuzz ??= await import('harfbuzzjs');
  return harfbuzz;
}

const resolvePackage = createRequire(import.meta.url).resolve;

/** A family's subsets: sorted, non-overlapping code point ranges, each with its subset name. */
interface Coverage {
  dir: string;
  /** File name prefix, e.g. "noto-sans-sc". */
  base: string;
  starts: number[];
  ends: number[];
  /** The largest end among ranges 0..i: how far back a range may still reach. */
  reach: number[];
  subsets: string[];
}
const coverages = new Map<FamilyId, Coverage>();

/** Parse a family's unicode.json ("U+0000-00FF,U+0131,…" per subset) into a lookup table. */
function coverage(family: FamilyId): Coverage {
  let found = coverages.get(family);
  if (found) return found;
  const { pkg, subsets } = FAMILIES[family];
  const dir = dirname(resolvePackage(`${pkg}/package.json`));
  const table = JSON.parse(readFileSync(join(dir, 'unicode.json'), 'utf8')) as Record<string, string>;
  const ranges: Array<[number, number, string]> = [];
  for (const [name, list] of Object.entries(table)) {
    const subset = name.replace(/^\[(\d+)\]$/, '$1'); // "[12]" is in files as "12"
    if (!subsets.test(subset)) continue;
    for (const item of list.split(',')) {
      const [a, b] = item.trim().replace(/^U\+/i, '').split('-');
      const start = parseInt(a, 16);
      ranges.push([start, b ? parseInt(b, 16) : start, subset]);
    }
  }
  ranges.sort((x, y) => x[0] - y[0]);
  const ends = ranges.map((r) => r[1]);
  const reach: number[] = [];
  for (const end of ends) reach.push(Math.max(end, reach.at(-1) ?? -1));
  found = { dir, base: pkg.split('/')[1], starts: ranges.map((r) => r[0]), ends, reach, subsets: ranges.map((r) => r[2]) };
  coverages.set(family, found);
  return found;
}

/** The subset of `family` that lists the code point, if any (binary search). */
function subsetOf(family: FamilyId, codePoint: number): string | undefined {
  const c = coverage(family);
  let lo = 0;
  let hi = c.starts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (c.starts[mid] <= codePoint) lo = mid + 1;
    else hi = mid - 1;
  }
  // Ranges may overlap (U+0304 is in latin and latin-ext; U+0000-00FF spans many later
  // starts): walk back from the last range starting at or before the code point while an
  // earlier range can still reach it.
  for (let i = hi; i >= 0 && c.reach[i] >= codePoint; i--) if (c.ends[i] >= codePoint) return c.subsets[i];
  return undefined;
}

const faces = new Map<string, Face>();
const files = new Map<string, { key: string; path: string } | null>();
/** faceFor's answers: one lookup per character, family, weight and style per process. */
const answers = new Map<string, Face | null>();

/** The WOFF file of a subset in the nearest available weight and style. */
function fileOf(family: FamilyId, subset: string, weight: Weight, italic: boolean): { key: string; path: string } | undefined {
  const wanted = `${family}/${subset}/${weight}/${italic}`;
  let found = files.get(wanted);
  if (found === undefined) {
    const c = coverage(family);
    const tries: Array<[Weight, string]> = [[weight, italic ? 'italic' : 'normal'], [weight, 'normal'], [400, 'normal']];
    found = null;
    for (const [w, style] of tries) {
      const key = `${c.base}-${subset}-${w}-${style}`;
      const path = join(c.dir, 'files', `${key}.woff`);
      if (existsSync(path)) {
        found = { key, path };
        break;
      }
    }
    files.set(wanted, found);
  }
  return found ?? undefined;
}

function load(hb: HarfBuzzModule, family: FamilyId, key: string, path: string): Face {
  const sfnt = woffToSfnt(readFileSync(path));
  const face = new hb.Face(new hb.Blob(sfnt));
  const font = new hb.Font(face);
  const advances = new Map<number, number>();
  const glyphs = new Map<number, boolean>();
  return {
    key,
    family,
    sfnt,
    unitsPerEm: face.upem,
    hb: font,
    has(codePoint) {
      let has = glyphs.get(codePoint);
      if (has === undefined) glyphs.set(codePoint, (has = (font.nominalGlyph(codePoint) ?? 0) !== 0));
      return has;
    },
    advance(glyph) {
      let width = advances.get(glyph);
      if (width === undefined) advances.set(glyph, (width = font.glyphHAdvance(glyph)));
      return width;
    },
  };
}

/**
 * The face of `family` that draws `codePoint` in this weight and style (or the nearest one
 * the family has), loading its subset on first use; undefined when the family lacks it.
 */
export function faceFor(hb: HarfBuzzModule, family: FamilyId, codePoint: number, weight: Weight, italic: boolean): Face | undefined {
  const question = `${family}/${weight}/${italic}/${codePoint}`;
  let answer = answers.get(question);
  if (answer === undefined) {
    answer = null;
    const subset = subsetOf(family, codePoint);
    const file = subset === undefined ? undefined : fileOf(family, subset, weight, italic);
    if (file) {
      let face = faces.get(file.key);
      if (!face) faces.set(file.key, (face = load(hb, family, file.key, file.path)));
      if (face.has(codePoint)) answer = face;
    }
    answers.set(question, answer);
  }
  return answer ?? undefined;
}
