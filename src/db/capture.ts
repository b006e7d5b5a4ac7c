/**
 * Capturing a signature on the tablet, the one way a signature is stored: the kiosk hands
 * over what the signer entered (new-record.ts builds the record from it), capture picks the
 * key that seals it (sealingFor, S22), seals it when the campaign says so, gives it its
 * place in the device's hash chain, and stores it with its chain log entry in one
 * transaction; then it tells whoever the app wired in (the sync engine) that a signature
 * waits.
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
import { sealingFor } from './campaigns.ts';
import type { ChainRow, FieldsignDB } from './db.ts';
import { getEnrollment } from './meta.ts';
import { newRecord, type Shown, type SignerEntries } from './new-record.ts';
import { pendingRow, storing } from './outbox.ts';

export type { Shown, SignerEntries } from './new-record.ts';

type Sealing = Campaign['sealing'];

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
function sealingKeyOf(sealing: NonNullable<Sealing>): Promise<SealingKey> {
  let key = keys.get(sealing.keyId);
  if (!key) {
    key = importSealingKey({ ...sealing.publicKeyJwk, kid: sealing.keyId });
    key.catch(() => keys.delete(sealing.keyId));
    keys.set(sealing.keyId, key);
  }
  return key;
}

/** Who is told of a capture, and when it happened (tests set the clock). */
export interface CaptureOptions {
  /** The record and its chain log entry are committed: a signature waits to be sent. */
  onStored?: (record: SignatureRecord) => void;
  now?: Date;
}

/**
 * Capture one signer's signature under the petition they saw: build the record (on this
 * tablet's enrollment), seal it with the key {@link sealingFor} picks, chain and store it
 * (see {@link captureRecord}), then call `onStored`. Resolves once it is committed; rejects
 * when nothing was stored (a full disk: StorageFullError), and then tells nobody.
 */
export async function capture(db: FieldsignDB, entries: SignerEntries, shown: Shown, { onStored, now = new Date() }: CaptureOptions = {}): Promise<SignatureRecord> {
  const enrollment = await getEnrollment(db);
  if (!enrollment) throw new Error('This tablet is not enrolled yet.');
  const sealing = await sealingFor(db, shown.campaign);
  const record = await captureRecord(db, newRecord(entries, shown, enrollment.deviceId, now), sealing, now);
  try {
    onStored?.(record);
  } catch {
    // The signature is stored: a listener's failure must never read as a lost one.
  }
  return record;
}

/**
 * The record as it will be stored: with a sealed payload when `sealing` is given (and, if
 * the key allows it, the country in clear beside it). Throws when sealing is asked for and
 * impossible here: a plain record is never stored for a sealed campaign.
 */
export async function sealIfRequired(record: SignatureRecord, sealing: Sealing): Promise<SignatureRecord> {
  if (!sealing || record.payload.kind !== 'plain') return record;
  const key = await sealingKeyOf(sealing);
  const country = sealing.countryInClear ? record.payload.signer.country : undefined;
  const clear: SignatureRecord = { ...record, ...(country && { country }) };
  return { ...clear, payload: await sealPayload(record.payload, sealContextOf(clear), key) };
}

/**
 * Seal (with `sealing`, when given), chain and store a record already built: the part of
 * {@link capture} after the record is made. Resolves once IndexedDB has committed the
 * record and its chain log entry; a full disk rejects with StorageFullError and leaves
 * everything stored earlier untouched.
 */
export async function captureRecord(db: FieldsignDB, captured: SignatureRecord, sealing: Sealing, now = new Date()): Promise<SignatureRecord> {
  const sealed = withNonce(await sealIfRequired(captured, sealing));
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
