/**
 * Compact vector encoding of a handwritten signature ("ink").
 *
 * A signature is kept as the strokes the signer drew, never as an image: x, y, time and,
 * where the device reports it, pressure. Points are quantised to half a CSS pixel, times to
 * milliseconds and pressure to 1/255, then every value is delta-encoded against the previous
 * point, zigzag-mapped and written as a LEB128 varint. Most deltas fit one byte, so a typical
 * signature of a few hundred points takes 1–2 KB as base64url text.
 *
 * Byte layout (format 1):
 *   varint flags          bit 0: points carry pressure
 *   varint strokeCount
 *   per stroke: varint pointCount, then per point:
 *     zigzag dx, zigzag dy  (half-pixels, relative to the previous point, across strokes)
 *     varint dt             (ms since the previous point; the first point is at 0)
 *     zigzag dp             (only with the pressure flag; 0..255 scale)
 *
 * This module runs in the browser and in Node and imports nothing.
 */

/** One sampled point of a stroke. `t` is milliseconds since the first point of the signature. */
export interface InkPoint {
  x: number;
  y: number;
  t: number;
  /** Pen pressure 0..1, present only when the device reported varying pressure. */
  p?: number;
}

/** A signature as drawn: canvas size in CSS pixels and its strokes. */
export interface Ink {
  width: number;
  height: number;
  strokes: InkPoint[][];
}

/** Ink ready to store or send: the canvas size plus the packed strokes as base64url text. */
export interface EncodedInk {
  format: 1;
  width: number;
  height: number;
  data: string;
}

/** Upper bounds that keep a hostile payload from costing the decoder real work. */
export const INK_LIMITS = {
  maxStrokes: 500,
  maxPoints: 20_000,
  maxDataChars: 96_000,
  maxCoordinate: 100_000,
} as const;

const SCALE = 2;
const PRESSURE_STEPS = 255;
const FLAG_PRESSURE = 1;

/** Thrown when packed ink is malformed; the message says what is wrong. */
export class InkDecodeError extends Error {
  override name = 'InkDecodeError';
}

/** Pack strokes into the compact format. Input times may be absolute (e.g. Date.now()). */
export function encodeInk(ink: Ink): EncodedInk {
  const strokes = ink.strokes.filter((s) => s.length > 0);
  const withPressure = hasVaryingPressure(strokes);
  const out = new ByteWriter();
  out.varint(withPressure ? FLAG_PRESSURE : 0);
  out.varint(strokes.length);
  const t0 = strokes.length ? strokes[0][0].t : 0;
  let px = 0, py = 0, pt = 0, pp = 0;
  for (const stroke of strokes) {
    out.varint(stroke.length);
    for (const point of stroke) {
      const x = Math.round(point.x * SCALE);
      const y = Math.round(point.y * SCALE);
      // Clocks can step backwards mid-signature; clamp so time never runs negative.
      const t = Math.max(pt, Math.round(point.t - t0));
      out.zigzag(x - px);
      out.zigzag(y - py);
      out.varint(t - pt);
      if (withPressure) {
        const p = Math.round(clamp01(point.p ?? 0.5) * PRESSURE_STEPS);
        out.zigzag(p - pp);
        pp = p;
      }
      px = x; py = y; pt = t;
    }
  }
  return {
    format: 1,
    width: Math.max(1, Math.round(ink.width)),
    height: Math.max(1, Math.round(ink.height)),
    data: toBase64Url(out.bytes()),
  };
}

/** Unpack strokes. Throws InkDecodeError on anything malformed or over the limits. */
export function decodeInk(encoded: EncodedInk): Ink {
  if (encoded.data.length > INK_LIMITS.maxDataChars) throw new InkDecodeError('ink data is too long');
  const input = new ByteReader(fromBase64Url(encoded.data));
  const flags = input.varint();
  if (flags > FLAG_PRESSURE) throw new InkDecodeError('unknown ink flags');
  const withPressure = (flags & FLAG_PRESSURE) !== 0;
  const strokeCount = input.varint();
  if (strokeCount > INK_LIMITS.maxStrokes) throw new InkDecodeError('too many strokes');
  const strokes: InkPoint[][] = [];
  let x = 0, y = 0, t = 0, p = 0, total = 0;
  for (let s = 0; s < strokeCount; s++) {
    const count = input.varint();
    total += count;
    if (count === 0) throw new InkDecodeError('empty stroke');
    if (total > INK_LIMITS.maxPoints) throw new InkDecodeError('too many points');
    const stroke: InkPoint[] = [];
    for (let i = 0; i < count; i++) {
      x += input.zigzag();
      y += input.zigzag();
      t += input.varint();
      if (Math.abs(x) > INK_LIMITS.maxCoordinate * SCALE || Math.abs(y) > INK_LIMITS.maxCoordinate * SCALE) {
        throw new InkDecodeError('coordinate out of range');
      }
      const point: InkPoint = { x: x / SCALE, y: y / SCALE, t };
      if (withPressure) {
        p += input.zigzag();
        if (p < 0 || p > PRESSURE_STEPS) throw new InkDecodeError('pressure out of range');
        point.p = p / PRESSURE_STEPS;
      }
      stroke.push(point);
    }
    strokes.push(stroke);
  }
  if (!input.done()) throw new InkDecodeError('trailing bytes after the last stroke');
  return { width: encoded.width, height: encoded.height, strokes };
}

/** Number of points in a decoded signature. */
export function pointCount(ink: Ink): number {
  return ink.strokes.reduce((n, s) => n + s.length, 0);
}

function hasVaryingPressure(strokes: InkPoint[][]): boolean {
  let first: number | undefined;
  for (const stroke of strokes) {
    for (const { p } of stroke) {
      if (p === undefined) continue;
      if (first === undefined) first = p;
      else if (Math.abs(p - first) > 1e-6) return true;
    }
  }
  return false;
}

function clamp01(n: number): number {
  return Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0.5;
}

class ByteWriter {
  private buf = new Uint8Array(256);
  private len = 0;
  /** Append an unsigned integer as LEB128. */
  varint(n: number): void {
    let v = Math.max(0, Math.floor(n));
    while (v >= 0x80) {
      this.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.push(v);
  }
  /** Append a signed integer, zigzag-mapped so small magnitudes stay small. */
  zigzag(n: number): void {
    this.varint(n >= 0 ? n * 2 : -n * 2 - 1);
  }
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
  private push(b: number): void {
    if (this.len === this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.len++] = b;
  }
}

class ByteReader {
  private pos = 0;
  private readonly buf: Uint8Array;
  constructor(buf: Uint8Array) {
    this.buf = buf;
  }
  /** Read an unsigned LEB128 integer of at most 5 bytes. */
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.buf.length) throw new InkDecodeError('ink data ends mid-value');
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 0x80;
    }
    throw new InkDecodeError('varint is too long');
  }
  zigzag(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }
  done(): boolean {
    return this.pos === this.buf.length;
  }
}

/** Bytes to unpadded base64url text. */
export function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Unpadded base64url text to bytes. Throws InkDecodeError on characters outside the alphabet. */
export function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) throw new InkDecodeError('ink data is not base64url');
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}
