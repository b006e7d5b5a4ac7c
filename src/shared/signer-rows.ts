/**
 * The rows of the hand-in list and the contact list, shared by the server's exports
 * (server/exports/csv.ts, streamed with csv-stringify), the CLI export of sealed
 * signatures and the console, which builds the same files in the browser once it has opened
 * sealed signatures with the coordinator's key. One definition, so all three agree.
 *
 * Privacy: the hand-in list carries no contact data (no email, phone or postcode); the
 * contact list holds only signers who opted in. A sealed payload that was not opened is
 * marked in the hand-in list and left out of the contacts.
 */
import type { SignatureRecord } from './protocol.ts';

/** What a row needs of a stored signature: the server's receipt time and the record. */
export interface RowSource {
  receivedAt: string;
  record: SignatureRecord;
  /** The content hash of the version it was signed under, as published (when the exporter knows it). */
  versionHash?: string | null;
}

/**
 * What each signer was shown: the campaign, its version and that version's content hash (the
 * record's own when the tablet sent one), the language, and the consent wording's version.
 */
const VERSION_COLUMNS = ['Campaign', 'Version', 'Version hash', 'Language', 'Consent version'] as const;
/** The contact list names the language already, beside the contact details. */
const CONTACT_VERSION_COLUMNS = ['Campaign', 'Version', 'Version hash', 'Consent version'] as const;

function versionCells(row: RowSource, withLanguage = true): string[] {
  const r = row.record;
  const consent = r.consentVersion === undefined ? '' : String(r.consentVersion);
  const cells = [safeCell(r.campaignId), String(r.campaignVersion), safeCell(r.campaignHash ?? row.versionHash ?? '')];
  return withLanguage ? [...cells, safeCell(r.lang), consent] : [...cells, consent];
}

/**
 * The last column of both lists is the signature's id, which also names its drawing in the
 * signatures zip (`<id>.svg`), so a row and its signature can be matched. It is a random
 * UUID made on the tablet: no contact data.
 */
export const HANDIN_COLUMNS = ['No.', 'Name', 'Country', 'Country code', 'Date signed', 'Signature', ...VERSION_COLUMNS, 'Signature ID'] as const;
export const CONTACT_COLUMNS = ['Name', 'Email', 'Country', 'Country code', 'Postcode', 'Phone', 'Language', 'Date signed', ...CONTACT_VERSION_COLUMNS, 'Signature ID'] as const;

/** First characters that make a spreadsheet read a cell as a formula (incl. full-width forms). */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/**
 * Neutralise CSV/formula injection: a cell starting with =, +, -, @, tab or CR gets a
 * leading apostrophe, so Excel, LibreOffice and Sheets show it as text instead of running it.
 */
export function safeCell(value: string | undefined | null): string {
  if (!value) return '';
  return FORMULA_START.test(value) || FORMULA_START.test(value.replace(LEADING_INVISIBLE, '')) ? `'${value}` : value;
}

/**
 * What a spreadsheet may skip or not show before a formula: format characters (U+200B,
 * U+202E, U+FEFF…), the Mongolian vowel separator, Hangul fillers, line separators and
 * control characters other than tab and CR (themselves formula starts; a plain space keeps a
 * spreadsheet from reading a formula, so it is left alone). "\u200B=1+1" is a formula too.
 */
const LEADING_INVISIBLE = /^[\p{Cf}\u180E\u115F\u1160\u3164\uFFA0\u2028\u2029\u0000-\u0008\u000A-\u000C\u000E-\u001F\u007F]+/u;

let regionNames: Intl.DisplayNames | undefined;
const countryNames = new Map<string, string>();

/** English name of a country code ("France" for FR); the code itself if unknown. */
export function countryName(code: string | undefined): string {
  if (!code) return '';
  let name = countryNames.get(code);
  if (name === undefined) {
    try {
      regionNames ??= new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
      name = regionNames.of(code) ?? code;
    } catch {
      name = code; // not a well-formed region code
    }
    countryNames.set(code, name);
  }
  return name;
}

/** YYYY-MM-DD of the server's receipt: the date that counts. */
export function dateSigned(row: RowSource): string {
  return row.receivedAt.slice(0, 10);
}

/** Row `number` of the hand-in list: name, country, date and how the signature was given. */
export function handinRow(number: number, row: RowSource): string[] {
  const p = row.record.payload;
  const id = safeCell(row.record.id);
  if (p.kind !== 'plain') return [String(number), '(sealed signature)', '', '', dateSigned(row), 'sealed', ...versionCells(row), id];
  const code = p.signer.country ?? '';
  return [String(number), safeCell(p.signer.name), safeCell(countryName(code)), safeCell(code), dateSigned(row), p.typed ? 'typed' : 'drawn', ...versionCells(row), id];
}

/** The contact-list row of a signer who opted in; undefined for everyone else. */
export function contactRow(row: RowSource): string[] | undefined {
  const p = row.record.payload;
  if (p.kind !== 'plain' || p.signer.optIn !== true) return undefined;
  const s = p.signer;
  return [
    safeCell(s.name),
    safeCell(s.email),
    safeCell(countryName(s.country)),
    safeCell(s.country),
    safeCell(s.postcode),
    safeCell(s.phone),
    safeCell(row.record.lang),
    dateSigned(row),
    ...versionCells(row, false),
    safeCell(row.record.id),
  ];
}

/** One RFC 4180 field: quoted (quotes doubled) when it holds a comma, quote, CR or LF. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * A whole CSV file as the server's exports write it: UTF-8 byte order mark (Excel then reads
 * accents right), a header line, CRLF line ends, RFC 4180 quoting. No comment lines, so any
 * CSV reader takes it as is. For the console, which builds files in memory; the server streams.
 */
export function csvText(columns: readonly string[], rows: Iterable<readonly string[]>): string {
  const lines = [columns.map(csvField).join(',')];
  for (const row of rows) lines.push(row.map(csvField).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
