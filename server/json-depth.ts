/**
 * How deep a JSON text nests, found by one linear scan of its bytes before it is parsed (F8).
 * JSON.parse builds every level of `[[[[…` before it can fail or return, so four million
 * levels gzipped into 8 KB cost a second of blocked event loop and hundreds of megabytes; the
 * scan costs one pass and no memory, and stops at the first level too many.
 *
 * Scanning bytes is exact for UTF-8: every byte of a multi-byte character is 0x80 or above,
 * so `"`, `\`, brackets and braces below 0x80 are always those characters.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * The deepest nesting of arrays and objects any request body may have. The deepest real
 * body (a batch: request, records, record, payload, signer, plus a campaign draft's lists)
 * nests about 6 levels; 64 leaves room for any honest shape to grow.
 */
export const MAX_JSON_DEPTH = 64;

/** Whether the JSON text `bytes` nests arrays and objects more than `limit` levels deep; brackets inside strings do not count. */
export function nestsDeeperThan(bytes: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) i++; // whatever is escaped (\" or \\) neither ends the string nor starts one
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > limit) return true;
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}
