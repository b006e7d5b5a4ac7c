/**
 * Bytes per stored signature: Fieldsign's packed strokes against what signature_pad itself
 * would produce for the same drawing (a PNG data URL and an SVG), measured in Chromium on
 * realistic signatures (2–4 strokes, 250–450 points) on a 600×200 box at 2× pixel density.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeInk } from '../src/shared/ink.ts';
import { launchChromium } from '../tests/helpers/browser.ts';
import { makeRecord, realisticInk } from '../tests/helpers/records.ts';

export interface BytesFigures {
  samples: number;
  points: number;
  inkJson: number;
  record: number;
  recordGzip: number;
  png: number;
  svg: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function bytesPerSignature(samples = 40): Promise<BytesFigures> {
  const require = createRequire(import.meta.url);
  const padSource = readFileSync(join(dirname(require.resolve('signature_pad')), 'signature_pad.umd.min.js'), 'utf8');
  const browser = await launchChromium();
  try {
    const page = await (await browser.newContext({ deviceScaleFactor: 2 })).newPage();
    await page.setContent('<canvas width="1200" height="400" style="width:600px;height:200px"></canvas>');
    await page.evaluate(padSource);
    const rows: Array<Omit<BytesFigures, 'samples'>> = [];
    for (let seed = 1; seed <= samples; seed++) {
      const ink = realisticInk(seed, { pressure: seed % 2 === 0 });
      const record = makeRecord({ seed });
      const [png, svg] = await page.evaluate((strokes) => {
        const canvas = document.querySelector('canvas')!;
        const Pad = (window as unknown as { SignaturePad: new (c: HTMLCanvasElement) => { fromData(d: unknown): void; toDataURL(t?: string): string; toSVG(): string; clear(): void } }).SignaturePad;
        canvas.getContext('2d')!.setTransform(2, 0, 0, 2, 0, 0);
        const pad = new Pad(canvas);
        pad.fromData(strokes.map((points) => ({ penColor: 'black', dotSize: 0, minWidth: 0.5, maxWidth: 2.5, velocityFilterWeight: 0.7, compositeOperation: 'source-over', points: points.map((p) => ({ x: p.x, y: p.y, time: p.t, pressure: p.p ?? 0.5 })) })));
        return [pad.toDataURL('image/png').length, pad.toSVG().length];
      }, ink.strokes);
      const json = JSON.stringify(record);
      rows.push({
        points: ink.strokes.reduce((n, s) => n + s.length, 0),
        inkJson: JSON.stringify(encodeInk(ink)).length,
        record: json.length,
        recordGzip: gzipSync(json).length,
        png,
        svg,
      });
    }
    const pick = (k: keyof Omit<BytesFigures, 'samples'>) => median(rows.map((r) => r[k]));
    return { samples, points: pick('points'), inkJson: pick('inkJson'), record: pick('record'), recordGzip: pick('recordGzip'), png: pick('png'), svg: pick('svg') };
  } finally {
    await browser.close();
  }
}

if (import.meta.main) console.table(await bytesPerSignature());
