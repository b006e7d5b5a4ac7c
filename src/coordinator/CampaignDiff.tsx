/** What the draft changes, as a table a coordinator reads before publishing: field, before, after. */
import type { FieldChange } from './campaign-diff.ts';

interface Props {
  changes: FieldChange[];
  /** What the draft is compared with, e.g. "version 2" or "the campaign it was copied from". */
  against: string;
  /** Right-to-left text (Arabic) is shown in its own direction. */
  rtl: (path: string) => boolean;
}

export function CampaignDiff({ changes, against, rtl }: Props) {
  return (
    <section class="card diff" aria-labelledby="diff-heading">
      <h2 id="diff-heading">{`Changes against ${against}`}</h2>
      {changes.length === 0 ? (
        <p class="hint" data-testid="no-changes">{`The draft says exactly what ${against} says: there is nothing to publish.`}</p>
      ) : (
        <div class="table-wrap">
          <table class="data diff-table" id="diff-table">
            <caption class="visually-hidden">{`${changes.length} changed fields`}</caption>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">{against.charAt(0).toUpperCase() + against.slice(1)}</th>
                <th scope="col">Draft</th>
              </tr>
            </thead>
            <tbody>
              {changes.map((c) => {
                const dir = rtl(c.path) ? 'rtl' : undefined;
                return (
                  <tr key={c.path}>
                    <th scope="row">{c.label}</th>
                    <td>{c.before === undefined ? <span class="muted">(none)</span> : <del dir={dir}>{c.before}</del>}</td>
                    <td>{c.after === undefined ? <span class="muted">(removed)</span> : <ins dir={dir}>{c.after}</ins>}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
