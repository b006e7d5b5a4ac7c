/**
 * The build's br and gzip copies (scripts/precompress.ts), on `dist/` (npm test builds it
 * first): every compressible file of 1 KB or more that shrinks has both, each decoding to the
 * file byte for byte, and the service worker precaches none of them (the browser asks for the
 * file; the server picks the copy).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { COMPRESSIBLE_EXTENSIONS, MIN_COMPRESSIBLE_BYTES } from '../../server/content-coding.ts';
import { DIST } from '../helpers/app-process.ts';

const files = readdirSync(DIST, { recursive: true, encoding: 'utf8' }).filter((f) => COMPRESSIBLE_EXTENSIONS.has(extname(f)));

describe('the built app has br and gzip copies of its text files', () => {
  it('has both copies of each large text file, and each decodes to the file', () => {
    const large = files.filter((f) => readFileSync(join(DIST, f)).length >= MIN_COMPRESSIBLE_BYTES);
    expect(large).toContain('sw.js');
    expect(large.some((f) => /^assets\/index-[\w-]+\.js$/.test(f))).toBe(true);
    for (const file of large) {
      const original = readFileSync(join(DIST, file));
      expect([file, existsSync(join(DIST, `${file}.br`)), existsSync(join(DIST, `${file}.gz`))]).toEqual([file, true, true]);
      expect(brotliDecompressSync(readFileSync(join(DIST, `${file}.br`))).equals(original)).toBe(true);
      expect(gunzipSync(readFileSync(join(DIST, `${file}.gz`))).equals(original)).toBe(true);
    }
  });

  it('keeps the copies out of the service worker precache', () => {
    const sw = readFileSync(join(DIST, 'sw.js'), 'utf8');
    expect(sw).toContain('url:"index.html"');
    expect(sw).not.toMatch(/\.(br|gz)"/);
  });
});
