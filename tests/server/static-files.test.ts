/**
 * The static file server: it stays inside its root, a symlink placed in it that points outside
 * (F12) is not followed, while ordinary files, and a symlink that stays inside, are served;
 * it sends the br or gzip copy the build made (scripts/precompress.ts) by Accept-Encoding,
 * with Vary, and caches hashed assets for good and everything else not without asking.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseCoding, type Coding } from '../../server/content-coding.ts';
import { serveStatic } from '../../server/static-files.ts';
import { precompressDir } from '../../scripts/precompress.ts';
import { startTestServer } from '../helpers/http-server.ts';

let dir: string;
let root: string;
/** A script big enough to be compressed, with a content hash in its name as Vite writes it. */
const SCRIPT = `export const words = ${JSON.stringify(Array.from({ length: 400 }, (_, i) => `word ${i % 37} of the petition`))};\n`;
const PAGE = `<!doctype html><title>kiosk</title>${'<p>Sign the petition</p>'.repeat(80)}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fieldsign-static-'));
  root = join(dir, 'dist');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), PAGE);
  writeFileSync(join(root, 'assets', 'app-Bd17z0YL.js'), 'console.log(1)');
  writeFileSync(join(root, 'assets', 'index-OUUvjlmC.js'), SCRIPT);
  writeFileSync(join(root, 'assets', 'plain.js'), 'console.log(2)');
  writeFileSync(join(root, 'assets', 'linked-Q3R7VIEH.js'), SCRIPT);
  writeFileSync(join(root, 'icon.png'), Buffer.alloc(4096, 7));
  for (const name of ['sw.js', 'workbox-2fbc6a65.js', 'registerSW.js', 'manifest.webmanifest']) writeFileSync(join(root, name), SCRIPT);
  writeFileSync(join(dir, 'secret.txt'), 'the server’s private key');
  mkdirSync(join(dir, 'outside'));
  writeFileSync(join(dir, 'outside', 'data.json'), '{"secret":true}');
  symlinkSync(join(dir, 'secret.txt'), join(root, 'leak.txt'));
  symlinkSync(join(dir, 'outside'), join(root, 'linked-dir'));
  symlinkSync(join(root, 'assets', 'app-Bd17z0YL.js'), join(root, 'inside-link.js'));
  await precompressDir(root);
  // A "compressed copy" that is a symlink out of the root: never sent, the gzip copy is.
  rmSync(join(root, 'assets', 'linked-Q3R7VIEH.js.br'));
  symlinkSync(join(dir, 'secret.txt'), join(root, 'assets', 'linked-Q3R7VIEH.js.br'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const get = (pathname: string, accept: string | null = null, acceptEncoding: string | null = null, head = false) =>
  serveStatic(root, { pathname, accept, acceptEncoding, head });
const bytesOf = async (res: Response | undefined) => Buffer.from(await res!.arrayBuffer());

describe('static files stay inside their root (F12)', () => {
  it('serves the files that are there', async () => {
    const page = await get('/', 'text/html');
    expect(await page?.text()).toContain('kiosk');
    const asset = await get('/assets/app-Bd17z0YL.js');
    expect(asset?.headers.get('cache-control')).toContain('immutable');
    expect(await (await get('/inside-link.js'))?.text()).toBe('console.log(1)');
  });

  it('does not follow a symlink out of the root, to a file or through a directory', async () => {
    expect(await get('/leak.txt')).toBeUndefined();
    expect(await get('/linked-dir/data.json')).toBeUndefined();
  });

  it('answers a navigation to a symlink out of the root with the app, never the file', async () => {
    const res = await get('/leak.txt', 'text/html');
    const body = await res?.text();
    expect(body ?? '').not.toContain('private key');
  });

  it('does not send a compressed copy that is a symlink out of the root', async () => {
    const res = await get('/assets/linked-Q3R7VIEH.js', null, 'br, gzip');
    expect(res?.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(await bytesOf(res)).toString()).toBe(SCRIPT);
  });
});

describe('Accept-Encoding picks the copy (RFC 9110, 12.5.3)', () => {
  const both: Coding[] = ['br', 'gzip'];
  it.each([
    [null, 'identity'],
    ['', 'identity'],
    ['gzip, deflate, br', 'br'],
    ['gzip', 'gzip'],
    ['GZip', 'gzip'],
    ['x-gzip', 'gzip'],
    ['deflate', 'identity'],
    ['br;q=0.5, gzip', 'gzip'],
    ['br;q=0.8, gzip;q=0.8', 'br'],
    ['br;q=0.001', 'br'],
    ['br;q=0, gzip;q=0', 'identity'],
    ['br;q=0', 'identity'],
    ['*', 'br'],
    ['gzip;q=1, *;q=0.5', 'gzip'],
    ['br;q=0, *', 'gzip'],
    ['gzip, *;q=0', 'gzip'],
    ['identity;q=1, br;q=0.5', 'identity'],
    ['identity;q=0.2, gzip;q=0.5', 'gzip'],
    ['gzip;q=0.4, identity;q=0.4', 'gzip'],
    ['*;q=0.5, gzip;q=0.4', 'br'],
    ['*;q=0.5, br;q=0.4, gzip;q=0.3', 'identity'],
    ['br;q=2, gzip', 'gzip'],
    ['br;q=0.0001, gzip', 'gzip'],
    ['br ; q = 0.5 , gzip ; q=0.4', 'br'],
  ] as const)('%j → %s', (header, expected) => {
    expect(chooseCoding(header, both)).toBe(expected);
  });

  it('only offers copies that are on disk, and sends the file itself when every coding is refused', () => {
    expect(chooseCoding('br, gzip', ['gzip'])).toBe('gzip');
    expect(chooseCoding('br', ['gzip'])).toBe('identity');
    expect(chooseCoding('br, gzip', [])).toBe('identity');
    expect(chooseCoding('identity;q=0', both)).toBe('identity');
    expect(chooseCoding('*;q=0', both)).toBe('identity');
  });
});

describe('compressed answers', () => {
  it.each([
    ['br', (b: Buffer) => brotliDecompressSync(b)],
    ['gzip', (b: Buffer) => gunzipSync(b)],
  ] as const)('sends the %s copy, which decodes to the file, with the type and length of what is sent', async (coding, decode) => {
    const res = await get('/assets/index-OUUvjlmC.js', null, coding);
    const body = await bytesOf(res);
    expect(res?.headers.get('content-encoding')).toBe(coding);
    expect(res?.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res?.headers.get('vary')).toBe('Accept-Encoding');
    expect(res?.headers.get('content-length')).toBe(String(body.length));
    expect(body.length).toBeLessThan(SCRIPT.length / 3);
    expect(decode(body).toString()).toBe(SCRIPT);
  });

  it('sends the file itself, not a stale copy, when the file changed after the build', async () => {
    const edited = join(root, 'assets', 'edited.js');
    writeFileSync(edited, SCRIPT);
    await precompressDir(root);
    const changed = SCRIPT.replace('petition', 'campaign');
    writeFileSync(edited, changed);
    // The copies were written before the change: they are older than the file now.
    const later = new Date(Date.now() + 5_000);
    utimesSync(edited, later, later);
    const res = await get('/assets/edited.js', null, 'br, gzip');
    expect(res?.headers.get('content-encoding')).toBeNull();
    expect(await res?.text()).toBe(changed);
  });

  it('sends the file itself to a client that asks for no coding, still with Vary', async () => {
    const res = await get('/assets/index-OUUvjlmC.js', null, null);
    expect(res?.headers.get('content-encoding')).toBeNull();
    expect(res?.headers.get('vary')).toBe('Accept-Encoding');
    expect(res?.headers.get('content-length')).toBe(String(Buffer.byteLength(SCRIPT)));
    expect(await res?.text()).toBe(SCRIPT);
  });

  it('answers HEAD with the headers of the copy GET would send, and no body', async () => {
    const head = await get('/assets/index-OUUvjlmC.js', null, 'gzip, br', true);
    const getRes = await get('/assets/index-OUUvjlmC.js', null, 'gzip, br');
    expect(head?.body).toBeNull();
    expect(head?.headers.get('content-encoding')).toBe('br');
    expect(head?.headers.get('content-length')).toBe(String((await bytesOf(getRes)).length));
  });

  it('compresses the page a navigation falls back to', async () => {
    const res = await get('/some/deep/link', 'text/html', 'gzip');
    expect(res?.headers.get('content-encoding')).toBe('gzip');
    expect(res?.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(gunzipSync(await bytesOf(res)).toString()).toBe(PAGE);
  });

  it('sends images as they are, without Vary, and small text files (no copies) with Vary', async () => {
    const png = await get('/icon.png', null, 'br, gzip');
    expect(png?.headers.get('content-encoding')).toBeNull();
    expect(png?.headers.get('vary')).toBeNull();
    const small = await get('/assets/app-Bd17z0YL.js', null, 'br, gzip');
    expect(small?.headers.get('content-encoding')).toBeNull();
    expect(small?.headers.get('vary')).toBe('Accept-Encoding');
    expect(await small?.text()).toBe('console.log(1)');
  });

  it('goes out compressed through the app too (the route passes Accept-Encoding on)', async () => {
    const server = await startTestServer({ staticDir: root });
    try {
      const raw = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
        const req = httpRequest(`${server.url}/assets/index-OUUvjlmC.js`, { headers: { 'accept-encoding': 'br' } }, (res) => {
          const parts: Buffer[] = [];
          res.on('data', (d: Buffer) => parts.push(d));
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(parts) }));
        });
        req.on('error', reject);
        req.end();
      });
      expect(raw.headers['content-encoding']).toBe('br');
      expect(raw.headers['content-length']).toBe(String(raw.body.length));
      expect(brotliDecompressSync(raw.body).equals(readFileSync(join(root, 'assets', 'index-OUUvjlmC.js')))).toBe(true);
    } finally {
      await server.close();
    }
  });
});

describe('caching', () => {
  it('caches hashed assets for a year, immutable, the compressed copies too', async () => {
    for (const coding of [null, 'br', 'gzip']) {
      const res = await get('/assets/index-OUUvjlmC.js', null, coding);
      expect(res?.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    }
  });

  it('asks again every time for the page, the service worker and its parts, the manifest and unhashed files', async () => {
    const names = ['/', '/index.html', '/some/deep/link', '/sw.js', '/workbox-2fbc6a65.js', '/registerSW.js', '/manifest.webmanifest', '/assets/plain.js', '/icon.png'];
    for (const name of names) {
      const res = await get(name, 'text/html', 'br');
      expect([name, res?.headers.get('cache-control')]).toEqual([name, 'no-cache']);
    }
  });
});

describe('the build writes the copies (scripts/precompress.ts)', () => {
  it('writes br and gzip copies of compressible files that shrink, and none of tiny or binary ones', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'fieldsign-precompress-'));
    try {
      writeFileSync(join(fresh, 'big.js'), SCRIPT);
      writeFileSync(join(fresh, 'tiny.css'), 'a{}');
      writeFileSync(join(fresh, 'photo.png'), Buffer.alloc(4096, 1));
      // Bytes no coding can shrink: a compressible kind, but no copy is worth keeping.
      writeFileSync(join(fresh, 'noise.txt'), randomBytes(4096));
      const written = await precompressDir(fresh);
      expect(written.map((c) => `${c.file}.${c.coding}`).sort()).toEqual(['big.js.br', 'big.js.gzip']);
      expect(brotliDecompressSync(readFileSync(join(fresh, 'big.js.br'))).toString()).toBe(SCRIPT);
      expect(gunzipSync(readFileSync(join(fresh, 'big.js.gz'))).toString()).toBe(SCRIPT);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});
