/**
 * `verify-handin FILE [--public-key FILE]`: whether a hand-in package is what the organisation
 * signed. In order: the zip's directory; the manifest's signature (with the public key given,
 * else the one in the package, which proves only that the package is whole, not who made it:
 * its fingerprint is printed to compare with the published one); manifest.txt against
 * manifest.json; every file's size and SHA-256, streamed (zip-read.ts); no file missing or
 * extra; and that the counts add up, the CSV lists' rows included.
 */
import { readFile } from 'node:fs/promises';
import * as z from 'zod/mini';
import { fingerprintOf, verifyBytes } from './handin-key.ts';
import { countProblems, MANIFEST_FILES, manifestText, ManifestSchema, type HandinManifest } from './handin-manifest.ts';
import { readEntry, zipEntries, ZipFormatError, type ZipEntryInfo } from './zip-read.ts';

export interface HandinVerdict {
  ok: boolean;
  /** What was checked and found right, for people. */
  verified: string[];
  /** What is wrong; empty when `ok`. */
  problems: string[];
}

/** The manifest files are small; anything larger is not one. */
const SMALL_FILE = 16 << 20;

const PublicKeySchema = z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string() });

/** Counts the records of a CSV file as it streams by (quoted line breaks are not records). */
function csvRowCounter() {
  let quoted = false;
  let lines = 0;
  let last = 0;
  return {
    look(chunk: Buffer) {
      for (const byte of chunk) {
        if (byte === 0x22) quoted = !quoted;
        else if (byte === 0x0a && !quoted) lines++;
      }
      if (chunk.length) last = chunk[chunk.length - 1];
    },
    /** Data rows: every line but the header (a last line without a line break counts too). */
    rows: () => Math.max(0, lines + (last !== 0x0a && last !== 0 ? 1 : 0) - 1),
  };
}

