/** Durations for people, shared by the console (browser) and the CLI (Node). English only, as both are. */

const UNITS: Array<[limitMs: number, unitMs: number, one: string, many: string]> = [
  [60_000, 1_000, 'second', 'seconds'],
  [3_600_000, 60_000, 'minute', 'minutes'],
  [48 * 3_600_000, 3_600_000, 'hour', 'hours'],
  [Infinity, 86_400_000, 'day', 'days'],
];

/** "40 seconds", "1 minute", "3 hours", "5 days": the largest unit that reads naturally, rounded down. */
export function formatDuration(ms: number): string {
  const safe = Math.max(0, ms);
  const [, unit, one, many] = UNITS.find(([limit]) => safe < limit)!;
  const n = Math.floor(safe / unit);
  return `${n} ${n === 1 ? one : many}`;
}
