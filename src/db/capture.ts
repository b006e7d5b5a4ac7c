/**
 * Capturing a signature on the tablet: seal it when the campaign says so, give it its place
 * in the device's hash chain, and store it with its chain log entry in one transaction.
 *
 * Sealing and hashing use WebCrypto, whose promises would end an IndexedDB transaction if
 * awaited inside it. So the link is computed first from the chain head read outside, and
 * the transaction checks that the head is still the same before it writes (another tab may
 * have captured meanwhile); if not, it computes again. Nothing is written unless both the
 * record and its log entry are.
 */
import Dexie from 'dexie';
import type { Campaign } from '../shared/campaign.ts';
import type { SignatureRecord } from '../shared/protocol.ts';
import { toBase64Url } from '../shared/ink.ts';
import { importSealingKey, sealContextOf, sealPayload, type SealingKey } from '../shared/seal.ts';
import { nextChain } from '../shared/chain.ts';
import type { ChainRow, FieldsignDB } from './db.ts';
import { pendingRow, storing } from './outbox.ts';

/** How many times a capture recomputes its link when another tab captured at the same moment. */
const MAX_ATTEMPTS = 20;

/** The newest entry of device `device`'s chain on this tablet, if any. */
export async function chainHead(db: FieldsignDB, device: string): Promise<ChainRow | undefined> {
  return db.chain.where('[device+seq]').between([device, Dexie.minKey], [device, Dexie.maxKey]).last();
}

/** Every chain on this tablet, in device and seq order: what the coordinator checks against. */
export async function chainLogs(db: FieldsignDB): Promise<Array<{ device: string; entries: Array<{ id: string; link: string; erased?: true }> }>> {
  const logs = new Map<string, Array<{ id: string; link: string; erased?: true }>>();
  await db.chain.orderBy('[device+seq]').each((row) => {
    const entries = logs.get(row.device) ?? [];
    entries.push({ id: row.id, link: row.link, ...(row.erased && { erased: true as const }) });
    logs.set(row.device, entries);
  });
  return [...logs].map(([device, entries]) => ({ device, entries }));
}

const keys = new Map<string, Promise<SealingKey>>();

/** The campaign's sealing key, imported once (and checked against its key id). */
function sealingKeyOf(sealing: NonNullable<Campaign['sealing']>): Promise<SealingKey> {
  let key = keys.get(sealing.keyId);
  if (!key) {
    key = importSealingKey({ ...sealing.publicKeyJwk, kid: sealing.keyId });
    key.catch(() => keys.delete(sealing.keyId));
    keys.set(sealing.keyId, key);
  }
  return key;
}

/**
 * The record as it will be stored: with a sealed payload when `campaign` seals (and, if the
 * campaign allows it, the country in clear beside it). Throws when the campaign seals and
 * sealing is impossible here: a plain record is never stored for a sealed campaign.
 */
export async function sealIfRequired(record: SignatureRecord, campaign: Campaign | undefined): Promise<SignatureRecord> {
  const sealing = campaign?.id === record.campaignId ? campaign.sealing : undefined;
  if (!sealing || record.payload.kind !== 'plain') return record;
  const key = await sealingKeyOf(sealing);
  const country = sealing.countryInClear ? record.payload.signer.country : undefined;
  const clear: SignatureRecord = { ...record, ...(country && { country }) };
  return { ...clear, payload: await sealPayload(record.payload, sealContextOf(clear), key) };
}

/**
 * Seal (when the campaign says so), chain and store a freshly captured signature. Resolves
 * once IndexedDB has committed the record and its chain log entry; a full disk rejects with
 * StorageFullError and leaves everything stored earlier untouched.
 */
export async function capture(db: FieldsignDB, captured: SignatureRecord, campaign?: Campaign, now = new Date()): Promise<SignatureRecord> {
  const sealed = withNonce(await sealIfRequired(captured, campaign));
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const head = await chainHead(db, sealed.deviceId);
    const chain = await nextChain(sealed, head);
    const record: SignatureRecord = { ...sealed, chain };
    const written = await storing(() =>
      db.transaction('rw', db.outbox, db.chain, async () => {
        const current = await chainHead(db, sealed.deviceId);
        if (current?.link !== head?.link) return false;
        await db.outbox.add(pendingRow(record, now));
        await db.chain.add({ device: chain.device, seq: chain.seq, id: record.id, link: chain.link });
        return true;
      }),
    );
    if (written) return record;
  }
  throw new Error('Another signature was being saved at the same moment; please press the button again.');
}

/**
 * A plain record gets a random nonce before it is chained: its link is kept on the tablet
 * after the signer's details are deleted (S19), and without the nonce a guessed name, email
 * and capture time could be checked against it. A sealed record needs none: its ciphertext
 * is random already.
 */
function withNonce(record: SignatureRecord): SignatureRecord {
  if (record.payload.kind !== 'plain' || record.nonce) return record;
  return { ...record, nonce: toBase64Url(globalThis.crypto.getRandomValues(new Uint8Array(16))) };
}
