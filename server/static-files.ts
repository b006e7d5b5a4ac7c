/**
 * Serves the built PWA. Hashed assets are cached for a year; everything else (index.html,
 * the service worker, the manifest) is revalidated on every load so updates reach tablets.
 * Unknown paths that look like navigations get index.html, so deep links work; a campaign's
 * public counter, /counter/<campaign-id>, gets counter.html (which reads the id from its address).
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';

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
};

/** What {@link serveStatic} needs of the request. */
export interface StaticRequest {
  /** The request's path, undecoded. */
  pathname: string;
  /** The Accept header: a navigation (text/html) to an unknown path gets index.html. */
  accept: string | null;
  /** Headers only: no body is read from disk. */
  head: boolean;
}

/** The answer for `pathname` from `root`, streamed from disk; undefined when nothing matched. */
export async function serveStatic(root: string, { pathname, accept, head }: StaticRequest): Promise<Response | undefined> {
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
  if (!(await isInside(await realpath(base).catch(() => base), file))) return undefined;

  const immutable = file.startsWith(join(base, 'assets') + sep);
  const headers = {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': String(info.size),
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  };
  // The file streams from disk as the socket takes it; a client that leaves cancels the read.
  const body = head ? null : (Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>);
  return new Response(body, { status: 200, headers });
}

/** Whether `file`, with every symlink resolved, lies inside `realBase` (already resolved). */
async function isInside(realBase: string, file: string): Promise<boolean> {
  const real = await realpath(file).catch(() => null);
  return real !== null && real.startsWith(realBase + sep);
}
