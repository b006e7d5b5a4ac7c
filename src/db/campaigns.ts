/**
 * The campaigns on the tablet (issue 15): every published version it has received, kept for
 * good; the campaigns it may show, open or closed, as the server last said; and the one the
 * volunteer chose. What the next signer sees is worked out from these by one rule
 * (pickCampaign), so the kiosk, the volunteer screen and a reload always agree.
 *
 * A version's content is stored exactly as received, with its hash; the sealing key kept
 * for a campaign (S22) lives on its campaign row, so keeping it never alters a stored text.
 */
import type { Campaign, Language } from '../shared/campaign.ts';
import { canonicalJson } from '../shared/canonical-json.ts';
import type { CampaignRow, FieldsignDB, VersionRow } from './db.ts';
import type { Shown } from './new-record.ts';

type Sealing = Campaign['sealing'];

/** One campaign as the server offers it to this tablet: its current version, open or closed. */
export interface OfferedCampaign {
  status: 'open' | 'closed';
  campaignId: string;
  version: number;
  /** The content hash, only when the tablet checked that it is the hash of `content`. */
  hash: string | null;
  /** Null when the server never recorded the text (the tablet may still hold it). */
  content: Campaign | null;
}

/** What the server last told this tablet about its campaigns. */
export interface CampaignOffer {
  defaultCampaignId?: string;
  campaigns: OfferedCampaign[];
}

/**
 * What the kiosk shows the next signer: one version of one petition (with its hash when
 * known), or, when no campaign this tablet may show is open, nothing but a notice in `lang`.
 */
export type KioskOffer = Shown | { campaign: null; lang: Language };

/** The language an offer opens in: its petition's default, or the notice's. */
export function offerLanguage(offer: KioskOffer): Language {
  return offer.campaign ? offer.campaign.defaultLanguage : offer.lang;
}

/** Whether two offers show the same thing: one version (hash, sealing key) of one campaign, or the same notice. */
export function sameOffer(a: KioskOffer, b: KioskOffer): boolean {
  const key = (o: KioskOffer) => (o.campaign ? [o.campaign.id, o.campaign.version, o.hash, o.campaign.sealing?.keyId] : [null, o.lang]);
  return JSON.stringify(key(a)) === JSON.stringify(key(b));
}

/** A campaign as the volunteer screen lists it. */
export interface CampaignChoice {
  id: string;
  status: 'open' | 'closed';
  /** Its current version, as held on the tablet. */
  content: Campaign;
  /** The next signer will see this one. */
  next: boolean;
}

const CHOSEN = 'chosenCampaignId';
const DEFAULT = 'defaultCampaignId';
const OFFERED_AT = 'campaignsOfferedAt';

/**
 * S22, the one rule for which key seals a campaign's signatures: the key of the version at
 * hand, else the one the tablet kept for that campaign. Once a tablet has seen a campaign's
 * sealing key it keeps sealing for that campaign, even if a later version lacks the key (a
 * server restarted without --seal-key, or tampered with): dropping it would quietly store
 * the next signers in clear. A new key replaces it. Only the campaign's own key counts: one
 * campaign's key never seals another's signatures.
 */
export function sealingOf(content: Campaign | null | undefined, kept: Sealing): Sealing {
  return content?.sealing ?? kept;
}

/** `content` with the sealing key it is to be captured under (see {@link sealingOf}). */
export function keepSealing(content: Campaign, kept: Sealing): Campaign {
  const sealing = sealingOf(content, kept);
  return sealing === content.sealing ? content : { ...content, sealing };
}

/**
 * The key that seals a signature captured under `campaign` (S22), read when it is captured:
 * the version's own, else the one kept since for its campaign (a refresh may have brought
 * one after the petition went up). Undefined: the campaign does not seal.
 */
export async function sealingFor(db: FieldsignDB, campaign: Campaign): Promise<Sealing> {
  return sealingOf(campaign, (await db.campaigns.get(campaign.id))?.sealing);
}

/**
 * The campaign the next signer sees, among those with a version on the tablet: the
 * volunteer's choice while it is allowed and open, else the server's default, else the first
 * open one in the server's order; none when none is open.
 */
export function pickCampaign(rows: ReadonlyArray<Pick<CampaignRow, 'id' | 'allowed' | 'status' | 'position'>>, chosen?: string, defaultId?: string): string | undefined {
  const open = rows.filter((r) => r.allowed && r.status === 'open').sort((a, b) => a.position - b.position);
  return (open.find((r) => r.id === chosen) ?? open.find((r) => r.id === defaultId) ?? open[0])?.id;
}

