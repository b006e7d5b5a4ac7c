/**
 * The hand-in sheets in every script (issue 17): the PDF writer that the console's export and
 * the CLI's sealed export share (writePdf), checked with poppler as a reader would see it.
 *
 * - pdftotext gives every name back, in logical order;
 * - right-to-left names are laid out right to left (word positions from pdftotext -bbox);
 * - no glyph drawn is the fonts' missing-glyph box (.notdef, glyph 0 of every subset), and
 *   the text engine found a font for every character;
 * - every font is embedded, subset and ours (Noto), and a sheet of Latin names embeds no CJK;
 * - a long name wraps inside its column and never reaches the next one.
 *
 * With SCREENSHOTS set, it saves the rendered pages as docs/screenshots/handin-pdf-scripts-1.png and -2.png.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import PDFDocument from 'pdfkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePdf } from '../../server/exports/pdf.ts';
import { createPdfText } from '../../server/exports/pdf-text/pdf-text.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import type { RowSource } from '../../src/shared/signer-rows.ts';
import { makeRecord } from '../helpers/records.ts';
import { flat, poppler, reversed, shownGlyphs, words } from '../helpers/pdf-read.ts';

interface Signer {
  script: string;
  name: string;
  country?: string;
}

/** One name per script the issue lists, names mixing scripts and directions, and hostile ones. */
const SIGNERS: Signer[] = [
  { script: 'Latin with diacritics', name: 'José Ñúñez', country: 'ES' },
  { script: 'Latin (Polish)', name: 'Łukasz Wałęsa', country: 'PL' },
  { script: 'Latin (Vietnamese)', name: 'Nguyễn Thị Minh Khai', country: 'VN' },
  { script: 'Greek', name: 'Ωμέγα Δέλτα', country: 'GR' },
  { script: 'Cyrillic', name: 'Анна Ахматова', country: 'UA' },
  { script: 'Arabic', name: 'محمد الأحمد', country: 'EG' },
  { script: 'Persian', name: 'علی رضایی', country: 'IR' },
  { script: 'Hebrew', name: 'דוד בן־גוריון', country: 'IL' },
  { script: 'Devanagari', name: 'श्रीनिवास रामानुजन', country: 'IN' },
  { script: 'Bengali', name: 'রবীন্দ্রনাথ ঠাকুর', country: 'BD' },
  { script: 'Tamil', name: 'சுப்பிரமணிய பாரதி', country: 'LK' },
  { script: 'Thai', name: 'น้ำฝน ใจดี', country: 'TH' },
  { script: 'Ethiopic', name: 'ኃይለ ሥላሴ', country: 'ET' },
  { script: 'Chinese (simplified)', name: '李小龙', country: 'CN' },
  { script: 'Chinese (traditional)', name: '張學友', country: 'HK' },
  { script: 'Japanese', name: '山田 さくら', country: 'JP' },
  { script: 'Korean', name: '김민준', country: 'KR' },
  { script: 'hostile: formula', name: '=HYPERLINK("http://evil.example","x")', country: 'FR' },
  { script: 'hostile: HTML', name: '<img src=x onerror=alert(1)>', country: 'FR' },
];
/** Mixed scripts and directions: checked word by word, and for their visual order. */
const MIXED: Signer[] = [
  { script: 'left to right, with Hebrew', name: 'Sara שרה Cohen', country: 'IL' },
  { script: 'right to left, with Latin and digits', name: 'علي (Ali) 42', country: 'LB' },
  { script: 'three scripts', name: 'Μαρία 李 Müller', country: 'DE' },
];
const RTL_WORD_ORDER: Array<{ name: string; rightToLeft: string[] }> = [
  { name: 'محمد الأحمد', rightToLeft: ['محمد', 'الأحمد'] },
  { name: 'علي (Ali) 42', rightToLeft: ['علي', 'Ali', '42'] },
  { name: 'דוד בן־גוריון', rightToLeft: ['דוד', 'בן־גוריון'] },
];

let tmp: string;
let sheets: string;

function rowsOf(signers: Signer[]): RowSource[] {
  return signers.map((s, i) => {
    const record = makeRecord({ seed: i + 1 });
    if (record.payload.kind === 'plain') record.payload.signer = { ...record.payload.signer, name: s.name, country: s.country };
    return { receivedAt: '2026-11-24T10:00:00.000Z', record };
  });
}

async function writeSheets(signers: Signer[], file: string): Promise<string> {
  async function* rows() {
    yield* rowsOf(signers);
  }
  const section = { version: DEFAULT_CAMPAIGN.version, lang: 'en' as const, content: DEFAULT_CAMPAIGN, hash: null, count: signers.length, rows };
  await writePdf([section], createWriteStream(file), { campaignId: DEFAULT_CAMPAIGN.id, title: 'Sheets in every script' });
  return file;
}

