/**
 * The tablets' API (/api/health, /api/v1/…): the sync protocol's own schemas (protocol.ts,
 * campaigns.ts), plus the few answers that live only here. docs/PROTOCOL.md gives the rules.
 */
import * as z from 'zod/mini';

export {
  BatchRequestSchema,
  BatchResponseSchema,
  EnrollRequestSchema,
  EnrollResponseSchema,
  ErrorResponseSchema,
} from '../protocol.ts';
export { TabletCampaignsSchema } from '../campaigns.ts';
export { CampaignSchema } from '../campaign.ts';

/** GET /api/health: up, and how many signatures the server holds in all. */
export const HealthSchema = z.strictObject({ ok: z.literal(true), signatures: z.int().check(z.gte(0)) });
export type Health = z.infer<typeof HealthSchema>;
