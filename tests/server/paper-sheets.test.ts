/**
 * Blank paper-collection sheets (issue 17), through the real HTTP app and read back with
 * poppler as a reader would: in en, fr, es and ar, every page gives back the whole published
 * text (compared without whitespace and bidi marks, so in logical order), the translated
 * column heads and numbered rows; the Arabic sheet is mirrored (Name at the right, the numbers
 * in the rightmost column); no glyph is the missing-glyph box; a text too long to share a page
 * with rows takes a page of its own on every sheet; a worker thread writes the same sheets;
 * and the endpoint's errors.
 *
 * With SCREENSHOTS set, page 1 of each language goes to docs/screenshots/paper-sheet-<lang>.png.
 */
import { SESSION_COOKIE } from '../../server/console/session.ts';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import PDFDocument from 'pdfkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAPER_SHEET_LABELS } from '../../server/exports/paper-sheet-labels.ts';
import { writePaperSheets } from '../../server/exports/paper-sheets.ts';
import { createPdfText } from '../../server/exports/pdf-text/pdf-text.ts';
import { campaignText, type Campaign, type Language } from '../../src/shared/campaign.ts';
import { contentHash } from '../../src/shared/campaigns.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { flat, poppler, reversed, shownGlyphs, words } from '../helpers/pdf-read.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';
import { addAccount, signIn } from '../helpers/accounts.ts';

const PASSWORD = 'correct horse battery staple';
const LANGS: Language[] = ['en', 'fr', 'es', 'ar'];
const SHEETS = 3;
const PAGE_W = 595.28;
const MARGIN = 36;

let server: TestServer;
let cookie: string;
let tmp: string;
let content: Campaign;
const files = {} as Record<Language, string>;

const get = (query: string, session = cookie) => fetch(`${server.url}/api/console/export/paper-sheets.pdf${query}`, { headers: session ? { cookie: session } : {} });

/** The paragraphs of the text in `lang`, as the sheets print them. */
function paragraphs(c: Campaign, lang: Language): string[] {
  const t = campaignText(c, lang);
  return [t.title, ...t.intro, t.call, ...t.demands.map((d, i) => `${i + 1}. ${d}`), ...(t.closing ? [t.closing] : [])];
}

const pageCount = (file: string) => Number(/Pages:\s+(\d+)/.exec(poppler('pdfinfo', [file]))![1]);
const pageText = (file: string, page: number) => poppler('pdftotext', ['-enc', 'UTF-8', '-f', String(page), '-l', String(page), file, '-']);
/**
 * The row numbers of `page`: the numbers below the column heads in the number column (the
 * leftmost, or the rightmost when mirrored).
 */
function rowNumbers(file: string, page: number, rtl: boolean, head = 'No.'): number[] {
  const all = words(file, page);
  const heads = all.find((w) => w.text === head || w.text === reversed(head))?.yMin ?? Infinity;
  return all
    .filter((w) => /^\d+$/.test(w.text) && w.yMin > heads && (rtl ? w.xMin > PAGE_W - MARGIN - 28 : w.xMax < MARGIN + 28))
    .map((w) => Number(w.text));
}
/**
 * Text for comparing: letters and digits only, without combining marks. pdftotext gives an
 * Arabic mark before its letter and "1." of a right-to-left line as ".1"; the letters
 * themselves, and their order, are what must come back.
 */
const letters = (s: string) => flat(s).normalize('NFD').replace(/[^\p{L}\p{N}]/gu, '');
/** Where a heading word sits (pdftotext -bbox gives Arabic words reversed). */
const headX = (file: string, page: number, word: string) => words(file, page).find((w) => w.text === word || w.text === reversed(word))?.xMin;

/** A coordinator signed in to `to`: the session cookie. */
async function signedIn(to: TestServer): Promise<string> {
  const ana = await addAccount(to.store, { email: 'ana@example.org', name: 'Ana', password: PASSWORD });
  return (await signIn(to.url, ana)).cookie;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'fieldsign-paper-'));
  server = await startTestServer();
  cookie = await signedIn(server);
  content = (await server.store.campaignVersions(DEFAULT_CAMPAIGN.id)).findLast((v) => v.content)!.content!;
  for (const lang of LANGS) {
    const res = await get(`?lang=${lang}&pages=${SHEETS}`);
    expect(res.status, lang).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    files[lang] = join(tmp, `${lang}.pdf`);
    writeFileSync(files[lang], Buffer.from(await res.arrayBuffer()));
    if (process.env.SCREENSHOTS) {
      const shot = fileURLToPath(new URL(`../../docs/screenshots/paper-sheet-${lang}`, import.meta.url));
      poppler('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', files[lang], shot]);
    }
  }
});

