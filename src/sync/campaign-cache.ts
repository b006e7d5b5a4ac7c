/**
 * The campaigns on the tablet, refreshed from the server whenever it can be reached and kept
 * in IndexedDB (src/db/campaigns.ts), so the petition shows with no network.
 *
 * 1. An enrolled tablet asks GET /api/v1/campaigns with its device token: the campaigns it may
 *    show, each with its current published version and status.
 * 2. A server of release 0.1.0 answers that with 404, and a tablet not enrolled yet has no
 *    token: both take GET /api/v1/campaign, the one (default) campaign's document.
 * 3. Any other failure (offline, token refused, an invalid answer) changes nothing: the tablet
 *    keeps working with what it holds.
 *
 * A content hash is kept only when the tablet has checked it is the hash of the very content
 * it will show (a record's hash must prove the text its signer saw, S26); otherwise the
 * version is kept without one.
 */
import * as z from 'zod/mini';
import type { FieldsignDB } from '../db/db.ts';
import { storeOffer, type CampaignOffer, type OfferedCampaign } from '../db/campaigns.ts';
import { CampaignSchema, type Campaign } from '../shared/campaign.ts';
import { contentHash, TabletCampaignsSchema, type TabletCampaigns } from '../shared/campaigns.ts';
import { canonicalJson } from '../shared/canonical-json.ts';
import { timeoutSignal } from './transport.ts';

/** How long a refresh waits for the server. */
const TIMEOUT_MS = 15_000;

/**
 * Fetch what the server offers this tablet and store it; resolves to whether it did (false:
 * unreachable, refused or invalid, and nothing changed).
 */
export async function refreshCampaigns(db: FieldsignDB, token: string | undefined, baseUrl = ''): Promise<boolean> {
  try {
    const offer = (token && (await fetchOffer(token, baseUrl))) || (await fetchLegacy(baseUrl));
    if (!offer) return false;
    await storeOffer(db, offer);
    return true;
  } catch {
    return false;
  }
}

/** Step 1; null for a 0.1.0 server (404), undefined when nothing usable came. */
async function fetchOffer(token: string, baseUrl: string): Promise<CampaignOffer | null | undefined> {
  const res = await fetch(`${baseUrl}/api/v1/campaigns`, {
    headers: { authorization: `Bearer ${token}` },
    cache: 'no-store',
    signal: timeoutSignal(TIMEOUT_MS),
  });
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const parsed = z.safeParse(TabletCampaignsSchema, await res.json());
  if (!parsed.success) throw new Error('invalid campaigns');
  return { defaultCampaignId: parsed.data.defaultCampaignId, campaigns: await Promise.all(parsed.data.campaigns.map(offered)) };
}

/** One campaign of the server's answer, its content and hash checked. */
async function offered({ status, version }: TabletCampaigns['campaigns'][number]): Promise<OfferedCampaign> {
  // A content claiming another campaign or version than it is filed under is not shown.
  const content = version.content && version.content.id === version.campaignId && version.content.version === version.version ? version.content : null;
  const hash = content && version.hash && (await contentHash(content)) === version.hash ? version.hash : null;
  return { status, campaignId: version.campaignId, version: version.version, hash, content };
}

/** Step 2: the default campaign's document; its hash only when parsing left it unchanged. */
async function fetchLegacy(baseUrl: string): Promise<CampaignOffer | undefined> {
  const res = await fetch(`${baseUrl}/api/v1/campaign`, { cache: 'no-cache', signal: timeoutSignal(TIMEOUT_MS) });
  if (!res.ok) return undefined;
  const raw: unknown = await res.json();
  const parsed = z.safeParse(CampaignSchema, raw);
  if (!parsed.success) return undefined;
  const content: Campaign = parsed.data;
  // The schema trims text and drops unknown keys: then what is shown is not byte for byte
  // what was served, and no hash is claimed for it.
  const hash = canonicalJson(raw) === canonicalJson(content) ? await contentHash(content) : null;
  return { defaultCampaignId: content.id, campaigns: [{ status: 'open', campaignId: content.id, version: content.version, hash, content }] };
}
