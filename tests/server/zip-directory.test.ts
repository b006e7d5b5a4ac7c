/**
 * A zip whose central directory went to a temporary file (past `memoryLimit`) is byte for
 * byte the zip kept in memory, and the temporary file leaves nothing behind.
 */
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ZipWriter } from '../../server/exports/zip-writer.ts';

function archive(zip: ZipWriter, count: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) parts.push(zip.entry(`${String(i).padStart(6, '0')}-${'x'.repeat(i % 40)}.svg`, new TextEncoder().encode(`<svg>${i}</svg>`), new Date('2026-11-24T12:00:00Z')));
  return Buffer.concat(parts);
}

const spillFiles = () => readdirSync(tmpdir()).filter((f) => f.startsWith('fieldsign-zip-'));

describe('zip central directory past its memory limit', () => {
  it('spills to a temporary file, gives the same bytes as the in-memory zip, and leaves no file', () => {
    const count = 30_000; // about 3 MB of directory, in 1 MB chunks
    const before = spillFiles().length;
    const inMemory = new ZipWriter();
    const expected = Buffer.concat([archive(inMemory, count), inMemory.end()]);
    const spilling = new ZipWriter({ memoryLimit: 256 * 1024 });
    const body = archive(spilling, count);
    expect(spillFiles().length).toBe(before); // unlinked as soon as it was opened
    expect(() => spilling.end()).toThrow(/finish/);
    const pieces = [...spilling.finish()];
    expect(pieces.length).toBeGreaterThan(2);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThanOrEqual(1 << 20);
    const got = Buffer.concat([body, ...pieces]);
    expect(got.equals(expected)).toBe(true);
    const files = unzipSync(got);
    expect(Object.keys(files)).toHaveLength(count);
    expect(strFromU8(files['029999-' + 'x'.repeat(29_999 % 40) + '.svg'])).toBe('<svg>29999</svg>');
  });

  it('dispose after a spill is safe, and twice too', () => {
    const zip = new ZipWriter({ memoryLimit: 0 });
    archive(zip, 20_000);
    zip.dispose();
    zip.dispose();
  });
});