/** Verify the package at `path`; `publicKeyPath`: the organisation's published public key. */
export async function verifyHandin(path: string, publicKeyPath?: string): Promise<HandinVerdict> {
  const verified: string[] = [];
  const problems: string[] = [];
  const verdict = () => ({ ok: problems.length === 0, verified, problems });

  let entries: ZipEntryInfo[];
  try {
    entries = await zipEntries(path);
  } catch (error) {
    problems.push(error instanceof ZipFormatError ? `The file is not a readable zip: ${error.message}.` : `The file cannot be read: ${(error as Error).message}`);
    return verdict();
  }
  const byName = new Map<string, ZipEntryInfo>();
  for (const e of entries) {
    if (byName.has(e.name)) problems.push(`${e.name} is in the zip twice.`);
    byName.set(e.name, e);
  }
  const small = async (name: string): Promise<Buffer | undefined> => {
    const entry = byName.get(name);
    if (!entry) {
      problems.push(`${name} is missing: this is not a complete hand-in package.`);
      return undefined;
    }
    if (entry.size > SMALL_FILE) {
      problems.push(`${name} is too large to be a manifest file.`);
      return undefined;
    }
    const parts: Buffer[] = [];
    const read = await readEntry(path, entry, (c) => parts.push(Buffer.from(c)));
    if (!read.crcOk) problems.push(`${name} is damaged (its CRC does not match).`);
    return Buffer.concat(parts);
  };
  const json = await small(MANIFEST_FILES.json);
  const signature = await small(MANIFEST_FILES.signature);
  const text = await small(MANIFEST_FILES.text);
  const embeddedKey = await small(MANIFEST_FILES.publicKey);
  if (!json || !signature || !text || !embeddedKey) return verdict();

  // 1. The signature over manifest.json's bytes.
  let key: z.infer<typeof PublicKeySchema>;
  try {
    key = z.parse(PublicKeySchema, JSON.parse((publicKeyPath ? await readFile(publicKeyPath) : embeddedKey).toString('utf8')));
  } catch (error) {
    problems.push(`${publicKeyPath ? `The public key ${publicKeyPath}` : `The package's ${MANIFEST_FILES.publicKey}`} is not an Ed25519 public key (JWK): ${(error as Error).message}`);
    return verdict();
  }
  const fingerprint = fingerprintOf(key);
  const whose = publicKeyPath ? `the public key ${publicKeyPath} (fingerprint ${fingerprint})` : `the public key inside the package (fingerprint ${fingerprint})`;
  if (!(await verifyBytes(key, json, signature.toString('utf8')))) {
    problems.push(
      `The signature in ${MANIFEST_FILES.signature} does not match ${MANIFEST_FILES.json} under ${whose}: the manifest was changed, or it was signed with another key.`,
    );
    return verdict();
  }
  verified.push(`Signature of ${MANIFEST_FILES.json}: valid under ${whose}.`);
  if (!publicKeyPath) {
    verified.push(`NOTE: no --public-key was given, so this only shows the package is whole. Compare the fingerprint ${fingerprint} with the one the organisation published.`);
  }

  // 2. The manifest itself, its readable copy and the key it names.
  let manifest: HandinManifest;
  try {
    manifest = z.parse(ManifestSchema, JSON.parse(json.toString('utf8')));
  } catch (error) {
    problems.push(`${MANIFEST_FILES.json} is signed but not a manifest this tool reads: ${(error as Error).message}`);
    return verdict();
  }
  if (manifest.key.fingerprint !== fingerprint) problems.push(`The manifest names key ${manifest.key.fingerprint}, but it verified under ${fingerprint}.`);
  if (text.toString('utf8') !== manifestText(manifest)) problems.push(`${MANIFEST_FILES.text} does not say what ${MANIFEST_FILES.json} says: it was changed.`);
  else verified.push(`${MANIFEST_FILES.text}: the same as ${MANIFEST_FILES.json}.`);
  try {
    if (fingerprintOf(z.parse(PublicKeySchema, JSON.parse(embeddedKey.toString('utf8')))) !== manifest.key.fingerprint) {
      problems.push(`${MANIFEST_FILES.publicKey} is not the key the manifest names (${manifest.key.fingerprint}).`);
    }
  } catch {
    problems.push(`${MANIFEST_FILES.publicKey} is not an Ed25519 public key (JWK).`);
  }

  // 3. Every file: there, of its size and SHA-256, and no other.
  const expected = new Set<string>([...manifest.files.map((f) => f.path), ...Object.values(MANIFEST_FILES)]);
  for (const name of byName.keys()) if (!expected.has(name)) problems.push(`${name} is in the zip but not in the manifest: a file was added.`);
  const csvRows = new Map<string, number>();
  for (const file of manifest.files) {
    const entry = byName.get(file.path);
    if (!entry) {
      problems.push(`${file.path} is in the manifest but missing from the zip.`);
      continue;
    }
    const counter = file.path.endsWith('.csv') ? csvRowCounter() : undefined;
    let read;
    try {
      read = await readEntry(path, entry, counter?.look);
    } catch (error) {
      problems.push(`${file.path} cannot be read: ${(error as Error).message}`);
      continue;
    }
    if (read.bytes !== file.bytes) problems.push(`${file.path} has ${read.bytes} bytes; the manifest says ${file.bytes}: it was changed.`);
    else if (read.sha256 !== file.sha256) problems.push(`${file.path} does not match its SHA-256 in the manifest: it was changed.`);
    else if (!read.crcOk) problems.push(`${file.path} is damaged (its CRC does not match).`);
    else verified.push(`${file.path}: ${file.bytes.toLocaleString('en')} bytes, SHA-256 ${file.sha256}.`);
    if (counter) csvRows.set(file.path, counter.rows());
  }

  // 4. The counts.
  const countIssues = countProblems(manifest);
  const rowsOf = (p: string, want: number, what: string) => {
    const rows = csvRows.get(p);
    if (rows !== undefined && rows !== want) countIssues.push(`${p} lists ${rows} signatures, but the manifest counts ${want} ${what}`);
  };
  if (manifest.profile === 'informal') rowsOf('handin.csv', manifest.signatures, 'in all');
  if (manifest.profile === 'per-country') for (const c of manifest.countries) rowsOf(`countries/${c.folder}/handin.csv`, c.count, `for ${c.country ?? 'no country'}`);
  for (const issue of countIssues) problems.push(`Counts: ${issue}.`);
  if (countIssues.length === 0) {
    verified.push(
      `Counts add up: ${manifest.signatures.toLocaleString('en')} signatures by version, language, country and source` +
        `${manifest.profile === 'paper' ? '' : ', and the CSV lists hold as many rows'}; ${manifest.sources.paper.toLocaleString('en')} on paper.`,
    );
  }
  verified.push(`Tablet chains (as the server found them): ${manifest.chains.summary}`);
  return verdict();
}
