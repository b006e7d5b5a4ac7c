/**
 * The dashboard: the total, signatures per hour, and where they came from. Live. The total is
 * every stored signature; those set aside from the hand-in are counted apart, by reason.
 */
import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import type { ConsoleApi, Totals } from './api.ts';
import { countryName, deviceName, formatNumber, plural } from './format.ts';
import { useLoad } from './hooks.ts';
import { HourlyChart } from './HourlyChart.tsx';
import { SectionHeading } from './SectionHeading.tsx';
import { REASONS } from './SetAside.tsx';

interface Props {
  totals: Totals | undefined;
  now: number;
  error: string;
  api: ConsoleApi;
  /** Bumped on every live update: time to look at the tablets again. */
  tick: number;
  onError: (error: unknown) => void;
}

const HOUR = 3600_000;

export function Dashboard({ totals, now, error, api, tick, onError }: Props) {
  if (!totals) {
    return (
      <>
        <SectionHeading title="Dashboard" />
        {error ? <p class="error banner" role="alert">{error}</p> : <p class="hint">Loading the figures…</p>}
      </>
    );
  }
  const hourStart = Math.floor(now / HOUR) * HOUR;
  const lastHours = (n: number) => totals.hourly.filter((h) => Date.parse(h.hour) > hourStart - n * HOUR).reduce((s, h) => s + h.count, 0);
  const midnight = new Date(now).setHours(0, 0, 0, 0);
  const today = totals.hourly.filter((h) => Date.parse(h.hour) + HOUR > midnight).reduce((s, h) => s + h.count, 0);

  return (
    <>
      <SectionHeading title="Dashboard" />
      {error && <p class="error banner" role="alert">{error}</p>}
      <SilentTablets api={api} tick={tick} onError={onError} />
      <dl class={totals.setAside ? 'stats with-set-aside' : 'stats'}>
        <div class="stat stat-main">
          <dt>{totals.paper?.entries ? 'Signatures on tablets' : 'Signatures'}</dt>
          <dd data-testid="total">{formatNumber(totals.total)}</dd>
          {totals.setAside && <dd class="stat-note">{`every one stored, ${formatNumber(totals.total - totals.setAside.total)} in the hand-in`}</dd>}
        </div>
        {totals.setAside && (
          <div class="stat" data-testid="set-aside">
            <dt>Set aside</dt>
            <dd>{formatNumber(totals.setAside.total)}</dd>
            <dd class="stat-note">{totals.setAside.byReason.map((r) => `${formatNumber(r.count)} ${REASONS[r.reason].toLowerCase()}`).join(' · ')}</dd>
          </div>
        )}
        <div class="stat">
          <dt>Today</dt>
          <dd>{formatNumber(today)}</dd>
        </div>
        <div class="stat">
          <dt>This hour</dt>
          <dd>{formatNumber(lastHours(1))}</dd>
        </div>
        <div class="stat">
          <dt>Tablets</dt>
          <dd>{formatNumber(totals.byDevice.length)}</dd>
        </div>
        <div class="stat">
          <dt>Countries</dt>
          <dd>{formatNumber(totals.byCountry.filter((c) => c.country).length)}</dd>
        </div>
      </dl>

      {totals.paper && totals.paper.entries > 0 && <PaperCard tablets={totals.total} paper={totals.paper} />}

      <section class="card" aria-labelledby="hourly-heading">
        <h2 id="hourly-heading">Signatures per hour</h2>
        <HourlyChart hourly={totals.hourly} now={now} />
      </section>

      <div class="breakdowns">
        <Breakdown id="by-event" title="By event" label="Event" total={totals.total}
          rows={totals.byEvent.map((e) => ({ key: e.event, name: e.event, count: e.count }))} />
        <Breakdown id="by-device" title="By tablet" label="Tablet" total={totals.total}
          rows={totals.byDevice.map((d) => ({ key: d.deviceId, name: deviceName(d.label, d.deviceId), count: d.count }))} />
        <Breakdown id="by-country" title="By country" label="Country" total={totals.total}
          rows={totals.byCountry.map((c) => ({ key: c.country, name: countryName(c.country), count: c.count }))} />
      </div>
    </>
  );
}

