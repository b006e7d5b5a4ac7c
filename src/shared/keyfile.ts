/**
 * The coordinator's key pair for sealed campaigns (see seal.ts), and the passphrase-protected
 * private key file. Runs in the browser (the console unlocks the key there, so it is never
 * uploaded) and in Node 24 (the `keygen` and `export` CLI commands, via server/keys.ts).
 *
 * `npm run cli -- keygen --out DIR` makes a 3072-bit RSA-OAEP (SHA-256) key pair:
 *
 *   - the public key, a JWK with its key id, goes into the campaign; tablets seal every
 *     signature for it;
 *   - the private key never leaves the coordinator's hands. It is kept as a JSON file
 *     holding its PKCS#8 encoding encrypted with AES-256-GCM under a key derived from a
 *     passphrase with PBKDF2-SHA-256 (600 000 iterations, the OWASP 2023 figure, 16-byte
 *     random salt). The file's format, version and key id are bound as additional
 *     authenticated data, so they cannot be swapped between files.
 *
 * Losing the file or its passphrase loses every signature sealed for the key: there is no
 * recovery, by design. The file is safe to back up (it is encrypted); the passphrase should
 * be kept apart from it, and the file should not stay on the server.
 *
 * Everything here is plain WebCrypto (`globalThis.crypto.subtle`) and zod/mini; it imports
 * nothing from Node.
 */
import * as z from 'zod/mini';
import { canonicalJson } from './canonical-json.ts';
import { fromBase64Url, toBase64Url } from './ink.ts';
import { JWK_ALG, keyIdOf, PUBLIC_KEY_FORMAT, RSA_BITS, SEAL_ALG, type PublicJwk, type PublicKeyFile } from './seal.ts';

export const PRIVATE_KEY_FORMAT = 'fieldsign-private-key';
/** PBKDF2-SHA-256 iterations for a new key file; also the least a key file may state. */
export const PBKDF2_ITERATIONS = 600_000;
/** The most a key file may ask for, so a doctored file cannot stall the unlock for hours. */
const MAX_ITERATIONS = 10_000_000;
export const MIN_PASSPHRASE_LENGTH = 12;
const MAX_PASSPHRASE_LENGTH = 1024;
/** The names `keygen` writes. */
export const PUBLIC_KEY_FILE_NAME = 'fieldsign-public-key.json';
export const PRIVATE_KEY_FILE_NAME = 'fieldsign-private-key.json';

const Base64Url = z.string().check(z.minLength(1), z.maxLength(20_000), z.regex(/^[A-Za-z0-9_-]+$/));

/** The private key file. */
export const PrivateKeyFileSchema = z.object({
  format: z.literal(PRIVATE_KEY_FORMAT),
  version: z.literal(1),
  keyId: z.string().check(z.minLength(1), z.maxLength(128)),
  kdf: z.object({
    name: z.literal('PBKDF2'),
    hash: z.literal('SHA-256'),
    iterations: z.int().check(z.gte(PBKDF2_ITERATIONS), z.lte(MAX_ITERATIONS)),
    salt: Base64Url,
  }),
  iv: Base64Url,
  ciphertext: Base64Url,
});
export type PrivateKeyFile = z.infer<typeof PrivateKeyFileSchema>;

/** A new key pair: the public half to publish, the private half as an encrypted file. */
export interface CoordinatorKeys {
  publicKeyJwk: PublicJwk;
  keyId: string;
  privateKeyFile: PrivateKeyFile;
}

/** Why a private key file could not be unlocked. */
export class KeyFileError extends Error {
  override name = 'KeyFileError';
  readonly reason: 'wrong-passphrase' | 'malformed' | 'mismatch' | 'weak-passphrase';
  constructor(message: string, reason: KeyFileError['reason']) {
    super(message);
    this.reason = reason;
  }
}

const RSA_OAEP = { name: 'RSA-OAEP', hash: 'SHA-256' } as const;
/** WebCrypto; browsers offer it only in a secure context (HTTPS, or localhost). */
function subtle(): SubtleCrypto {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new KeyFileError('Encryption is unavailable here: WebCrypto needs a secure context (HTTPS, or localhost).', 'malformed');
  return subtle;
}

/** Make a coordinator key pair; the private key is encrypted under `passphrase`. */
export async function generateCoordinatorKeys(passphrase: string): Promise<CoordinatorKeys> {
  const problem = passphraseProblem(passphrase);
  if (problem) throw new KeyFileError(problem, 'weak-passphrase');
  const iterations = PBKDF2_ITERATIONS;
  const pair = await subtle().generateKey(
    { ...RSA_OAEP, modulusLength: RSA_BITS.generated, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ['wrapKey', 'unwrapKey'],
  );
  const { n, e } = await subtle().exportKey('jwk', pair.publicKey);
  const keyId = await keyIdOf({ kty: 'RSA', n, e });
  const publicKeyJwk: PublicJwk = { kty: 'RSA', n, e, alg: JWK_ALG, use: 'enc', kid: keyId };

  const pkcs8 = new Uint8Array(await subtle().exportKey('pkcs8', pair.privateKey));
  const salt = globalThis.crypto.getRandomValues(new Uint8Array(16));
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(12));
  const fileKey = await deriveFileKey(passphrase, salt, iterations);
  const ciphertext = await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: fileAad(keyId) }, fileKey, pkcs8);
  pkcs8.fill(0);
  return {
    publicKeyJwk,
    keyId,
    privateKeyFile: {
      format: PRIVATE_KEY_FORMAT,
      version: 1,
      keyId,
      kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: toBase64Url(salt) },
      iv: toBase64Url(iv),
      ciphertext: toBase64Url(new Uint8Array(ciphertext)),
    },
  };
}