afterAll(async () => {
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('paper collection sheets', () => {
  for (const lang of LANGS) {
    it(`${lang}: every sheet has the whole text, the column heads, numbered rows and its footer`, async () => {
      const file = files[lang];
      const labels = PAPER_SHEET_LABELS[lang];
      const hash = await contentHash(content);
      expect(pageCount(file)).toBe(SHEETS);
      for (let page = 1; page <= SHEETS; page++) {
        const text = letters(pageText(file, page));
        for (const p of paragraphs(content, lang)) expect(text, `${lang} page ${page}: ${p.slice(0, 40)}`).toContain(letters(p));
        for (const head of [labels.name, labels.address, labels.signature, labels.number]) expect(text, `${lang} page ${page}: ${head}`).toContain(letters(head));
        for (const part of [labels.sheet(page, SHEETS), labels.collectedAt, labels.collectedBy, hash, content.id]) expect(text, `${lang} page ${page}: ${part}`).toContain(letters(part));
        const numbers = rowNumbers(file, page, lang === 'ar', labels.number);
        expect(numbers.length, `${lang} page ${page}: rows`).toBeGreaterThanOrEqual(6);
        expect(numbers).toEqual(numbers.map((_, i) => i + 1));
      }
    });
  }

  it('ar: mirrored, Name at the right and Signature at the left; en: the other way round', () => {
    const ar = PAPER_SHEET_LABELS.ar;
    const arName = headX(files.ar, 1, ar.name)!;
    const arSignature = headX(files.ar, 1, ar.signature)!;
    expect(arName).toBeGreaterThan(PAGE_W / 2);
    expect(arSignature).toBeLessThan(PAGE_W / 2);
    expect(headX(files.ar, 1, ar.address)!).toBeLessThan(arName);
    const enName = headX(files.en, 1, 'Name')!;
    expect(enName).toBeLessThan(PAGE_W / 2);
    expect(headX(files.en, 1, 'Signature')!).toBeGreaterThan(PAGE_W / 2);
    // The Arabic title is set from the right edge.
    const title = letters(campaignText(content, 'ar').title.split(' ')[0]);
    const first = words(files.ar, 1).find((w) => letters(w.text) === title || letters(reversed(w.text)) === title);
    expect(first?.xMax, 'first word of the Arabic title at the right margin').toBeGreaterThan(PAGE_W - MARGIN - 2);
  });

  it('draws no missing-glyph box in any language', async () => {
    const pdfText = await createPdfText(new PDFDocument({ autoFirstPage: false }));
    for (const lang of LANGS) {
      const glyphs = shownGlyphs(files[lang]);
      expect(glyphs.length, lang).toBeGreaterThan(500);
      expect(glyphs.filter((g) => g === 0), lang).toEqual([]);
      const labels = Object.values(PAPER_SHEET_LABELS[lang]).filter((v): v is string => typeof v === 'string');
      for (const piece of [...paragraphs(content, lang), ...labels]) expect(pdfText.measure(piece, 500, { size: 9 }).paragraph.missing, piece).toEqual([]);
    }
  });

  it('a text too long to share a page with rows takes a page of its own on every sheet, rows on the next', async () => {
    const long = structuredClone(content);
    const en = long.text.en!;
    en.intro = Array.from({ length: 7 }, (_, i) => `Paragraph ${i + 1}. ${'Every sheet carries the whole petition text. '.repeat(28)}`);
    const file = join(tmp, 'long.pdf');
    await writePaperSheets(long, 'en', createWriteStream(file), { pages: 2 });
    expect(pageCount(file)).toBe(4);
    for (const textPage of [1, 3]) {
      const text = letters(pageText(file, textPage));
      for (const p of paragraphs(long, 'en')) expect(text, `page ${textPage}: ${p.slice(0, 30)}`).toContain(letters(p));
      expect(rowNumbers(file, textPage, false)).toEqual([]);
    }
    for (const rowsPage of [2, 4]) {
      expect(rowNumbers(file, rowsPage, false).length).toBeGreaterThan(15);
      expect(flat(pageText(file, rowsPage))).toContain(flat(`Sheet ${rowsPage / 2} of 2`));
    }
  });
});

describe('paper collection sheets: the endpoint', () => {
  it('refuses a language the published version has no text in, and a bad number of sheets, with a clear message', async () => {
    for (const lang of ['de', 'xx', '']) {
      const res = await get(`?lang=${lang}`);
      expect(res.status, lang).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('bad_request');
      expect(body.error.message).toContain('en, fr, es, ar');
    }
    for (const pages of ['0', '501', 'ten', '2.5']) {
      const res = await get(`?pages=${pages}`);
      expect(res.status, pages).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain('1 to 500');
    }
  });

  it('answers 404 for a campaign with no published version, 401 without a session', async () => {
    await server.store.createCampaign({ id: 'draft-only', status: 'draft', draft: null, createdAt: new Date().toISOString() });
    const res = await get('?campaign=draft-only');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('no published version');
    expect((await get('', '')).status).toBe(401);
    expect((await get('', `${SESSION_COOKIE}=forged`)).status).toBe(401);
  });

  it('runs in a worker thread when the database allows, as in production: the same sheets', async () => {
    const inWorkers = await startTestServer({}, { exportsInWorkers: true });
    try {
      const session = await signedIn(inWorkers);
      const res = await fetch(`${inWorkers.url}/api/console/export/paper-sheets.pdf?lang=ar&pages=${SHEETS}`, { headers: { cookie: session } });
      expect(res.status).toBe(200);
      const file = join(tmp, 'worker.pdf');
      writeFileSync(file, Buffer.from(await res.arrayBuffer()));
      for (let page = 1; page <= SHEETS; page++) expect(pageText(file, page)).toBe(pageText(files.ar, page));
    } finally {
      await inWorkers.close();
    }
  });

  it('defaults to 10 sheets in the default language, and audits the download', async () => {
    const res = await get('');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/paper-sheets-v\d+-en-.*\.pdf"$/);
    const file = join(tmp, 'default.pdf');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    expect(pageCount(file)).toBe(10);
    await expect
      .poll(async () => {
        const { entries } = (await (await fetch(`${server.url}/api/console/audit`, { headers: { cookie } })).json()) as {
          entries: Array<{ actor: string; action: string; detail: Record<string, unknown> }>;
        };
        return entries.find((e) => e.action === 'export-paper-sheets' && e.detail.pages === 10);
      })
      .toMatchObject({ actor: 'ana@example.org', detail: { lang: 'en', pages: 10, version: content.version } });
  });
});