/** The fonts of a PDF (pdffonts): name, embedded, subset. */
function fonts(file: string): Array<{ name: string; embedded: boolean; subset: boolean }> {
  return poppler('pdffonts', [file])
    .split('\n')
    .slice(2)
    .filter((line) => line.trim())
    .map((line) => {
      const cols = line.trim().split(/\s+/);
      const [emb, sub] = cols.slice(-5, -3);
      return { name: cols[0], embedded: emb === 'yes', subset: sub === 'yes' };
    });
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'fieldsign-scripts-'));
  sheets = await writeSheets([...SIGNERS, ...MIXED], join(tmp, 'scripts.pdf'));
  if (process.env.SCREENSHOTS) {
    // The names take two pages: handin-pdf-scripts-1.png and -2.png.
    poppler('pdftoppm', ['-png', '-r', '80', sheets, fileURLToPath(new URL('../../docs/screenshots/handin-pdf-scripts', import.meta.url))]);
  }
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('PDF hand-in sheets in every script', () => {
  it('gives back every name, in every script and the hostile ones, as text', () => {
    const text = flat(poppler('pdftotext', ['-enc', 'UTF-8', sheets, '-']));
    for (const signer of SIGNERS) expect(text, `${signer.script}: ${signer.name}`).toContain(flat(signer.name));
    // Mixed directions: pdftotext orders a mixed line its own way, so each word on its own.
    for (const signer of MIXED) for (const word of signer.name.split(/[\s()]+/).filter(Boolean)) expect(text, `${signer.script}: ${word}`).toContain(word);
  });

  it('lays right-to-left names out right to left', () => {
    const page = words(sheets);
    for (const { name, rightToLeft } of RTL_WORD_ORDER) {
      const xs = rightToLeft.map((w) => {
        const found = page.find((p) => [w, reversed(w)].includes(p.text.replace(/[()]/g, '')));
        expect(found, `"${w}" of ${name} on the page`).toBeDefined();
        return found!.xMin;
      });
      for (let i = 1; i < xs.length; i++) expect(xs[i], `in ${name}, "${rightToLeft[i]}" left of "${rightToLeft[i - 1]}"`).toBeLessThan(xs[i - 1]);
    }
  });

  it('draws no missing-glyph box: every character has a font of ours that draws it', async () => {
    const glyphs = shownGlyphs(sheets);
    expect(glyphs.length).toBeGreaterThan(500);
    expect(glyphs.filter((g) => g === 0)).toEqual([]);
    // The text engine's own account: for every name, a face with a glyph for each character.
    const pdfText = await createPdfText(new PDFDocument({ autoFirstPage: false }));
    for (const signer of [...SIGNERS, ...MIXED]) {
      expect(pdfText.measure(signer.name, 138, { size: 9 }).paragraph.missing, signer.name).toEqual([]);
    }
  });

  it('embeds only our own fonts, subset; a sheet of Latin names embeds no CJK font', async () => {
    const all = fonts(sheets);
    expect(all.length).toBeGreaterThan(10);
    for (const font of all) {
      expect(font.name, 'a subset of a Noto font').toMatch(/^[A-Z]{6}\+Noto/);
      expect(font.embedded && font.subset, font.name).toBe(true);
    }
    for (const family of ['NotoSansArabic', 'NotoSansDevanagari', 'NotoSansSC', 'NotoSansTC', 'NotoSansJP', 'NotoSansKR', 'NotoSansEthiopic']) {
      expect(all.some((f) => f.name.includes(`+${family}-`)), family).toBe(true);
    }
    const latin = fonts(await writeSheets([{ script: 'Latin', name: 'Zoë Brontë-Smith' }, { script: 'Latin', name: 'Amina Okafor' }], join(tmp, 'latin.pdf')));
    expect(latin.map((f) => f.name.replace(/^[A-Z]{6}\+/, '')).sort()).toEqual(['NotoSans-Bold', 'NotoSans-Regular']);
  });
});

describe('PDF hand-in sheets: long names', () => {
  it('wrap inside the Name column and never reach the Country column', async () => {
    const long: Signer[] = [
      { script: 'Devanagari', name: 'श्रीनिवास रामानुजन अयंगर कुम्भकोणम तिरुचिरापल्ली तमिलनाडु भारत', country: 'IN' },
      { script: 'Arabic', name: 'عبد الرحمن بن محمد بن عبد الله الحسيني الهاشمي القرشي', country: 'SA' },
      { script: 'Latin, one long word', name: 'Wolfeschlegelsteinhausenbergerdorffwelchevoralternwarengewissenhaft', country: 'DE' },
    ];
    const file = await writeSheets(long, join(tmp, 'long.pdf'));
    // Page 1 opens the section with the petition's whole text; the list starts on page 2.
    const page = words(file, 2);
    const head = (label: string) => page.find((w) => w.text === label)!;
    // Each column's text starts 4 pt inside it: the Name column ends where Country's text starts, less 4 pt.
    const nameLeft = head('Name').xMin - 4;
    const nameRight = head('Country').xMin - 4;
    const top = head('Name').yMin + 12;
    const column = (left: number, right: number) =>
      flat(poppler('pdftotext', ['-enc', 'UTF-8', '-f', '2', '-l', '2', '-x', String(Math.round(left)), '-y', String(Math.round(top)), '-W', String(Math.round(right - left)), '-H', String(Math.round(841 - top)), file, '-']));
    const names = column(nameLeft, nameRight);
    const rest = column(nameRight, 560);
    for (const signer of long) {
      expect(names, `${signer.script}: the whole name inside the Name column`).toContain(flat(signer.name));
      for (const word of signer.name.split(' ')) expect(rest, `${signer.script}: no part of "${word}" right of the Name column`).not.toContain(flat(word.slice(0, 4)));
      const pieces = page.filter((w) => w.yMin > top && (flat(signer.name).includes(flat(w.text)) || flat(signer.name).includes(reversed(flat(w.text)))));
      expect(new Set(pieces.map((w) => Math.round(w.yMin))).size, `${signer.script}: wrapped onto several lines`).toBeGreaterThan(1);
      for (const w of pieces) {
        expect(w.xMin, `${signer.script}: "${w.text}" inside the Name column`).toBeGreaterThanOrEqual(nameLeft);
        expect(w.xMax, `${signer.script}: "${w.text}" inside the Name column`).toBeLessThanOrEqual(nameRight);
      }
    }
    // Each row's country is still whole, in its own column.
    expect(rest).toContain('India(IN)');
    expect(rest).toContain('SaudiArabia(SA)');
    expect(rest).toContain('Germany(DE)');
  });
});
