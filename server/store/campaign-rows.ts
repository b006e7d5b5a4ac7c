/**
 * Campaigns and their published versions in the database (schema.ts). Nothing here updates a
 * published version: the only write to `campaign_versions` besides INSERT fills in the text of
 * a version an upgrade found without one, and the database's own trigger refuses anything else.
 */
import { CampaignSchema, type Campaign } from '../../src/shared/campaign.ts';
import type { CampaignStatus } from '../../src/shared/campaigns.ts';
import * as z from 'zod/mini';
import type { SqlExecutor } from './sql.ts';

/** A campaign as stored: its settings and its unpublished draft. */
export interface CampaignRecord {
  id: string;
  status: CampaignStatus;
  goal: number | null;
  startsAt: string | null;
  endsAt: string | null;
  createdAt: string;
  closedAt: string | null;
  draft: Campaign | null;
}

/** A published version; `content` and `hash` are null while its text is not recorded. */
export interface VersionRecord {
  campaignId: string;
  version: number;
  hash: string | null;
  publishedAt: string;
  content: Campaign | null;
}

type CampaignRow = { id: string; status: string; goal: number | null; starts_at: string | null; ends_at: string | null; created_at: string; closed_at: string | null; draft: string | null };
type VersionRow = { campaign_id: string; version: number; content_hash: string | null; published_at: string; content: string | null };

const CAMPAIGN_COLUMNS = 'id, status, goal, starts_at, ends_at, created_at, closed_at, draft';
const VERSION_COLUMNS = 'campaign_id, version, content_hash, published_at, content';

/** Stored JSON back to a campaign document; one that no longer validates is treated as absent, never served. */
function campaignOf(json: string | null): Campaign | null {
  if (json === null) return null;
  const parsed = z.safeParse(CampaignSchema, JSON.parse(json));
  return parsed.success ? parsed.data : null;
}

function toCampaign(r: CampaignRow): CampaignRecord {
  return {
    id: r.id,
    status: r.status as CampaignStatus,
    goal: r.goal === null ? null : Number(r.goal),
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    createdAt: r.created_at,
    closedAt: r.closed_at,
    draft: campaignOf(r.draft),
  };
}

function toVersion(r: VersionRow): VersionRecord {
  return { campaignId: r.campaign_id, version: Number(r.version), hash: r.content_hash, publishedAt: r.published_at, content: campaignOf(r.content) };
}

export async function listCampaigns(db: SqlExecutor): Promise<CampaignRecord[]> {
  return (await db.all<CampaignRow>(`SELECT ${CAMPAIGN_COLUMNS} FROM campaigns ORDER BY created_at, id`)).map(toCampaign);
}

export async function getCampaign(db: SqlExecutor, id: string): Promise<CampaignRecord | undefined> {
  const row = await db.get<CampaignRow>(`SELECT ${CAMPAIGN_COLUMNS} FROM campaigns WHERE id = ?`, [id]);
  return row && toCampaign(row);
}

/** False when a campaign with this id exists. */
export async function createCampaign(db: SqlExecutor, c: { id: string; status: CampaignStatus; draft: Campaign | null; createdAt: string }): Promise<boolean> {
  const changed = await db.run('INSERT INTO campaigns (id, status, created_at, draft) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING', [
    c.id,
    c.status,
    c.createdAt,
    c.draft === null ? null : JSON.stringify(c.draft),
  ]);
  return changed === 1;
}

/** Change a campaign's settings, status or draft (never its published versions). */
export async function updateCampaign(
  db: SqlExecutor,
  id: string,
  change: Partial<Pick<CampaignRecord, 'status' | 'goal' | 'startsAt' | 'endsAt' | 'closedAt' | 'draft'>>,
): Promise<boolean> {
  const columns: Record<string, unknown> = {
    status: change.status,
    goal: change.goal,
    starts_at: change.startsAt,
    ends_at: change.endsAt,
    closed_at: change.closedAt,
    draft: change.draft === undefined ? undefined : change.draft === null ? null : JSON.stringify(change.draft),
  };
  const set = Object.entries(columns).filter(([, v]) => v !== undefined);
  if (set.length === 0) return (await getCampaign(db, id)) !== undefined;
  const changed = await db.run(`UPDATE campaigns SET ${set.map(([k]) => `${k} = ?`).join(', ')} WHERE id = ?`, [...set.map(([, v]) => v as string | number | null), id]);
  return changed === 1;
}

export async function versionsOf(db: SqlExecutor, campaignId: string): Promise<VersionRecord[]> {
  return (await db.all<VersionRow>(`SELECT ${VERSION_COLUMNS} FROM campaign_versions WHERE campaign_id = ? ORDER BY version`, [campaignId])).map(toVersion);
}

export async function versionOf(db: SqlExecutor, campaignId: string, version: number): Promise<VersionRecord | undefined> {
  const row = await db.get<VersionRow>(`SELECT ${VERSION_COLUMNS} FROM campaign_versions WHERE campaign_id = ? AND version = ?`, [campaignId, version]);
  return row && toVersion(row);
}

/** Publish a version: false when that version number is already published (nothing written). */
export async function insertVersion(db: SqlExecutor, v: { campaignId: string; version: number; content: Campaign; hash: string; publishedAt: string }): Promise<boolean> {
  const changed = await db.run(
    'INSERT INTO campaign_versions (campaign_id, version, content, content_hash, published_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (campaign_id, version) DO NOTHING',
    [v.campaignId, v.version, JSON.stringify(v.content), v.hash, v.publishedAt],
  );
  return changed === 1;
}

/** Record the text of a version an upgrade found without one; false when it already has its text. */
export async function recordVersionText(db: SqlExecutor, campaignId: string, version: number, content: Campaign, hash: string): Promise<boolean> {
  const changed = await db.run('UPDATE campaign_versions SET content = ?, content_hash = ? WHERE campaign_id = ? AND version = ? AND content IS NULL', [
    JSON.stringify(content),
    hash,
    campaignId,
    version,
  ]);
  return changed === 1;
}
