/**
 * The public counter (counter.html) for a big screen at a rally: the campaign's title and
 * the number of signatures, live. It reads only the public total: no personal data.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useEventStream } from './hooks.ts';
import './counter.css';

interface CampaignSummary {
  title: string;
  lang: string;
  dir: 'ltr' | 'rtl';
  color?: string;
}

async function loadCampaign(): Promise<CampaignSummary | undefined> {
  const res = await fetch('/api/v1/campaign', { headers: { accept: 'application/json' } });
  if (!res.ok) return undefined;
  const campaign = (await res.json()) as { defaultLanguage: string; text: Record<string, { title?: string } | undefined>; theme?: { color?: string } };
  const title = campaign.text[campaign.defaultLanguage]?.title;
  if (!title) return undefined;
  const color = /^#[0-9a-fA-F]{6}$/.test(campaign.theme?.color ?? '') ? campaign.theme?.color : undefined;
  return { title, lang: campaign.defaultLanguage, dir: campaign.defaultLanguage === 'ar' ? 'rtl' : 'ltr', color };
}

function Counter() {
  const [campaign, setCampaign] = useState<CampaignSummary | undefined>();
  const [total, setTotal] = useState<number | undefined>();
  // The server refused the live stream (too many counters open) or it failed: the figure is
  // asked for every 10 s meanwhile, and the stream tried again in 30–60 s (spread out, so
  // refused counters do not all come back at once).
  const [polling, setPolling] = useState(false);
  const live = useEventStream<{ total: number }>(
    '/api/public/events',
    (s) => {
      if (Number.isInteger(s.total)) setTotal(s.total);
    },
    () => setPolling(true),
    () => 30_000 + Math.random() * 30_000,
  );
  useEffect(() => {
    if (live === 'live') setPolling(false);
  }, [live]);

  useEffect(() => {
    loadCampaign().then(setCampaign, () => undefined);
    // The first figure, in case the live stream is slow to open.
    fetch('/api/public/count')
      .then((r) => (r.ok ? (r.json() as Promise<{ total: number }>) : undefined))
      .then((r) => r && setTotal((t) => t ?? r.total), () => undefined);
  }, []);

  // Without the live stream, ask every 10 s.
  useEffect(() => {
    if (live === 'live') return;
    const timer = setInterval(() => {
      fetch('/api/public/count')
        .then((r) => (r.ok ? (r.json() as Promise<{ total: number }>) : undefined))
        .then((r) => r && setTotal(r.total), () => undefined);
    }, 10_000);
    return () => clearInterval(timer);
  }, [live]);

  useEffect(() => {
    if (campaign?.color) document.documentElement.style.setProperty('--brand', campaign.color);
    if (campaign) document.title = `${campaign.title} · signatures`;
  }, [campaign]);

  const digits = total === undefined ? '…' : new Intl.NumberFormat(campaign?.lang).format(total);
  return (
    <main class="counter">
      <h1 class="counter-title" lang={campaign?.lang} dir={campaign?.dir}>{campaign?.title ?? '\u00a0'}</h1>
      <p class="counter-figure" aria-live="polite" aria-atomic="true">
        <span class="counter-digits" data-testid="public-total">{digits}</span>
        <span class="counter-unit">{total === 1 ? 'signature' : 'signatures'}</span>
      </p>
      <p class={`counter-live counter-live-${live}`}>
        <span class="live-dot" aria-hidden="true" />
        {live === 'live' ? 'Live' : polling ? 'Updated every 10 s' : live === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
      </p>
    </main>
  );
}

render(<Counter />, document.getElementById('app')!);
