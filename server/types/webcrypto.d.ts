/**
 * WebCrypto's type names for the server's config (tsconfig.server.json only): src/shared
 * seals and opens signatures with WebCrypto, which runs in the browser and in Node alike, but
 * @types/node declares its types under `webcrypto` only, not as globals like the DOM lib.
 */
import type { webcrypto } from 'node:crypto';

declare global {
  type CryptoKey = webcrypto.CryptoKey;
  type SubtleCrypto = webcrypto.SubtleCrypto;
  type JsonWebKey = webcrypto.JsonWebKey;
  type RsaHashedKeyAlgorithm = webcrypto.RsaHashedKeyAlgorithm;
}
