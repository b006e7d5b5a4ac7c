/**
 * The hand-in package (exports/handin-package.ts) through the real HTTP app, built in the
 * export worker as in production: each profile's files, the per-country split, the signed
 * manifest's counts, and verify-handin (exports/handin-verify.ts, and the CLI as a
 * subprocess) failing with a clear message on any tampering or another key.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { parse } from 'csv-parse/sync';
import { strFromU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintOf, publicKeyText, signBytes } from '../../server/exports/handin-key.ts';
import { manifestBytes, manifestText, type HandinManifest } from '../../server/exports/handin-manifest.ts';
import { campaignChains } from '../../server/exports/handin-chains.ts';
import { writeHandinPackage } from '../../server/exports/handin-package.ts';
import { verifyHandin } from '../../server/exports/handin-verify.ts';
import { recordHash } from '../../server/ingest.ts';
import { nextChain, type RecordChain } from '../../src/shared/chain.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import type { SignatureRecord } from '../../src/shared/protocol.ts';
import { makeRecord, withSigner } from '../helpers/records.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';
import { addAccount, signIn } from '../helpers/accounts.ts';

const PASSWORD = 'correct horse battery staple';
const CAMPAIGN = DEFAULT_CAMPAIGN.id;
/** Signers by country (undefined: none given), in the order they arrive. */
const COUNTRIES = ['FR', 'DE', 'FR', undefined, 'KE', 'FR', 'DE', 'FR', undefined, 'DE', 'FR'];
const EXPECTED_SPLIT = { DE: 3, FR: 5, KE: 1, unknown: 2 };

let server: TestServer;
let cookie: string;
let tmp: string;
const records: SignatureRecord[] = [];
const packages: Record<string, string> = {};

async function get(path: string): Promise<Response> {
  return fetch(`${server.url}${path}`, { headers: { cookie } });
}

