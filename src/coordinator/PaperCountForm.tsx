/**
 * The form that records one paper count: event, date collected, sheets, signatures, who
 * counted, a note, and country rows when the breakdown is known (it may cover only part).
 * The server judges it with the shared schema (src/shared/api/paper.ts) and its message is shown.
 */
import { useMemo, useState } from 'preact/hooks';
import type { ConsoleApi } from './api.ts';
import type { PaperCount } from '../shared/api/paper.ts';
import { COUNTRY_CODES } from '../shared/countries.ts';
import { countryName } from './format.ts';

interface Props {
  api: ConsoleApi;
  onRecorded: (count: PaperCount) => void;
  onError: (error: unknown) => void;
}

interface CountryRow {
  country: string;
  count: string;
}

const today = () => new Date().toISOString().slice(0, 10);

export function PaperCountForm({ api, onRecorded, onError }: Props) {
  const [event, setEvent] = useState('');
  const [collectedOn, setCollectedOn] = useState(today());
  const [sheets, setSheets] = useState('');
  const [signatures, setSignatures] = useState('');
  const [countedBy, setCountedBy] = useState('');
  const [note, setNote] = useState('');
  const [rows, setRows] = useState<CountryRow[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const countries = useMemo(() => COUNTRY_CODES.map((code): [string, string] => [code, countryName(code)]).sort((a, b) => a[1].localeCompare(b[1])), []);
  const setRow = (i: number, change: Partial<CountryRow>) => setRows((now) => now.map((r, j) => (j === i ? { ...r, ...change } : r)));

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const breakdown = Object.fromEntries(rows.filter((r) => r.country).map((r) => [r.country, Number(r.count || 'NaN')]));
      const recorded = await api.recordPaperCount({
        event,
        collectedOn,
        sheets: Number(sheets || 'NaN'),
        signatures: Number(signatures || 'NaN'),
        countries: Object.keys(breakdown).length > 0 ? breakdown : null,
        countedBy,
        note: note.trim() || null,
      });
      setEvent('');
      setSheets('');
      setSignatures('');
      setNote('');
      setRows([]);
      onRecorded(recorded);
    } catch (err) {
      setError((err as Error).message);
      onError(err);
    } finally {
      setBusy(false);
    }
  }

  const described = error ? 'paper-error' : undefined;
  return (
    <section class="card" aria-labelledby="paper-form-heading">
      <h2 id="paper-form-heading">Record a paper count</h2>
      <form class="code-form paper-form" onSubmit={submit} noValidate>
        <div class="field grow">
          <label for="paper-event">Event</label>
          <input id="paper-event" type="text" value={event} maxLength={120} required aria-describedby={described} onInput={(e) => setEvent(e.currentTarget.value)} />
        </div>
        <div class="field narrow">
          <label for="paper-date">Date collected</label>
          <input id="paper-date" type="date" value={collectedOn} max={today()} required onInput={(e) => setCollectedOn(e.currentTarget.value)} />
        </div>
        <div class="field narrow">
          <label for="paper-sheets">Sheets</label>
          <input id="paper-sheets" type="number" inputMode="numeric" min="0" step="1" value={sheets} required onInput={(e) => setSheets(e.currentTarget.value)} />
        </div>
        <div class="field narrow">
          <label for="paper-signatures">Signatures</label>
          <input id="paper-signatures" type="number" inputMode="numeric" min="0" step="1" value={signatures} required onInput={(e) => setSignatures(e.currentTarget.value)} />
        </div>
        <div class="field grow">
          <label for="paper-counted-by">Counted by</label>
          <input id="paper-counted-by" type="text" value={countedBy} maxLength={120} required onInput={(e) => setCountedBy(e.currentTarget.value)} />
        </div>
        <div class="field grow">
          <label for="paper-note">Note (optional)</label>
          <input id="paper-note" type="text" value={note} maxLength={500} onInput={(e) => setNote(e.currentTarget.value)} />
        </div>
        <fieldset class="campaign-picks">
          <legend>Signatures per country, when known (the rest: country not recorded)</legend>
          {rows.map((r, i) => (
            <div class="field-row" key={i}>
              <label for={`paper-country-${i}`}>{`Country ${i + 1}`}</label>
              <select id={`paper-country-${i}`} value={r.country} onChange={(e) => setRow(i, { country: e.currentTarget.value })}>
                <option value="">Choose a country</option>
                {countries.map(([code, name]) => (
                  <option key={code} value={code}>{name}</option>
                ))}
              </select>
              <label for={`paper-country-count-${i}`}>{`Signatures from country ${i + 1}`}</label>
              <input id={`paper-country-count-${i}`} type="number" inputMode="numeric" min="0" step="1" value={r.count} onInput={(e) => setRow(i, { count: e.currentTarget.value })} />
              <button type="button" class="small" onClick={() => setRows((now) => now.filter((_, j) => j !== i))}>{`Remove country ${i + 1}`}</button>
            </div>
          ))}
          <button type="button" class="small" onClick={() => setRows((now) => [...now, { country: '', count: '' }])}>Add a country</button>
        </fieldset>
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Recording…' : 'Record paper count'}</button>
      </form>
      {error && <p id="paper-error" class="error banner" role="alert">{error}</p>}
    </section>
  );
}
