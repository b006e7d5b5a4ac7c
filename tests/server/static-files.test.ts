/**
 * The static file server stays inside its root: a symlink placed in it that points outside
 * (F12) is not followed, while ordinary files, and a symlink that stays inside, are served.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic } from '../../server/static-files.ts';

let dir: string;
let root: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fieldsign-static-'));
  root = join(dir, 'dist');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>kiosk</title>');
  writeFileSync(join(root, 'assets', 'app-1234.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'the server’s private key');
  mkdirSync(join(dir, 'outside'));
  writeFileSync(join(dir, 'outside', 'data.json'), '{"secret":true}');
  symlinkSync(join(dir, 'secret.txt'), join(root, 'leak.txt'));
  symlinkSync(join(dir, 'outside'), join(root, 'linked-dir'));
  symlinkSync(join(root, 'assets', 'app-1234.js'), join(root, 'inside-link.js'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const get = (pathname: string, accept: string | null = null) => serveStatic(root, { pathname, accept, head: false });

describe('static files stay inside their root (F12)', () => {
  it('serves the files that are there', async () => {
    const page = await get('/', 'text/html');
    expect(await page?.text()).toContain('kiosk');
    const asset = await get('/assets/app-1234.js');
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
});
