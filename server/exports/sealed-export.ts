/**
 * `npm run cli -- export --key fieldsign-private-key.json --out DIR`: open the sealed
 * signatures of the database locally, with the coordinator's private key, and write
 *
 *   handin.csv      the hand-in list (no contact data), as the console's export
 *   contacts.csv    the signers who opted in
 *   handin.pdf      the printable hand-in sheets, handwritten signatures drawn
 *   signatures.zip  every signature as SVG, named by its id, as the console's export
 *   duplicates.csv  possible duplicate signers (same email, or same name and country)
 *   integrity.txt   what was verified: every record that failed to open (id and reason),
 *                   and each tablet's chain verdict (gaps left by deletions on request,
 *                   whose tombstones keep their chain place, are counted as such)
 *
 * Steps: unlock the key file (src/shared/keyfile.ts; the passphrase comes from the
 * FIELDSIGN_PASSPHRASE environment variable or a hidden prompt, never from an argument);
 * read the chain heads the tablets reported, then every stored record once, opening it,
 * feeding the chain check (src/shared/open-signatures.ts) and writing its SVG to the zip, and
 * keep only what the CSV files need (no strokes); write the CSV files; read the records again
 * to draw the PDF, so the strokes are never all in memory at once; write integrity.txt. A
 * record that fails to open is left out of the lists and named in integrity.txt; the others
 * are still written. The result says whether everything opened and every chain held, so the
 * CLI can exit non-zero when not.
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { createInterface } from 'node:readline';
import { campaignText, type Campaign, type Language } from '../../src/shared/campaign.ts';
import { countryName, dateSigned, safeCell } from '../../src/shared/signer-rows.ts';
import { createSealedReader, integrityReportText, openHeld, type IntegrityReport, type OpenedRecord } from '../../src/shared/open-signatures.ts';
import type { DuplicateGroup } from '../../src/shared/duplicates.ts';
import { writeCsv } from './csv.ts';
import { writePdf, type PdfSection } from './pdf.ts';
import { allSignatures } from './stream.ts';
import { writeSvgZip } from './zip.ts';
import { reportedHeads, deletionsOnRequest } from '../console/sealed-records.ts';
import { unlockKeyFile } from '../keys.ts';
import type { Store, StoredSignature } from '../store/store.ts';

/** The files `export` writes, in the order it writes them. */
export const EXPORT_FILES = {
  handin: 'handin.csv',
  contacts: 'contacts.csv',
  pdf: 'handin.pdf',
  svgs: 'signatures.zip',
  duplicates: 'duplicates.csv',
  integrity: 'integrity.txt',
} as const;

export interface SealedExportOptions {
  store: Store;
  /** The private key file's path. */
  keyPath: string;
  passphrase: string;
  /** The folder to write to; created if needed, and must not hold a previous export. */
  out: string;
  /** The campaign (its text heads the PDF; its sealing key id is checked against the key). */
  campaign: Campaign;
  /** Named in integrity.txt, e.g. the database. */
  source: string;
  /** Progress and results, one line each. */
  log: (line: string) => void;
}

export interface SealedExportResult {
  report: IntegrityReport;
  files: string[];
}

/** A row kept between the two passes: the opened record without its strokes. */
type KeptRow = StoredSignature & { record: OpenedRecord };

