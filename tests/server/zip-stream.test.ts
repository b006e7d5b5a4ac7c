/** The streamed zip entry (exports/zip-stream.ts): read back by fflate and by Info-ZIP's `unzip -t`, ZIP64 path included. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ZipStream } from '../../server/exports/zip-stream.ts';

async function zipOf(files: Array<[string, Buffer]>, zip64Above?: number): Promise<{ bytes: Buffer; listed: ZipStream['files'] }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const zip = new ZipStream(out, { zip64Above });
  for (const [name, data] of files) {
    await zip.file(name, async (sink) => {
      // In small pieces, as a PDF writer gives them.
      for (let i = 0; i < data.length; i += 1000) sink.write(data.subarray(i, i + 1000));
      sink.end();
    });
  }
  await zip.finish();
  return { bytes: Buffer.concat(chunks), listed: zip.files };
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const random = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7919 + ((i * i) >> 3)) & 0xff));

function unzipTest(bytes: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'zip-stream-'));
  writeFileSync(join(dir, 'a.zip'), bytes);
  return execFileSync('unzip', ['-t', join(dir, 'a.zip')], { encoding: 'utf8' });
}

describe('streamed zip entries', () => {
  const files: Array<[string, Buffer]> = [
    ['handin.csv', Buffer.from('a,b\r\n1,2\r\n'.repeat(5000))],
    ['countries/FR/handin.pdf', random(200_000)],
    ['empty.txt', Buffer.alloc(0)],
    ['countries/unknown/manifest.txt', Buffer.from('a name')],
  ];

  it('reads back whole, with the sizes and SHA-256 it reported', async () => {
    const { bytes, listed } = await zipOf(files);
    const read = unzipSync(bytes);
    for (const [name, data] of files) expect(Buffer.from(read[name]).equals(data)).toBe(true);
    expect(listed).toEqual(files.map(([path, data]) => ({ path, bytes: data.length, sha256: sha(data) })));
    expect(unzipTest(bytes)).toMatch(/No errors detected/);
  });

  it('writes ZIP64 sizes and offsets past the threshold, and readers still read it', async () => {
    const { bytes } = await zipOf(files, 100);
    // The end of central directory points into ZIP64 records.
    expect(bytes.indexOf(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBeGreaterThan(0);
    expect(bytes.readUInt32LE(bytes.length - 6)).toBe(0xffffffff);
    const read = unzipSync(bytes);
    for (const [name, data] of files) expect(Buffer.from(read[name]).equals(data)).toBe(true);
    expect(unzipTest(bytes)).toMatch(/No errors detected/);
  });
});
