/**
 * Sets of seqs (places in a device's hash chain) as inclusive ranges [from, to], and those
 * ranges in words: what the chain check (chain-check.ts) counts and says of gaps.
 */

/** Inclusive ranges with the sorted `seqs` taken out. */
export function withoutSeqs(ranges: ReadonlyArray<[number, number]>, seqs: readonly number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [from, to] of ranges) {
    let start = from;
    for (const seq of seqs) {
      if (seq < start || seq > to) continue;
      if (seq > start) out.push([start, seq - 1]);
      start = seq + 1;
    }
    if (start <= to) out.push([start, to]);
  }
  return out;
}

/** Sorted seqs as inclusive ranges. */
export function toRanges(seqs: readonly number[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const seq of seqs) {
    const last = ranges.at(-1);
    if (last && last[1] === seq - 1) last[1] = seq;
    else ranges.push([seq, seq]);
  }
  return ranges;
}

/** How many seqs the ranges cover. */
export const countOf = (ranges: ReadonlyArray<readonly [number, number]>) => ranges.reduce((n, [from, to]) => n + to - from + 1, 0);

/** "seq 17, 18", "seq 17–40, 52": ranges of missing seqs, at most `max` items. */
export function seqRanges(ranges: ReadonlyArray<readonly [number, number]>, max = 20): string {
  const items: string[] = [];
  for (const [from, to] of ranges) {
    if (from === to) items.push(String(from));
    else if (to === from + 1) items.push(String(from), String(to));
    else items.push(`${from}–${to}`);
  }
  const shown = items.slice(0, max).join(', ');
  return `seq ${shown}${items.length > max ? `, … (${items.length - max} more)` : ''}`;
}
