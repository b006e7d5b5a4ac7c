/**
 * Campaigns as data (issue: many petitions on one server): importing a campaign file,
 * drafting, publishing, closing, and what each tablet is told. Knows nothing of HTTP; the
 * console routes and the CLI call these. A published version is never changed: a change is
 * published as the next version (S26).
 */
import * as z from 'zod/mini';
import { CampaignSchema, campaignText, type Campaign } from '../src/shared/campaign.ts';
import { contentHash, type CampaignDetail, type CampaignSummary, type TabletCampaigns } from '../src/shared/campaigns.ts';
import { canonicalJson } from '../src/shared/canonical-json.ts';
import { DEFAULT_CAMPAIGN } from '../src/shared/default-campaign.ts';
import { toFieldIssues } from '../src/shared/protocol.ts';
import type { Actor } from './devices.ts';
import type { CampaignRecord, Device, Store, VersionRecord } from './store/store.ts';

/** A refusal for a person: what is wrong, and which field when a document is at fault. */
export class CampaignError extends Error {
  readonly kind: 'invalid' | 'not_found' | 'conflict';
  readonly field?: string;
  constructor(kind: CampaignError['kind'], message: string, field?: string) {
    super(message);
    this.kind = kind;
    this.field = field;
  }
}

/** Parse a campaign document; a bad one is refused with the first problem and its field. */
export function parseCampaign(document: unknown): Campaign {
  const parsed = z.safeParse(CampaignSchema, document);
  if (parsed.success) return parsed.data;
  const [issue] = toFieldIssues(parsed.error);
  throw new CampaignError('invalid', issue.path ? `${issue.path}: ${issue.message}` : issue.message, issue.path || undefined);
}

/** Two contents say the same thing, whatever their key order and version number. */
function sameContent(a: Campaign, b: Campaign): boolean {
  return canonicalJson({ ...a, version: 0 }) === canonicalJson({ ...b, version: 0 });
}

async function latestVersion(store: Store, id: string): Promise<VersionRecord | undefined> {
  return (await store.campaignVersions(id)).at(-1);
}

export type ImportOutcome =
  | { kind: 'created'; version: number }
  | { kind: 'published'; version: number }
  | { kind: 'text-recorded'; version: number }
  | { kind: 'unchanged'; version: number };

/**
 * Bring a campaign file into the store (`campaign import`, `--campaign` at startup): a new id
 * creates the campaign, open, with the file as its first version; a text never published
 * before becomes the next version (numbered after the latest, whatever the file says); a
 * text published before, as any version, changes nothing. A version an upgrade found without its text takes the file's text only
 * when id and version match.
 */
export async function importCampaign(store: Store, document: unknown, actor: Actor, now = new Date()): Promise<ImportOutcome> {
  const content = parseCampaign(document);
  const at = now.toISOString();
  const existing = await store.getCampaign(content.id);
  if (!existing) {
    await store.createCampaign({ id: content.id, status: 'open', draft: null, createdAt: at });
    await publish(store, content, content.version, actor, at);
    return { kind: 'created', version: content.version };
  }
  const versions = await store.campaignVersions(content.id);
  const same = versions.find((v) => v.version === content.version);
  if (same && same.content === null && (await store.recordCampaignVersionText(content.id, content.version, content, await contentHash(content)))) {
    await store.audit({ at, actor, action: 'record-campaign-text', detail: { version: content.version }, campaignId: content.id });
    return { kind: 'text-recorded', version: content.version };
  }
  // A text already published, as any version, is not published again: restarting with the
  // same file must never bring back an older text over what the console published since.
  const published = versions.findLast((v) => v.content && sameContent(v.content, content));
  if (published) return { kind: 'unchanged', version: published.version };
  if (existing.draft && versions.length === 0) {
    throw new CampaignError('conflict', `The campaign "${content.id}" has a draft in the console that was never published: publish or change it there.`);
  }
  const latest = versions.at(-1);
  const version = Math.max((latest?.version ?? 0) + 1, content.version);
  await publish(store, content, version, actor, at);
  return { kind: 'published', version };
}

async function publish(store: Store, content: Campaign, version: number, actor: Actor, at: string): Promise<void> {
  const published = { ...content, version };
  if (!(await store.publishCampaignVersion({ campaignId: content.id, version, content: published, hash: await contentHash(published), publishedAt: at }))) {
    throw new CampaignError('conflict', `Version ${version} of "${content.id}" was published meanwhile. Try again.`);
  }
  await store.audit({ at, actor, action: 'publish-campaign', detail: { version }, campaignId: content.id });
}

/** A new draft campaign, copied from another campaign's latest text or from the default campaign. */
export async function createDraftCampaign(store: Store, id: string, from: string | undefined, actor: Actor, now = new Date()): Promise<CampaignRecord> {
  if (await store.getCampaign(id)) throw new CampaignError('conflict', `A campaign "${id}" exists already.`, 'id');
  let base: Campaign = DEFAULT_CAMPAIGN;
  if (from !== undefined) {
    const source = await latestVersion(store, from);
    const draft = (await store.getCampaign(from))?.draft;
    const text = source?.content ?? draft;
    if (!text) throw new CampaignError('not_found', `There is no campaign "${from}" with a text to copy.`, 'from');
    base = text;
  }
  const draft = { ...base, id, version: 1 };
  if (!(await store.createCampaign({ id, status: 'draft', draft, createdAt: now.toISOString() }))) throw new CampaignError('conflict', `A campaign "${id}" exists already.`, 'id');
  await store.audit({ at: now.toISOString(), actor, action: 'create-campaign', detail: { from: from ?? null }, campaignId: id });
  return (await store.getCampaign(id))!;
}

