/**
 * The organisation's hand-in key: an Ed25519 key pair (WebCrypto) that signs every hand-in
 * package's manifest (handin-manifest.ts), so that whoever receives a package can check,
 * with the public key the organisation published, that no file was changed since it left.
 *
 * Why the server holds the private half: a package is built and streamed by the server, in
 * one pass, straight to the coordinator's browser; the manifest it signs is only known once
 * the last file went by, so there is no moment to hand it to an offline key. The key is made
 * once, on the first package or key request, and kept in the database (handin_keys), so every
 * instance on that database signs with the same key and its fingerprint stays the same.
 *
 * What a seized (or broken-into) server means: whoever holds the database can sign packages
 * the organisation never made, and the signature no longer tells those apart. It then proves
 * nothing after that date; the organisation should say so, remove the row (a new key is made)
 * and publish the new fingerprint. The signature never protects the signers' data itself:
 * the package is plain files, as the PDF and CSV downloads are.
 */
import { createHash } from 'node:crypto';
import type { HandinKeyRecord, Store } from '../store/store.ts';

const ED25519 = { name: 'Ed25519' } as const;

/** The public key as the organisation publishes it: a JWK, with its fingerprint. */
export interface PublicKeyFile {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  /** SHA-256 of the raw 32-byte public key, in hex: what to compare with the published one. */
  fingerprint: string;
}

/** The organisation's key: the one kept in the database, or a new one kept there now. */
export async function organisationKey(store: Store, now = new Date()): Promise<HandinKeyRecord> {
  const kept = await store.handinKey();
  if (kept) return kept;
  const pair = (await crypto.subtle.generateKey(ED25519, true, ['sign', 'verify'])) as { privateKey: CryptoKey; publicKey: CryptoKey };
  const record = {
    privateJwk: await crypto.subtle.exportKey('jwk', pair.privateKey),
    publicJwk: await crypto.subtle.exportKey('jwk', pair.publicKey),
    createdAt: now.toISOString(),
  };
  // Two instances making one at once: the first kept wins, and both sign with it.
  return store.keepHandinKey(record);
}

/** SHA-256 (hex) of the raw public key, from its JWK's `x`. */
export function fingerprintOf(jwk: JsonWebKey): string {
  return createHash('sha256').update(Buffer.from(jwk.x ?? '', 'base64url')).digest('hex');
}

/** The public half, to publish and to put in each package. */
export function publicKeyFile(jwk: JsonWebKey): PublicKeyFile {
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x!, fingerprint: fingerprintOf(jwk) };
}

/** The public key file's text: pretty JSON, one trailing newline. */
export function publicKeyText(jwk: JsonWebKey): string {
  return `${JSON.stringify(publicKeyFile(jwk), null, 2)}\n`;
}

/** Sign `bytes` with the private half; the signature in base64. */
export async function signBytes(privateJwk: JsonWebKey, bytes: Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey('jwk', privateJwk, ED25519, false, ['sign']);
  return Buffer.from(await crypto.subtle.sign(ED25519, key, bytes as Uint8Array<ArrayBuffer>)).toString('base64');
}

/** Whether `signature` (base64) is the key's signature over `bytes`; false for a key that is not an Ed25519 public JWK. */
export async function verifyBytes(publicJwk: JsonWebKey, bytes: Uint8Array, signature: string): Promise<boolean> {
  try {
    const key = await crypto.subtle.importKey('jwk', { kty: 'OKP', crv: 'Ed25519', x: publicJwk.x }, ED25519, false, ['verify']);
    return await crypto.subtle.verify(ED25519, key, Buffer.from(signature.trim(), 'base64') as Uint8Array<ArrayBuffer>, bytes as Uint8Array<ArrayBuffer>);
  } catch {
    return false;
  }
}
