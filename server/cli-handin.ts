/**
 * The CLI's hand-in package commands (server/cli.ts):
 *
 *   handin-key [--out FILE]                    the organisation's public key and its fingerprint
 *   verify-handin FILE [--public-key FILE]     check a hand-in package (exports/handin-verify.ts)
 */
import { existsSync, writeFileSync } from 'node:fs';
import { fingerprintOf, organisationKey, publicKeyText } from './exports/handin-key.ts';
import { verifyHandin } from './exports/handin-verify.ts';
import type { Store } from './store/store.ts';

/** Print (or write to `out`, never over a file) the public key to publish; makes the key on first use. */
export async function handinKeyCommand(store: Store, out: string | undefined): Promise<number> {
  const key = await organisationKey(store);
  const text = publicKeyText(key.publicJwk);
  if (out) {
    if (existsSync(out)) throw new Error(`${out} already exists: choose another --out file.`);
    writeFileSync(out, text);
    console.log(`Public key written to ${out}.`);
  } else {
    process.stdout.write(text);
  }
  console.log(`Fingerprint (SHA-256 of the raw public key): ${fingerprintOf(key.publicJwk)}`);
  console.log('Publish it (website, letter to the recipient) so that a hand-in package can be checked with verify-handin --public-key.');
  return 0;
}

/** Verify a package: what was checked on stdout, exit 0; every problem on stderr, exit 1. */
export async function verifyHandinCommand(file: string | undefined, publicKey: string | undefined): Promise<number> {
  if (!file) throw new Error('verify-handin needs the package file: verify-handin FILE [--public-key FILE]');
  if (!existsSync(file)) throw new Error(`There is no file ${file}.`);
  if (publicKey && !existsSync(publicKey)) throw new Error(`There is no public key file ${publicKey}.`);
  const verdict = await verifyHandin(file, publicKey);
  for (const line of verdict.verified) console.log(line);
  if (verdict.ok) {
    console.log(`OK: ${file} is the hand-in package its manifest describes, every file intact.`);
    return 0;
  }
  for (const problem of verdict.problems) console.error(`FAILED: ${problem}`);
  console.error(`${file} did NOT verify: do not hand it in as it is.`);
  return 1;
}
