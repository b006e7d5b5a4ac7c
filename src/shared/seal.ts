/**
 * Sealed signatures: a signer's details and strokes encrypted on the tablet for the
 * coordinator. The per-device hash chain over everything a tablet captured is chain.ts.
 *
 * Runs in the browser (kiosk, console) and in Node 24 alike: it uses only
 * `globalThis.crypto` (WebCrypto), TextEncoder and the base64url helpers of ink.ts.
 *
 * ## Sealing one record (`SEAL_ALG` = "A256GCM+RSA-OAEP-256")
 *
 * A campaign that carries a coordinator's RSA public key (see server/keys.ts and
 * `npm run cli -- keygen`) has every payload sealed on the tablet before it is stored:
 *
 *   1. a fresh AES-256-GCM content key and a random 96-bit IV per record;
 *   2. plaintext = the JSON of the plain payload (signer, ink or typed signature);
 *   3. additional authenticated data = canonical JSON (keys sorted) of `{ alg, keyId, id,
 *      deviceId, campaignId, capturedAt, v, campaignVersion, consentVersion, lang, country }`
 *      (every field the record keeps in clear but `chain`; absent ones left out), so a
 *      ciphertext only opens as the record it was sealed for: moved to another record, or
 *      with any of those fields changed, it fails GCM's check;
 *   4. the content key is wrapped with RSA-OAEP (SHA-256) for the coordinator's public key.
 *
 * Only the coordinator's private key opens it; the tablet cannot read back what it sealed.
 * The public key is public: anyone holding it can seal a well-formed record. Sealing
 * gives confidentiality and binds ciphertext to record, not proof of which tablet made the
 * record; that is what the device chain (chain.ts) is for. The opened payload is re-validated
 * with `PlainPayloadSchema` and must be treated as untrusted input like any other.
 *
 * The device id in the sealing context is the device the record was captured under. A
 * re-enrolled tablet re-stamps its pending records with its new device id (rule S12), so
 * a record's `deviceId` can change after sealing: use `sealContextOf(record)`, which takes
 * the capturing device from the record's `chain.device` when there is one.
 */
import { canonicalJson } from './canonical-json.ts';
import * as z from 'zod/mini';
import { fromBase64Url, toBase64Url } from './ink.ts';
import type { ChainedRecord } from './chain.ts';
import { HeldPlainPayloadSchema, type PlainPayloadSchema, type SealedPayloadSchema } from './protocol.ts';

/** The one sealing algorithm of this version: AES-256-GCM content, RSA-OAEP-SHA-256 key wrap. */
export const SEAL_ALG = 'A256GCM+RSA-OAEP-256';
/** The JWK `alg` of a coordinator key. */
export const JWK_ALG = 'RSA-OAEP-256';
/** RSA modulus sizes accepted for a coordinator key, in bits. keys.ts makes 3072-bit keys. */
export const RSA_BITS = { min: 2048, max: 8192, generated: 3072 } as const;
/** `format` of the public key file written by `keygen`, which importSealingKey also accepts. */
export const PUBLIC_KEY_FORMAT = 'fieldsign-public-key';

const RSA_OAEP = { name: 'RSA-OAEP', hash: 'SHA-256' } as const;
const IV_BYTES = 12;

export type PlainPayload = z.infer<typeof PlainPayloadSchema>;
export type SealedPayload = z.infer<typeof SealedPayloadSchema>;

/** What a sealed payload is bound to (as additional authenticated data). */
export interface SealContext {
  id: string;
  /** The device the record was captured under; see `sealContextOf`. */
  deviceId: string;
  campaignId: string;
  capturedAt: string;
  /** The other fields a sealed record keeps in clear, bound too when present. */
  v?: number;
  campaignVersion?: number;
  consentVersion?: number;
  lang?: string;
  country?: string;
}

/** A coordinator's public key as a JWK; `kid`, when present, must be its key id. */
export type PublicJwk = JsonWebKey & { kid?: string };

/** A coordinator's public key, ready to seal with. */
export interface SealingKey {
  cryptoKey: CryptoKey;
  keyId: string;
}

/** A coordinator's private key; with its `keyId`, a record sealed for another key is named as such. */
export type OpeningKey = CryptoKey | { cryptoKey: CryptoKey; keyId: string };