/** Run the export; throws (before writing anything) when the key cannot be unlocked. */
export async function exportSealed(options: SealedExportOptions): Promise<SealedExportResult> {
  const { store, out, campaign, log } = options;
  let keyText: string;
  try {
    keyText = readFileSync(options.keyPath, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read the private key file ${options.keyPath}: ${(error as Error).message}`);
  }
  const key = await unlockKeyFile(keyText, options.passphrase);
  log(`Private key ${key.keyId} unlocked.`);
  const expected = campaign.sealing?.keyId;
  if (expected && expected !== key.keyId) {
    log(`WARNING: the campaign seals signatures for key ${expected}, but this key file holds key ${key.keyId}. Signatures sealed for ${expected} will not open.`);
  }

  const paths = Object.fromEntries(Object.entries(EXPORT_FILES).map(([k, name]) => [k, join(out, name)])) as Record<keyof typeof EXPORT_FILES, string>;
  for (const path of Object.values(paths)) {
    if (existsSync(path)) throw new Error(`${path} already exists: choose a new --out folder (an export never overwrites files).`);
  }
  mkdirSync(out, { recursive: true, mode: 0o700 });

  // The chain heads the tablets reported, read before the records (as the console's first
  // page does): a tablet syncing during the export reports a newer head, and the records
  // behind it, stored after the stream passed, would show as missing from its chain.
  const devices = await store.listDevices();

  // Pass 1: open everything, check the chains, write the SVGs, keep the signer details for the CSV files.
  const reader = createSealedReader(key);
  const kept: KeptRow[] = [];
  let lastSeq = 0;
  async function* openAll(): AsyncGenerator<KeptRow> {
    for await (const row of allSignatures(store, { campaignId: campaign.id })) {
      lastSeq = row.seq;
      const opened = await reader.read(row);
      if (!opened) continue;
      kept.push(withoutStrokes(opened));
      if (kept.length % 5000 === 0) log(`  ${kept.length.toLocaleString('en')} read…`);
      yield opened;
    }
  }
  const written: string[] = [];
  await writeSvgZip(openAll(), fileStream(paths.svgs));
  written.push(paths.svgs);
  const report = await reader.finish(reportedHeads(devices), new Map(devices.map((d) => [d.id, d.label])), await deletionsOnRequest(store));

  await writeCsv(fromArray(kept), fileStream(paths.handin), 'handin');
  written.push(paths.handin);
  await writeCsv(fromArray(kept), fileStream(paths.contacts), 'contacts');
  written.push(paths.contacts);

  // Pass 2: the PDF, opening each record again so that its strokes are in memory only while drawn.
  await writePdf(await sealedSections(store, campaign, kept, () => openedAgain(store, campaign.id, key, lastSeq)), fileStream(paths.pdf), {
    campaignId: campaign.id,
    title: campaignText(campaign, campaign.defaultLanguage).title,
  });
  written.push(paths.pdf);

  await writeDuplicates(report.duplicates, kept, fileStream(paths.duplicates));
  written.push(paths.duplicates);
  writeFileSync(
    paths.integrity,
    integrityReportText(report, { generatedAt: new Date().toISOString(), source: options.source, files: [...written, paths.integrity] }),
    { mode: 0o600, flag: 'wx' },
  );
  written.push(paths.integrity);

  const optedIn = kept.filter((r) => r.record.payload.signer.optIn).length;
  log(`Read ${plural(report.held, 'signature')}: ${report.opened.toLocaleString('en')} opened, ${report.plain.toLocaleString('en')} stored in clear, ${report.failures.length.toLocaleString('en')} could not be opened.`);
  log('Wrote:');
  log(`  ${paths.handin}  ${plural(kept.length, 'signature')}, no contact data`);
  log(`  ${paths.contacts}  ${plural(optedIn, 'signer')} who opted in`);
  log(`  ${paths.pdf}  the hand-in sheets`);
  log(`  ${paths.svgs}  every signature as SVG`);
  log(`  ${paths.duplicates}  ${plural(report.duplicates.length, 'group')} of possible duplicate signers`);
  log(`  ${paths.integrity}  what was verified`);
  log(report.summary);
  for (const d of report.chain.devices) log(`  ${d.summary}`);
  if (report.chain.unchained) log(`  ${report.chain.summary}`);
  for (const f of report.failures.slice(0, 20)) log(`  could not open ${f.message}`);
  if (report.failures.length > 20) log(`  … and ${report.failures.length - 20} more: see ${paths.integrity}`);
  return { report, files: written };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/** The row with its strokes dropped: the CSV files do not need them, and they are most of its size. */
function withoutStrokes(row: KeptRow): KeptRow {
  // Without `typed`, the lists say "drawn", as they should.
  const payload = { ...row.record.payload };
  delete payload.ink;
  return { ...row, record: { ...row.record, payload } };
}

async function* fromArray<T>(rows: T[]): AsyncGenerator<T> {
  yield* rows;
}

/** The records up to `lastSeq` (those of pass 1), opened again; failures were reported in pass 1. */
/**
 * The PDF's sections, one per version and language of the opened signatures, each headed by
 * the text the store published for that version (or the campaign file's, when its id and
 * version match a version whose text was never recorded); each section reads its records again.
 */
async function sealedSections(store: Store, campaign: Campaign, kept: KeptRow[], again: () => AsyncIterable<KeptRow>): Promise<PdfSection[]> {
  const groups = new Map<string, { version: number; lang: Language | null; count: number }>();
  for (const row of kept) {
    const key = `${row.record.campaignVersion} ${row.record.lang ?? ''}`;
    const group = groups.get(key) ?? { version: row.record.campaignVersion, lang: (row.record.lang ?? null) as Language | null, count: 0 };
    group.count++;
    groups.set(key, group);
  }
  const versions = new Map((await store.campaignVersions(campaign.id)).map((v) => [v.version, v]));
  return [...groups.values()]
    .sort((a, b) => a.version - b.version || (a.lang ?? '').localeCompare(b.lang ?? ''))
    .map((g) => {
      const published = versions.get(g.version);
      const content = published?.content ?? (g.version === campaign.version ? campaign : null);
      return {
        ...g,
        content,
        hash: published?.hash ?? null,
        async *rows() {
          for await (const row of again()) if (row.record.campaignVersion === g.version && (row.record.lang ?? null) === g.lang) yield row;
        },
      };
    });
}

async function* openedAgain(store: Store, campaignId: string, key: Awaited<ReturnType<typeof unlockKeyFile>>, lastSeq: number): AsyncGenerator<KeptRow> {
  for await (const row of allSignatures(store, { campaignId })) {
    if (row.seq > lastSeq) return;
    const result = await openHeld(row, key);
    if (result.ok) yield result.row;
  }
}

/** A new file readable by its owner only; refuses to overwrite. */
function fileStream(path: string): Writable {
  return createWriteStream(path, { mode: 0o600, flags: 'wx' });
}

const DUPLICATE_COLUMNS = ['Group', 'Shared', 'Signature ID', 'Name', 'Email', 'Country', 'Country code', 'Date signed'];

/** duplicates.csv: one row per signature of each group, the group numbered from 1. */
async function writeDuplicates(groups: DuplicateGroup[], rows: KeptRow[], out: Writable): Promise<void> {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const csv = stringify({ bom: true, header: true, columns: DUPLICATE_COLUMNS, record_delimiter: 'windows', quote: '"', escape: '"' });
  const done = new Promise<void>((resolve, reject) => {
    csv.pipe(out).on('finish', resolve).on('error', reject);
    csv.on('error', reject);
  });
  groups.forEach((group, i) => {
    for (const id of group.ids) {
      const row = byId.get(id);
      const s = row?.record.payload.signer;
      const shared = group.reason === 'email' ? 'same email' : 'same name and country';
      csv.write([String(i + 1), shared, id, safeCell(s?.name), safeCell(s?.email), safeCell(countryName(s?.country)), safeCell(s?.country), row ? dateSigned(row) : '']);
    }
  });
  csv.end();
  await done;
}

/**
 * The passphrase: FIELDSIGN_PASSPHRASE, else asked once at a hidden prompt on a terminal.
 * Never a command-line argument (it would show in the process list and the shell history).
 */
export async function readExportPassphrase(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.FIELDSIGN_PASSPHRASE !== undefined) return env.FIELDSIGN_PASSPHRASE;
  if (!process.stdin.isTTY) {
    throw new Error('export needs the passphrase of the private key: set FIELDSIGN_PASSPHRASE, or run it in a terminal to be asked.');
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const question = 'Passphrase of the private key: ';
  const internals = rl as unknown as { _writeToOutput: (s: string) => void };
  const write = internals._writeToOutput;
  // Echo the question, not what is typed.
  internals._writeToOutput = (s: string) => {
    if (s.startsWith(question)) write.call(rl, s);
  };
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    internals._writeToOutput = write;
    process.stdout.write('\n');
    rl.close();
  }
}
