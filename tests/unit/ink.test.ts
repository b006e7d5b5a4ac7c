import { describe, expect, it } from 'vitest';
import { decodeInk, encodeInk, InkDecodeError, pointCount, toBase64Url } from '../../src/shared/ink.ts';
import { inkToSvg } from '../../src/shared/ink-svg.ts';
import { realisticInk } from '../helpers/records.ts';

describe('ink encoding', () => {
  it('round-trips x, y and relative time within half a pixel', () => {
    const ink = realisticInk(7);
    const decoded = decodeInk(encodeInk(ink));
    expect(decoded.width).toBe(600);
    expect(decoded.strokes.length).toBe(ink.strokes.length);
    const t0 = ink.strokes[0][0].t;
    ink.strokes.forEach((stroke, s) => {
      expect(decoded.strokes[s].length).toBe(stroke.length);
      stroke.forEach((p, i) => {
        const q = decoded.strokes[s][i];
        expect(Math.abs(q.x - p.x)).toBeLessThanOrEqual(0.25);
        expect(Math.abs(q.y - p.y)).toBeLessThanOrEqual(0.25);
        expect(q.t).toBe(p.t - t0);
        expect(q.p).toBeUndefined(); // constant (mouse) pressure is not stored
      });
    });
  });

  it('keeps pressure when the device reports it varying', () => {
    const ink = realisticInk(3, { pressure: true });
    const decoded = decodeInk(encodeInk(ink));
    const original = ink.strokes.flat();
    decoded.strokes.flat().forEach((q, i) => {
      expect(q.p).toBeDefined();
      expect(Math.abs(q.p! - original[i].p!)).toBeLessThanOrEqual(1 / 255);
    });
  });

  it('never lets time run backwards when the clock steps back mid-signature', () => {
    const ink = realisticInk(5);
    ink.strokes[1][0].t = ink.strokes[0][0].t - 5000;
    const times = decodeInk(encodeInk(ink)).strokes.flat().map((p) => p.t);
    times.slice(1).forEach((t, i) => expect(t).toBeGreaterThanOrEqual(times[i]));
  });

  it('stores a typical signature in well under 4 KB (and under 3 KB)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const ink = realisticInk(seed, { pressure: seed % 2 === 0 });
      const encoded = encodeInk(ink);
      const json = JSON.stringify(encoded);
      expect(pointCount(ink)).toBeGreaterThan(150);
      expect(json.length).toBeLessThan(3 * 1024);
    }
  });

  it('rejects malformed data with InkDecodeError', () => {
    const good = encodeInk(realisticInk(1)).data;
    const cases = [
      good.slice(0, -3), // truncated mid-value
      good + 'AAAA', // trailing bytes
      'not base64!',
      toBase64Url(new Uint8Array([0, 1, 0])), // empty stroke
      toBase64Url(new Uint8Array([9, 0])), // unknown flags
      toBase64Url(new Uint8Array([0, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])), // overlong varint
      toBase64Url(new Uint8Array([0, 1, 0xff, 0xff, 0x03])), // a stroke claiming 65k points
      'A'.repeat(100_000),
    ];
    for (const data of cases) {
      expect(() => decodeInk({ format: 1, width: 10, height: 10, data }), data.slice(0, 20)).toThrow(InkDecodeError);
    }
  });
});

describe('ink to SVG', () => {
  it('renders every stroke as a path whose points match the decoded strokes', () => {
    const decoded = decodeInk(encodeInk(realisticInk(11)));
    const svg = inkToSvg(decoded);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 200"')).toBe(true);
    const paths = [...svg.matchAll(/<path d="([^"]*)"\/>/g)].map(([, d]) =>
      [...d.matchAll(/[ML](-?[\d.]+) (-?[\d.]+)/g)].map(([, x, y]) => ({ x: Number(x), y: Number(y) })),
    );
    expect(paths.length).toBe(decoded.strokes.length);
    paths.forEach((points, s) => {
      expect(points).toEqual(decoded.strokes[s].map(({ x, y }) => ({ x, y })));
    });
  });

  it('draws a single tap as a dot and ignores a hostile colour', () => {
    const svg = inkToSvg({ width: 10, height: 10, strokes: [[{ x: 5, y: 5, t: 0 }]] }, { color: '"/><script>' });
    expect(svg).toContain('<path d="M5 5l0 0"/>');
    expect(svg).not.toContain('<script>');
  });
});