/** The paper counts, apart from the tablets' total, and the two together, each clearly labelled. */
function PaperCard({ tablets, paper }: { tablets: number; paper: NonNullable<Totals['paper']> }) {
  return (
    <section class="card" aria-labelledby="paper-heading">
      <h2 id="paper-heading">On paper (counted by hand)</h2>
      <dl class="stats">
        <div class="stat">
          <dt>On paper (counted by hand)</dt>
          <dd data-testid="paper-total">{formatNumber(paper.total)}</dd>
        </div>
        <div class="stat">
          <dt>Sheets</dt>
          <dd>{formatNumber(paper.sheets)}</dd>
        </div>
        <div class="stat stat-main">
          <dt>With paper: tablets and paper together</dt>
          <dd data-testid="with-paper-total">{formatNumber(tablets + paper.total)}</dd>
        </div>
      </dl>
      <p class="hint">
        {`${plural(paper.entries, 'paper count', 'paper counts')} recorded in the Paper section. `}
        {paper.byCountry.map((c) => `${c.country ? countryName(c.country) : 'country not recorded'} ${formatNumber(c.count)}`).join(' · ')}
      </p>
    </section>
  );
}

/**
 * How many tablets hold unsynced signatures and have gone silent, linking to the Devices
 * section that names them. Silence grows without any live update, so it looks again now and then.
 */
function SilentTablets({ api, tick, onError }: { api: ConsoleApi; tick: number; onError: (error: unknown) => void }) {
  const { data, reload } = useLoad(() => api.devices(), [api, tick], onError);
  useEffect(() => {
    const timer = setInterval(() => reload(), 30_000);
    return () => clearInterval(timer);
  }, []);
  const silent = data?.devices.filter((d) => d.silent) ?? [];
  if (silent.length === 0) return null;
  const unsynced = silent.reduce((sum, d) => sum + d.silent!.unsynced, 0);
  return (
    <p class="warn-banner" data-testid="silent-tablets">
      <a href="#devices">
        {`${plural(silent.length, 'tablet is', 'tablets are')} silent while holding ${plural(unsynced, 'unsynced signature', 'unsynced signatures')}.`}
      </a>
      {silent.length === 1 ? ' Find it before its storage is cleared.' : ' Find them before their storage is cleared.'}
    </p>
  );
}

interface Row {
  key: string;
  name: ComponentChildren;
  count: number;
}

function Breakdown({ id, title, label, rows, total }: { id: string; title: string; label: string; rows: Row[]; total: number }) {
  const shown = rows.slice(0, 15);
  const rest = rows.slice(15).reduce((s, r) => s + r.count, 0);
  return (
    <section class="card breakdown" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{title}</h2>
      {rows.length === 0 ? (
        <p class="hint">No signatures yet.</p>
      ) : (
        <table class="data compact" id={id}>
          <thead>
            <tr>
              <th scope="col">{label}</th>
              <th scope="col" class="num">Signatures</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.key}>
                <th scope="row" class="name-cell">
                  {r.name}
                  <ShareBar part={r.count} total={total} />
                </th>
                <td class="num">{formatNumber(r.count)}</td>
              </tr>
            ))}
            {rest > 0 && (
              <tr>
                <th scope="row" class="name-cell muted">
                  {`${rows.length - shown.length} more`}
                  <ShareBar part={rest} total={total} />
                </th>
                <td class="num">{formatNumber(rest)}</td>
              </tr>
            )}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** A thin bar for a share of the total, set through the CSSOM (allowed by the CSP). */
function ShareBar({ part, total }: { part: number; total: number }) {
  const pct = total > 0 ? Math.round((part / total) * 100) : 0;
  return (
    <span class="share" aria-hidden="true">
      <span class="share-fill" style={{ width: `${pct}%` }} />
    </span>
  );
}
