/**
 * The PDF text engine's layout (server/exports/pdf-text), below the PDF: which font draws what, the
 * visual order of mixed-direction text, and where lines break. The PDF itself, read back with
 * poppler, is tested in tests/server/pdf-scripts.test.ts.
 */
import PDFDocument from 'pdfkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPdfText, languageOfRegion, type PdfText } from '../../server/exports/pdf-text/pdf-text.ts';
import { breakOpportunities } from '../../server/exports/pdf-text/line-break.ts';

let pdfText: PdfText;

beforeAll(async () => {
  pdfText = await createPdfText(new PDFDocument({ autoFirstPage: false }));
});

/** Each line's runs, left to right on the page: their text and the family of their face. */
function layout(text: string, width = 400, lang?: string): Array<Array<{ text: string; family: string }>> {
  const { paragraph } = pdfText.measure(text, width, { size: 9, lang });
  return paragraph.lines.map((line) => line.runs.map((run) => ({ text: paragraph.text.slice(run.start, run.end), family: run.shaped.face.family })));
}

describe('PDF text: fonts', () => {
  it('gives each script its Noto family, and keeps spaces and digits with their neighbours', () => {
    expect(layout('José محمد')).toEqual([[{ text: 'José ', family: 'sans' }, { text: 'محمد', family: 'arabic' }]]);
    expect(layout('श्रीनिवास रामानुजन')).toEqual([[{ text: 'श्रीनिवास रामानुजन', family: 'devanagari' }]]);
    expect(layout('ኃይለ ሥላሴ')).toEqual([[{ text: 'ኃይለ ሥላሴ', family: 'ethiopic' }]]);
    expect(layout('Ana 😀🎉')).toEqual([[{ text: 'Ana ', family: 'sans' }, { text: '😀🎉', family: 'emoji' }]]);
    expect(layout('© Zoë™')).toEqual([[{ text: '© Zoë™', family: 'sans' }]]); // text symbols, not emoji
  });

  it('draws Han characters in the forms of the text around them, or of the signer’s country', () => {
    const familyOf = (text: string, lang?: string) => layout(text, 400, lang)[0][0].family;
    expect(familyOf('李小龙')).toBe('sc');
    expect(familyOf('張學友', languageOfRegion('HK'))).toBe('tc');
    expect(familyOf('山田', languageOfRegion('JP'))).toBe('jp');
    expect(familyOf('山田さくら')).toBe('jp'); // kana: Japanese, whatever the country
    expect(familyOf('金民俊', languageOfRegion('KR'))).toBe('kr');
    expect(languageOfRegion('FR')).toBeUndefined();
  });

  it('finds a font for every character of every script it promises, and says what it cannot draw', () => {
    for (const name of ['Zoë Ørsted', 'Ωμέγα', 'Анна', 'علی رضایی', 'דוד', 'রবীন্দ্রনাথ', 'சுப்பிரமணிய', 'น้ำฝน', 'ኃይለ', '李小龙', '張學友', 'さくら', '김민준', 'Jo ❤️ 🇫🇷']) {
      expect(pdfText.measure(name, 400, { size: 9 }).paragraph.missing, name).toEqual([]);
    }
    // Egyptian hieroglyphs: no font of ours. The character is reported, not silently dropped.
    expect(pdfText.measure('𓀀', 400, { size: 9 }).paragraph.missing).toEqual([0x13000]);
  });
});

describe('PDF text: direction', () => {
  it('orders runs by the bidi algorithm: right to left inside, left to right around', () => {
    expect(layout('Sara שרה Cohen').flat().map((r) => r.text)).toEqual(['Sara ', 'שרה', ' ', 'Cohen']);
    // A right-to-left paragraph: its first word rightmost; the Latin and the digits read left to
    // right. Runs hold their characters in logical order: ") " is drawn right to left, its
    // parenthesis mirrored, so the page shows "42 (Ali) علي".
    expect(layout('علي (Ali) 42').flat().map((r) => r.text)).toEqual(['42', ') ', 'Ali', '(', 'علي ']);
    expect(pdfText.measure('علي (Ali) 42', 400, { size: 9 }).paragraph.baseLevel).toBe(1);
  });
});

describe('PDF text: line breaks', () => {
  it('breaks at spaces, between CJK characters, and between Thai words (which have no spaces)', () => {
    expect(breakOpportunities('Ana María')).toEqual([4, 9]);
    expect(breakOpportunities('李小龙')).toEqual([1, 2, 3]);
    const thai = 'สมชายใจดี';
    expect(breakOpportunities(thai)).toEqual([5, 9]); // สมชาย|ใจดี
  });

  it('wraps a long name inside the width, a word too long for a line between its letters', () => {
    const lines = layout('Wolfeschlegelsteinhausenbergerdorff Müller', 100);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[0].map((r) => r.text).join('')).toMatch(/^Wolfeschlegel\S+$/); // cut inside the word
    const { paragraph } = pdfText.measure('Wolfeschlegelsteinhausenbergerdorff Müller', 100, { size: 9 });
    for (const line of paragraph.lines) expect(line.width).toBeLessThanOrEqual(100);
    expect(lines.flat().map((r) => r.text).join('').replace(/\s/g, '')).toBe('WolfeschlegelsteinhausenbergerdorffMüller');
  });
});