/** Save a campaign's draft: its id stays the campaign's, its version is the next one. */
export async function saveDraft(store: Store, id: string, document: unknown): Promise<CampaignRecord> {
  const campaign = await requireCampaign(store, id);
  const latest = await latestVersion(store, id);
  const content = parseCampaign({ ...(document as object), id, version: (latest?.version ?? 0) + 1 });
  await store.updateCampaign(campaign.id, { draft: content });
  return (await store.getCampaign(id))!;
}

/** Publish the draft as the next version; refused when there is no draft or it changes nothing. */
export async function publishDraft(store: Store, id: string, actor: Actor, now = new Date()): Promise<number> {
  const campaign = await requireCampaign(store, id);
  if (!campaign.draft) throw new CampaignError('conflict', 'There is no draft to publish.');
  const latest = await latestVersion(store, id);
  if (latest?.content && sameContent(latest.content, campaign.draft)) throw new CampaignError('conflict', 'The draft is the same as the published version: nothing to publish.');
  const version = (latest?.version ?? 0) + 1;
  await publish(store, { ...campaign.draft, id }, version, actor, now.toISOString());
  return version;
}

/**
 * Close (tablets stop offering it at their next contact; what they captured still syncs and
 * counts) or reopen a campaign. A draft that was never published cannot open this way.
 */
export async function setCampaignOpen(store: Store, id: string, open: boolean, actor: Actor, now = new Date()): Promise<void> {
  const campaign = await requireCampaign(store, id);
  if (campaign.status === 'draft') throw new CampaignError('conflict', 'Publish the campaign first.');
  await store.updateCampaign(id, open ? { status: 'open', closedAt: null } : { status: 'closed', closedAt: campaign.closedAt ?? now.toISOString() });
  await store.audit({ at: now.toISOString(), actor, action: open ? 'reopen-campaign' : 'close-campaign', detail: {}, campaignId: id });
}

export async function requireCampaign(store: Store, id: string): Promise<CampaignRecord> {
  const campaign = await store.getCampaign(id);
  if (!campaign) throw new CampaignError('not_found', `There is no campaign "${id}".`);
  return campaign;
}

/** The campaign list's line for one campaign. */
export async function summaryOf(store: Store, campaign: CampaignRecord): Promise<CampaignSummary> {
  const latest = await latestVersion(store, campaign.id);
  const text = latest?.content ?? campaign.draft;
  return {
    id: campaign.id,
    status: campaign.status,
    title: text ? campaignText(text, text.defaultLanguage).title : `${campaign.id} (text not recorded)`,
    goal: campaign.goal,
    startsAt: campaign.startsAt,
    endsAt: campaign.endsAt,
    closedAt: campaign.closedAt,
    latestVersion: latest ? { version: latest.version, hash: latest.hash, publishedAt: latest.publishedAt } : null,
    hasDraft: campaign.draft !== null,
    total: await store.count(campaign.id),
  };
}

export async function detailOf(store: Store, campaign: CampaignRecord): Promise<CampaignDetail> {
  const versions = await store.campaignVersions(campaign.id);
  return {
    ...(await summaryOf(store, campaign)),
    draft: campaign.draft,
    versions: versions.map((v) => ({ version: v.version, hash: v.hash, publishedAt: v.publishedAt, textRecorded: v.content !== null })),
  };
}

/**
 * What a tablet may show (S27): the campaigns its enrollment code named (0.1.0 tablets: the
 * default one), each with its latest published version that has a text, open or closed.
 * Drafts are never sent.
 */
export async function tabletCampaigns(store: Store, device: Pick<Device, 'campaigns'>, defaultCampaignId: string): Promise<TabletCampaigns> {
  const campaigns: TabletCampaigns['campaigns'] = [];
  for (const id of device.campaigns ?? [defaultCampaignId]) {
    const campaign = await store.getCampaign(id);
    if (!campaign || campaign.status === 'draft') continue;
    const latest = (await store.campaignVersions(id)).filter((v) => v.content !== null).at(-1);
    if (!latest) continue;
    campaigns.push({ status: campaign.status, version: { campaignId: id, version: latest.version, hash: latest.hash, publishedAt: latest.publishedAt, content: latest.content } });
  }
  return { defaultCampaignId: (device.campaigns ?? [defaultCampaignId]).includes(defaultCampaignId) ? defaultCampaignId : device.campaigns?.[0], campaigns };
}

/** The content of a campaign's latest published version with a text (what 0.1.0 tablets and the counter read). */
export async function currentContent(store: Store, id: string): Promise<Campaign | undefined> {
  return (await store.campaignVersions(id)).filter((v) => v.content !== null).at(-1)?.content ?? undefined;
}
