/**
 * A campaign's stored signatures: search, filter by version and language, find those that
 * match no published version, page through, set signatures aside from the hand-in (one or
 * all that match) and restore them (SetAside.tsx), and delete one on a data-subject request.
 */
import { useState } from 'preact/hooks';
import { LANGUAGES } from '../shared/campaign.ts';
import { filterOf, signatureSvgUrl, type ConsoleApi, type SignatureRow, type VersionProblem } from './api.ts';
import { ReviewDialog, SetAsideBadge, type ReviewAction } from './SetAside.tsx';
import { LANGUAGE_NAMES } from './campaign-diff.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { countryName, formatDateTime, formatNumber } from './format.ts';
import { SectionHeading } from './SectionHeading.tsx';
import { useLoad } from './hooks.ts';
import { BreakableEmail } from '../kiosk/BreakableEmail.tsx';

const PAGE = 25;

/** Why a row matches no published version, in words (S26). */
const PROBLEMS: Record<VersionProblem, { badge: string; title: string }> = {
  'unknown-campaign': { badge: 'Unknown campaign', title: 'The tablet named a campaign this server does not have.' },
  'unknown-version': { badge: 'Unknown version', title: 'The tablet named a version of this campaign that was never published here.' },
  'hash-mismatch': { badge: 'Text differs', title: 'The text the tablet showed does not match the published version it names (content hash mismatch).' },
};

interface Props {
  api: ConsoleApi;
  tick: number;
  onError: (error: unknown) => void;
}

