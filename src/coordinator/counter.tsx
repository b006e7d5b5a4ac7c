/**
 * The public counter (counter.html) for a big screen at a rally: a campaign's title, its
 * number of signatures, live, and its progress toward the goal when it has one. At
 * /counter/<campaign-id> it shows that campaign; at /counter, the server's default one. It
 * reads only the public card and total: no personal data.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import * as z from 'zod/mini';
import { PublicCampaignSchema, type PublicCampaign } from '../shared/api/campaigns.ts';
import { PublicCountSchema } from '../shared/api/dashboard.ts';
import { CampaignSchema, RTL_LANGUAGES } from '../shared/campaign.ts';
import { formatLocale } from '../kiosk/i18n/catalog.ts';
import { contrastText } from '../kiosk/contrast.ts';
import { useEventStream } from './hooks.ts';
import './counter.css';

/** The campaign this address names, or undefined for the default one. */
function campaignInPath(): string | undefined {
  const m = /^\/counter\/([A-Za-z0-9_-]{1,64})\/?$/.exec(location.pathname);
  return m?.[1];
}

/** The answer at `url` parsed with its contract schema; undefined when refused or when it does not fit. */
async function getJson<T>(url: string, schema: z.ZodMiniType<T>): Promise<T | undefined> {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  return res.ok ? z.safeParse(schema, await res.json()).data : undefined;
}

type Card = Omit<PublicCampaign, 'total'>;

/** The campaign's card; the default one's id comes from the campaign the tablets get. */
async function loadCard(): Promise<Card | null> {
  let id = campaignInPath();
  let fallback: Card | undefined;
  if (!id) {
    const served = await getJson('/api/v1/campaign', CampaignSchema);
    if (!served) return null;
    id = served.id;
    const title = served.text[served.defaultLanguage]?.title ?? '';
    fallback = { id, title, lang: served.defaultLanguage, color: served.theme.color, status: 'open', goal: null };
  }
  return (await getJson(`/api/public/campaigns/${encodeURIComponent(id)}`, PublicCampaignSchema)) ?? fallback ?? null;
}

function Counter() {
  // undefined: loading; null: no such (published) campaign.
  const [card, setCard] = useState<Card | null | undefined>();
  // The tablets' total and the paper count apart, as the server sends them; shown together.
  const [total, setTotal] = useState<number | undefined>();
  const [paper, setPaper] = useState(0);
  const id = card?.id;
  const scope = id ? `?campaign=${encodeURIComponent(id)}` : '';
  // The server refused the live stream (too many counters open) or it failed: the figure is
  // asked for every 10 s meanwhile, and the stream tried again in 30–60 s (spread out, so
  // refused counters do not all come back at once).
  const [polling, setPolling] = useState(false);
  const live = useEventStream(
    id ? `/api/public/events${scope}` : '',
    PublicCountSchema,
    (s) => {
      if (Number.isInteger(s.total)) setTotal(s.total);
      setPaper(s.paper ?? 0);
    },
    () => setPolling(true),
    () => 30_000 + Math.random() * 30_000,
  );
  useEffect(() => {
    if (live === 'live') setPolling(false);
  }, [live]);

  useEffect(() => {
    loadCard().then(setCard, () => setCard(null));
  }, []);

  // The first figure, in case the live stream is slow to open; then every 10 s without it.
  useEffect(() => {
    if (!id) return;
    const ask = (first: boolean) =>
      getJson(`/api/public/count${scope}`, PublicCountSchema).then(
        (r) => {
          if (!r) return;
          setTotal((t) => (first ? (t ?? r.total) : r.total));
          if (!first) setPaper(r.paper ?? 0);
          else setPaper((p) => p || (r.paper ?? 0));
        },
        () => undefined,
      );
    if (live !== 'live') void ask(true);
    if (live === 'live') return;
    const timer = setInterval(() => void ask(false), 10_000);
    return () => clearInterval(timer);
  }, [id, live]);

  useEffect(() => {
    if (!card) return;
    if (/^#[0-9a-fA-F]{6}$/.test(card.color)) {
      document.documentElement.style.setProperty('--brand', card.color);
      document.documentElement.style.setProperty('--on-brand', contrastText(card.color));
    }
    document.title = `${card.title} · signatures`;
  }, [card]);

  if (card === null) {
    return (
      <main class="counter">
        <h1 class="counter-title">No such petition</h1>
        <p>This address names no published campaign. Check the link.</p>
      </main>
    );
  }
  const numbers = new Intl.NumberFormat(formatLocale(card?.lang ?? 'en'));
  // Paper signatures count toward the figure and the goal, and the line under it says how many.
  const combined = total === undefined ? undefined : total + paper;
  const digits = combined === undefined ? '…' : numbers.format(combined);
  const dir = card && RTL_LANGUAGES.has(card.lang) ? 'rtl' : 'ltr';
  return (
    <main class="counter">
      <h1 class="counter-title" lang={card?.lang} dir={dir}>{card?.title ?? '\u00a0'}</h1>
      <p class="counter-figure" aria-live="polite" aria-atomic="true">
        <span class="counter-digits" data-testid="public-total">{digits}</span>
        <span class="counter-unit">{combined === 1 ? 'signature' : 'signatures'}</span>
      </p>
      {paper > 0 && <p class="counter-paper" data-testid="paper-line">{`including ${numbers.format(paper)} on paper`}</p>}
      {card?.goal && combined !== undefined && <GoalProgress total={combined} goal={card.goal} withPaper={paper > 0} format={(n) => numbers.format(n)} />}
      {card?.status === 'closed' && <p class="counter-closed">This petition is closed. Thank you to everyone who signed.</p>}
      <p class={`counter-live counter-live-${live}`}>
        <span class="live-dot" aria-hidden="true" />
        {live === 'live' ? 'Live' : polling ? 'Updated every 10 s' : live === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
      </p>
    </main>
  );
}

/** Progress toward the goal (counting paper signatures too, and saying so): a bar (a native progressbar, so assistive technology reads it) and the numbers in words. */
function GoalProgress({ total, goal, withPaper, format }: { total: number; goal: number; withPaper: boolean; format: (n: number) => string }) {
  const percent = Math.floor((Math.min(total, goal) / goal) * 100);
  const counted = withPaper ? ' (tablets and paper)' : '';
  const words = total >= goal ? `Goal reached: ${format(total)} of ${format(goal)} signatures${counted}` : `${format(total)} of ${format(goal)} signatures${counted} · ${percent}% of the goal`;
  return (
    <div class="counter-goal">
      <progress id="goal-progress" max={goal} value={Math.min(total, goal)} aria-labelledby="goal-words" aria-valuetext={words} />
      <p id="goal-words" class="counter-goal-words" data-testid="goal-progress">{words}</p>
    </div>
  );
}

render(<Counter />, document.getElementById('app')!);
