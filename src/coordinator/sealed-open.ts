/**
 * Opening sealed signatures in the console, in the browser: the coordinator's private key
 * file is unlocked here with WebCrypto (src/shared/keyfile.ts) and never leaves the page.
 * The stored records come from the server page by page (GET /api/console/records), are
 * opened one by one, their chains checked and duplicates looked for
 * (src/shared/open-signatures.ts), and the files are built here, as Blobs.
 *
 * Memory: only what the lists need is kept of each opened record (no strokes), about as
 * much as the Signatures list of a plain campaign would show.
 */
import { parseKeyFile, unlockKeyFile, type UnlockedKey } from '../shared/keyfile.ts';
import { createSealedReader, integrityReportText, type IntegrityReport, type OpenedRecord } from '../shared/open-signatures.ts';
import { CONTACT_COLUMNS, contactRow, csvText, HANDIN_COLUMNS, handinRow } from '../shared/signer-rows.ts';
import type { ConsoleApi, RecordRow } from './api.ts';

/** A private key file is ~4 KB; anything much larger is not one. */
const MAX_KEY_FILE_BYTES = 64 * 1024;
/** Records asked for per request. */
const PAGE = 250;

export type { UnlockedKey };

/** Read the chosen key file and unlock it with the passphrase; throws with a message for people. */
export async function unlockChosenFile(file: File, passphrase: string): Promise<UnlockedKey> {
  if (file.size > MAX_KEY_FILE_BYTES) throw new Error(`${file.name} is not a Fieldsign private key file (it is far too large).`);
  const text = await file.text();
  parseKeyFile(text); // a clear message for the wrong file before the slow passphrase check
  return unlockKeyFile(text, passphrase);
}

/** An opened signature as the console keeps it: the record without its strokes. */
export type OpenedRow = RecordRow & { record: OpenedRecord };

export interface OpenedSignatures {
  report: IntegrityReport;
  /** Opened (or plain) signatures in arrival order, without strokes. */
  rows: OpenedRow[];
  /** The campaign's sealing key id, as the server has it (null: not a sealed campaign). */
  sealingKeyId: string | null;
  /** When it was read. */
  at: string;
}

/** Fetch every stored record, open it with `key`, and check the chains. `onProgress` gets the count read so far. */
export async function openAllSignatures(api: ConsoleApi, key: UnlockedKey, onProgress: (read: number) => void, signal?: AbortSignal): Promise<OpenedSignatures> {
  const reader = createSealedReader(key);
  const rows: OpenedRow[] = [];
  let after = 0;
  let read = 0;
  const first = await api.records(0, PAGE);
  for (let page = first; ; page = await api.records(after, PAGE)) {
    for (const row of page.records) {
      if (signal?.aborted) throw new DOMException('Stopped.', 'AbortError');
      const opened = await reader.read(row);
      if (opened) rows.push(withoutStrokes(opened));
      read++;
    }
    onProgress(read);
    if (page.next === null) break;
    after = page.next;
  }
  const names = new Map(first.tablets.map((t) => [t.id, t.label]));
  const report = await reader.finish(first.heads, names, first.deletedOnRequest);
  return { report, rows, sealingKeyId: first.sealingKeyId, at: new Date().toISOString() };
}

function withoutStrokes(row: OpenedRow): OpenedRow {
  const payload = { ...row.record.payload };
  delete payload.ink;
  return { ...row, record: { ...row.record, payload } };
}

/** The hand-in list (no contact data), as the server's export writes it. */
export function handinCsv(rows: OpenedRow[]): string {
  return csvText(HANDIN_COLUMNS, rows.map((row, i) => handinRow(i + 1, row)));
}

/** The signers who opted in, with their contact details. */
export function contactsCsv(rows: OpenedRow[]): string {
  return csvText(CONTACT_COLUMNS, rows.map(contactRow).filter((cells): cells is string[] => cells !== undefined));
}

/** The integrity report of this reading, as text. */
export function integrityText(opened: OpenedSignatures, files: string[]): string {
  return integrityReportText(opened.report, { generatedAt: opened.at, source: `the server at ${location.origin}, read and opened in the coordinator's browser`, files });
}
