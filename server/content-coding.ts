/**
 * Which precompressed copy of a static file to send. The build (scripts/precompress.ts)
 * writes `<file>.br` and `<file>.gz` next to each compressible file that shrinks; the server
 * (static-files.ts) picks one by the request's Accept-Encoding (RFC 9110, 12.5.3). Both sides
 * read the list of compressible kinds and the file suffixes from here. An answer made per
 * request (the campaign's text) is compressed on the spot by {@link encodeAnswer}.
 */
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** The codings a file may be stored in besides itself, in order of preference (smaller first). */
export const CODINGS = ['br', 'gzip'] as const;
export type Coding = (typeof CODINGS)[number];

/** The suffix of the copy of a file stored in each coding. */
export const CODING_SUFFIX: Record<Coding, string> = { br: '.br', gzip: '.gz' };

/** File kinds worth compressing: text, and wasm. Images and fonts are compressed already. */
export const COMPRESSIBLE_EXTENSIONS: ReadonlySet<string> = new Set(['.html', '.js', '.mjs', '.css', '.svg', '.json', '.webmanifest', '.txt', '.wasm']);

/** Below this, the header bytes a coding adds outweigh what it saves. */
export const MIN_COMPRESSIBLE_BYTES = 1024;

/** Each coding's weight (q) in an Accept-Encoding header; `*` is any coding not named. */
function weights(header: string): Map<string, number> {
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (!name) continue;
    let weight = 1;
    for (const param of params) {
      const match = /^q\s*=\s*(\S*)$/.exec(param);
      if (!match) continue;
      // A q-value is 0 to 1 with at most three decimals; an entry with any other is ignored.
      weight = /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(match[1]) ? Number(match[1]) : Number.NaN;
    }
    if (Number.isNaN(weight)) continue;
    // "x-gzip" is an old name of gzip (RFC 9110, 8.4.1.3).
    q.set(name === 'x-gzip' ? 'gzip' : name, weight);
  }
  return q;
}

/**
 * The coding to answer in, out of `available` (the copies on disk), for `acceptEncoding`:
 * the highest weight wins, and on a tie br before gzip before the file itself. With no header
 * the file itself is sent. When the client refuses even the file itself (`identity;q=0`) and
 * no copy suits it, the file itself is sent all the same: an answer it may not read beats a 406.
 */
export function chooseCoding(acceptEncoding: string | null, available: readonly Coding[]): Coding | 'identity' {
  if (acceptEncoding === null) return 'identity';
  const q = weights(acceptEncoding);
  const any = q.get('*');
  const weightOf = (coding: Coding) => q.get(coding) ?? any ?? 0;
  // The file itself weighs what `identity` or `*` gives it; named by neither, it is acceptable
  // but has no weight (RFC 9110 gives it none), so any coding the client names wins over it.
  const identity = q.get('identity') ?? any ?? Number.MIN_VALUE;
  let best: Coding | 'identity' = 'identity';
  let bestWeight = identity;
  for (const coding of CODINGS) {
    if (!available.includes(coding)) continue;
    const weight = weightOf(coding);
    if (weight > 0 && (weight > bestWeight || (weight === bestWeight && best === 'identity'))) {
      best = coding;
      bestWeight = weight;
    }
  }
  return best;
}

/**
 * An answer made per request (not a built file), in the coding `acceptEncoding` prefers, at
 * quick settings: the build can spend seconds on a file once, a request cannot. Small texts go
 * as they are. `vary` is always set, since the answer depends on the header either way.
 */
export function encodeAnswer(text: string, acceptEncoding: string | null): { body: Uint8Array<ArrayBuffer> | string; coding: Coding | 'identity'; headers: Record<string, string> } {
  const headers: Record<string, string> = { vary: 'Accept-Encoding' };
  const coding = Buffer.byteLength(text) < MIN_COMPRESSIBLE_BYTES ? 'identity' : chooseCoding(acceptEncoding, CODINGS);
  if (coding === 'identity') return { body: text, coding, headers };
  headers['content-encoding'] = coding;
  const body = coding === 'br' ? brotliCompressSync(text, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }) : gzipSync(text, { level: 6 });
  return { body: new Uint8Array(body), coding, headers };
}