/**
 * Store what the server offered, in one transaction: each version with content is kept
 * (never deleted; replaced only by a different content or hash under the same number, which
 * only a 0.1.0 server sends), each offered campaign's status, and every campaign not offered
 * any more is no longer allowed.
 */
export async function storeOffer(db: FieldsignDB, offer: CampaignOffer, now = Date.now()): Promise<void> {
  await db.transaction('rw', db.campaigns, db.versions, db.meta, async () => {
    const known = new Map((await db.campaigns.toArray()).map((row) => [row.id, row]));
    const offered = new Set<string>();
    for (const [position, c] of offer.campaigns.entries()) {
      if (offered.has(c.campaignId)) continue;
      offered.add(c.campaignId);
      if (c.content) {
        const held = await db.versions.get([c.campaignId, c.version]);
        if (!held || held.hash !== c.hash || canonicalJson(held.content) !== canonicalJson(c.content)) {
          await db.versions.put({ campaignId: c.campaignId, version: c.version, hash: c.hash, content: c.content, receivedAt: now });
        }
      }
      const sealing = sealingOf(c.content, known.get(c.campaignId)?.sealing);
      await db.campaigns.put({ id: c.campaignId, allowed: true, status: c.status, version: c.version, position, ...(sealing && { sealing }) });
    }
    for (const row of known.values()) if (!offered.has(row.id) && row.allowed) await db.campaigns.put({ ...row, allowed: false });
    if (offer.defaultCampaignId) await db.meta.put({ key: DEFAULT, value: offer.defaultCampaignId });
    else await db.meta.delete(DEFAULT);
    await db.meta.put({ key: OFFERED_AT, value: now });
  });
}

/** Remember the volunteer's choice of campaign for the next signers (kept across reloads). */
export async function chooseCampaign(db: FieldsignDB, id: string): Promise<void> {
  await db.meta.put({ key: CHOSEN, value: id });
}

interface Held {
  rows: CampaignRow[];
  /** Each allowed campaign's current version, when the tablet holds its text. */
  current: Map<string, VersionRow>;
  next?: string;
  defaultId?: string;
  offeredAt?: number;
}

/** Read everything the rule needs in one transaction, so a refresh landing meanwhile is seen whole or not at all. */
async function held(db: FieldsignDB): Promise<Held> {
  return db.transaction('r', db.campaigns, db.versions, db.meta, async () => {
    const rows = (await db.campaigns.toArray()).filter((r) => r.allowed).sort((a, b) => a.position - b.position);
    const versions = await db.versions.bulkGet(rows.map((r) => [r.id, r.version] as [string, number]));
    const current = new Map(versions.flatMap((v) => (v ? [[v.campaignId, v] as const] : [])));
    const meta = await db.meta.bulkGet([CHOSEN, DEFAULT, OFFERED_AT]);
    const [chosen, defaultId, offeredAt] = meta.map((m) => m?.value) as [string | undefined, string | undefined, number | undefined];
    // A campaign whose text the tablet never received cannot be shown.
    const next = pickCampaign(rows.filter((r) => current.has(r.id)), chosen, defaultId);
    return { rows, current, next, defaultId, offeredAt };
  });
}

/** What the next signer sees; undefined when the tablet has never been told of any campaign. */
export async function currentOffer(db: FieldsignDB): Promise<KioskOffer | undefined> {
  const { rows, current, next, defaultId, offeredAt } = await held(db);
  if (next) {
    const version = current.get(next)!;
    const row = rows.find((r) => r.id === next)!;
    return { campaign: keepSealing(version.content, row.sealing), ...(version.hash && { hash: version.hash }) };
  }
  if (rows.length === 0 && offeredAt === undefined) return undefined;
  // The notice speaks the language the default (or else the first) petition spoke.
  const last = current.get(defaultId ?? '') ?? [...current.values()][0];
  return { campaign: null, lang: last?.content.defaultLanguage ?? 'en' };
}

/** The campaigns this tablet may show, in the server's order, for the volunteer's choice. */
export async function campaignChoices(db: FieldsignDB): Promise<CampaignChoice[]> {
  const { rows, current, next } = await held(db);
  return rows.flatMap((row) => {
    const version = current.get(row.id);
    return version ? [{ id: row.id, status: row.status, content: version.content, next: row.id === next }] : [];
  });
}