/** The public key file `keygen` writes, to paste into a campaign (`importSealingKey` reads it). */
export function publicKeyFileOf(keys: Pick<CoordinatorKeys, 'publicKeyJwk' | 'keyId'>): PublicKeyFile {
  return { format: PUBLIC_KEY_FORMAT, version: 1, alg: SEAL_ALG, keyId: keys.keyId, publicKeyJwk: keys.publicKeyJwk };
}

/** An unlocked coordinator private key with its key id: what `openPayload` takes to name a wrong key. */
export interface UnlockedKey {
  /** Non-extractable RSA-OAEP (SHA-256) private key, for unwrapping only. */
  cryptoKey: CryptoKey;
  /** The key id (thumbprint) the file names, checked against the key it holds. */
  keyId: string;
}

/**
 * Decrypt a private key file (parsed JSON, or its text) with its passphrase. Returns a
 * non-extractable RSA-OAEP private key for `openPayload` (pair it with `file.keyId` as
 * `{ cryptoKey, keyId }`, or use `unlockKeyFile`). Throws a `KeyFileError`: "wrong
 * passphrase", not a key file, or a key that is not the one the file names.
 */
export async function unlockPrivateKey(file: unknown, passphrase: string): Promise<CryptoKey> {
  return (await unlockKeyFile(file, passphrase)).cryptoKey;
}

/** `unlockPrivateKey`, returning the key together with its key id. */
export async function unlockKeyFile(file: unknown, passphrase: string): Promise<UnlockedKey> {
  const parsed = parseKeyFile(file);
  if (typeof passphrase !== 'string' || passphrase === '') throw new KeyFileError('Type the passphrase of the private key file.', 'wrong-passphrase');
  const { keyId, kdf } = parsed;
  let salt: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array;
  try {
    salt = fromBase64Url(kdf.salt);
    iv = fromBase64Url(parsed.iv);
    ciphertext = fromBase64Url(parsed.ciphertext);
  } catch {
    throw new KeyFileError('The private key file is damaged (bad base64url).', 'malformed');
  }
  const fileKey = await deriveFileKey(passphrase, salt, kdf.iterations);
  let pkcs8: Uint8Array<ArrayBuffer>;
  try {
    pkcs8 = new Uint8Array(await subtle().decrypt({ name: 'AES-GCM', iv: new Uint8Array(iv), additionalData: fileAad(keyId) }, fileKey, new Uint8Array(ciphertext)));
  } catch {
    throw new KeyFileError(`Wrong passphrase for the private key ${keyId} (or the key file is damaged).`, 'wrong-passphrase');
  }
  try {
    // Import once extractable, only to check that the key is the one the file names.
    const checking = await subtle().importKey('pkcs8', pkcs8, RSA_OAEP, true, ['unwrapKey']);
    const { n, e } = await subtle().exportKey('jwk', checking);
    const actual = await keyIdOf({ kty: 'RSA', n, e });
    if (actual !== keyId) throw new KeyFileError(`The private key file names key ${keyId}, but holds key ${actual}.`, 'mismatch');
    return { cryptoKey: await subtle().importKey('pkcs8', pkcs8, RSA_OAEP, false, ['unwrapKey']), keyId };
  } catch (error) {
    if (error instanceof KeyFileError) throw error;
    throw new KeyFileError(`The private key file ${keyId} does not hold a usable RSA-OAEP key: ${(error as Error).message}`, 'malformed');
  } finally {
    pkcs8.fill(0);
  }
}

/**
 * Check that `file` (parsed JSON, or its text) is a private key file this version reads.
 * The public key file, chosen by mistake, is named as such.
 */
export function parseKeyFile(file: unknown): PrivateKeyFile {
  let json = file;
  if (typeof file === 'string') {
    try {
      json = JSON.parse(file);
    } catch {
      throw new KeyFileError('This is not a Fieldsign private key file (not JSON).', 'malformed');
    }
  }
  if ((json as { format?: unknown } | null)?.format === PUBLIC_KEY_FORMAT) {
    throw new KeyFileError(`This is the PUBLIC key file: it can only seal. Choose the private key file (${PRIVATE_KEY_FILE_NAME}).`, 'malformed');
  }
  const parsed = z.safeParse(PrivateKeyFileSchema, json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` (${issue.path.join('.')})` : '';
    throw new KeyFileError(`This is not a Fieldsign private key file, or not one this version reads: ${issue?.message ?? 'invalid'}${where}.`, 'malformed');
  }
  return parsed.data;
}

/** Why a passphrase is refused for a new key, or undefined. */
export function passphraseProblem(passphrase: string): string | undefined {
  if (typeof passphrase !== 'string' || passphrase.length < MIN_PASSPHRASE_LENGTH) {
    return `The passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters long.`;
  }
  if (passphrase.length > MAX_PASSPHRASE_LENGTH) return `The passphrase must be at most ${MAX_PASSPHRASE_LENGTH} characters long.`;
  return undefined;
}

/**
 * The AES-256-GCM key protecting the file. The passphrase is NFC-normalised, so the same
 * accented passphrase typed on another system's keyboard still unlocks it.
 */
async function deriveFileKey(passphrase: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  const material = await subtle().importKey('raw', new TextEncoder().encode(passphrase.normalize('NFC')), 'PBKDF2', false, ['deriveKey']);
  return subtle().deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: new Uint8Array(salt), iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

function fileAad(keyId: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(canonicalJson({ format: PRIVATE_KEY_FORMAT, version: 1, keyId }));
}
