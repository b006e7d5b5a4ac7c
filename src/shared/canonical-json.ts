/**
 * Canonical JSON: object keys sorted (by UTF-16 code units), members whose value is
 * undefined left out, no whitespace. The server's content hash (S4) and the sealing
 * context (seal.ts) and the hash chain (chain.ts) are computed over it, so key order never matters.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
