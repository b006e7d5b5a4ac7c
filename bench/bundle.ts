/** JavaScript the kiosk ships on first load: every script and modulepreload in dist/index.html, gzipped. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface ChunkSize {
  file: string;
  bytes: number;
  gzip: number;
}

/** Sizes of the first-load JS chunks of the built kiosk (run `vite build` first). */
export function kioskFirstLoad(dist = 'dist'): { chunks: ChunkSize[]; totalGzip: number; lazy: ChunkSize[] } {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const entry = [...html.matchAll(/<script[^>]+src="\/([^"]+\.js)"/g), ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+\.js)"/g)].map((m) => m[1]);
  // Chunks imported statically from the entry are loaded too; follow `import … from "./x.js"`.
  const seen = new Set<string>();
  const queue = [...entry];
  while (queue.length) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(join(dist, file), 'utf8');
    for (const m of code.matchAll(/(?:^|[;\s])import\s*(?:[\w{},*\s$]+from\s*)?["']\.\/([^"']+\.js)["']/g)) queue.push(join('assets', m[1]));
  }
  const size = (file: string): ChunkSize => {
    const code = readFileSync(join(dist, file));
    return { file, bytes: code.length, gzip: gzipSync(code, { level: 9 }).length };
  };
  const sw = readFileSync(join(dist, 'sw.js'), 'utf8');
  const precached = [...sw.matchAll(/url:"(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  // workbox-window is imported dynamically, but at start-up (service worker registration).
  for (const f of precached) if (/workbox-window/.test(f)) seen.add(f);
  const chunks = [...seen].map(size);
  const lazy = precached.filter((f) => !seen.has(f)).map(size);
  return { chunks, totalGzip: chunks.reduce((n, c) => n + c.gzip, 0), lazy };
}
