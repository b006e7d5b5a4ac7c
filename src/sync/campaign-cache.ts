/**
 * The campaign on the tablet: the copy cached in IndexedDB (so the petition shows with no
 * network), refreshed from the server whenever it can be reached. A cached or fetched
 * document that fails validation is ignored, never shown.
 */
import * as z from 'zod/mini';
import type { FieldsignDB } from '../db/db.ts';
import { CampaignSchema, type Campaign } from '../shared/campaign.ts';

/** The cached campaign, or undefined when none is cached or the cached copy is invalid. */
export async function cachedCampaign(db: FieldsignDB): Promise<Campaign | undefined> {
  const row = await db.meta.get('campaign');
  const parsed = z.safeParse(CampaignSchema, row?.value);
  return parsed.success ? parsed.data : undefined;
}

/** Fetch the server's campaign and cache it; resolves to it, or undefined when unreachable or invalid. */
export async function refreshCampaign(db: FieldsignDB, baseUrl = ''): Promise<Campaign | undefined> {
  try {
    const res = await fetch(`${baseUrl}/api/v1/campaign`, { cache: 'no-cache' });
    if (!res.ok) return undefined;
    const parsed = z.safeParse(CampaignSchema, await res.json());
    if (!parsed.success) return undefined;
    const campaign = keepSealing(parsed.data, await cachedCampaign(db));
    await db.meta.put({ key: 'campaign', value: campaign });
    return campaign;
  } catch {
    return undefined;
  }
}

/**
 * S22: once a tablet has seen a campaign's sealing key it keeps sealing for that campaign,
 * even if a later copy lacks the key (a server restarted without --seal-key, or tampered
 * with): dropping it would quietly store the next signers in clear. A new key replaces it.
 */
export function keepSealing(fresh: Campaign, cached: Campaign | undefined): Campaign {
  return !fresh.sealing && cached?.sealing && cached.id === fresh.id ? { ...fresh, sealing: cached.sealing } : fresh;
}
