/**
 * Reading the PDFs the server writes as a reader's tools do (poppler): text, word boxes, the
 * glyphs each page shows. Shared by the hand-in sheets' and the paper sheets' tests.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';

/** Run a poppler tool; fail loudly (never skip) when poppler-utils is missing. */
export function poppler(tool: 'pdftotext' | 'pdftoppm' | 'pdffonts' | 'pdfinfo', args: string[]): string {
  const run = spawnSync(tool, args, { encoding: 'utf8' });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw new Error(`${tool} is not installed: sudo apt-get install -y poppler-utils`);
  if (run.status !== 0) throw new Error(`${tool} failed: ${run.stderr}`);
  return run.stdout;
}

/** Text for comparing: no whitespace, no bidi marks (poppler adds them around right-to-left lines). */
export const flat = (s: string) => s.normalize('NFC').replace(/[\s\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu, '');

/** pdftotext -bbox gives a right-to-left word's characters in visual order. */
export const reversed = (s: string) => [...s].reverse().join('');

export interface Word {
  text: string;
  xMin: number;
  xMax: number;
  yMin: number;
}

/** The words of every page with their boxes (pdftotext -bbox). */
/** The words of `page` (of every page when omitted), with their boxes. */
export function words(file: string, page?: number): Word[] {
  const html = poppler('pdftotext', ['-bbox', ...(page ? ['-f', String(page), '-l', String(page)] : []), file, '-']);
  const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  return [...html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<\/word>/g)].map((m) => ({
    xMin: Number(m[1]),
    yMin: Number(m[2]),
    xMax: Number(m[3]),
    text: unescape(m[4]),
  }));
}

/** Every glyph id the page content streams show (Identity-H: two bytes per glyph). */
export function shownGlyphs(file: string): number[] {
  const pdf = readFileSync(file);
  const glyphs: number[] = [];
  for (const m of pdf.toString('latin1').matchAll(/\/Filter \/FlateDecode[^]*?>>\s*stream\r?\n/g)) {
    const start = m.index! + m[0].length;
    const end = pdf.indexOf('endstream', start);
    let content: string;
    try {
      content = inflateSync(pdf.subarray(start, end)).toString('latin1');
    } catch {
      continue; // not a deflated stream we can read whole (fonts end with padding): not page content
    }
    if (!/\bBT\b/.test(content)) continue;
    const shows = [...content.matchAll(/\[([^\]]*)\]\s*TJ/g)].map((t) => t[1]).concat([...content.matchAll(/<([0-9A-Fa-f]+)>\s*Tj/g)].map((t) => `<${t[1]}>`));
    for (const show of shows) for (const hex of show.matchAll(/<([0-9A-Fa-f]*)>/g)) for (let i = 0; i < hex[1].length; i += 4) glyphs.push(parseInt(hex[1].slice(i, i + 4), 16));
  }
  return glyphs;
}

