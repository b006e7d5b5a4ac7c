/** A campaign's goal and dates: settings of the campaign, not of a version (changing them publishes nothing). */
import { useState } from 'preact/hooks';
import type { CampaignDetail, ConsoleApi } from './api.ts';

/** An ISO time as a datetime-local value, in this browser's time zone. */
function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const fromLocalInput = (value: string) => (value ? new Date(value).toISOString() : null);

interface Props {
  api: ConsoleApi;
  campaign: CampaignDetail;
  onSaved: (campaign: CampaignDetail) => void;
}

export function CampaignSettings({ api, campaign, onSaved }: Props) {
  const [goal, setGoal] = useState(campaign.goal === null ? '' : String(campaign.goal));
  const [startsAt, setStartsAt] = useState(toLocalInput(campaign.startsAt));
  const [endsAt, setEndsAt] = useState(toLocalInput(campaign.endsAt));
  const [message, setMessage] = useState<{ ok: boolean; text: string } | undefined>();
  const [busy, setBusy] = useState(false);

  async function save(event: Event) {
    event.preventDefault();
    const n = goal.trim() === '' ? null : Number(goal);
    if (n !== null && (!Number.isInteger(n) || n < 1)) return setMessage({ ok: false, text: 'The goal is a whole number of signatures, 1 or more (or empty for none).' });
    if (startsAt && endsAt && startsAt >= endsAt) return setMessage({ ok: false, text: 'The campaign must end after it starts.' });
    setBusy(true);
    try {
      onSaved(await api.settings(campaign.id, { goal: n, startsAt: fromLocalInput(startsAt), endsAt: fromLocalInput(endsAt) }));
      setMessage({ ok: true, text: 'The goal and dates are saved.' });
    } catch (error) {
      setMessage({ ok: false, text: (error as Error).message });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card" aria-labelledby="settings-heading">
      <h2 id="settings-heading">Goal and dates</h2>
      <p class="hint">The public counter shows progress toward the goal. Changing these publishes nothing: they are not part of the petition’s text.</p>
      <form class="settings-row" onSubmit={save} noValidate>
        <div class="field narrow">
          <label for="campaign-goal">Goal (signatures)</label>
          <input id="campaign-goal" type="number" min={1} step={1} inputMode="numeric" value={goal} aria-describedby={message && !message.ok ? 'settings-message' : undefined}
            onInput={(e) => setGoal(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="campaign-starts">Starts</label>
          <input id="campaign-starts" type="datetime-local" value={startsAt} onInput={(e) => setStartsAt(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="campaign-ends">Ends</label>
          <input id="campaign-ends" type="datetime-local" value={endsAt} onInput={(e) => setEndsAt(e.currentTarget.value)} />
        </div>
        <button type="submit" class="secondary" disabled={busy}>Save goal and dates</button>
      </form>
      {message && (
        <p id="settings-message" class={message.ok ? 'notice-banner' : 'error banner'} role={message.ok ? 'status' : 'alert'}>{message.text}</p>
      )}
    </section>
  );
}
