/**
 * Itemize a paragraph: split it into runs that share one font face and one bidi level, the
 * unit HarfBuzz shapes.
 *
 * 1. The Unicode Bidirectional Algorithm (bidi-js) gives every character an embedding level
 *    (odd: right to left), the paragraph's direction coming from its first strong character.
 * 2. Each grapheme cluster (a letter with its marks) gets a face: the first of its script's
 *    families that draws all of it, else the first of any family. Neutral clusters (spaces,
 *    digits, punctuation) stay in the face before them when it draws them, so a space keeps
 *    an Arabic word's run whole.
 * 3. Han characters have one code point but regional forms: Japanese text (kana around them),
 *    Korean text (Hangul), or the `lang` hint (from the signer's country) picks Japanese,
 *    Korean or traditional Chinese forms; simplified Chinese otherwise.
 */
import bidiFactory from 'bidi-js';
import { FALLBACK_ORDER, faceFor, type Face, type FamilyId, type HarfBuzzModule, type Weight } from './fonts.ts';

export interface TextFace {
  weight: Weight;
  italic: boolean;
  /** BCP 47 language of the text, when known: chooses regional Han forms. */
  lang?: string;
}

/** A stretch of the paragraph [start, end) in one face at one bidi level. */
export interface Run {
  start: number;
  end: number;
  level: number;
  face: Face;
}

export interface Itemized {
  runs: Run[];
  /** Embedding level of every UTF-16 unit. */
  levels: Uint8Array;
  /** The paragraph's own level: 0 left to right, 1 right to left. */
  baseLevel: number;
  /** Code points no font of ours draws (shown as the font's missing-glyph box). */
  missing: number[];
}

const bidi = bidiFactory();
const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });

const SCRIPT_FAMILIES: Array<[RegExp, FamilyId[] | 'han']> = [
  [/\p{Script=Arabic}/u, ['arabic']],
  [/\p{Script=Hebrew}/u, ['hebrew']],
  [/\p{Script=Devanagari}/u, ['devanagari']],
  [/\p{Script=Bengali}/u, ['bengali']],
  [/\p{Script=Tamil}/u, ['tamil']],
  [/\p{Script=Thai}/u, ['thai']],
  [/\p{Script=Ethiopic}/u, ['ethiopic']],
  [/\p{Script=Hangul}/u, ['kr', 'sc']],
  [/[\p{Script=Hiragana}\p{Script=Katakana}]/u, ['jp', 'sc']],
  [/\p{Script=Bopomofo}/u, ['tc', 'sc']],
  [/\p{Script=Han}/u, 'han'],
  [/[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}]/u, ['sans']],
];
const NEUTRAL = /^[\p{Script=Common}\p{Script=Inherited}]$/u;
/** An emoji: shown as one by default, or asked to be by U+FE0F, or a flag (© and ™ are not). */
const EMOJI = /[\p{Emoji_Presentation}\p{Regional_Indicator}\uFE0F]/u;
const IGNORABLE = /^\p{Default_Ignorable_Code_Point}$/u;
const KANA = /[\p{Script=Hiragana}\p{Script=Katakana}]/u;
const HANGUL = /\p{Script=Hangul}/u;

/** The order of CJK families for Han characters in this text. */
function hanFamilies(text: string, lang = ''): FamilyId[] {
  let first: FamilyId = 'sc';
  if (KANA.test(text) || /^ja\b/i.test(lang)) first = 'jp';
  else if (HANGUL.test(text) || /^ko\b/i.test(lang)) first = 'kr';
  else if (/^zh-(hant|tw|hk|mo)\b/i.test(lang)) first = 'tc';
  return [first, ...(['sc', 'tc', 'jp', 'kr'] as const).filter((f) => f !== first)];
}

/** Each code point's script families ('neutral' for Common and Inherited), once per process. */
const scriptOf = new Map<number, FamilyId[] | 'han' | 'neutral'>();

function classify(ch: string): FamilyId[] | 'han' | 'neutral' {
  const point = ch.codePointAt(0)!;
  let found = scriptOf.get(point);
  if (found === undefined) {
    found = NEUTRAL.test(ch) ? 'neutral' : (SCRIPT_FAMILIES.find(([pattern]) => pattern.test(ch))?.[1] ?? []);
    scriptOf.set(point, found);
  }
  return found;
}

