/**
 * The console's campaigns (/api/console/campaigns…) and the public campaign card: the list,
 * one campaign with its versions, its draft, publishing, closing. What tablets are told about
 * campaigns is the protocol's (../campaigns.ts).
 */
import * as z from 'zod/mini';
import { CampaignSchema } from '../campaign.ts';
import { CAMPAIGN_STATUSES, ContentHashSchema } from '../campaigns.ts';

export { CampaignSettingsSchema, NewCampaignSchema, PublishedVersionSchema } from '../campaigns.ts';

const Id = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/));

/** A campaign in a path. */
export const CampaignIdParams = z.object({ id: Id });
/** One of its published versions. */
export const CampaignVersionParams = z.object({ id: Id, version: z.string().check(z.regex(/^\d{1,9}$/)) });

/** The campaign list's line for one campaign. */
export const CampaignSummarySchema = z.strictObject({
  id: z.string(),
  status: z.enum(CAMPAIGN_STATUSES),
  /** The title of the latest published version (or of the draft, before the first publish), in its default language. */
  title: z.string(),
  goal: z.nullable(z.int()),
  startsAt: z.nullable(z.string()),
  endsAt: z.nullable(z.string()),
  closedAt: z.nullable(z.string()),
  latestVersion: z.nullable(z.strictObject({ version: z.int(), hash: z.nullable(ContentHashSchema), publishedAt: z.string() })),
  hasDraft: z.boolean(),
  /** Signatures stored for it. */
  total: z.int(),
});
export type CampaignSummary = z.infer<typeof CampaignSummarySchema>;

/** One campaign: its line, its draft and every published version (without their texts). */
export const CampaignDetailSchema = z.extend(CampaignSummarySchema, {
  draft: z.nullable(CampaignSchema),
  versions: z.array(z.strictObject({ version: z.int(), hash: z.nullable(ContentHashSchema), publishedAt: z.string(), textRecorded: z.boolean() })),
});
export type CampaignDetail = z.infer<typeof CampaignDetailSchema>;

/** GET /api/console/campaigns: every campaign, and the one a request means when it names none. */
export const CampaignListSchema = z.strictObject({ campaigns: z.array(CampaignSummarySchema), defaultCampaignId: z.string() });
export type CampaignList = z.infer<typeof CampaignListSchema>;

/** PUT /api/console/campaigns/:id/draft: the draft's text; its id and version are the campaign's, whatever it says. */
export const DraftRequestSchema = z.object({ content: CampaignSchema });

/** GET /api/public/campaigns/:id: the counter's card. Title, goal, total; nothing personal. */
export const PublicCampaignSchema = z.strictObject({
  id: z.string(),
  /** In the campaign's default language, `lang`; the counter is drawn in its colour. */
  title: z.string(),
  lang: z.string(),
  color: z.string(),
  status: z.enum(CAMPAIGN_STATUSES),
  goal: z.nullable(z.int()),
  total: z.int(),
});
export type PublicCampaign = z.infer<typeof PublicCampaignSchema>;
