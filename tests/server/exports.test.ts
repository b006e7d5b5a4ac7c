/**
 * The console exports, through the real HTTP app with a signed-in coordinator: CSV (hand-in
 * and contacts), the SVG zip and the PDF hand-in sheets. The PDF is checked with poppler
 * (pdftotext, pdftoppm): CI needs the Debian package poppler-utils, and these tests fail,
 * never skip, without it.
 */
import { SESSION_COOKIE } from '../../server/console/session.ts';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { strFromU8, unzipSync } from 'fflate';
import { ZipWriter } from '../../server/exports/zip-writer.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentHash } from '../../src/shared/campaigns.ts';
import { safeCell } from '../../src/shared/signer-rows.ts';
import { simplify } from '../../server/exports/simplify.ts';
import { recordHash } from '../../server/ingest.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { decodeInk, encodeInk } from '../../src/shared/ink.ts';
import type { SignatureRecord } from '../../src/shared/protocol.ts';
import { makeRecord, realisticInk } from '../helpers/records.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';
import { addAccount, signIn, type TestAccount } from '../helpers/accounts.ts';

const PASSWORD = 'correct horse battery staple';
const EXPORTS = ['handin.csv', 'contacts.csv', 'signatures.zip', 'handin.pdf'] as const;
const TITLE = DEFAULT_CAMPAIGN.text.en!.title;
/** A cell a spreadsheet would run as a formula. */
const DANGEROUS = /^[=+\-@\t\r]/;

interface Spec {
  name: string;
  optIn?: boolean;
  country?: string;
  email?: string;
  phone?: string;
  postcode?: string;
  typed?: boolean;
  sealed?: boolean;
}

const TRICKY: Spec[] = [
  { name: '=HYPERLINK("http://x")', optIn: true },
  { name: '+1', country: 'KE' },
  { name: '-2', optIn: true, phone: '+44 20 7946 0000', postcode: 'SW1A 1AA', country: 'GB' },
  { name: '@SUM(A1)' },
  { name: '\tTabbed Name', optIn: true },
  { name: '\rCarriage Return' },
  { name: 'Smith, "Jo"\nJunior', optIn: true },
  { name: '<img src=x onerror=alert(1)>' },
  { name: 'أمينة', country: 'EG', optIn: true },
  { name: 'Ana 😀🎉', country: 'BR' },
  { name: 'Zoë Brontë-Smith', country: 'FR' },
  { name: 'Tess Typed & <Co>', typed: true, optIn: true, country: 'CA' },
  { name: '(sealed)', sealed: true },
  { name: 'No Country', country: undefined },
];
const PLAIN: Spec[] = Array.from({ length: 16 }, (_, i) => ({
  name: i === 0 ? 'Amina Okafor' : `Signer Number ${i}`,
  optIn: i % 3 === 0,
  country: ['FR', 'DE', 'NG', 'IN'][i % 4],
  phone: i % 5 === 0 ? `+33 6 12 34 56 ${10 + i}` : undefined,
}));
const SPECS = [...TRICKY, ...PLAIN];
/** Three batches, received on three different days. */
const RECEIVED = ['2026-11-20T09:15:00.000Z', '2026-11-21T23:59:59.000Z', '2026-11-22T00:00:01.000Z'];

let server: TestServer;
let cookie: string;
/** Stored records in arrival order, with their spec and server receipt time. */
const stored: Array<{ record: SignatureRecord; spec: Spec; receivedAt: string }> = [];
let tmp: string;

function recordFor(spec: Spec, i: number): SignatureRecord {
  const base = makeRecord({ seed: i + 1 });
  if (spec.sealed) {
    return { ...base, payload: { kind: 'sealed', alg: 'RSA-OAEP-256+A256GCM', keyId: 'k1', wrappedKey: 'AAAA', iv: 'BBBB', ciphertext: 'CCCC' } };
  }
  const signer = {
    name: spec.name,
    email: `person${i}@example.org`,
    ...('country' in spec ? (spec.country ? { country: spec.country } : {}) : { country: 'FR' }),
    ...(spec.phone && { phone: spec.phone }),
    ...(spec.postcode && { postcode: spec.postcode }),
    optIn: spec.optIn === true,
  };
  const payload = spec.typed
    ? { kind: 'plain' as const, signer, typed: { name: spec.name, attestation: `I, ${spec.name}, confirm that I support this petition.` } }
    : { kind: 'plain' as const, signer, ink: encodeInk(realisticInk(i + 1)) };
  return { ...base, lang: i % 2 ? 'fr' : 'en', payload };
}