/** The public key file written by `keygen` (to paste into a campaign). */
export interface PublicKeyFile {
  format: typeof PUBLIC_KEY_FORMAT;
  version: 1;
  alg: typeof SEAL_ALG;
  keyId: string;
  publicKeyJwk: PublicJwk;
}

/** Why sealing or opening failed. */
export type SealErrorReason =
  /** The private key given is not the one the record was sealed for. */
  | 'wrong-key'
  /** Ciphertext, IV, wrapped key or the bound record details were altered. */
  | 'tampered'
  /** Sealed with an algorithm this build does not know. */
  | 'unsupported'
  /** Not a well-formed sealed payload, context or plaintext. */
  | 'malformed'
  /** The key given is not a usable coordinator key. */
  | 'bad-key';

/** Thrown by this module; the message names the record (when there is one) and what to do. */
export class SealError extends Error {
  override name = 'SealError';
  readonly reason: SealErrorReason;
  readonly recordId: string | undefined;
  constructor(message: string, reason: SealErrorReason, recordId?: string) {
    super(message);
    this.reason = reason;
    this.recordId = recordId;
  }
}

/** WebCrypto; browsers offer it only in a secure context (HTTPS, or localhost). */
export function subtle(): SubtleCrypto {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new SealError('Encryption is unavailable here: WebCrypto needs a secure context (HTTPS, or localhost).', 'unsupported');
  return subtle;
}
const encoder = new TextEncoder();

// ---------------------------------------------------------------------------------------
// Keys

/** The fields of an RSA public JWK, checked; refuses a private key pasted by mistake. */
function rsaPublicJwk(input: unknown): { n: string; e: string; kid?: string } {
  if (!input || typeof input !== 'object') throw new SealError('The coordinator key is not a JSON Web Key.', 'bad-key');
  const jwk = input as Record<string, unknown>;
  if ('d' in jwk || 'p' in jwk || 'q' in jwk) {
    throw new SealError('This is a PRIVATE key: a campaign takes the coordinator\'s public key (fieldsign-public-key.json). Keep the private key secret.', 'bad-key');
  }
  if (jwk.kty !== 'RSA') throw new SealError(`The coordinator key must be an RSA key (kty "RSA"), not "${String(jwk.kty)}".`, 'bad-key');
  if (jwk.alg !== undefined && jwk.alg !== JWK_ALG) throw new SealError(`The coordinator key is for "${String(jwk.alg)}", not ${JWK_ALG}.`, 'bad-key');
  const { n, e, kid } = jwk;
  if (typeof n !== 'string' || typeof e !== 'string' || !/^[A-Za-z0-9_-]+$/.test(n) || !/^[A-Za-z0-9_-]+$/.test(e)) {
    throw new SealError('The coordinator key lacks a valid modulus (n) or exponent (e).', 'bad-key');
  }
  if (kid !== undefined && typeof kid !== 'string') throw new SealError('The coordinator key\'s kid must be text.', 'bad-key');
  return { n, e, ...(kid !== undefined && { kid }) };
}

/**
 * The key id of a coordinator key: its RFC 7638 JWK thumbprint, base64url(SHA-256 of
 * `{"e":…,"kty":"RSA","n":…}`), 43 characters. Stable: the same for the public and the
 * private key, whatever other members the JWK has or in which order.
 */
export async function keyIdOf(publicKeyJwk: JsonWebKey): Promise<string> {
  const { n, e } = rsaPublicJwk({ kty: publicKeyJwk.kty, n: publicKeyJwk.n, e: publicKeyJwk.e });
  return sha256(canonicalJson({ e, kty: 'RSA', n }));
}

/**
 * Import a coordinator's public key for sealing: a JWK, or the whole public key file that
 * `keygen` writes. Checks that it is an RSA public key of 2048–8192 bits, and that any
 * `kid`/`keyId` it states matches its thumbprint.
 */