/** The families to try for a cluster, its script's first; undefined for a neutral cluster. */
function familiesFor(cluster: string, han: () => FamilyId[]): FamilyId[] | undefined {
  if (EMOJI.test(cluster)) return ['emoji'];
  for (const ch of cluster) {
    const families = classify(ch);
    if (families === 'neutral') continue;
    return families === 'han' ? han() : families;
  }
  return undefined;
}

/**
 * Grapheme clusters. Text of Latin, Greek and Cyrillic letters without combining marks (most
 * names) is one cluster per character, which spares Intl.Segmenter's cost on every row.
 */
function clustersOf(text: string): Iterable<{ segment: string; index: number }> {
  if (!SIMPLE.test(text)) return graphemes.segment(text);
  return Array.from(text, (segment, index) => ({ segment, index }));
}
const SIMPLE = /^[\u0020-\u007e\u00a0-\u02ff\u0370-\u0482\u048a-\u052f]*$/;

/** The code points a face must draw for the cluster (not ZWJ, variation selectors…). */
function needed(cluster: string): number[] {
  const out: number[] = [];
  for (const ch of cluster) if (!IGNORABLE.test(ch)) out.push(ch.codePointAt(0)!);
  return out;
}

/** Itemize `text` (already free of control characters) for the given weight and style. */
export function itemize(hb: HarfBuzzModule, text: string, style: TextFace): Itemized {
  const { levels, paragraphs } = bidi.getEmbeddingLevels(text);
  const baseLevel = paragraphs[0]?.level ?? 0;
  let hanOrder: FamilyId[] | undefined;
  const han = () => (hanOrder ??= hanFamilies(text, style.lang));

  const firstFace = (families: readonly FamilyId[], points: number[]): Face | undefined => {
    if (!points.length) return undefined;
    for (const family of families) {
      const face = faceFor(hb, family, points[0], style.weight, style.italic);
      if (face && points.every((p) => face.has(p))) return face;
    }
    return undefined;
  };

  // 1. Clusters, and a face for those of a script.
  type Cluster = { start: number; end: number; points: number[]; families?: FamilyId[]; face?: Face };
  const clusters: Cluster[] = [];
  for (const { segment, index } of clustersOf(text)) {
    const families = familiesFor(segment, han);
    const points = needed(segment);
    const cluster: Cluster = { start: index, end: index + segment.length, points, families };
    if (families) cluster.face = firstFace([...families, ...FALLBACK_ORDER], points);
    clusters.push(cluster);
  }
  // 2. Neutral clusters: the face before them, else the one after, else the first that draws them.
  const nextFace: Array<Face | undefined> = [];
  for (let i = clusters.length - 1, after: Face | undefined; i >= 0; i--) {
    nextFace[i] = after;
    if (clusters[i].families && clusters[i].face) after = clusters[i].face;
  }
  let previous: Face | undefined;
  for (let i = 0; i < clusters.length; i++) {
    const c = clusters[i];
    if (c.families) {
      previous = c.face ?? previous;
      continue;
    }
    const next = nextFace[i];
    const covers = (face?: Face) => face && c.points.every((p) => face.has(p));
    c.face = covers(previous) ? previous : covers(next) ? next : firstFace(FALLBACK_ORDER, c.points);
    if (!c.points.length) c.face = previous ?? next; // only ignorables: keep them with their neighbours
  }
  // 3. What no single face draws: letter by letter, then the missing-glyph box.
  const missing: number[] = [];
  const split: Cluster[] = [];
  for (const c of clusters) {
    if (c.face || !c.points.length) {
      split.push(c);
      continue;
    }
    let at = c.start;
    for (const ch of text.slice(c.start, c.end)) {
      const point = ch.codePointAt(0)!;
      const face = IGNORABLE.test(ch) ? undefined : firstFace([...(c.families ?? []), ...FALLBACK_ORDER], [point]);
      if (!face && !IGNORABLE.test(ch)) missing.push(point);
      split.push({ start: at, end: at + ch.length, points: [point], face });
      at += ch.length;
    }
  }
  const fallback = faceFor(hb, 'sans', 0x20, style.weight, style.italic)!;

  // 4. Runs: consecutive clusters with one face and one level.
  const runs: Run[] = [];
  for (const c of split) {
    const face = c.face ?? runs.at(-1)?.face ?? fallback;
    const level = levels[c.start];
    const last = runs.at(-1);
    if (last && last.face === face && last.level === level && last.end === c.start) last.end = c.end;
    else runs.push({ start: c.start, end: c.end, level, face });
  }
  return { runs, levels, baseLevel, missing };
}