/** Ana, the coordinator of the server under test. */
let ana: TestAccount;

async function login(account = ana): Promise<string> {
  return (await signIn(server.url, account)).cookie;
}

async function download(path: string, session = cookie): Promise<{ res: Response; body: Buffer }> {
  const get = () => fetch(`${server.url}/api/console/export/${path}`, { headers: { cookie: session } });
  let res: Response;
  try {
    res = await get();
  } catch (error) {
    // A test that blocks the event loop for seconds (the ZIP64 one) leaves keep-alive sockets
    // that the server closes as soon as it runs again; fetch may have picked one. Ask again, as
    // a browser does for a GET on a connection closed under it.
    if ((error as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw error;
    res = await get();
  }
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

function parseCsv(body: Buffer): string[][] {
  return parse(body, { bom: true, record_delimiter: '\r\n', relax_quotes: false, relax_column_count: false, skip_empty_lines: false }) as string[][];
}

/** The value a cell must hold for `value`: formula starts neutralised by an apostrophe. */
const expectedCell = (value: string) => (DANGEROUS.test(value) ? `'${value}` : value);

function assertFormulaSafe(rows: string[][]): void {
  for (const row of rows) for (const cell of row) expect(cell, `cell ${JSON.stringify(cell)}`).not.toMatch(DANGEROUS);
}

/** Run a poppler tool; fail loudly (never skip) when poppler-utils is missing. */
function poppler(tool: 'pdftotext' | 'pdftoppm', args: string[]): string {
  const run = spawnSync(tool, args, { encoding: 'utf8' });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(`${tool} is not installed: the PDF export tests need poppler-utils (sudo apt-get install -y poppler-utils)`);
  }
  if (run.status !== 0) throw new Error(`${tool} failed: ${run.stderr}`);
  return run.stdout;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'fieldsign-exports-'));
  server = await startTestServer();
  ana = await addAccount(server.store, { email: 'ana@example.org', name: 'Ana', password: PASSWORD });
  // Stored directly, not through the batch API: the API refuses control characters in
  // names, but the exports must stay safe for whatever sits in the database.
  const records = SPECS.map((spec, i) => ({ spec, record: recordFor(spec, i) }));
  for (let b = 0; b < RECEIVED.length; b++) {
    const batch = records.filter((_, i) => i % RECEIVED.length === b);
    const outcomes = await server.store.ingest(batch.map(({ record }) => ({ record, hash: recordHash(record), clockSuspect: false })), RECEIVED[b], 'sync');
    expect(outcomes.every((o) => o === 'accepted')).toBe(true);
    for (const item of batch) stored.push({ ...item, receivedAt: RECEIVED[b] });
  }
  cookie = await login();
});

