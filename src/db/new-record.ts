/**
 * What a signer's entries become: the record of the wire format (src/shared/protocol.ts),
 * still plain, before capture seals and chains it (capture.ts). The kiosk hands over only
 * what the signer gave; ids, times and the petition's version and hash are filled in here,
 * so the screens never build a record.
 */
import * as z from 'zod/mini';
import { campaignText, type Campaign, type Language } from '../shared/campaign.ts';
import { encodeInk, type Ink } from '../shared/ink.ts';
import { SignatureRecordSchema, SignerSchema, type SignatureRecord, type Signer } from '../shared/protocol.ts';

/** What one signer gave at the kiosk. */
export interface SignerEntries {
  /** Their details and consent choice, as the form checked them (src/kiosk/validate.ts). */
  signer: Signer;
  /** The language the petition and form were shown in. */
  lang: Language;
  /** The drawn signature; without it, `typedName` (whose attestation the signer ticked). */
  ink?: Ink;
  typedName?: string;
}

/** The petition the signer saw: one version of one campaign, with its content hash when the tablet is sure of it. */
export interface Shown {
  campaign: Campaign;
  hash?: string;
}

/**
 * The signer's details as a record carries them (trimmed, the email lowercased), checked
 * against the shared schema the server checks them with; or the fields it refuses.
 */
export function signerOf(candidate: Partial<Record<keyof Signer, unknown>>): { signer: Signer } | { refused: Array<keyof Signer> } {
  const parsed = z.safeParse(SignerSchema, candidate);
  return parsed.success ? { signer: parsed.data } : { refused: parsed.error.issues.map((issue) => issue.path[0] as keyof Signer) };
}

/** The attestation a signer who types confirms, in `lang`, with their name filled in (`…` while none is typed). */
export function attestationText(campaign: Campaign, lang: string, typedName: string): string {
  return campaignText(campaign, lang).attestation.replace('{name}', typedName.trim() || '…');
}

/**
 * The plain record of `entries`, captured now on device `deviceId` under the petition
 * `shown`: a fresh id, the capture time, and the version, consent version and hash the
 * signer saw (S26). Parsed with the shared schema, which trims and normalises as the server will.
 */
export function newRecord(entries: SignerEntries, shown: Shown, deviceId: string, now = new Date()): SignatureRecord {
  const { campaign, hash } = shown;
  const { signer, lang, ink, typedName = '' } = entries;
  return z.parse(SignatureRecordSchema, {
    id: crypto.randomUUID(),
    v: 1,
    deviceId,
    campaignId: campaign.id,
    campaignVersion: campaign.version,
    ...(hash && { campaignHash: hash }),
    consentVersion: campaign.consentVersion,
    lang,
    capturedAt: now.toISOString(),
    payload: {
      kind: 'plain',
      signer,
      ...(ink ? { ink: encodeInk(ink) } : { typed: { name: typedName.trim(), attestation: attestationText(campaign, lang, typedName) } }),
    },
  });
}
