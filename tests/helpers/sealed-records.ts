/**
 * Test data for sealed campaigns: records sealed for a coordinator key and chained per
 * device exactly as a tablet does it (sealPayload, then nextChain), stored straight into a
 * store with the chain head the tablet would report.
 */
import { recordHash } from '../../server/ingest.ts';
import { createEnrollmentCode, enroll } from '../../server/devices.ts';
import type { DeviceReport, Store } from '../../server/store/store.ts';
import type { Campaign } from '../../src/shared/campaign.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { encodeInk } from '../../src/shared/ink.ts';
import type { ChainHead, SignatureRecord } from '../../src/shared/protocol.ts';
import { SEAL_ALG, sealContextOf, sealPayload, type PlainPayload, type PublicJwk, type SealingKey } from '../../src/shared/seal.ts';
import { nextChain, type RecordChain } from '../../src/shared/chain.ts';
import { makeRecord, realisticInk } from './records.ts';

/** What a signer typed on the form. */
export interface SignerSpec {
  name: string;
  email?: string;
  country?: string;
  postcode?: string;
  phone?: string;
  optIn?: boolean;
  /** Typed instead of drawn, with the attestation. */
  typed?: boolean;
}

/** The default campaign, sealed for `publicKeyJwk` (country kept in clear for the dashboard). */
export function sealedCampaign(keyId: string, publicKeyJwk: PublicJwk): Campaign {
  return { ...DEFAULT_CAMPAIGN, sealing: { alg: SEAL_ALG, keyId, publicKeyJwk: { kty: 'RSA', n: publicKeyJwk.n!, e: publicKeyJwk.e! }, countryInClear: true } };
}

/** A plain record for `spec` on `deviceId`: every field as given, strokes drawn from `seed`. */
export function plainRecord(deviceId: string, spec: SignerSpec, seed: number): SignatureRecord {
  const signer = {
    name: spec.name,
    ...(spec.email !== undefined && { email: spec.email }),
    ...(spec.country !== undefined && { country: spec.country }),
    ...(spec.postcode !== undefined && { postcode: spec.postcode }),
    ...(spec.phone !== undefined && { phone: spec.phone }),
    optIn: spec.optIn === true,
  };
  const payload: PlainPayload = spec.typed
    ? { kind: 'plain', signer, typed: { name: spec.name, attestation: `I, ${spec.name}, confirm that I support this petition and that I typed my name.` } }
    : { kind: 'plain', signer, ink: encodeInk(realisticInk(seed)) };
  return { ...makeRecord({ deviceId, seed }), consentVersion: 1, lang: seed % 2 ? 'fr' : 'en', payload };
}

/**
 * Seal and chain one record per spec on `deviceId`, continuing after `head` if given.
 * Returns the plain originals (to compare with what comes out), the sealed records as
 * stored, and the chain head the tablet would report.
 */
export async function sealedChain(
  deviceId: string,
  specs: SignerSpec[],
  key: SealingKey,
  { seed = 1, head }: { seed?: number; head?: RecordChain } = {},
): Promise<{ plain: SignatureRecord[]; sealed: SignatureRecord[]; head: ChainHead }> {
  const plain: SignatureRecord[] = [];
  const sealed: SignatureRecord[] = [];
  let chain = head;
  for (const [i, spec] of specs.entries()) {
    const record = plainRecord(deviceId, spec, seed + i);
    const country = (record.payload as PlainPayload).signer.country;
    const clear: SignatureRecord = { ...record, ...(country && { country }) };
    const sealedRecord: SignatureRecord = { ...clear, payload: await sealPayload(record.payload as PlainPayload, sealContextOf(clear), key) };
    chain = await nextChain(sealedRecord, chain);
    plain.push(record);
    sealed.push({ ...sealedRecord, chain });
  }
  const last = chain!;
  return { plain, sealed, head: { device: last.device, seq: last.seq, link: last.link } };
}

/** Store records as a sync would (same hash, one transaction). */
export async function storeRecords(store: Store, records: SignatureRecord[], receivedAt = new Date().toISOString()): Promise<void> {
  const outcomes = await store.ingest(records.map((record) => ({ record, hash: recordHash(record), clockSuspect: false })), receivedAt, 'sync');
  if (outcomes.some((o) => o !== 'accepted')) throw new Error(`not all stored: ${outcomes.join(', ')}`);
}

/** Save the chain head a tablet reports with its batches (and its quick-delete total). */
export async function reportHead(store: Store, deviceId: string, head: ChainHead, erased?: number): Promise<void> {
  const report = { pending: 0, quarantined: 0, at: new Date().toISOString(), chain: head, ...(erased !== undefined && { erased }) };
  await store.reportDevice(deviceId, report as DeviceReport);
}

/** Enroll a tablet directly in the store; returns its device id. */
export async function enrollTablet(store: Store, label: string, event = 'Sealed rally'): Promise<string> {
  const { code } = await createEnrollmentCode(store, event, 3_600_000, 'test');
  const outcome = await enroll(store, { protocol: 1, code, label });
  if (outcome.kind !== 'enrolled') throw new Error(`enrollment failed: ${outcome.kind}`);
  return outcome.response.deviceId;
}
