/**
 * Build-time only (a Vite plugin, runs in Node): once the build and the service worker are
 * written, puts a brotli (quality 11) and a gzip (level 9) copy next to every compressible
 * file in the output, `<file>.br` and `<file>.gz`, for the server to send by Accept-Encoding
 * (server/static-files.ts). Compressing once here lets the server use the slowest, smallest
 * settings and spend no CPU per request. Tiny files, and copies that would not be smaller,
 * are left out. The service worker's precache never lists them (vite.config.ts).
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin, ResolvedConfig } from 'vite';
import { CODING_SUFFIX, COMPRESSIBLE_EXTENSIONS, MIN_COMPRESSIBLE_BYTES, type Coding } from '../server/content-coding.ts';

const COMPRESS: Record<Coding, (bytes: Buffer) => Buffer> = {
  br: (bytes) =>
    brotliCompressSync(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    }),
  gzip: (bytes) => gzipSync(bytes, { level: 9 }),
};

/** What {@link precompressDir} wrote: one row per copy. */
export interface CompressedCopy {
  file: string;
  coding: Coding;
  bytes: number;
  compressed: number;
}

/** Writes the br and gzip copies of every compressible file under `dir`; returns what it wrote. */
export async function precompressDir(dir: string): Promise<CompressedCopy[]> {
  const written: CompressedCopy[] = [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile() || !COMPRESSIBLE_EXTENSIONS.has(extname(entry.name))) continue;
    const file = join(entry.parentPath, entry.name);
    const bytes = await readFile(file);
    if (bytes.length < MIN_COMPRESSIBLE_BYTES) continue;
    for (const coding of Object.keys(COMPRESS) as Coding[]) {
      const compressed = COMPRESS[coding](bytes);
      if (compressed.length >= bytes.length) continue;
      await writeFile(file + CODING_SUFFIX[coding], compressed);
      written.push({ file: file.slice(dir.length + 1), coding, bytes: bytes.length, compressed: compressed.length });
    }
  }
  return written;
}

/** The plugin: runs after every other plugin's closeBundle (vite-plugin-pwa writes sw.js there). */
export function precompress(): Plugin {
  let config: ResolvedConfig;
  return {
    name: 'fieldsign:precompress',
    apply: 'build',
    configResolved(resolved) {
      config = resolved;
    },
    closeBundle: {
      order: 'post',
      sequential: true,
      async handler() {
        const written = await precompressDir(resolve(config.root, config.build.outDir));
        config.logger.info(`precompressed ${written.filter((c) => c.coding === 'br').length} files (br and gzip)`);
      },
    },
  };
}