/** Download a package to a file; its path. */
async function downloadPackage(query: string): Promise<string> {
  const res = await get(`/api/console/export/handin-package.zip?campaign=${CAMPAIGN}&${query}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/zip');
  const path = join(tmp, `${randomUUID()}.zip`);
  writeFileSync(path, Buffer.from(await res.arrayBuffer()));
  return path;
}

const filesOf = (path: string) => unzipSync(new Uint8Array(readFileSync(path)));
const manifestOf = (path: string): HandinManifest => JSON.parse(strFromU8(filesOf(path)['manifest.json']));
const csvRows = (bytes: Uint8Array) => parse(Buffer.from(bytes), { bom: true, columns: true }) as Array<Record<string, string>>;

/** The package at `path` with its files changed by `change`, as a new file. */
function tampered(path: string, change: (files: Record<string, Uint8Array>) => void): string {
  const files = filesOf(path);
  change(files);
  const out = join(tmp, `${randomUUID()}-tampered.zip`);
  writeFileSync(out, zipSync(files));
  return out;
}

/** Run the CLI; its exit code and output. */
function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ['server/cli.ts', ...args], { encoding: 'utf8', env: { ...process.env, FIELDSIGN_DB: join(tmp, 'cli.db') } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A fresh Ed25519 key pair as JWKs: another organisation's (or a forger's). */
async function anotherKey(): Promise<{ privateJwk: JsonWebKey; publicJwk: JsonWebKey }> {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as { privateKey: CryptoKey; publicKey: CryptoKey };
  return { privateJwk: await crypto.subtle.exportKey('jwk', pair.privateKey), publicJwk: await crypto.subtle.exportKey('jwk', pair.publicKey) };
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'fieldsign-handin-'));
  server = await startTestServer({}, { exportsInWorkers: true });
  const ana = await addAccount(server.store, { email: 'ana@example.org', name: 'Ana', password: PASSWORD });
  let head: RecordChain | undefined;
  for (const [i, country] of COUNTRIES.entries()) {
    const record = withSigner(makeRecord({ deviceId: 'tablet-1', lang: i % 2 ? 'fr' : 'en', name: `Signer ${country ?? 'none'} ${i}` }), { country });
    head = await nextChain(record, head);
    records.push({ ...record, chain: head });
  }
  await server.store.ingest(records.map((record) => ({ record, hash: recordHash(record), clockSuspect: false })), '2026-11-24T10:00:00.000Z', 'sync');
  ({ cookie } = await signIn(server.url, ana));
  packages.informal = await downloadPackage('profile=informal');
  packages.perCountry = await downloadPackage('profile=per-country');
  packages.paper = await downloadPackage('profile=paper');
  packages.paperFr = await downloadPackage('profile=paper&lang=fr');
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const MANIFEST = ['manifest.json', 'manifest.txt', 'manifest.sig', 'handin-public-key.json'];

describe('the hand-in package', () => {
  it('informal: the hand-in PDF and CSV, then the manifest, which counts them', async () => {
    const files = filesOf(packages.informal);
    expect(Object.keys(files)).toEqual(['handin.pdf', 'handin.csv', ...MANIFEST]);
    expect(strFromU8(files['handin.pdf'].subarray(0, 5))).toBe('%PDF-');
    expect(csvRows(files['handin.csv']).map((r) => r['Signature ID'])).toEqual(records.map((r) => r.id));
    const m = manifestOf(packages.informal);
    expect(m).toMatchObject({ campaign: CAMPAIGN, profile: 'informal', signatures: 11, unverified: 0, sources: { tablet: 11, paper: 0 }, setAside: [] });
    expect(m.versions).toEqual([{ version: 1, hash: (await server.store.campaignVersion(CAMPAIGN, 1))!.hash, count: 11 }]);
    expect(m.languages).toEqual([{ lang: 'en', count: 6 }, { lang: 'fr', count: 5 }]);
    expect(m.countries).toEqual([
      { country: 'DE', folder: 'DE', count: 3 },
      { country: 'FR', folder: 'FR', count: 5 },
      { country: 'KE', folder: 'KE', count: 1 },
      { country: null, folder: 'unknown', count: 2 },
    ]);
    expect(m.chains.ok).toBe(true);
    expect(m.chains.devices).toEqual([expect.objectContaining({ device: 'tablet-1', records: 11, ok: true })]);
    expect(m.files.map((f) => [f.path, f.bytes])).toEqual([
      ['handin.pdf', files['handin.pdf'].length],
      ['handin.csv', files['handin.csv'].length],
    ]);
    expect(strFromU8(files['manifest.txt'])).toBe(manifestText(m));
  });

  it('per-country: one PDF and CSV per country, each listing exactly that country’s signers', async () => {
    const files = filesOf(packages.perCountry);
    const folders = Object.keys(EXPECTED_SPLIT);
    expect(Object.keys(files)).toEqual([...folders.flatMap((f) => [`countries/${f}/handin.pdf`, `countries/${f}/handin.csv`]), ...MANIFEST]);
    for (const folder of folders) {
      const want = records.filter((r) => (r.payload.kind === 'plain' && r.payload.signer.country) === (folder === 'unknown' ? undefined : folder) || (folder === 'unknown' && r.payload.kind === 'plain' && !r.payload.signer.country));
      expect(want).toHaveLength(EXPECTED_SPLIT[folder as keyof typeof EXPECTED_SPLIT]);
      expect(csvRows(files[`countries/${folder}/handin.csv`]).map((r) => r['Signature ID'])).toEqual(want.map((r) => r.id));
      expect(strFromU8(files[`countries/${folder}/handin.pdf`].subarray(0, 5))).toBe('%PDF-');
    }
    const m = manifestOf(packages.perCountry);
    expect(m.countries.map((c) => [c.folder, c.count])).toEqual(Object.entries(EXPECTED_SPLIT));
    expect(m.chains.ok).toBe(true);
  });

  it('paper: blank sheets for each campaign language, or the one asked for', () => {
    expect(Object.keys(filesOf(packages.paper))).toEqual([...DEFAULT_CAMPAIGN.languages.map((l) => `paper-sheets-${l}.pdf`), ...MANIFEST]);
    expect(Object.keys(filesOf(packages.paperFr))).toEqual(['paper-sheets-fr.pdf', ...MANIFEST]);
    expect(manifestOf(packages.paperFr)).toMatchObject({ profile: 'paper', lang: 'fr', signatures: 11 });
  });

  it('refuses a profile there is not', async () => {
    expect((await get(`/api/console/export/handin-package.zip?campaign=${CAMPAIGN}&profile=everything`)).status).toBe(400);
  });

  it('signs with one organisation key, whose public half and fingerprint the console serves', async () => {
    const key = await (await get('/api/console/handin-key')).json();
    expect(key).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.any(String), fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) });
    for (const path of Object.values(packages)) expect(manifestOf(path).key.fingerprint).toBe(key.fingerprint);
  });
});

describe('verify-handin', () => {
  it('verifies every profile, and says that without --public-key only wholeness is shown', async () => {
    for (const path of Object.values(packages)) {
      const verdict = await verifyHandin(path);
      expect(verdict.problems).toEqual([]);
      expect(verdict.ok).toBe(true);
      expect(verdict.verified.join('\n')).toMatch(/NOTE: no --public-key was given/);
    }
  });

  const CASES: Array<[string, (files: Record<string, Uint8Array>) => void, RegExp]> = [
    ['a byte of the CSV changed', (f) => (f['handin.csv'][f['handin.csv'].length - 3] ^= 1), /handin\.csv does not match its SHA-256 in the manifest: it was changed/],
    ['the PDF cut short', (f) => (f['handin.pdf'] = f['handin.pdf'].subarray(0, 1000)), /handin\.pdf has 1000 bytes; the manifest says \d+: it was changed/],
    ['a count in the manifest changed', (f) => (f['manifest.json'] = Buffer.from(strFromU8(f['manifest.json']).replace('"signatures":11', '"signatures":12'))), /The signature in manifest\.sig does not match manifest\.json/],
    ['the signature changed', flipSignatureBit, /The signature in manifest\.sig does not match/],
    ['the readable manifest changed', (f) => (f['manifest.txt'] = Buffer.from(strFromU8(f['manifest.txt']).replace('11', '12'))), /manifest\.txt does not say what manifest\.json says/],
    ['a file added', (f) => (f['extra.csv'] = Buffer.from('x')), /extra\.csv is in the zip but not in the manifest: a file was added/],
    ['a file removed', (f) => delete f['handin.csv'], /handin\.csv is in the manifest but missing from the zip/],
    ['the manifest removed', (f) => delete f['manifest.json'], /manifest\.json is missing: this is not a complete hand-in package/],
  ];
  for (const [what, change, message] of CASES) {
    it(`fails, saying what, when ${what}`, async () => {
      const verdict = await verifyHandin(tampered(packages.informal, change));
      expect(verdict.ok).toBe(false);
      expect(verdict.problems.join('\n')).toMatch(message);
    });
  }

  it('a package re-signed with another key passes alone, fails against the published key; bad counts fail either way', async () => {
    const forger = await anotherKey();
    const forged = (change: (m: HandinManifest) => void) =>
      tampered(packages.informal, (files) => {
        const m = JSON.parse(strFromU8(files['manifest.json'])) as HandinManifest;
        change(m);
        files['manifest.json'] = manifestBytes(m);
        files['manifest.txt'] = Buffer.from(manifestText(m));
        files['handin-public-key.json'] = Buffer.from(publicKeyText(forger.publicJwk));
      });
    /** The manifest changed by `change`, its text remade, re-signed with the forger's key (embedded too). */
    const resigned = (change: (m: HandinManifest) => void) => {
      let json: Uint8Array = new Uint8Array();
      const path = forged((m) => {
        change(m);
        m.key.fingerprint = fingerprintOf(forger.publicJwk);
        json = manifestBytes(m);
      });
      return signInto(path, json, forger.privateJwk);
    };
    const published = join(tmp, 'published-key.json');
    writeFileSync(published, publicKeyText((await (await get('/api/console/handin-key')).json()) as JsonWebKey));

    const whole = await resigned(() => {});
    expect((await verifyHandin(whole)).ok).toBe(true);
    const against = await verifyHandin(whole, published);
    expect(against.ok).toBe(false);
    expect(against.problems.join('\n')).toMatch(/does not match manifest\.json under the public key .*published-key\.json .*signed with another key/);

    const miscounted = await resigned((m) => (m.countries[0].count += 1));
    const verdict = await verifyHandin(miscounted);
    expect(verdict.ok).toBe(false);
    expect(verdict.problems.join('\n')).toMatch(/Counts: the counts by country add up to 12, not the 11 signatures/);
    const rows = await resigned((m) => {
      m.signatures = 10;
      m.versions[0].count = 10;
      m.languages[0].count -= 1;
      m.countries[0].count -= 1;
      m.sources.tablet = 10;
    });
    expect((await verifyHandin(rows)).problems.join('\n')).toMatch(/handin\.csv lists 11 signatures, but the manifest counts 10 in all/);
  });

  it('reads a package written with ZIP64 sizes and offsets (a forced low threshold), as unzip does', async () => {
    const path = join(tmp, 'zip64.zip');
    const versionHashes = new Map((await server.store.campaignVersions(CAMPAIGN)).map((v) => [v.version, v.hash]));
    const file = createWriteStream(path);
    await writeHandinPackage(server.store, { id: CAMPAIGN, content: DEFAULT_CAMPAIGN, versionHashes }, file, { profile: 'per-country', zip64Above: 200 });
    await finished(file);
    const bytes = readFileSync(path);
    expect(bytes.readUInt32LE(bytes.length - 6)).toBe(0xffffffff); // the directory's offset is in the ZIP64 record
    expect(await verifyHandin(path)).toMatchObject({ ok: true, problems: [] });
    expect(execFileSync('unzip', ['-t', path], { encoding: 'utf8' })).toMatch(/No errors detected/);
  });

  it('checks each tablet’s chain on its own, and says which one is broken', async () => {
    let head: RecordChain | undefined;
    const chained: SignatureRecord[] = [];
    for (const deviceId of ['tablet-a', 'tablet-a', 'tablet-a', 'tablet-b']) {
      const record = makeRecord({ deviceId, campaignId: 'chains-apart' });
      head = await nextChain(record, deviceId === 'tablet-b' ? undefined : head);
      chained.push({ ...record, chain: head });
    }
    // tablet-a's second record never arrived.
    const stored = [chained[0], chained[2], chained[3]];
    await server.store.ingest(stored.map((record) => ({ record, hash: recordHash(record), clockSuspect: false })), '2026-11-24T10:00:00.000Z', 'sync');
    const chains = await campaignChains(server.store, 'chains-apart');
    expect(chains.ok).toBe(false);
    expect(chains.devices.map((d) => [d.device, d.records, d.ok])).toEqual([
      ['tablet-a', 2, false],
      ['tablet-b', 1, true],
    ]);
    expect(chains.devices[0].summary).toMatch(/CHAIN BROKEN: 1 missing: seq 1/);
  });

  it('the CLI: exit 0 with what it verified; exit 1 with the reason; handin-key prints the key and fingerprint', async () => {
    const published = join(tmp, 'org-key.json');
    writeFileSync(published, publicKeyText((await (await get('/api/console/handin-key')).json()) as JsonWebKey));
    const ok = cli('verify-handin', packages.perCountry, '--public-key', published);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/Signature of manifest\.json: valid under the public key .*org-key\.json/);
    expect(ok.stdout).toMatch(/countries\/FR\/handin\.csv: [\d,]+ bytes, SHA-256 [0-9a-f]{64}/);
    expect(ok.stdout).toMatch(/^OK: /m);

    const other = join(tmp, 'other-key.json');
    writeFileSync(other, publicKeyText((await anotherKey()).publicJwk));
    const wrongKey = cli('verify-handin', packages.perCountry, '--public-key', other);
    expect(wrongKey.status).toBe(1);
    expect(wrongKey.stderr).toMatch(/FAILED: The signature in manifest\.sig does not match manifest\.json under the public key/);
    expect(wrongKey.stderr).toMatch(/did NOT verify/);

    const broken = cli('verify-handin', tampered(packages.perCountry, (f) => (f['countries/DE/handin.csv'][10] ^= 1)));
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/FAILED: countries\/DE\/handin\.csv does not match its SHA-256/);

    const notZip = join(tmp, 'not.zip');
    writeFileSync(notZip, 'hello');
    expect(cli('verify-handin', notZip)).toMatchObject({ status: 1, stderr: expect.stringMatching(/not a readable zip/) });

    const key = cli('handin-key');
    expect(key.status).toBe(0);
    expect(key.stdout).toMatch(/"crv": "Ed25519"/);
    expect(key.stdout).toMatch(/Fingerprint \(SHA-256 of the raw public key\): [0-9a-f]{64}/);
    // The same key on a second run: it is kept in the database.
    expect(cli('handin-key').stdout).toBe(key.stdout);
  });
});

/** One bit of manifest.sig's signature flipped (still base64). */
function flipSignatureBit(files: Record<string, Uint8Array>): void {
  const signature = Buffer.from(strFromU8(files['manifest.sig']).trim(), 'base64');
  signature[0] ^= 1;
  files['manifest.sig'] = Buffer.from(`${signature.toString('base64')}\n`);
}

/** Write the signature of `json` with `privateJwk` into the package at `path`; the new file's path. */
async function signInto(path: string, json: Uint8Array, privateJwk: JsonWebKey): Promise<string> {
  const signature = await signBytes(privateJwk, json);
  return tampered(path, (files) => {
    files['manifest.sig'] = Buffer.from(`${signature}\n`);
  });
}