export async function importSealingKey(publicKey: PublicJwk | PublicKeyFile): Promise<SealingKey> {
  const file = (publicKey ?? {}) as Partial<PublicKeyFile>;
  const isFile = file.format === PUBLIC_KEY_FORMAT;
  if (isFile && file.alg !== SEAL_ALG) throw new SealError(`The public key file is for "${String(file.alg)}", this build seals with ${SEAL_ALG}.`, 'unsupported');
  const { n, e, kid } = rsaPublicJwk(isFile ? file.publicKeyJwk : publicKey);
  const keyId = await keyIdOf({ kty: 'RSA', n, e });
  for (const claimed of [kid, isFile ? file.keyId : undefined]) {
    if (claimed !== undefined && claimed !== keyId) {
      throw new SealError(`The coordinator key says its id is ${String(claimed)}, but it is ${keyId}: the key was altered or mixed up with another.`, 'bad-key');
    }
  }
  const bits = significantBits(fromBase64Url(n));
  if (bits < RSA_BITS.min || bits > RSA_BITS.max) {
    throw new SealError(`The coordinator key has ${bits} bits; it must have ${RSA_BITS.min} to ${RSA_BITS.max}.`, 'bad-key');
  }
  let cryptoKey: CryptoKey;
  try {
    cryptoKey = await subtle().importKey('jwk', { kty: 'RSA', n, e, alg: JWK_ALG, ext: true }, RSA_OAEP, true, ['wrapKey']);
  } catch (error) {
    throw new SealError(`The coordinator key cannot be used: ${(error as Error).message}`, 'bad-key');
  }
  return { cryptoKey, keyId };
}

function significantBits(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  return i === bytes.length ? 0 : (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]));
}

// ---------------------------------------------------------------------------------------
// Sealing and opening

/**
 * The context to seal or open a record with: its id, campaign and capture time, and the
 * device it was captured under (`chain.device`, else `deviceId`), which re-enrollment
 * does not change.
 */
export function sealContextOf(record: ChainedRecord): SealContext {
  const { id, campaignId, capturedAt, v, campaignVersion, consentVersion, lang, country } = record;
  return { id, deviceId: record.chain?.device ?? record.deviceId, campaignId, capturedAt, v, campaignVersion, consentVersion, lang, country };
}

/** The additional authenticated data: canonical JSON of the context, the algorithm and key. */
function additionalData(context: SealContext, keyId: string): Uint8Array<ArrayBuffer> {
  const c = context as Partial<Record<keyof SealContext, unknown>> | undefined;
  for (const field of ['id', 'deviceId', 'campaignId', 'capturedAt'] as const) {
    const value = c?.[field];
    if (typeof value !== 'string' || value === '') {
      throw new SealError(`The sealing context of record ${String(c?.id)} lacks its ${field}.`, 'malformed', typeof c?.id === 'string' ? c.id : undefined);
    }
  }
  // Every field the record keeps in clear is bound (absent ones are left out of the JSON), so
  // changing any of them, the campaign version or the country say, fails GCM's check too.
  const { id, deviceId, campaignId, capturedAt, v, campaignVersion, consentVersion, lang, country } = context;
  return encoder.encode(canonicalJson({ alg: SEAL_ALG, keyId, id, deviceId, campaignId, capturedAt, v, campaignVersion, consentVersion, lang, country }));
}

/**
 * Seal a (parsed) plain payload for the coordinator's key, bound to `context`. The result
 * replaces the plain payload in the record before the record is stored.
 */
export async function sealPayload(plain: PlainPayload, context: SealContext, key: SealingKey): Promise<SealedPayload> {
  if (plain?.kind !== 'plain') throw new SealError(`Record ${context?.id}: only a plain payload can be sealed.`, 'malformed', context?.id);
  const aad = additionalData(context, key.keyId);
  const contentKey = await subtle().generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt']);
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ciphertext = await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: aad }, contentKey, encoder.encode(JSON.stringify(plain)));
  const wrappedKey = await subtle().wrapKey('raw', contentKey, key.cryptoKey, RSA_OAEP);
  return {
    kind: 'sealed',
    alg: SEAL_ALG,
    keyId: key.keyId,
    wrappedKey: toBase64Url(new Uint8Array(wrappedKey)),
    iv: toBase64Url(iv),
    ciphertext: toBase64Url(new Uint8Array(ciphertext)),
  };
}

