/**
 * Renders decoded ink back to a standalone SVG document: one path per stroke, round caps
 * so a single tap still shows as a dot. Used by the server (exports, console) and tests.
 */
import type { Ink } from './ink.ts';

/** Options for {@link inkToSvg}. */
export interface SvgOptions {
  /** Stroke colour; any CSS colour. Default near-black ink. */
  color?: string;
  /** Line width in CSS pixels of the original canvas. Default 2.5. */
  lineWidth?: number;
}

/** An SVG document for the signature, sized like the canvas it was drawn on. */
export function inkToSvg(ink: Ink, options: SvgOptions = {}): string {
  const color = /^[#a-zA-Z0-9(),.% ]{1,40}$/.test(options.color ?? '') ? options.color : '#1a1a2e';
  const width = options.lineWidth ?? 2.5;
  const paths = ink.strokes.map((stroke) => {
    const [first, ...rest] = stroke;
    const d = rest.length
      ? `M${num(first.x)} ${num(first.y)}` + rest.map((p) => `L${num(p.x)} ${num(p.y)}`).join('')
      : `M${num(first.x)} ${num(first.y)}l0 0`;
    return `<path d="${d}"/>`;
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${ink.width} ${ink.height}" ` +
    `width="${ink.width}" height="${ink.height}">` +
    `<g fill="none" stroke="${color}" stroke-width="${width}" stroke-linecap="round" stroke-linejoin="round">` +
    paths.join('') +
    `</g></svg>`
  );
}

/** Shortest text for a coordinate quantised to half a pixel. */
function num(n: number): string {
  return String(Math.round(n * 2) / 2);
}

