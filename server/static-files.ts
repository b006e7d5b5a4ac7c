/**
 * Serves the built PWA. Hashed assets (assets/<name>-<hash>.<ext>) are cached for a year;
 * everything else (index.html, the service worker and workbox, the manifest, the browser
 * check) is revalidated on every load so updates reach tablets.
 * Text files go out in the precompressed copy (br or gzip, made by the build) that the
 * request's Accept-Encoding prefers; see content-coding.ts.
 * Unknown paths that look like navigations get index.html, so deep links work; a campaign's
 * public counter, /counter/<campaign-id>, gets counter.html (which reads the id from its address).
 */
import { createReadStream, type Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { chooseCoding, CODING_SUFFIX, CODINGS, COMPRESSIBLE_EXTENSIONS, type Coding } from './content-coding.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/** A built asset whose name carries its content hash (Vite's `[name]-[hash]`): it never changes. */
const HASHED_ASSET = /^assets\/[^/]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

/** What {@link serveStatic} needs of the request. */
export interface StaticRequest {
  /** The request's path, undecoded. */
  pathname: string;
  /** The Accept header: a navigation (text/html) to an unknown path gets index.html. */
  accept: string | null;
  /** Headers only: no body is read from disk. */
  head: boolean;
  /** The Accept-Encoding header: picks the br or gzip copy, when the build made one. */
  acceptEncoding: string | null;
}

/** The answer for `pathname` from `root`, streamed from disk; undefined when nothing matched. */
export async function serveStatic(root: string, { pathname, accept, head, acceptEncoding }: StaticRequest): Promise<Response | undefined> {
  const base = resolve(root);
  let relative: string;
  try {
    relative = normalize(decodeURIComponent(pathname));
  } catch {
    return undefined;
  }
  if (relative.includes('\0')) return undefined;
  let file = resolve(join(base, relative));
  if (file !== base && !file.startsWith(base + sep)) return undefined;

  let info = await stat(file).catch(() => null);
  if (info?.isDirectory()) {
    file = join(file, 'index.html');
    info = await stat(file).catch(() => null);
  }
  if (!info?.isFile() && !extname(relative)) {
    // "/console" → console.html, so people can type the short address; "/counter/<id>" → counter.html.
    const counter = /^\/counter\/[A-Za-z0-9_-]{1,64}\/?$/.test(pathname);
    const page = join(base, counter ? 'counter.html' : relative.replace(/\/+$/, '') + '.html');
    const pageInfo = page.startsWith(base + sep) ? await stat(page).catch(() => null) : null;
    if (pageInfo?.isFile()) {
      file = page;
      info = pageInfo;
    }
  }
  if (!info?.isFile()) {
    const wantsPage = !extname(relative) && (accept ?? '').includes('text/html');
    if (!wantsPage) return undefined;
    file = join(base, 'index.html');
    info = await stat(file).catch(() => null);
    if (!info?.isFile()) return undefined;
  }

  // The path is inside the root, but a symlink in it may point anywhere on the disk: serve a
  // file only when its real location is inside the root's real location too.
  const realBase = await realpath(base).catch(() => base);
  if (!(await isInside(realBase, file))) return undefined;

  const compressible = COMPRESSIBLE_EXTENSIONS.has(extname(file));
  const sent = compressible ? await pickCopy(realBase, file, info, acceptEncoding) : { file, info, coding: 'identity' as const };
  const relativeFile = file.slice(base.length + 1).split(sep).join('/');
  const headers: Record<string, string> = {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': String(sent.info.size),
    'cache-control': HASHED_ASSET.test(relativeFile) ? 'public, max-age=31536000, immutable' : 'no-cache',
  };
  if (sent.coding !== 'identity') headers['content-encoding'] = sent.coding;
  // Every answer for a compressible file depends on Accept-Encoding, the uncompressed one too:
  // a shared cache must not hand a gzip answer to a client that asked for none.
  if (compressible) headers.vary = 'Accept-Encoding';
  // The file streams from disk as the socket takes it; a client that leaves cancels the read.
  const body = head ? null : (Readable.toWeb(createReadStream(sent.file)) as ReadableStream<Uint8Array>);
  return new Response(body, { status: 200, headers });
}

/**
 * The copy of `file` to send for `acceptEncoding`: its br or gzip copy when one is on disk,
 * a regular file inside the root like the file itself, no older than it, and preferred; else
 * the file itself.
 */
async function pickCopy(realBase: string, file: string, info: Stats, acceptEncoding: string | null): Promise<{ file: string; info: Stats; coding: Coding | 'identity' }> {
  const copies = new Map<Coding, { file: string; info: Stats }>();
  if (acceptEncoding !== null) {
    for (const coding of CODINGS) {
      const copy = join(dirname(file), basename(file) + CODING_SUFFIX[coding]);
      const copyInfo = await stat(copy).catch(() => null);
      // A copy older than its file is stale (the file was edited or replaced after the build):
      // the file itself is sent rather than old bytes.
      if (copyInfo?.isFile() && copyInfo.mtimeMs >= info.mtimeMs && (await isInside(realBase, copy))) copies.set(coding, { file: copy, info: copyInfo });
    }
  }
  const coding = chooseCoding(acceptEncoding, [...copies.keys()]);
  return coding === 'identity' ? { file, info, coding } : { ...copies.get(coding)!, coding };
}

/** Whether `file`, with every symlink resolved, lies inside `realBase` (already resolved). */
async function isInside(realBase: string, file: string): Promise<boolean> {
  const real = await realpath(file).catch(() => null);
  return real !== null && real.startsWith(realBase + sep);
}
