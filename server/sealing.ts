/**
 * Turning sealing on for the campaign the server serves (`--seal-key`): the coordinator's
 * public key file from `npm run cli -- keygen` goes into the campaign, and every tablet that
 * fetches it seals each signature for that key before storing it (src/shared/seal.ts).
 */
import { readFileSync } from 'node:fs';
import type { Campaign } from '../src/shared/campaign.ts';
import { importSealingKey, SEAL_ALG, SealError } from '../src/shared/seal.ts';

/**
 * The campaign with the public key in `path`. The key is checked (an RSA public key of
 * 2048–8192 bits whose stated id is its thumbprint; a private key is refused with a warning).
 * The campaign's version is unchanged: it counts changes of the petition text.
 */
export async function withSealing(campaign: Campaign, path: string, countryInClear: boolean): Promise<Campaign> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read the coordinator public key file ${path}: ${(error as Error).message}`);
  }
  let key;
  try {
    key = await importSealingKey(json as Parameters<typeof importSealingKey>[0]);
  } catch (error) {
    throw new Error(`The coordinator public key file ${path} cannot be used: ${error instanceof SealError ? error.message : String(error)}`);
  }
  const jwk = (await globalThis.crypto.subtle.exportKey('jwk', key.cryptoKey)) as { n: string; e: string };
  return {
    ...campaign,
    sealing: { alg: SEAL_ALG, keyId: key.keyId, publicKeyJwk: { kty: 'RSA', n: jwk.n, e: jwk.e }, countryInClear },
  };
}

/** Why the campaign's own `sealing` block cannot be used, or undefined when it can. */
export async function checkSealing(campaign: Campaign): Promise<string | undefined> {
  if (!campaign.sealing) return undefined;
  try {
    await importSealingKey({ ...campaign.sealing.publicKeyJwk, kid: campaign.sealing.keyId });
    return undefined;
  } catch (error) {
    return `its sealing key cannot be used: ${(error as Error).message}`;
  }
}
