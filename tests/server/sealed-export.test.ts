/**
 * Reading sealed signatures back: the console's records route (GET /api/console/records),
 * opened the way the console opens them, and the CLI export (`npm run cli -- export`, run as
 * a real process against a real SQLite file), with a store holding records sealed and
 * chained exactly as a tablet makes them. Tampering is done in the database itself, as
 * someone with access to it would: a flipped byte, a removed record, an edited clear field.
 */
import { SESSION_COOKIE } from '../../server/console/session.ts';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { spawnSync } from 'node:child_process';
import { parse } from 'csv-parse/sync';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCoordinatorKeys, publicKeyFileOf, unlockKeyFile, type CoordinatorKeys } from '../../server/keys.ts';
import { SqliteStore } from '../../server/store/sqlite.ts';
import { decodeInk, fromBase64Url, toBase64Url } from '../../src/shared/ink.ts';
import { inkToSvg } from '../../src/shared/ink-svg.ts';
import { createSealedReader } from '../../src/shared/open-signatures.ts';
import type { SignatureRecord } from '../../src/shared/protocol.ts';
import { importSealingKey, type PlainPayload, type SealingKey } from '../../src/shared/seal.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';
import { enrollTablet, reportHead, sealedCampaign, sealedChain, storeRecords, type SignerSpec } from '../helpers/sealed-records.ts';
import { addAccount, signIn } from '../helpers/accounts.ts';
import { totpCode } from '../../server/console/totp.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const NODE = join(ROOT, 'node_modules/.bin/node');
const PASSPHRASE = 'Le passe-phrase du coordinateur, 2026';
const OTHER_PASSPHRASE = 'another coordinator entirely, 1999';
const PASSWORD = 'correct horse battery staple';

/** Tablet A: every field, a typed signature, a formula, a duplicate email, a duplicate name. */
const A_SPECS: SignerSpec[] = [
  { name: 'Zoë Ørsted-Núñez', email: 'zoe.orsted@example.org', country: 'FR', postcode: '75011', phone: '+33 6 12 34 56 78', optIn: true },
  { name: 'Ada Lovelace', email: 'ada@example.org', country: 'GB', typed: true },
  { name: '=HYPERLINK("http://x")', email: 'formula@example.org', country: 'KE', optIn: true },
  { name: 'Z. Orsted', email: 'zoe.orsted@example.org', country: 'DK' },
  { name: 'أمينة ديالو', email: 'amina@example.org', country: 'EG', phone: '+20 10 1234 5678', optIn: true },
  { name: 'Jo Doe', country: 'KE' },
  { name: 'jo  DOE', email: 'jo2@example.org', country: 'KE', postcode: 'SW1A 1AA' },
];
const B_SPECS: SignerSpec[] = [
  { name: 'Mamadou Sarr', email: 'mamadou@example.org', country: 'SN', optIn: true },
  { name: 'Awa Ndiaye', country: 'SN' },
];

let keys: CoordinatorKeys;
let otherKeys: CoordinatorKeys;
let sealing: SealingKey;
let tmp: string;
let keyPath: string;
let otherKeyPath: string;
let campaignPath: string;
let server: TestServer;
let cookie: string;
/** The originals, by id, and the stored records in arrival order. */
const originals = new Map<string, SignatureRecord>();
let stored: SignatureRecord[] = [];
let tabletA: string;
let tabletB: string;