/**
 * Open a sealed payload with the coordinator's private key (from `unlockPrivateKey`). Pass
 * `{ cryptoKey, keyId }` rather than the bare key to have a record sealed for another key
 * named as such. Throws a `SealError` naming the record when the key is not the right one,
 * when anything sealed or bound was altered, or when the content is not a valid payload.
 */
export async function openPayload(sealed: SealedPayload, context: SealContext, privateKey: OpeningKey): Promise<PlainPayload> {
  const id = String(context?.id);
  const fail = (message: string, reason: SealErrorReason) => new SealError(`Record ${id}: ${message}`, reason, id);
  if (sealed?.kind !== 'sealed') throw fail('the payload is not sealed.', 'malformed');
  if (sealed.alg !== SEAL_ALG) throw fail(`sealed with "${String(sealed.alg)}", which this build cannot open (it opens ${SEAL_ALG}).`, 'unsupported');
  const { cryptoKey, keyId } = privateKey && 'cryptoKey' in privateKey ? privateKey : { cryptoKey: privateKey, keyId: undefined };
  checkPrivateKey(cryptoKey, fail);
  if (keyId !== undefined && keyId !== sealed.keyId) {
    throw fail(`sealed for coordinator key ${sealed.keyId}, but the key given is ${keyId}. Unlock the private key file with that key id.`, 'wrong-key');
  }
  const aad = additionalData(context, sealed.keyId);
  let wrapped: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array;
  try {
    wrapped = fromBase64Url(sealed.wrappedKey);
    iv = fromBase64Url(sealed.iv);
    ciphertext = fromBase64Url(sealed.ciphertext);
  } catch {
    throw fail('the sealed payload is not valid base64url.', 'malformed');
  }
  if (iv.length !== IV_BYTES) throw fail(`the iv has ${iv.length} bytes instead of ${IV_BYTES}: the record was altered.`, 'tampered');

  let contentKey: CryptoKey;
  try {
    contentKey = await subtle().unwrapKey('raw', bytes(wrapped), cryptoKey, RSA_OAEP, { name: 'AES-GCM', length: 256 }, false, ['decrypt']);
  } catch {
    throw keyId !== undefined
      ? fail(`its wrapped key does not open with coordinator key ${keyId}, which it names: the wrapped key was altered.`, 'tampered')
      : fail(`this private key cannot open it. It was sealed for coordinator key ${sealed.keyId}; use that key (or its wrapped key was altered).`, 'wrong-key');
  }
  let plaintext: ArrayBuffer;
  try {
    plaintext = await subtle().decrypt({ name: 'AES-GCM', iv: bytes(iv), additionalData: aad }, contentKey, bytes(ciphertext));
  } catch {
    throw fail(
      'the sealed signature failed its integrity check: its ciphertext or iv was altered, or it was sealed for another record ' +
        '(the id, device, campaign and capture time must be the ones it was sealed with).',
      'tampered',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
  } catch {
    throw fail('opened, but the content is not JSON.', 'malformed');
  }
  // Judged as held: the name was checked, if at all, by the rules of the day it was sealed.
  const parsed = z.safeParse(HeldPlainPayloadSchema, json);
  if (!parsed.success) throw fail(`opened, but the content is not a valid signature (${parsed.error.issues[0]?.message ?? 'invalid'}).`, 'malformed');
  return parsed.data;
}

function checkPrivateKey(key: CryptoKey, fail: (message: string, reason: SealErrorReason) => SealError): void {
  const algorithm = key?.algorithm as RsaHashedKeyAlgorithm | undefined;
  if (
    key?.type !== 'private' ||
    algorithm?.name !== 'RSA-OAEP' ||
    algorithm.hash?.name !== 'SHA-256' ||
    !key.usages.includes('unwrapKey')
  ) {
    throw fail('the key given is not a coordinator private key (RSA-OAEP SHA-256, for unwrapping). Use unlockPrivateKey().', 'bad-key');
  }
}

/** A copy backed by a plain ArrayBuffer, as WebCrypto's typings want. */
function bytes(view: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(view);
}

/** base64url SHA-256 of the UTF-8 text (key ids here, chain links in chain.ts). */
export async function sha256(text: string): Promise<string> {
  return toBase64Url(new Uint8Array(await subtle().digest('SHA-256', encoder.encode(text))));
}
