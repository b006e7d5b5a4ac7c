/**
 * Signatures per hour as an SVG bar chart, with a text summary and the figures as a table
 * for screen readers and anyone who prefers numbers.
 */
import type { Totals } from './api.ts';
import { formatDay, formatHour, formatNumber, formatTime, plural } from './format.ts';

const HOUR = 3600_000;
/** At most this many bars (two days); at least this few (half a day). */
const MAX_BARS = 48;
const MIN_BARS = 12;

export interface HourBar {
  start: Date;
  count: number;
}

/** Fill the gaps between the server's non-empty hours, ending with the current hour. */
export function hourBars(hourly: Totals['hourly'], now: number): HourBar[] {
  const counts = new Map<number, number>();
  for (const h of hourly) {
    const t = Date.parse(h.hour);
    if (!Number.isNaN(t)) counts.set(t, (counts.get(t) ?? 0) + h.count);
  }
  const known = [...counts.keys()];
  const end = Math.max(Math.floor(now / HOUR) * HOUR, ...known);
  const first = known.length ? Math.min(...known) : end;
  const start = Math.min(end - (MIN_BARS - 1) * HOUR, Math.max(first, end - (MAX_BARS - 1) * HOUR));
  const bars: HourBar[] = [];
  for (let t = start; t <= end; t += HOUR) bars.push({ start: new Date(t), count: counts.get(t) ?? 0 });
  return bars;
}

/** A round top for the y axis: 1, 2, 5, 10, 20, 50 … */
function niceMax(n: number): number {
  if (n <= 4) return Math.max(1, n);
  const magnitude = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= n) return step * magnitude;
  return 10 * magnitude;
}

const W = 760;
const H = 200;
const PAD = { top: 16, right: 12, bottom: 40, left: 44 };

export function HourlyChart({ hourly, now }: { hourly: Totals['hourly']; now: number }) {
  const bars = hourBars(hourly, now);
  const max = niceMax(Math.max(0, ...bars.map((b) => b.count)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / bars.length;
  const barW = Math.max(2, slot * 0.72);
  const y = (n: number) => PAD.top + plotH - (n / max) * plotH;
  const labelEvery = Math.ceil(bars.length / 12);
  const ticks = max <= 4 ? Array.from({ length: max + 1 }, (_, i) => i) : [0, max / 4, max / 2, (3 * max) / 4, max];

  const inRange = bars.reduce((sum, b) => sum + b.count, 0);
  const busiest = bars.reduce<HourBar | undefined>((best, b) => (b.count > (best?.count ?? 0) ? b : best), undefined);
  const summary =
    `${plural(inRange, 'signature', 'signatures')} in the last ${bars.length} hours` +
    (busiest ? `; the busiest hour began at ${formatTime(busiest.start)} on ${formatDay(busiest.start)}, with ${formatNumber(busiest.count)}.` : '.');

  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="hourly-title hourly-desc" class="chart-svg" preserveAspectRatio="xMidYMid meet">
        <title id="hourly-title">Signatures received per hour</title>
        <desc id="hourly-desc">{summary}</desc>
        {ticks.map((t) => (
          <g key={t} class="chart-grid">
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} />
            <text x={PAD.left - 8} y={y(t)} dy="0.35em" text-anchor="end">{formatNumber(t)}</text>
          </g>
        ))}
        {bars.map((b, i) => {
          const x = PAD.left + i * slot + (slot - barW) / 2;
          const top = y(b.count);
          const newDay = b.start.getHours() === 0;
          return (
            <g key={b.start.getTime()}>
              {b.count > 0 && (
                <rect class="chart-bar" x={x} y={top} width={barW} height={PAD.top + plotH - top} rx={Math.min(3, barW / 3)}>
                  <title>{`${formatTime(b.start)}–${formatTime(new Date(b.start.getTime() + HOUR))}: ${plural(b.count, 'signature', 'signatures')}`}</title>
                </rect>
              )}
              {(i % labelEvery === 0 || i === bars.length - 1) && (
                <text class="chart-label" x={x + barW / 2} y={H - PAD.bottom + 16} text-anchor="middle">{formatHour(b.start)}</text>
              )}
              {(newDay || i === 0) && (
                <text class="chart-day" x={x + barW / 2} y={H - PAD.bottom + 32} text-anchor="middle">{formatDay(b.start)}</text>
              )}
            </g>
          );
        })}
        <line class="chart-axis" x1={PAD.left} x2={W - PAD.right} y1={PAD.top + plotH} y2={PAD.top + plotH} />
      </svg>
      <figcaption class="hint">{summary}</figcaption>
      <details class="chart-table">
        <summary>Show the figures as a table</summary>
        <table class="data compact">
          <caption class="visually-hidden">Signatures received per hour</caption>
          <thead>
            <tr><th scope="col">Hour</th><th scope="col" class="num">Signatures</th></tr>
          </thead>
          <tbody>
            {bars.map((b) => (
              <tr key={b.start.getTime()}>
                <th scope="row">{`${formatDay(b.start)} ${formatTime(b.start)}`}</th>
                <td class="num">{formatNumber(b.count)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