beforeAll(async () => {
  [keys, otherKeys] = await Promise.all([generateCoordinatorKeys(PASSPHRASE), generateCoordinatorKeys(OTHER_PASSPHRASE)]);
  sealing = await importSealingKey(publicKeyFileOf(keys));
  tmp = mkdtempSync(join(tmpdir(), 'fieldsign-sealed-'));
  keyPath = join(tmp, 'fieldsign-private-key.json');
  otherKeyPath = join(tmp, 'other-private-key.json');
  writeFileSync(keyPath, JSON.stringify(keys.privateKeyFile));
  writeFileSync(otherKeyPath, JSON.stringify(otherKeys.privateKeyFile));
  const campaign = sealedCampaign(keys.keyId, keys.publicKeyJwk);
  campaignPath = join(tmp, 'campaign.json');
  writeFileSync(campaignPath, JSON.stringify(campaign));

  server = await startTestServer({ campaign });
  const ana = await addAccount(server.store, { email: 'ana@example.org', name: 'Ana', password: PASSWORD });
  tabletA = await enrollTablet(server.store, 'Stall tablet');
  tabletB = await enrollTablet(server.store, 'March tablet');
  const a = await sealedChain(tabletA, A_SPECS, sealing);
  const b = await sealedChain(tabletB, B_SPECS, sealing, { seed: 50 });
  // Arrival order is not capture order: a halved batch, a retry.
  stored = [a.sealed[0], a.sealed[1], b.sealed[0], a.sealed[4], a.sealed[2], a.sealed[3], b.sealed[1], a.sealed[5], a.sealed[6]];
  await storeRecords(server.store, stored.slice(0, 5), '2026-11-24T10:00:00.000Z');
  await storeRecords(server.store, stored.slice(5), '2026-11-25T10:00:00.000Z');
  await reportHead(server.store, tabletA, a.head);
  await reportHead(server.store, tabletB, b.head);
  for (const r of [...a.plain, ...b.plain]) originals.set(r.id, r);

  ({ cookie } = await signIn(server.url, ana));
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

interface RecordsPage {
  records: Array<{ seq: number; id: string; deviceId: string; receivedAt: string; record: SignatureRecord }>;
  next: number | null;
  heads: Array<{ device: string; seq: number; link: string }>;
  tablets: Array<{ id: string; label: string | null }>;
  sealingKeyId: string | null;
  deletedOnRequest?: { count: number; places: Array<{ id: string; device: string; seq: number; link: string }> };
}

async function recordsPage(after: number, limit: number, session = cookie, on: TestServer = server): Promise<{ status: number; body: RecordsPage }> {
  const res = await fetch(`${on.url}/api/console/records?after=${after}&limit=${limit}`, { headers: session ? { cookie: session } : {} });
  return { status: res.status, body: await res.json() };
}

async function allPages(limit: number, session = cookie, on: TestServer = server): Promise<RecordsPage[]> {
  const pages: RecordsPage[] = [];
  let after = 0;
  for (;;) {
    const { status, body } = await recordsPage(after, limit, session, on);
    expect(status).toBe(200);
    pages.push(body);
    if (body.next === null) return pages;
    after = body.next;
  }
}

const auditActions = async () =>
  ((await (await fetch(`${server.url}/api/console/audit`, { headers: { cookie } })).json()) as { entries: Array<{ action: string; actor: string }> }).entries;

describe('GET /api/console/records', () => {
  it('refuses without a session', async () => {
    for (const session of ['', `${SESSION_COOKIE}=forged`]) {
      const { status, body } = await recordsPage(0, 10, session);
      expect(status).toBe(401);
      expect((body as unknown as { error: { code: string } }).error.code).toBe('unauthorized');
    }
  });

  it('audits a download that starts past the first page too: once per coordinator per 10 minutes of paging, and every new download', async () => {
    const clock = { at: Date.parse('2026-11-26T09:00:00.000Z') };
    // The clock moves an hour and more: the session must outlast it (sessions are not under test here).
    const own = await startTestServer({ campaign: sealedCampaign(keys.keyId, keys.publicKeyJwk), now: () => new Date(clock.at), sessions: { idleMs: 24 * 3_600_000 } });
    try {
      const device = await enrollTablet(own.store, 'Stall tablet');
      const chain = await sealedChain(device, A_SPECS.slice(0, 4), sealing, { seed: 300 });
      await storeRecords(own.store, chain.sealed);
      const login = async (email: string) => {
        const account = await addAccount(own.store, { email, name: email, password: PASSWORD });
        // The server's clock is the test's: so is the authenticator's code.
        const code = totpCode(account.totpSecret!, new Date(clock.at));
        const res = await fetch(`${own.url}/api/console/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD, code }) });
        expect(res.status).toBe(200);
        return (res.headers.get('set-cookie') ?? '').split(';')[0];
      };
      const ana = await login('ana@example.org');
      const bob = await login('bob@example.org');
      const downloads = async () => (await own.store.auditLog(500)).filter((e) => e.action === 'download-records').map((e) => [e.actor, e.at]).reverse();
      const page = async (after: number, session: string) => expect((await recordsPage(after, 1, session, own)).status).toBe(200);
      const at = (minutes: number) => new Date(Date.parse('2026-11-26T09:00:00.000Z') + minutes * 60_000).toISOString();

      // Skipping the first page (after=1) no longer downloads everything unaudited.
      await page(1, ana);
      await page(2, ana);
      await page(3, ana);
      expect(await downloads()).toEqual([['ana@example.org', at(0)]]);
      // Another coordinator paging meanwhile is audited under their own name.
      clock.at += 60_000;
      await page(2, bob);
      expect(await downloads()).toEqual([['ana@example.org', at(0)], ['bob@example.org', at(1)]]);
      // A new download (the first page) is always audited.
      clock.at += 60_000;
      await page(0, ana);
      await page(1, ana);
      expect((await downloads()).slice(2)).toEqual([['ana@example.org', at(2)]]);
      // Still paging 10 minutes after the last entry: audited again.
      clock.at += 9 * 60_000 + 59_000;
      await page(2, ana);
      expect(await downloads()).toHaveLength(3);
      clock.at += 2_000;
      await page(3, ana);
      expect((await downloads()).slice(3)).toEqual([['ana@example.org', new Date(clock.at).toISOString()]]);
      // HEAD reads no records: never audited.
      clock.at += 3_600_000;
      const head = await fetch(`${own.url}/api/console/records?after=2&limit=1`, { method: 'HEAD', headers: { cookie: ana } });
      expect(head.status).toBe(200);
      expect(await downloads()).toHaveLength(4);
    } finally {
      await own.close();
    }
  });

  it('pages through every record as stored (still sealed), with the reported heads and the tablets, and audits the download once', async () => {
    const before = (await auditActions()).filter((e) => e.action === 'download-records').length;
    const pages = await allPages(4);
    expect(pages.map((p) => p.records.length)).toEqual([4, 4, 1]);
    const rows = pages.flatMap((p) => p.records);
    expect(rows.map((r) => r.id)).toEqual(stored.map((r) => r.id));
    expect(rows.map((r) => r.seq)).toEqual([...rows.map((r) => r.seq)].sort((x, y) => x - y));
    expect(rows.map((r) => r.record)).toEqual(stored);
    expect(rows[0].receivedAt).toBe('2026-11-24T10:00:00.000Z');
    // The server hands over ciphertext only: no name, email or stroke in clear.
    const json = JSON.stringify(pages);
    for (const original of originals.values()) {
      const { signer } = original.payload as PlainPayload;
      expect(json).not.toContain(signer.name);
      if (signer.email) expect(json).not.toContain(signer.email);
    }
    expect(pages[0].sealingKeyId).toBe(keys.keyId);
    expect(pages[0].deletedOnRequest).toEqual({ count: 0, places: [] });
    expect(pages[1].deletedOnRequest).toBeUndefined();
    expect(pages[0].heads.map((h) => [h.device, h.seq]).sort()).toEqual([
      [tabletA, A_SPECS.length - 1],
      [tabletB, B_SPECS.length - 1],
    ].sort());
    expect(pages[0].tablets).toEqual(expect.arrayContaining([{ id: tabletA, label: 'Stall tablet' }, { id: tabletB, label: 'March tablet' }]));
    const entries = await auditActions();
    expect(entries.filter((e) => e.action === 'download-records').length).toBe(before + 1);
    expect(entries.find((e) => e.action === 'download-records')?.actor).toBe('ana@example.org');
  });

  it('opened as the console opens them: every record opens with the key, every field and every stroke comes back, chains intact', async () => {
    const key = await unlockKeyFile(readFileSync(keyPath, 'utf8'), PASSPHRASE);
    const pages = await allPages(1000);
    const reader = createSealedReader(key);
    const opened: SignatureRecord[] = [];
    for (const row of pages[0].records) {
      const result = await reader.read(row);
      expect(result, row.id).toBeDefined();
      opened.push(result!.record);
    }
    const names = new Map(pages[0].tablets.map((t) => [t.id, t.label]));
    const report = await reader.finish(pages[0].heads, names);
    expect(report.failures).toEqual([]);
    expect(report).toMatchObject({ held: 9, sealed: 9, opened: 9, plain: 0, ok: true });
    const verdicts = new Map(report.chain.devices.map((d) => [d.device, d.summary]));
    expect(verdicts).toEqual(
      new Map([
        [tabletA, `Stall tablet (${tabletA}): 7 records (seq 0–6), chain intact up to its last report (seq 6).`],
        [tabletB, `March tablet (${tabletB}): 2 records (seq 0–1), chain intact up to its last report (seq 1).`],
      ]),
    );
    for (const record of opened) {
      const original = originals.get(record.id)!;
      // Every signer field, the strokes to the byte, the typed name and its attestation.
      expect(record.payload).toEqual(original.payload);
      const p = record.payload as PlainPayload;
      if (p.ink) expect(decodeInk(p.ink)).toEqual(decodeInk((original.payload as PlainPayload).ink!));
    }
    const typed = opened.map((r) => r.payload as PlainPayload).find((p) => p.typed);
    expect(typed?.typed?.attestation).toBe('I, Ada Lovelace, confirm that I support this petition and that I typed my name.');
    // Same email; same name and country once normalised ("Jo Doe", "jo  DOE").
    const idOf = (name: string) => [...originals.values()].find((r) => (r.payload as PlainPayload).signer.name === name)!.id;
    expect(report.duplicates).toEqual([
      { reason: 'email', key: 'zoe.orsted@example.org', ids: [idOf('Zoë Ørsted-Núñez'), idOf('Z. Orsted')] },
      { reason: 'name-country', key: 'jo doe · KE', ids: [idOf('Jo Doe'), idOf('jo  DOE')] },
    ]);
  });

  it('the server-side exports cannot read sealed signatures and say so, never blank names', async () => {
    const handin = parse(Buffer.from(await (await fetch(`${server.url}/api/console/export/handin.csv`, { headers: { cookie } })).arrayBuffer()), {
      bom: true,
      columns: true,
    }) as Array<Record<string, string>>;
    expect(handin).toHaveLength(9);
    expect(handin.every((r) => r.Name === '(sealed signature)' && r.Signature === 'sealed')).toBe(true);
    const contacts = parse(await (await fetch(`${server.url}/api/console/export/contacts.csv`, { headers: { cookie } })).text(), { bom: true, columns: true });
    expect(contacts).toEqual([]);
    const pdf = Buffer.from(await (await fetch(`${server.url}/api/console/export/handin.pdf`, { headers: { cookie } })).arrayBuffer());
    writeFileSync(join(tmp, 'server.pdf'), pdf);
    const text = pdftotext(join(tmp, 'server.pdf')).replace(/\s+/g, ' ');
    expect(text).toContain('of which 9 sealed (encrypted, not readable here: open them with the coordinator\'s key in the console, or with "npm run cli -- export")');
  });
});

// ---------------------------------------------------------------------------------------

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run cli -- export …` as a real process (node server/cli.ts, as npm runs it). */
function runExport(args: string[], env: Record<string, string | undefined> = { FIELDSIGN_PASSPHRASE: PASSPHRASE }): Promise<CliRun> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, FIELDSIGN_PASSPHRASE: undefined, FIELDSIGN_CAMPAIGN: undefined, ...env };
  for (const k of Object.keys(childEnv)) if (childEnv[k] === undefined) delete childEnv[k];
  return new Promise((done) => {
    const child = execFile(NODE, ['server/cli.ts', 'export', ...args], { cwd: ROOT, env: childEnv, timeout: 60_000 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
    child.stdin!.end();
  });
}

function pdftotext(path: string): string {
  const run = spawnSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw new Error('pdftotext is not installed: sudo apt-get install -y poppler-utils');
  if (run.status !== 0) throw new Error(`pdftotext failed: ${run.stderr}`);
  return run.stdout;
}

const csv = (path: string) => parse(readFileSync(path), { bom: true, columns: true, record_delimiter: '\r\n' }) as Array<Record<string, string>>;
let outCount = 0;
const newOut = () => join(tmp, `export-${++outCount}`);

/** A database of its own, with tablet A's records (or `specs`) sealed and chained, to tamper with. */
async function tamperableDb(specs = A_SPECS): Promise<{ dbPath: string; records: SignatureRecord[]; device: string }> {
  const dbPath = join(tmp, `tamper-${randomUUID()}.db`);
  const store = new SqliteStore(dbPath);
  try {
    const device = await enrollTablet(store, 'Stall tablet');
    const chain = await sealedChain(device, specs, sealing, { seed: 200 });
    await storeRecords(store, chain.sealed);
    await reportHead(store, device, chain.head);
    return { dbPath, records: chain.sealed, device };
  } finally {
    await store.close();
  }
}

/** Change the stored JSON of one record, directly in the database file. */
function editStored(dbPath: string, id: string, edit: (record: SignatureRecord) => SignatureRecord): void {
  const db = new DatabaseSync(dbPath);
  try {
    const row = db.prepare('SELECT record FROM signatures WHERE id = ?').get(id) as { record: string };
    const record = edit(JSON.parse(row.record));
    db.prepare('UPDATE signatures SET record = ?, captured_at = ? WHERE id = ?').run(JSON.stringify(record), record.capturedAt, id);
  } finally {
    db.close();
  }
}

function flipByte(text: string): string {
  const bytes = fromBase64Url(text);
  bytes[bytes.length >> 1] ^= 0x01;
  return toBase64Url(bytes);
}

describe('npm run cli -- export', () => {
  it('with the right key: every field round-trips into the files, the chains are intact, exit 0', async () => {
    const out = newOut();
    const run = await runExport(['--key', keyPath, '--out', out, '--db', server.dbPath, '--campaign', campaignPath]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Private key ${keys.keyId} unlocked.`);
    expect(run.stdout).toContain('Read 9 signatures: 9 opened, 0 stored in clear, 0 could not be opened.');
    expect(run.stdout).toMatch(/^OK: all 9 signatures read \(9 opened\), every device chain intact\.$/m);
    for (const file of ['handin.csv', 'contacts.csv', 'handin.pdf', 'signatures.zip', 'duplicates.csv', 'integrity.txt']) {
      expect(statSync(join(out, file)).mode & 0o777, file).toBe(0o600);
      expect(run.stdout).toContain(join(out, file));
    }

    // The hand-in list: every signer in arrival order, no contact data, formula-safe.
    const handin = csv(join(out, 'handin.csv'));
    const inOrder = stored.map((r) => originals.get(r.id)!);
    expect(handin.map((r) => r.Name)).toEqual(inOrder.map((r) => {
      const name = (r.payload as PlainPayload).signer.name;
      return name.startsWith('=') ? `'${name}` : name;
    }));
    expect(handin.map((r) => r['Country code'])).toEqual(inOrder.map((r) => (r.payload as PlainPayload).signer.country));
    expect(handin.find((r) => r.Name === 'Zoë Ørsted-Núñez')).toEqual({
      'No.': '1',
      Name: 'Zoë Ørsted-Núñez',
      Country: 'France',
      'Country code': 'FR',
      'Date signed': '2026-11-24',
      Signature: 'drawn',
      Campaign: originals.get(stored[0].id)!.campaignId,
      Version: String(originals.get(stored[0].id)!.campaignVersion),
      'Version hash': originals.get(stored[0].id)!.campaignHash ?? '',
      Language: originals.get(stored[0].id)!.lang ?? '',
      'Consent version': String(originals.get(stored[0].id)!.consentVersion ?? ''),
      'Signature ID': stored[0].id,
    });
    expect(handin.map((r) => r['Signature ID'])).toEqual(stored.map((r) => r.id));
    expect(handin.find((r) => r.Name === 'Ada Lovelace')?.Signature).toBe('typed');
    const raw = readFileSync(join(out, 'handin.csv'), 'utf8');
    expect(raw.charCodeAt(0)).toBe(0xfeff);
    expect(raw.slice(1).startsWith('No.,Name,')).toBe(true); // no comment lines: a header, then rows
    for (const r of originals.values()) {
      const { email, phone } = (r.payload as PlainPayload).signer;
      if (email) expect(raw).not.toContain(email);
      if (phone) expect(raw).not.toContain(phone);
    }

    // The contacts: only those who opted in, with every contact field.
    const contacts = csv(join(out, 'contacts.csv'));
    const optedIn = inOrder.filter((r) => (r.payload as PlainPayload).signer.optIn);
    expect(contacts).toHaveLength(4);
    expect(contacts.map((c) => c.Email)).toEqual(optedIn.map((r) => (r.payload as PlainPayload).signer.email));
    const zoe = originals.get(stored[0].id)!;
    expect(contacts[0]).toEqual({
      Name: 'Zoë Ørsted-Núñez',
      Email: 'zoe.orsted@example.org',
      Country: 'France',
      'Country code': 'FR',
      Postcode: '75011',
      Phone: "'+33 6 12 34 56 78", // a leading + is neutralised, as in every export
      Language: zoe.lang,
      'Date signed': '2026-11-24',
      Campaign: zoe.campaignId,
      Version: String(zoe.campaignVersion),
      'Version hash': zoe.campaignHash ?? '',
      'Consent version': String(zoe.consentVersion ?? ''),
      'Signature ID': zoe.id,
    });
    expect(contacts.find((c) => c.Email === 'amina@example.org')).toMatchObject({ Name: 'أمينة ديالو', Phone: "'+20 10 1234 5678", 'Country code': 'EG' });
    expect(contacts.find((c) => c.Email === 'formula@example.org')?.Name).toBe(`'=HYPERLINK("http://x")`);

    // Every drawn signature's strokes exactly (the SVG is rendered from them); the typed one by name.
    const zip = unzipSync(readFileSync(join(out, 'signatures.zip')));
    expect(Object.keys(zip).sort()).toEqual(stored.map((r) => `${r.id}.svg`).sort());
    for (const original of originals.values()) {
      const p = original.payload as PlainPayload;
      const svg = strFromU8(zip[`${original.id}.svg`]);
      if (p.ink) expect(svg).toBe(inkToSvg(decodeInk(p.ink)));
      else expect(svg).toContain('>Ada Lovelace</text>');
    }

    // The PDF: the petition and the names, drawn from what was opened.
    const text = pdftotext(join(out, 'handin.pdf'));
    expect(text).toContain('Zoë Ørsted-Núñez');
    expect(text).toContain('Mamadou Sarr');
    // Right to left and joined, in the fonts the product ships (pdftotext gives it back in logical order).
    expect(text.replace(/[\u200e\u200f\u202a-\u202e]/g, '')).toContain('أمينة ديالو');
    expect(text.replace(/\s+/g, ' ')).toMatch(/End of list: 9 signatures in \d parts? \(one per version and language\) on \d pages?\./);
    expect(text).not.toContain('sealed');

    // Possible duplicates: the shared email, the shared name and country.
    const dups = csv(join(out, 'duplicates.csv'));
    expect(dups.map((d) => [d.Group, d.Shared, d.Name])).toEqual([
      ['1', 'same email', 'Zoë Ørsted-Núñez'],
      ['1', 'same email', 'Z. Orsted'],
      ['2', 'same name and country', 'Jo Doe'],
      ['2', 'same name and country', 'jo  DOE'],
    ]);

    const integrity = readFileSync(join(out, 'integrity.txt'), 'utf8');
    expect(integrity).toContain(`Key:       ${keys.keyId}`);
    expect(integrity).toContain('Result: OK: all 9 signatures read (9 opened), every device chain intact.');
    expect(integrity).toContain(`Stall tablet (${tabletA}): 7 records (seq 0–6), chain intact up to its last report (seq 6).`);
    expect(integrity).toContain(`March tablet (${tabletB}): 2 records (seq 0–1), chain intact up to its last report (seq 1).`);
    expect(integrity).toContain('Failed to open:  0');
    expect(integrity).not.toContain('Zoë'); // ids, not names: the report can be shared
  }, 60_000);

  it('a wrong passphrase fails clearly and writes nothing', async () => {
    const out = newOut();
    const run = await runExport(['--key', keyPath, '--out', out, '--db', server.dbPath], { FIELDSIGN_PASSPHRASE: `${PASSPHRASE}!` });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`Wrong passphrase for the private key ${keys.keyId}`);
    expect(existsSync(out)).toBe(false);
  }, 30_000);

  it('without FIELDSIGN_PASSPHRASE and no terminal, it says how to give the passphrase (never as an argument)', async () => {
    const run = await runExport(['--key', keyPath, '--out', newOut(), '--db', server.dbPath], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/set FIELDSIGN_PASSPHRASE, or run it in a terminal/);
  }, 30_000);

  it('the public key file, or something else, is refused as such', async () => {
    const publicPath = join(tmp, 'fieldsign-public-key.json');
    writeFileSync(publicPath, JSON.stringify(publicKeyFileOf(keys)));
    const run = await runExport(['--key', publicPath, '--out', newOut(), '--db', server.dbPath]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/This is the PUBLIC key file: it can only seal\. Choose the private key file \(fieldsign-private-key\.json\)\./);
    const missing = await runExport(['--key', join(tmp, 'nope.json'), '--out', newOut(), '--db', server.dbPath]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Cannot read the private key file .*nope\.json/);
  }, 30_000);

  it('the key file of another key: every record is named as sealed for the right key, exit 1', async () => {
    const out = newOut();
    const run = await runExport(['--key', otherKeyPath, '--out', out, '--db', server.dbPath, '--campaign', campaignPath], { FIELDSIGN_PASSPHRASE: OTHER_PASSPHRASE });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`WARNING: the campaign seals signatures for key ${keys.keyId}, but this key file holds key ${otherKeys.keyId}.`);
    expect(run.stderr).toContain('PROBLEMS FOUND: 9 signatures could not be opened.');
    expect(run.stderr).toContain(join(out, 'integrity.txt'));
    const integrity = readFileSync(join(out, 'integrity.txt'), 'utf8');
    expect(integrity).toContain(`9 signatures were sealed for a different key than the one used (${otherKeys.keyId})`);
    for (const r of stored) {
      expect(integrity).toContain(`- ${r.id} (`);
      expect(integrity).toContain(`Record ${r.id}: sealed for coordinator key ${keys.keyId}, but the key given is ${otherKeys.keyId}.`);
    }
    expect(csv(join(out, 'handin.csv'))).toEqual([]);
  }, 30_000);

  for (const field of ['ciphertext', 'iv', 'wrappedKey'] as const) {
    it(`one flipped byte in one record's stored ${field}: that record is named with a clear error, the others still export, exit 1`, async () => {
      const { dbPath, records } = await tamperableDb();
      const victim = records[2];
      editStored(dbPath, victim.id, (r) => ({ ...r, payload: { ...r.payload, [field]: flipByte((r.payload as Record<string, string>)[field]) } as SignatureRecord['payload'] }));
      const out = newOut();
      const run = await runExport(['--key', keyPath, '--out', out, '--db', dbPath]);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(`could not open Record ${victim.id}: `);
      const integrity = readFileSync(join(out, 'integrity.txt'), 'utf8');
      const reason = field === 'wrappedKey' ? 'its wrapped key does not open' : field === 'iv' ? /failed its integrity check|the iv has/ : 'failed its integrity check';
      const line = integrity.split('\n').find((l) => l.includes(`- ${victim.id} (`))!;
      expect(line).toContain(`seq 2): Record ${victim.id}:`);
      expect(line).toMatch(reason);
      // The sealed payload is part of the chained record: the chain says so too.
      expect(integrity).toMatch(new RegExp(`CHAIN BROKEN: 1 altered: seq 2 \\(${victim.id}\\)`));
      expect(csv(join(out, 'handin.csv')).map((r) => r.Name)).toEqual(
        A_SPECS.filter((_, i) => i !== 2).map((s) => s.name),
      );
    }, 30_000);
  }

  it('a record removed from the database: the chain check reports it missing by seq, the rest exports, exit 1', async () => {
    const { dbPath, records } = await tamperableDb();
    const db = new DatabaseSync(dbPath);
    db.prepare('DELETE FROM signatures WHERE id = ?').run(records[3].id);
    db.close();
    const out = newOut();
    const run = await runExport(['--key', keyPath, '--out', out, '--db', dbPath]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/PROBLEMS FOUND: the chain check failed on 1 of 1 device chain\./);
    const integrity = readFileSync(join(out, 'integrity.txt'), 'utf8');
    expect(integrity).toMatch(/Stall tablet \(.+\): 6 records \(seq 0–6\), CHAIN BROKEN: 1 missing: seq 3\./);
    expect(integrity).toContain('Failed to open:  0');
    expect(csv(join(out, 'handin.csv'))).toHaveLength(6);
    // The last record removed: only the tablet's reported head shows it is gone.
    const tail = await tamperableDb();
    const db2 = new DatabaseSync(tail.dbPath);
    db2.prepare('DELETE FROM signatures WHERE id = ?').run(tail.records[6].id);
    db2.close();
    const out2 = newOut();
    expect((await runExport(['--key', keyPath, '--out', out2, '--db', tail.dbPath])).code).toBe(1);
    expect(readFileSync(join(out2, 'integrity.txt'), 'utf8')).toMatch(/6 records \(seq 0–5\), CHAIN BROKEN: 1 missing: seq 6\./);
  }, 60_000);

  it('an edited clear field (capturedAt) fails GCM for that record and breaks the chain at its seq', async () => {
    const { dbPath, records } = await tamperableDb();
    const victim = records[5];
    editStored(dbPath, victim.id, (r) => ({ ...r, capturedAt: new Date(Date.parse(r.capturedAt) - 3_600_000).toISOString() }));
    const out = newOut();
    const run = await runExport(['--key', keyPath, '--out', out, '--db', dbPath]);
    expect(run.code).toBe(1);
    const integrity = readFileSync(join(out, 'integrity.txt'), 'utf8');
    expect(integrity).toContain(`- ${victim.id} (`);
    expect(integrity).toMatch(new RegExp(`Record ${victim.id}: the sealed signature failed its integrity check: .*sealed for another record`));
    expect(integrity).toMatch(new RegExp(`CHAIN BROKEN: 1 altered: seq 5 \\(${victim.id}\\)`));
    expect(integrity).toContain('Result: PROBLEMS FOUND: 1 signature could not be opened; the chain check failed on 1 of 1 device chain.');
  }, 30_000);

  it('refuses to overwrite a previous export', async () => {
    const out = newOut();
    expect((await runExport(['--key', keyPath, '--out', out, '--db', server.dbPath])).code).toBe(0);
    const again = await runExport(['--key', keyPath, '--out', out, '--db', server.dbPath]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists: choose a new --out folder/);
  }, 60_000);

  it('a tablet syncing while the export reads: the heads are read first, so records stored after the pass are not "missing"', async () => {
    const { exportSealed } = await import('../../server/exports/sealed-export.ts');
    const dbPath = join(tmp, `race-${randomUUID()}.db`);
    const store = new SqliteStore(dbPath);
    try {
      const device = await enrollTablet(store, 'Stall tablet');
      const chain = await sealedChain(device, A_SPECS.slice(0, 4), sealing, { seed: 400 });
      const [first, second, third, late] = chain.sealed;
      await storeRecords(store, [first, second, third]);
      await reportHead(store, device, { device, seq: 2, link: third.chain!.link });
      // The tablet's next batch lands just after the records pass read its last page.
      let synced = false;
      const racing = new Proxy(store, {
        get(target, prop) {
          if (prop === 'list') {
            return async (query: { afterSeq?: number; limit?: number } = {}) => {
              const page = await target.list(query);
              if (!synced && page.length < (query.limit ?? Infinity)) {
                synced = true;
                await storeRecords(target, [late]);
                await reportHead(target, device, chain.head);
              }
              return page;
            };
          }
          const value = Reflect.get(target, prop, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const { report } = await exportSealed({ store: racing, keyPath, passphrase: PASSPHRASE, out: newOut(), campaign: sealedCampaign(keys.keyId, keys.publicKeyJwk), source: dbPath, log: () => {} });
      expect(synced).toBe(true);
      expect(chain.head.seq).toBe(3);
      expect(report).toMatchObject({ held: 3, opened: 3, ok: true });
      expect(report.chain.devices.map((d) => d.summary)).toEqual([`Stall tablet (${device}): 3 records (seq 0–2), chain intact up to its last report (seq 2).`]);
    } finally {
      await store.close();
    }
  }, 60_000);
});

// ---------------------------------------------------------------------------------------

describe('signatures deleted on a data-subject request keep their place in the chain (S20)', () => {
  const SPECS: SignerSpec[] = A_SPECS.slice(0, 5);
  let own: TestServer;
  let ownCookie: string;
  let device: string;
  let records: SignatureRecord[];

  beforeAll(async () => {
    own = await startTestServer({ campaign: sealedCampaign(keys.keyId, keys.publicKeyJwk) });
    const ana = await addAccount(own.store, { email: 'ana@example.org', name: 'Ana', password: PASSWORD });
    device = await enrollTablet(own.store, 'Stall tablet');
    const chain = await sealedChain(device, SPECS, sealing, { seed: 300 });
    records = chain.sealed;
    await storeRecords(own.store, records);
    await reportHead(own.store, device, chain.head);
    const { cookie: signedInCookie, csrfToken } = await signIn(own.url, ana);
    ownCookie = signedInCookie;
    // The coordinator deletes the third signature (seq 2) in the console, as a signer asked.
    const del = await fetch(`${own.url}/api/console/signatures/${records[2].id}`, { method: 'DELETE', headers: { cookie: ownCookie, 'x-csrf-token': csrfToken } });
    expect(del.status).toBe(204);
  }, 60_000);

  afterAll(async () => {
    await own?.close();
  });

  it('S20: the records route hands over the tombstone\'s chain place; opened as the console opens them, the chain is intact', async () => {
    const pages = await allPages(3, ownCookie, own);
    expect(pages.map((p) => p.records.length)).toEqual([3, 1]);
    expect(pages[0].deletedOnRequest).toEqual({ count: 1, places: [{ id: records[2].id, device, seq: 2, link: records[2].chain!.link }] });
    expect(pages[1].deletedOnRequest).toBeUndefined();
    const reader = createSealedReader(await unlockKeyFile(readFileSync(keyPath, 'utf8'), PASSPHRASE));
    for (const row of pages.flatMap((p) => p.records)) expect(await reader.read(row), row.id).toBeDefined();
    const report = await reader.finish(pages[0].heads, new Map(pages[0].tablets.map((t) => [t.id, t.label])), pages[0].deletedOnRequest);
    expect(report.ok).toBe(true);
    expect(report.summary).toBe('OK: all 4 signatures read (4 opened), every device chain intact; 1 deleted on request.');
    expect(report.chain.devices.map((d) => d.summary)).toEqual([
      `Stall tablet (${device}): 4 records (seq 0–4), chain intact up to its last report (seq 4); 1 deleted on request (seq 2).`,
    ]);
    expect(report.deletedWithoutPlace).toBe(0);
  });

  it('S20: the CLI export passes (exit 0) and integrity.txt says 1 deleted on request (seq 2), chain intact', async () => {
    const out = newOut();
    const run = await runExport(['--key', keyPath, '--out', out, '--db', own.dbPath]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('OK: all 4 signatures read (4 opened), every device chain intact; 1 deleted on request.');
    const integrity = readFileSync(join(out, 'integrity.txt'), 'utf8');
    expect(integrity).toContain('Result: OK: all 4 signatures read (4 opened), every device chain intact; 1 deleted on request.');
    expect(integrity).toContain(`- Stall tablet (${device}): 4 records (seq 0–4), chain intact up to its last report (seq 4); 1 deleted on request (seq 2).`);
    expect(integrity).toContain('Chain check passed: 1 device chain intact; 1 deleted on request.');
    expect(integrity).toContain('Note: 1 signature was deleted on a data-subject request (see the audit log); the tablet chains list each one where it was, as deleted on request.');
    expect(integrity).not.toContain('missing');
    expect(csv(join(out, 'handin.csv')).map((r) => r.Name)).toEqual(SPECS.filter((_, i) => i !== 2).map((s) => s.name)); // the formula signer was the one deleted
  }, 30_000);

  /** A database of 5 chained records where seq 2 was deleted on request (store and audit log, as the console does), then `tamper`ed. */
  async function deletedThenTampered(tamper: (db: DatabaseSync, deleted: SignatureRecord, all: SignatureRecord[]) => void): Promise<{ dbPath: string; records: SignatureRecord[] }> {
    const made = await tamperableDb(SPECS);
    const store = new SqliteStore(made.dbPath);
    try {
      expect(await store.deleteSignature(made.records[2].id, new Date().toISOString())).toBe(true);
      await store.audit({ at: new Date().toISOString(), actor: 'ana@example.org', action: 'delete-signature', detail: { id: made.records[2].id, reason: 'data-subject request' } });
    } finally {
      await store.close();
    }
    const db = new DatabaseSync(made.dbPath);
    try {
      tamper(db, made.records[2], made.records);
    } finally {
      db.close();
    }
    return made;
  }

  it('a tombstone whose link does not fit the chain is not believed: the gap is missing, exit 1', async () => {
    // The tombstone's link rewritten (to the link of the record before it).
    const edited = await deletedThenTampered((db, deleted, all) => {
      db.prepare('UPDATE deleted_signatures SET chain_link = ? WHERE id = ?').run(all[1].chain!.link, deleted.id);
    });
    const out = newOut();
    const run = await runExport(['--key', keyPath, '--out', out, '--db', edited.dbPath]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/PROBLEMS FOUND: the chain check failed on 1 of 1 device chain\./);
    const integrity = readFileSync(join(out, 'integrity.txt'), 'utf8');
    expect(integrity).toMatch(/Stall tablet \(.+\): 4 records \(seq 0–4\), CHAIN BROKEN: 1 missing: seq 2 \(a deletion on request is recorded at seq 2, but it does not fit the chain\)\./);
    expect(integrity).toContain('it has no place in a chain that accounts for it');

    // A record removed behind the console's back, with a made-up tombstone to cover it.
    const forged = await tamperableDb(SPECS);
    const db = new DatabaseSync(forged.dbPath);
    db.prepare('DELETE FROM signatures WHERE id = ?').run(forged.records[3].id);
    db.prepare('INSERT INTO deleted_signatures (id, deleted_at, chain_device, chain_seq, chain_link) VALUES (?, ?, ?, ?, ?)').run(
      forged.records[3].id,
      new Date().toISOString(),
      forged.device,
      3,
      toBase64Url(new Uint8Array(32)),
    );
    db.close();
    const out2 = newOut();
    expect((await runExport(['--key', keyPath, '--out', out2, '--db', forged.dbPath])).code).toBe(1);
    expect(readFileSync(join(out2, 'integrity.txt'), 'utf8')).toMatch(/CHAIN BROKEN: 1 missing: seq 3 \(a deletion on request is recorded at seq 3, but it does not fit the chain\)\./);
  }, 60_000);

  it('a tombstone that kept no place (made before the store kept them) leaves the gap missing, and the report says why', async () => {
    const old = await deletedThenTampered((db, deleted) => {
      db.prepare('UPDATE deleted_signatures SET chain_device = NULL, chain_seq = NULL, chain_link = NULL WHERE id = ?').run(deleted.id);
    });
    const out = newOut();
    expect((await runExport(['--key', keyPath, '--out', out, '--db', old.dbPath])).code).toBe(1);
    const integrity = readFileSync(join(out, 'integrity.txt'), 'utf8');
    expect(integrity).toMatch(/4 records \(seq 0–4\), CHAIN BROKEN: 1 missing: seq 2\./);
    expect(integrity).toContain(
      'Note: 1 signature was deleted on a data-subject request (see the audit log); it has no place in a chain that accounts for it ' +
        '(deleted before the server kept chain places, never chained, or a place that does not fit): a gap such a deletion left shows as missing.',
    );
  }, 30_000);
});
