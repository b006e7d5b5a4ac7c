/**
 * The Paper section: signatures collected on paper and counted by hand, per event, listed
 * apart from the tablets' and recorded here (PaperCountForm). Removing one asks first; both
 * are in the audit log.
 */
import { useState } from 'preact/hooks';
import type { ConsoleApi } from './api.ts';
import type { PaperCount } from '../shared/api/paper.ts';
import { paperTotals, sumOf } from '../shared/api/paper.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { countryName, formatNumber, plural } from './format.ts';
import { PaperCountForm } from './PaperCountForm.tsx';
import { SectionHeading } from './SectionHeading.tsx';
import { useLoad } from './hooks.ts';

interface Props {
  api: ConsoleApi;
  tick: number;
  onError: (error: unknown) => void;
}

export function PaperCounts({ api, tick, onError }: Props) {
  const { data: counts, reload } = useLoad(() => api.paperCounts(), [api, tick], onError);
  const [removing, setRemoving] = useState<PaperCount | undefined>();
  const [announcement, setAnnouncement] = useState('');
  const totals = counts && paperTotals(counts);
  return (
    <>
      <SectionHeading title="Paper" />
      <p class="hint">Signatures collected on paper sheets and counted by hand. They are shown apart from the tablets’ signatures, always labelled as paper.</p>
      <PaperCountForm api={api} onRecorded={(p) => { setAnnouncement(`Recorded ${formatNumber(p.signatures)} paper signatures from ${p.event}.`); reload(); }} onError={onError} />
      <section class="card" aria-labelledby="paper-list-heading">
        <h2 id="paper-list-heading">Paper counts</h2>
        <p class="hint" role="status">{announcement}</p>
        {!counts ? (
          <p class="hint">Loading…</p>
        ) : counts.length === 0 ? (
          <p class="hint">No paper count recorded yet.</p>
        ) : (
          <>
            <p data-testid="paper-summary">{`${plural(totals!.total, 'signature', 'signatures')} on ${plural(totals!.sheets, 'sheet', 'sheets')}, in ${plural(totals!.entries, 'count', 'counts')}.`}</p>
            <div class="table-wrap">
            <table class="data compact" id="paper-counts">
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Collected</th>
                  <th scope="col" class="num">Sheets</th>
                  <th scope="col" class="num">Signatures</th>
                  <th scope="col">Countries</th>
                  <th scope="col">Counted by</th>
                  <th scope="col">Recorded by</th>
                  <th scope="col"><span class="visually-hidden">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {counts.map((p) => (
                  <tr key={p.id}>
                    <th scope="row">{p.event}{p.note && <div class="hint">{p.note}</div>}</th>
                    <td><time dateTime={p.collectedOn}>{p.collectedOn}</time></td>
                    <td class="num">{formatNumber(p.sheets)}</td>
                    <td class="num">{formatNumber(p.signatures)}</td>
                    <td>{countriesText(p)}</td>
                    <td>{p.countedBy}</td>
                    <td>{p.recordedBy}</td>
                    <td><button type="button" class="danger small" aria-label={`Remove the paper count of ${p.event}`} onClick={() => setRemoving(p)}>Remove</button></td>
                  </tr>
                ))}
              </tbody>
            </table>
            </div>
          </>
        )}
      </section>
      {removing && (
        <ConfirmDialog
          title="Remove this paper count?"
          confirmLabel="Remove paper count"
          onClose={() => setRemoving(undefined)}
          onConfirm={async () => {
            await api.removePaperCount(removing.id);
            setAnnouncement(`The paper count of ${removing.event} was removed.`);
            reload();
          }}
        >
          <p>{`${formatNumber(removing.signatures)} signatures on ${formatNumber(removing.sheets)} sheets from ${removing.event} (${removing.collectedOn}) will no longer be counted. The audit log keeps its figures.`}</p>
        </ConfirmDialog>
      )}
    </>
  );
}

/** "Kenya 200, Uganda 10; 20 country not recorded". */
function countriesText(p: PaperCount): string {
  const known = Object.entries(p.countries ?? {}).map(([code, n]) => `${countryName(code)} ${formatNumber(n)}`);
  const rest = p.signatures - sumOf(p.countries);
  return [known.join(', '), rest > 0 ? `${formatNumber(rest)} country not recorded` : ''].filter(Boolean).join('; ');
}
