/**
 * Many campaigns on one server: what the server, the tablets and the console say to each
 * other about them. A campaign is data on the server with a status, an optional goal and
 * dates, and its published versions. A published version is immutable: its whole content (a
 * Campaign document, campaign.ts) and the SHA-256 of its canonical JSON are stored once and
 * never changed; a change is published as a new version. Every signature records the
 * campaign, version, language and that content hash (S26).
 *
 * Wire (tablets):
 *   GET /api/v1/campaigns   (device token)  → TabletCampaigns: the campaigns this tablet may show
 *   GET /api/v1/campaign    (no token)      → the default campaign's current Campaign document,
 *                                             unchanged for tablets and counters of release 0.1.0
 * Console (session):
 *   GET    /api/console/campaigns                 → { campaigns: CampaignSummary[] }
 *   POST   /api/console/campaigns                 { id, from? } → 201 CampaignDetail (a new draft)
 *   GET    /api/console/campaigns/:id             → CampaignDetail
 *   PATCH  /api/console/campaigns/:id             { goal?, startsAt?, endsAt? } → CampaignDetail
 *   PUT    /api/console/campaigns/:id/draft       { content } → CampaignDetail (400 names the field)
 *   POST   /api/console/campaigns/:id/publish     → CampaignDetail (409 when nothing changed)
 *   POST   /api/console/campaigns/:id/close | /reopen → CampaignDetail
 *   GET    /api/console/campaigns/:id/versions/:v → PublishedVersion
 *   Scoped by `?campaign=<id>` (default: the default campaign): totals, events, signatures
 *   (also `version`, `lang`), exports, audit. POST /api/console/codes takes `campaigns: string[]`.
 * Public:
 *   GET /api/public/campaigns/:id → PublicCampaign · /counter/<id> · /api/public/events?campaign=<id>
 */
import * as z from 'zod/mini';
import { CampaignSchema, type Campaign } from './campaign.ts';
import { canonicalJson } from './canonical-json.ts';

export const CAMPAIGN_STATUSES = ['draft', 'open', 'closed'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

const CampaignId = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'Use 1–64 letters, digits, - or _.'));
/** SHA-256, base64url without padding. */
export const ContentHashSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/, 'A content hash is 43 base64url characters.'));

/** One published version, exactly as it was published. `content` is null when its text was never recorded (an upgraded database). */
export const PublishedVersionSchema = z.object({
  campaignId: CampaignId,
  version: z.int().check(z.gte(1)),
  hash: z.nullable(ContentHashSchema),
  publishedAt: z.string(),
  content: z.nullable(CampaignSchema),
});
export type PublishedVersion = z.infer<typeof PublishedVersionSchema>;

/** What a tablet is told: each campaign it may show, with its current version, open or closed. */
export const TabletCampaignsSchema = z.object({
  /** The campaign a tablet shows unless its volunteer chooses another. */
  defaultCampaignId: z.optional(CampaignId),
  campaigns: z.array(
    z.object({
      status: z.enum(['open', 'closed']),
      version: PublishedVersionSchema,
    }),
  ),
});
export type TabletCampaigns = z.infer<typeof TabletCampaignsSchema>;

// The console's shapes are schemas in the API contract (api/campaigns.ts); their types, here too.
export type { CampaignDetail, CampaignSummary, PublicCampaign } from './api/campaigns.ts';

export const CampaignSettingsSchema = z.object({
  goal: z.optional(z.nullable(z.int().check(z.gte(1), z.lte(1_000_000_000)))),
  startsAt: z.optional(z.nullable(z.iso.datetime({ offset: true }))),
  endsAt: z.optional(z.nullable(z.iso.datetime({ offset: true }))),
});

export const NewCampaignSchema = z.object({ id: CampaignId, from: z.optional(CampaignId) });

/** The content hash of a campaign version: SHA-256 of its canonical JSON, base64url (WebCrypto, so it runs anywhere). */
export async function contentHash(content: Campaign): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonicalJson(content))));
  let binary = '';
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}
