/**
 * The Exports page's card for blank paper-collection sheets: the published text in one of
 * the campaign's languages on every sheet, then numbered rows for handwritten signatures,
 * for the bodies that accept only wet ink. The link carries the choices as ?lang=&pages=.
 */
import { useState } from 'preact/hooks';
import type { Language } from '../shared/campaign.ts';
import { PAPER_SHEETS } from '../shared/api/paper-sheets.ts';
import { EXPORTS, scoped } from './api.ts';

const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', fr: 'French', es: 'Spanish', ar: 'Arabic' };

/** `published`: the latest published version's languages, or null before the first publication. */
export function PaperSheetsCard({ campaignId, published }: { campaignId: string; published: { languages: Language[]; defaultLanguage: Language } | null }) {
  const [lang, setLang] = useState<Language | null>(null);
  const [pages, setPages] = useState<number>(PAPER_SHEETS.default);
  const chosen = published && lang && published.languages.includes(lang) ? lang : published?.defaultLanguage;
  const valid = Number.isInteger(pages) && pages >= 1 && pages <= PAPER_SHEETS.max;
  const href = chosen && scoped(`${EXPORTS.paperSheetsPdf}?${new URLSearchParams({ lang: chosen, pages: String(pages) })}`, campaignId);
  return (
    <li class="card export-card" id="paper-sheets-card">
      <h2>Paper collection sheets (PDF)</h2>
      <p>
        Blank A4 sheets for signatures in ink, for parliaments that accept only those: the whole published petition text on every sheet, then numbered
        rows for name, address and signature.
      </p>
      {!published ? (
        <p>Publish the campaign first: the sheets carry a published version’s text.</p>
      ) : (
        <>
          <div class="field">
            <label for="paper-sheets-lang">Language</label>
            <select id="paper-sheets-lang" value={chosen} onChange={(e) => setLang((e.target as HTMLSelectElement).value as Language)}>
              {published.languages.map((l) => (
                <option key={l} value={l}>{LANGUAGE_NAMES[l]}</option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="paper-sheets-pages">Number of sheets</label>
            <input
              id="paper-sheets-pages"
              type="number"
              min={1}
              max={PAPER_SHEETS.max}
              value={pages}
              aria-describedby={valid ? undefined : 'paper-sheets-pages-error'}
              onInput={(e) => setPages(Number((e.target as HTMLInputElement).value))}
            />
            {!valid && <p id="paper-sheets-pages-error" class="error">From 1 to {PAPER_SHEETS.max} sheets.</p>}
          </div>
          {valid && href && (
            <a class="button primary" href={href} download>Download paper sheets</a>
          )}
        </>
      )}
    </li>
  );
}
