/** The handwritten signature of a stored record as SVG: drawn strokes, or the typed name. */
import { decodeInk } from '../../src/shared/ink.ts';
import { inkToSvg } from '../../src/shared/ink-svg.ts';
import type { SignatureRecord } from '../../src/shared/protocol.ts';

/** Escape text for XML content and attributes. */
export function xmlEscape(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** An SVG document for the record's signature. */
export function signatureSvg(record: SignatureRecord): string {
  const payload = record.payload;
  if (payload.kind === 'plain' && payload.ink) return inkToSvg(decodeInk(payload.ink));
  const text = payload.kind === 'plain' && payload.typed ? payload.typed.name : '(sealed)';
  return (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 200" width="600" height="200">' +
    `<text x="20" y="120" font-family="cursive, serif" font-style="italic" font-size="48" fill="#1a1a2e">${xmlEscape(text)}</text>` +
    '</svg>'
  );
}
