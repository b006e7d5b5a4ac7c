/**
 * What one reading of the sealed signatures found (SealedSignatures.tsx does the reading): what
 * was verified (how many opened, each one that did not and why, each tablet's chain), the
 * files built from it in this browser, and the possible duplicate signers.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { useFocusOnArrival } from '../kiosk/focus.ts';
import { deletionsNote } from '../shared/open-signatures.ts';
import { countryName, formatNumber, plural } from './format.ts';
import { contactsCsv, handinCsv, integrityText, type OpenedSignatures } from './sealed-open.ts';

/** The downloads built from one reading, as object URLs. */
export interface Downloads {
  handin: { url: string; name: string };
  contacts: { url: string; name: string };
  integrity: { url: string; name: string };
}

/** Object URLs for the three files of a reading, revoked when the reading goes (forget, sign out). */
export function useDownloads(opened: OpenedSignatures | undefined): Downloads | undefined {
  const [downloads, setDownloads] = useState<Downloads | undefined>();
  useEffect(() => {
    if (!opened) {
      setDownloads(undefined);
      return;
    }
    const day = opened.at.slice(0, 10);
    const names = { handin: `fieldsign-handin-opened-${day}.csv`, contacts: `fieldsign-contacts-opened-${day}.csv`, integrity: `fieldsign-integrity-${day}.txt` };
    const url = (text: string, type: string) => URL.createObjectURL(new Blob([text], { type }));
    const made: Downloads = {
      handin: { url: url(handinCsv(opened.rows), 'text/csv;charset=utf-8'), name: names.handin },
      contacts: { url: url(contactsCsv(opened.rows), 'text/csv;charset=utf-8'), name: names.contacts },
      integrity: { url: url(integrityText(opened, [names.handin, names.contacts, names.integrity]), 'text/plain;charset=utf-8'), name: names.integrity },
    };
    setDownloads(made);
    return () => {
      for (const d of Object.values(made)) URL.revokeObjectURL(d.url);
    };
  }, [opened]);
  return downloads;
}

/** The outcome of one reading; its heading takes the focus when it appears. */
export function SealedResults({ opened, downloads }: { opened: OpenedSignatures; downloads: Downloads }) {
  const heading = useRef<HTMLHeadingElement | null>(null);
  useFocusOnArrival(heading, [opened]);
  const { report, rows } = opened;
  const byId = new Map(rows.map((r) => [r.id, r]));
  const optedIn = rows.filter((r) => r.record.payload.signer.optIn).length;
  return (
    <>
      <section class="card" aria-labelledby="sealed-result-heading">
        <div class="card-head">
          <h2 id="sealed-result-heading" tabIndex={-1} ref={heading}>What was verified</h2>
          <span class={`badge ${report.ok ? 'badge-ok' : 'badge-danger'}`}>{report.ok ? 'All verified' : 'Problems found'}</span>
        </div>
        <p class={report.ok ? 'verdict-ok' : 'error'} data-testid="sealed-summary">{report.summary}</p>
        <dl class="summary">
          <dt>Signatures held</dt>
          <dd data-testid="sealed-held">{formatNumber(report.held)}</dd>
          <dt>Opened with your key</dt>
          <dd data-testid="sealed-opened">{`${formatNumber(report.opened)} of ${formatNumber(report.sealed)} sealed`}</dd>
          <dt>Could not be opened</dt>
          <dd data-testid="sealed-failed">{formatNumber(report.failures.length)}</dd>
          {report.plain > 0 && (
            <>
              <dt>Stored in clear</dt>
              <dd>{formatNumber(report.plain)}</dd>
            </>
          )}
        </dl>

        {report.failures.length > 0 && (
          <>
            <h3>Signatures that could not be opened</h3>
            <p class="hint">They are left out of the lists below. Each reason says what failed: a changed byte, a record moved, or another key.</p>
            <div class="table-wrap">
              <table class="data" id="sealed-failures">
                <thead>
                  <tr>
                    <th scope="col">Signature ID</th>
                    <th scope="col">Tablet, place in its chain</th>
                    <th scope="col">Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {report.failures.map((f) => (
                    <tr key={f.id}>
                      <th scope="row" class="mono">{f.id}</th>
                      <td class="mono">{f.chainSeq !== undefined ? `${f.device}, seq ${f.chainSeq}` : f.device}</td>
                      <td>{f.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}

        <h3>Tablet chains</h3>
        <ul class="verdicts" id="sealed-chains">
          {report.chain.devices.map((d) => (
            <li key={d.device} class={d.ok ? 'verdict-ok' : 'error'}>{d.summary}</li>
          ))}
        </ul>
        <p class="hint">{report.chain.summary}</p>
        {report.deletedOnRequest ? <p class="hint">{deletionsNote(report)}</p> : null}
      </section>

      <section class="card" aria-labelledby="sealed-downloads-heading">
        <h2 id="sealed-downloads-heading">Files</h2>
        <p class="hint">Made in this browser from the signatures opened above. They hold personal data: keep them on an encrypted drive.</p>
        <ul class="export-grid">
          <li class="export-card">
            <h3>Hand-in list (CSV)</h3>
            <p>{`${plural(rows.length, 'signature', 'signatures')}: name, country and date. No contact details.`}</p>
            <a class="button primary" href={downloads.handin.url} download={downloads.handin.name}>Download hand-in CSV</a>
          </li>
          <li class="export-card">
            <h3>Contacts who opted in (CSV)</h3>
            <p>{`${plural(optedIn, 'signer', 'signers')} who ticked “keep me informed”, with their contact details.`}</p>
            <p class="badge badge-warn">Contains personal data</p>
            <a class="button primary" href={downloads.contacts.url} download={downloads.contacts.name}>Download contacts CSV</a>
          </li>
          <li class="export-card">
            <h3>Integrity report (text)</h3>
            <p>What was verified: every signature that failed to open, each tablet’s chain. Signature IDs only, no names.</p>
            <a class="button secondary" href={downloads.integrity.url} download={downloads.integrity.name}>Download integrity report</a>
          </li>
        </ul>
        <p class="hint">For the printable PDF and the signature images, run “npm run cli -- export” on your own computer with the same key file.</p>
      </section>

      <section class="card" aria-labelledby="sealed-duplicates-heading">
        <h2 id="sealed-duplicates-heading">Possible duplicate signers</h2>
        {report.duplicates.length === 0 ? (
          <p class="hint">None: no two opened signatures share an email, or a name and country.</p>
        ) : (
          <>
            <p class="hint">Same email, or same name and country. Flagged for you to look at, never dropped: two people can share a name.</p>
            <div class="table-wrap">
              <table class="data" id="sealed-duplicates">
                <thead>
                  <tr>
                    <th scope="col">Shared</th>
                    <th scope="col">Name</th>
                    <th scope="col">Email</th>
                    <th scope="col">Country</th>
                    <th scope="col">Signature ID</th>
                  </tr>
                </thead>
                {report.duplicates.map((group, i) => (
                  <tbody key={i} class="dup-group">
                    {group.ids.map((id) => {
                      const signer = byId.get(id)?.record.payload.signer;
                      return (
                        <tr key={id}>
                          <td>{group.reason === 'email' ? 'Same email' : 'Same name and country'}</td>
                          <th scope="row" class="name-cell">{signer?.name ?? '—'}</th>
                          <td class="email-cell">{signer?.email ?? '—'}</td>
                          <td>{countryName(signer?.country)}</td>
                          <td class="mono">{id}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                ))}
              </table>
            </div>
          </>
        )}
      </section>
    </>
  );
}
