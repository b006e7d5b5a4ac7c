/**
 * Where a line may break: the Unicode Line Breaking Algorithm (UAX #14, the `linebreak`
 * package pdfkit itself uses), plus word boundaries inside Thai, Lao, Khmer and Burmese,
 * which write no spaces between words and which UAX #14 leaves to a dictionary (ICU's, in
 * Intl.Segmenter). When even one word is too wide for its column, it breaks between grapheme
 * clusters (`graphemeBoundaries`), never inside a letter with its marks.
 */
import LineBreaker from 'linebreak';

const SOUTHEAST_ASIAN = /[\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
const words = new Intl.Segmenter('th', { granularity: 'word' });
const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });

/** UTF-16 offsets where a new line may start, ascending; the last is `text.length`. */
export function breakOpportunities(text: string): number[] {
  const breaks = new Set<number>();
  const breaker = new LineBreaker(text);
  for (let next = breaker.nextBreak(); next; next = breaker.nextBreak()) breaks.add(next.position);
  if (SOUTHEAST_ASIAN.test(text)) {
    for (const { index } of words.segment(text)) {
      if (index > 0 && SOUTHEAST_ASIAN.test(text[index - 1]) && SOUTHEAST_ASIAN.test(text[index])) breaks.add(index);
    }
  }
  breaks.add(text.length);
  breaks.delete(0);
  return [...breaks].sort((a, b) => a - b);
}

/** Grapheme cluster boundaries strictly inside [start, end), ascending. */
export function graphemeBoundaries(text: string, start: number, end: number): number[] {
  const out: number[] = [];
  for (const { index } of graphemes.segment(text.slice(start, end))) if (index > 0) out.push(start + index);
  return out;
}