export function Signatures({ api, tick, onError }: Props) {
  const [draft, setDraft] = useState('');
  const [query, setQuery] = useState('');
  const [duplicatesOnly, setDuplicatesOnly] = useState(false);
  const [problemsOnly, setProblemsOnly] = useState(false);
  const [version, setVersion] = useState<number | undefined>();
  const [lang, setLang] = useState('');
  const [review, setReview] = useState<'' | 'only' | 'exclude'>('');
  const [reviewing, setReviewing] = useState<ReviewAction | undefined>();
  const { data: detail } = useLoad(() => api.campaign(api.campaignId), [api], onError);
  // Where the page starts: its offset (for "showing 26–50"), and the row it continues from, so
  // the server reads an index range rather than skipping rows, however deep the page.
  const [position, setPosition] = useState<{ offset: number; before?: number; after?: number }>({ offset: 0 });
  const offset = position.offset;
  const [deleting, setDeleting] = useState<SignatureRow | undefined>();
  const [announcement, setAnnouncement] = useState('');

  const { data: page, error: loadError, reload } = useLoad(
    async () => {
      const result = await api.signatures({ q: query, limit: PAGE, duplicatesOnly, problemsOnly, version, lang, setAside: review || undefined, ...position });
      // Deleting the last row of a page: back to the first page.
      if (result.rows.length === 0 && offset > 0) {
        setPosition({ offset: 0 });
        return undefined;
      }
      return result;
    },
    [api, query, position, duplicatesOnly, problemsOnly, version, lang, review, tick],
    onError,
  );

  function search(event: Event) {
    event.preventDefault();
    setQuery(draft.trim());
    setPosition({ offset: 0 });
  }

  function previousPage() {
    if (!page) return;
    const back = Math.max(0, offset - PAGE);
    setPosition(back === 0 ? { offset: 0 } : { offset: back, after: page.rows[0].seq });
  }

  function nextPage() {
    if (!page) return;
    setPosition({ offset: offset + PAGE, before: page.rows[page.rows.length - 1].seq });
  }

  const from = page && page.total > 0 ? page.offset + 1 : 0;
  const many = page?.totalCapped ? `more than ${formatNumber(page.total)}` : formatNumber(page?.total ?? 0);
  const to = page ? page.offset + page.rows.length : 0;
  const currentFilter = { q: query, duplicatesOnly, problemsOnly, version, lang, setAside: review || undefined };

  return (
    <>
      <SectionHeading title="Signatures" />
      <section class="card" aria-labelledby="sig-list-heading">
        <h2 id="sig-list-heading" class="visually-hidden">Signature list</h2>
        <form class="search-form" role="search" onSubmit={search}>
          <div class="field grow">
            <label for="sig-search">Search by name, email or signature ID</label>
            <input id="sig-search" type="search" value={draft} maxLength={200} autocomplete="off" onInput={(e) => setDraft(e.currentTarget.value)} />
          </div>
          <button type="submit" class="primary">Search</button>
          {query && (
            <button type="button" class="secondary" onClick={() => {
              setDraft('');
              setQuery('');
              setPosition({ offset: 0 });
            }}>
              Show all
            </button>
          )}
        </form>
        <div class="filter-row">
          <div class="field">
            <label for="sig-version">Version</label>
            <select id="sig-version" value={version === undefined ? '' : String(version)} onChange={(e) => {
              setVersion(e.currentTarget.value === '' ? undefined : Number(e.currentTarget.value));
              setPosition({ offset: 0 });
            }}>
              <option value="">All versions</option>
              {[...(detail?.versions ?? [])].reverse().map((v) => <option key={v.version} value={String(v.version)}>{`Version ${v.version}`}</option>)}
            </select>
          </div>
          <div class="field">
            <label for="sig-lang">Language</label>
            <select id="sig-lang" value={lang} onChange={(e) => {
              setLang(e.currentTarget.value);
              setPosition({ offset: 0 });
            }}>
              <option value="">All languages</option>
              {LANGUAGES.map((l) => <option key={l} value={l}>{LANGUAGE_NAMES[l]}</option>)}
            </select>
          </div>
          <div class="field">
            <label for="sig-review">Hand-in</label>
            <select id="sig-review" value={review} onChange={(e) => {
              setReview(e.currentTarget.value as typeof review);
              setPosition({ offset: 0 });
            }}>
              <option value="">All</option>
              <option value="exclude">In the hand-in</option>
              <option value="only">Set aside</option>
            </select>
          </div>
          <label class="check-inline">
            <input type="checkbox" checked={duplicatesOnly} onChange={(e) => {
              setDuplicatesOnly(e.currentTarget.checked);
              setPosition({ offset: 0 });
            }} />
            Only possible duplicates
          </label>
          <label class="check-inline">
            <input type="checkbox" checked={problemsOnly} onChange={(e) => {
              setProblemsOnly(e.currentTarget.checked);
              setPosition({ offset: 0 });
            }} />
            Only those matching no published version
          </label>
        </div>

        <p class="result-line" role="status" aria-live="polite">
          {!page
            ? 'Loading…'
            : query
              ? `${many} ${page.total === 1 && !page.totalCapped ? 'signature matches' : 'signatures match'} “${query}”${duplicatesOnly ? ' among possible duplicates' : ''}`
              : `${formatNumber(page.total)} ${duplicatesOnly ? (page.total === 1 ? 'possible duplicate' : 'possible duplicates') : page.total === 1 ? 'signature' : 'signatures'}`}
          {page && page.total > 0 && <span class="muted">{` · showing ${formatNumber(from)}–${formatNumber(to)}`}</span>}
        </p>
        {page && page.total > 0 && (
          <div class="bulk-row">
            {review !== 'only' && Object.keys(filterOf(currentFilter)).length > 0 && (
              <button type="button" class="secondary small" onClick={() => setReviewing({ kind: 'set-aside', all: { count: many, targets: { filter: filterOf(currentFilter) } } })}>
                {`Set aside all ${many} matching…`}
              </button>
            )}
            {review === 'only' && (
              <button type="button" class="secondary small" onClick={() => setReviewing({ kind: 'restore', all: { count: many, targets: { filter: filterOf(currentFilter) } } })}>
                {`Restore all ${many} matching…`}
              </button>
            )}
          </div>
        )}
        {announcement && <p class="notice-banner" role="status">{announcement}</p>}
        {loadError && <p class="error banner" role="alert">{loadError}</p>}

        {page && page.rows.length > 0 && (
          <div class="table-wrap">
            <table class="data signatures" id="signatures-table">
              <thead>
                <tr>
                  <th scope="col">Signature</th>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Country</th>
                  <th scope="col">Signed</th>
                  <th scope="col"><span class="visually-hidden">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {page.rows.map((r) => (
                  <tr key={r.id} class={r.setAside ? 'set-aside' : undefined}>
                    <td class="sig-cell">
                      <img class="sig-thumb" src={signatureSvgUrl(r.id)} alt={r.name ? `Signature of ${r.name}` : 'Signature'} loading="lazy" width={150} height={50} />
                    </td>
                    <th scope="row" class="name-cell">
                      {r.name ?? <span class="muted">(sealed)</span>}
                      {r.possibleDuplicate && (
                        <span class="badge badge-warn" title="Another signature has the same email, or the same name and country.">Possible duplicate</span>
                      )}
                      {r.typed && <span class="badge">Typed</span>}
                      {r.setAside && <SetAsideBadge setAside={r.setAside} />}
                      {r.versionProblem && (
                        <span class="badge badge-danger" title={PROBLEMS[r.versionProblem].title}>{`Matches no published version: ${PROBLEMS[r.versionProblem].badge}`}</span>
                      )}
                      {r.capturedAfterClose && (
                        <span class="badge badge-warn" title="The tablet captured it after the campaign was closed (it may have been offline). It still counts.">Captured after close</span>
                      )}
                    </th>
                    <td class="email-cell">{r.email ? <BreakableEmail address={r.email} /> : '—'}</td>
                    <td>{countryName(r.country)}</td>
                    <td>
                      <time dateTime={r.capturedAt}>{formatDateTime(r.capturedAt)}</time>
                      <span class="sub">{`Version ${r.campaignVersion}${r.lang ? ` · ${LANGUAGE_NAMES[r.lang as keyof typeof LANGUAGE_NAMES] ?? r.lang}` : ''}`}</span>
                      {r.clockSuspect && (
                        <span class="sub" title="The tablet’s clock looked wrong; the server received it at this time.">
                          {`received ${formatDateTime(r.receivedAt)}`}
                        </span>
                      )}
                    </td>
                    <td class="actions">
                      <button type="button" class="secondary small" aria-label={`${r.setAside ? 'Restore' : 'Set aside'} signature of ${r.name ?? r.id}`}
                        onClick={() => setReviewing({ kind: r.setAside ? 'restore' : 'set-aside', row: r })}>
                        {r.setAside ? 'Restore' : 'Set aside'}
                      </button>
                      <button type="button" class="danger-outline small" aria-label={`Delete signature of ${r.name ?? r.id}`} onClick={() => setDeleting(r)}>
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}

        {page && page.total > PAGE && (
          <nav class="pager" aria-label="Signature pages">
            <button type="button" class="secondary" disabled={offset === 0} onClick={previousPage}>Previous</button>
            <span>{`Page ${formatNumber(Math.floor(offset / PAGE) + 1)} of ${page.totalCapped ? 'more than ' : ''}${formatNumber(Math.ceil(page.total / PAGE))}`}</span>
            <button type="button" class="secondary" disabled={page.rows.length < PAGE || (!page.totalCapped && to >= page.total)} onClick={nextPage}>Next</button>
          </nav>
        )}
      </section>

      {reviewing && (
        <ReviewDialog api={api} action={reviewing} onClose={() => setReviewing(undefined)} onDone={(message) => {
          setAnnouncement(message);
          reload();
        }} />
      )}

      {deleting && (
        <ConfirmDialog
          title="Delete this signature?"
          confirmLabel="Delete permanently"
          onClose={() => setDeleting(undefined)}
          onConfirm={async () => {
            await api.deleteSignature(deleting.id);
            setAnnouncement(`The signature of ${deleting.name ?? deleting.id} was deleted.`);
            reload();
          }}
        >
          <p>
            <strong>Only for a data-subject request:</strong> the person asked for their data to be erased.
          </p>
          <dl class="summary">
            <dt>Name</dt>
            <dd>{deleting.name ?? '(sealed)'}</dd>
            <dt>Email</dt>
            <dd>{deleting.email ?? '—'}</dd>
            <dt>Signed</dt>
            <dd>{formatDateTime(deleting.capturedAt)}</dd>
          </dl>
          <p>
            Their name, contact details and signature are removed from the server for good and leave the count. Only the signature’s ID is kept, so that a tablet
            cannot send it again. The deletion is recorded in the audit log.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