afterAll(async () => {
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('exports: access and audit', () => {
  it('refuses every export without a session, and audits nothing', async () => {
    const before = (await (await fetch(`${server.url}/api/console/audit`, { headers: { cookie } })).json()).entries.length;
    for (const path of EXPORTS) {
      for (const session of ['', `${SESSION_COOKIE}=forged`]) {
        const res = await fetch(`${server.url}/api/console/export/${path}`, { headers: session ? { cookie: session } : {} });
        expect(res.status, `${path} ${session}`).toBe(401);
        expect((await res.json()).error.code).toBe('unauthorized');
      }
    }
    const after = (await (await fetch(`${server.url}/api/console/audit`, { headers: { cookie } })).json()).entries.length;
    expect(after).toBe(before);
  });

  it('writes an audit-log entry for each export', async () => {
    for (const path of EXPORTS) expect((await download(path)).res.status).toBe(200);
    const { entries } = (await (await fetch(`${server.url}/api/console/audit`, { headers: { cookie } })).json()) as {
      entries: Array<{ actor: string; action: string; detail: Record<string, unknown> }>;
    };
    const exports = entries.filter((e) => e.action.startsWith('export-')).slice(0, 4);
    expect(exports.map((e) => [e.action, e.detail.kind ?? null]).reverse()).toEqual([
      ['export-csv', 'handin'],
      ['export-csv', 'contacts'],
      ['export-svg-zip', 'zip'],
      ['export-pdf', 'pdf'],
    ]);
    expect(exports.every((e) => e.actor === 'ana@example.org')).toBe(true);
  });

  it('answers HEAD with the headers only', async () => {
    const res = await fetch(`${server.url}/api/console/export/handin.pdf`, { method: 'HEAD', headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });
});

describe('exports: CSV', () => {
  it('hand-in list: RFC 4180 with a BOM, one row per signature, no contact data, formula-safe', async () => {
    const { res, body } = await download('handin.csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="protect-defenders-handin-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.headers.get('cache-control')).toContain('no-store');
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const raw = body.toString('utf8');
    expect(raw.endsWith('\r\n')).toBe(true);
    // The name with a comma, quote and newline is quoted, its quote doubled.
    expect(raw).toContain('"Smith, ""Jo""\nJunior"');

    const [header, ...rows] = parseCsv(body);
    expect(header).toEqual(['No.', 'Name', 'Country', 'Country code', 'Date signed', 'Signature', 'Campaign', 'Version', 'Version hash', 'Language', 'Consent version', 'Signature ID']);
    expect(header.some((h) => /mail|phone|post/i.test(h))).toBe(false);
    expect(raw).not.toContain('@example.org');
    expect(raw).not.toContain('7946');
    expect(raw).not.toContain('SW1A');
    expect(raw).not.toMatch(/\+33 6/);

    expect(rows).toHaveLength(SPECS.length);
    // Every signer's version, with the hash of the text published as that version.
    const versionHash = (await server.store.campaignVersion('protect-defenders', 1))!.hash;
    expect(versionHash).toBe(await contentHash(DEFAULT_CAMPAIGN));
    rows.forEach((row, i) => {
      const { record, spec, receivedAt } = stored[i];
      expect(row[0]).toBe(String(i + 1));
      expect(row[4]).toBe(receivedAt.slice(0, 10));
      expect(row[11]).toBe(record.id);
      expect(row.slice(6, 11)).toEqual([record.campaignId, String(record.campaignVersion), versionHash, record.lang ?? '', String(record.consentVersion ?? '')]);
      if (record.payload.kind === 'sealed') {
        expect(row.slice(1, 4)).toEqual(['(sealed signature)', '', '']);
        expect(row[5]).toBe('sealed');
        return;
      }
      expect(row[1]).toBe(expectedCell(spec.name));
      expect(row[3]).toBe(record.payload.signer.country ?? '');
      expect(row[5]).toBe(spec.typed ? 'typed' : 'drawn');
    });
    const byName = new Map(rows.map((r) => [r[1], r]));
    expect(byName.get('أمينة')?.slice(2, 4)).toEqual(['Egypt', 'EG']);
    expect(byName.get('Zoë Brontë-Smith')?.slice(2, 4)).toEqual(['France', 'FR']);
    expect(byName.get('No Country')?.slice(2, 4)).toEqual(['', '']);
    expect(byName.get('<img src=x onerror=alert(1)>')).toBeDefined();
    expect(byName.get('Ana 😀🎉')?.[2]).toBe('Brazil');
    // Every dangerous name came out neutralised, and nothing else was touched.
    for (const name of ['=HYPERLINK("http://x")', '+1', '-2', '@SUM(A1)', '\tTabbed Name', '\rCarriage Return']) {
      expect(byName.has(`'${name}`), name).toBe(true);
    }
    assertFormulaSafe(rows);
  });

  it('contact list: only signers who opted in, with their details, formula-safe', async () => {
    const { res, body } = await download('contacts.csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="protect-defenders-contacts-[\d-]+\.csv"$/);
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...rows] = parseCsv(body);
    expect(header).toEqual(['Name', 'Email', 'Country', 'Country code', 'Postcode', 'Phone', 'Language', 'Date signed', 'Campaign', 'Version', 'Version hash', 'Consent version', 'Signature ID']);

    const optedIn = stored.filter((s) => s.record.payload.kind === 'plain' && s.record.payload.signer.optIn);
    expect(optedIn.length).toBeGreaterThan(5);
    expect(optedIn.length).toBeLessThan(stored.length - 5);
    expect(rows.map((r) => r[0])).toEqual(optedIn.map((s) => expectedCell(s.spec.name)));
    rows.forEach((row, i) => {
      const { record, receivedAt } = optedIn[i];
      if (record.payload.kind !== 'plain') throw new Error('unreachable');
      const signer = record.payload.signer;
      expect(row[1]).toBe(signer.email);
      expect(row[3]).toBe(signer.country ?? '');
      expect(row[4]).toBe(signer.postcode ?? '');
      expect(row[5]).toBe(signer.phone ? expectedCell(signer.phone) : '');
      expect(row[6]).toBe(record.lang ?? '');
      expect(row[7]).toBe(receivedAt.slice(0, 10));
      expect(row[12]).toBe(record.id);
    });
    const minus2 = rows.find((r) => r[0] === "'-2")!;
    expect(minus2.slice(2, 6)).toEqual(['United Kingdom', 'GB', 'SW1A 1AA', "'+44 20 7946 0000"]);
    // Not opted in: never in the contact list.
    const raw = body.toString('utf8');
    for (const s of stored) {
      if (s.record.payload.kind === 'plain' && !s.record.payload.signer.optIn) expect(raw).not.toContain(s.record.payload.signer.email!);
    }
    assertFormulaSafe(rows);
  });

  it('neutralises formula starts, including full-width ones, and leaves other text alone', () => {
    expect(['=1', '+1', '-1', '@a', '\tx', '\rx', '＝1', '＋1'].map(safeCell)).toEqual(["'=1", "'+1", "'-1", "'@a", "'\tx", "'\rx", "'＝1", "'＋1"]);
    expect(['Ana', 'a=1', ' =1', '', "'quoted"].map(safeCell)).toEqual(['Ana', 'a=1', ' =1', '', "'quoted"]);
    expect(safeCell(undefined)).toBe('');
  });

  it('neutralises a formula behind invisible or control characters (F11)', () => {
    const hidden = ['\u200B=1+1', '\u202E=1+1', '\uFEFF@SUM(A1)', '\u180E+1', '\u2066\u200B-1', '\u0001=1', '\u3164=1'];
    expect(hidden.map(safeCell)).toEqual(hidden.map((v) => `'${v}`));
    expect(['\u200BAna', '\u202Ea=1'].map(safeCell)).toEqual(['\u200BAna', '\u202Ea=1']);
  });
});

describe('exports: SVG zip', () => {
  it('names each drawing by the Signature ID that both CSV lists carry, so a row finds its signature', async () => {
    const files = unzipSync((await download('signatures.zip')).body);
    const [handinHeader, ...handin] = parseCsv((await download('handin.csv')).body);
    const [contactsHeader, ...contacts] = parseCsv((await download('contacts.csv')).body);
    const idColumn = (header: string[]) => header.indexOf('Signature ID');
    expect(handin.map((row) => `${row[idColumn(handinHeader)]}.svg`).sort()).toEqual(Object.keys(files).sort());
    expect(contacts.length).toBeGreaterThan(0);
    for (const row of contacts) expect(files[`${row[idColumn(contactsHeader)]}.svg`], row[0]).toBeDefined();
  });

  it('holds one <id>.svg per signature with one path per stroke', async () => {
    const { res, body } = await download('signatures.zip');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="[\w-]+\.zip"$/);
    const files = unzipSync(body);
    expect(Object.keys(files).sort()).toEqual(stored.map((s) => `${s.record.id}.svg`).sort());
    for (const { record } of stored) {
      const svg = strFromU8(files[`${record.id}.svg`]);
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      const paths = svg.match(/<path /g)?.length ?? 0;
      const p = record.payload;
      if (p.kind === 'plain' && p.ink) {
        expect(paths).toBe(decodeInk(p.ink).strokes.length);
        expect(paths).toBeGreaterThanOrEqual(2);
      } else {
        expect(paths).toBe(0);
      }
      if (p.kind === 'plain' && p.typed) expect(svg).toContain('Tess Typed &amp; &lt;Co&gt;');
      // Names never leak into drawn signatures' SVGs.
      expect(svg).not.toContain('<img');
    }
  });

  it('writes a ZIP64 end record when there are more than 65,535 files', () => {
    const zip = new ZipWriter();
    const chunks: Buffer[] = [];
    const count = 70_000;
    for (let i = 0; i < count; i++) chunks.push(zip.entry(`${i}.svg`, new TextEncoder().encode(String(i)), new Date('2026-11-24T12:00:00Z')));
    chunks.push(zip.end());
    const archive = Buffer.concat(chunks);
    // Classic end record says "see ZIP64"; the ZIP64 record holds the real count.
    expect(archive.readUInt16LE(archive.length - 22 + 10)).toBe(0xffff);
    expect(archive.readUInt32LE(archive.length - 22 - 20 - 56)).toBe(0x06064b50);
    expect(Number(archive.readBigUInt64LE(archive.length - 22 - 20 - 56 + 32))).toBe(count);
    const files = unzipSync(archive);
    expect(Object.keys(files)).toHaveLength(count);
    expect(strFromU8(files['69999.svg'])).toBe('69999');
    // A small archive has only the classic end record.
    const small = new ZipWriter();
    const bytes = Buffer.concat([small.entry('a.svg', new TextEncoder().encode('<svg/>'), new Date()), small.end()]);
    expect(bytes.readUInt16LE(bytes.length - 22 + 10)).toBe(1);
    expect(strFromU8(unzipSync(bytes)['a.svg'])).toBe('<svg/>');
    // 70,000 entries deflated in one synchronous run: seconds on a busy 2-core machine.
  }, 60_000);
});

describe('exports: PDF hand-in sheets', () => {
  it('is a PDF with the title, demands, names, page numbers and the total, and renders', async () => {
    const { res, body } = await download('handin.pdf');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="protect-defenders-handin-[\d-]+\.pdf"$/);
    expect(body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(body.subarray(-6).toString('latin1')).toMatch(/%%EOF\s*$/);
    const file = join(tmp, 'handin.pdf');
    writeFileSync(file, body);

    const text = poppler('pdftotext', ['-enc', 'UTF-8', file, '-']);
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain(TITLE);
    expect(flat).toContain(DEFAULT_CAMPAIGN.text.en!.demands[1]);
    expect(text).toContain('Amina Okafor');
    expect(text).toContain('Zoë Brontë-Smith');
    expect(text).toContain('Page 1');
    expect(text).toContain('Page 2');
    expect(text).toContain(`${SPECS.length} signatures in total`);
    expect(text).toMatch(new RegExp(`End of list: ${SPECS.length} signatures in \\d+ parts \\(one per version and language\\) on \\d+ pages, of which 1 sealed`));
    expect(text).toContain('Tess Typed & <Co>');
    expect(text).toContain('=HYPERLINK("http://x")');
    // No contact data on the hand-in sheets.
    expect(text).not.toContain('@example.org');
    expect(text).not.toContain('7946');
    // Arabic in the fonts the product ships, on any server (tests/server/pdf-scripts.test.ts covers every script).
    expect(text.replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')).toContain('أمينة');
    // Every page carries the header, in the language its section's signers read, and its number.
    const pages = text.split('\f').filter((p) => p.trim());
    expect(pages.length).toBeGreaterThanOrEqual(2);
    const titles = Object.values(DEFAULT_CAMPAIGN.text).map((t) => t.title);
    pages.forEach((page, i) => {
      expect(page).toContain(`Page ${i + 1}`);
      const flatPage = page.replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').replace(/\s+/g, ' ');
      expect(titles.some((title) => flatPage.includes(title)), `page ${i + 1} is headed by the petition's title`).toBe(true);
    });

    poppler('pdftoppm', ['-png', '-r', '50', '-f', '1', '-l', '1', file, join(tmp, 'page')]);
    const png = readdirSync(tmp).find((f) => /^page-0*1\.png$/.test(f));
    expect(png, 'pdftoppm wrote page 1 as PNG').toBeDefined();
    const image = readFileSync(join(tmp, png!));
    expect([...image.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // A4 at 50 dpi: about 413 × 585 pixels (IHDR width and height).
    expect(image.readUInt32BE(16)).toBeGreaterThan(400);
    expect(image.readUInt32BE(20)).toBeGreaterThan(570);
  });

  it('draws handwritten signatures as vector paths', () => {
    const points = Array.from({ length: 101 }, (_, i) => ({ x: i, y: 2 * i }));
    expect(simplify(points, 0.1)).toEqual([points[0], points[100]]);
    const corner = [{ x: 0, y: 0 }, { x: 5, y: 0.01 }, { x: 10, y: 0 }, { x: 10, y: 10 }];
    expect(simplify(corner, 0.1)).toEqual([corner[0], corner[2], corner[3]]);
    expect(simplify([{ x: 1, y: 1 }], 0.1)).toEqual([{ x: 1, y: 1 }]);
  });
});

describe('exports: an empty petition', () => {
  it('still gives valid files', async () => {
    const empty = await startTestServer();
    try {
      const emptyAna = await addAccount(empty.store, { email: 'ana@example.org', name: 'Ana', password: PASSWORD });
      const saved = server;
      server = empty;
      try {
        const session = await login(emptyAna);
        const handin = await download('handin.csv', session);
        expect(parseCsv(handin.body)).toEqual([['No.', 'Name', 'Country', 'Country code', 'Date signed', 'Signature', 'Campaign', 'Version', 'Version hash', 'Language', 'Consent version', 'Signature ID']]);
        expect([...handin.body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
        expect(Object.keys(unzipSync((await download('signatures.zip', session)).body))).toEqual([]);
        const pdf = await download('handin.pdf', session);
        const file = join(tmp, 'empty.pdf');
        writeFileSync(file, pdf.body);
        const text = poppler('pdftotext', ['-enc', 'UTF-8', file, '-']);
        expect(text).toContain('0 signatures in total');
        expect(text).toContain('No signatures yet.');
      } finally {
        server = saved;
      }
    } finally {
      await empty.close();
    }
  });
});
