/**
 * Many campaigns on one tablet (issue 15, src/db/campaigns.ts and src/sync/campaign-cache.ts):
 * the upgrade from the one cached campaign of schema 3, every version kept, closed campaigns,
 * the volunteer's choice, the sealing key kept per campaign (S22), and what the tablet asks
 * the server and believes of its answers (S26: a hash is kept only when it is the content's).
 */
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { campaignChoices, chooseCampaign, currentOffer, pickCampaign, storeOffer, type OfferedCampaign } from '../../src/db/campaigns.ts';
import { FieldsignDB } from '../../src/db/db.ts';
import { counts, enqueue } from '../../src/db/outbox.ts';
import type { Campaign } from '../../src/shared/campaign.ts';
import { contentHash, type TabletCampaigns } from '../../src/shared/campaigns.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { refreshCampaigns } from '../../src/sync/campaign-cache.ts';
import { SyncEngine } from '../../src/sync/engine.ts';
import { MemoryServer } from '../helpers/memory-server.ts';
import { makeRecord } from '../helpers/records.ts';

const SEALING: NonNullable<Campaign['sealing']> = {
  alg: 'A256GCM+RSA-OAEP-256', keyId: 'K'.repeat(43), publicKeyJwk: { kty: 'RSA', n: 'n'.repeat(40), e: 'AQAB' }, countryInClear: false,
};

/** Version `version` of campaign `id`, with a title that names both. */
function content(id: string, version: number, extra: Partial<Campaign> = {}): Campaign {
  const title = `${id} v${version}`;
  return { ...DEFAULT_CAMPAIGN, id, version, text: { ...DEFAULT_CAMPAIGN.text, en: { ...DEFAULT_CAMPAIGN.text.en!, title } }, ...extra };
}

async function offered(c: Campaign, status: 'open' | 'closed' = 'open'): Promise<OfferedCampaign> {
  return { status, campaignId: c.id, version: c.version, hash: await contentHash(c), content: c };
}

const titleOf = async (db: FieldsignDB) => {
  const offer = await currentOffer(db);
  return offer?.campaign ? offer.campaign.text.en!.title : offer && `none (${offer.lang})`;
};

let db: FieldsignDB;
beforeEach(() => {
  db = new FieldsignDB(`campaigns-${crypto.randomUUID()}`);
});
afterEach(async () => {
  vi.unstubAllGlobals();
  db.close();
  await Dexie.delete(db.name);
});

/** The database exactly as schema version 3 shipped it (release 0.1.0 and after). */
class FieldsignDBv3 extends Dexie {
  constructor(name: string) {
    super(name);
    this.version(1).stores({ outbox: '++seq, &id, [state+seq]', meta: 'key' });
    this.version(2).stores({ outbox: '++seq, &id, [state+seq], [state+day], purgeAt' });
    this.version(3).stores({ chain: '[device+seq], &id' });
  }
}

describe('the upgrade from one cached campaign (schema 3 → 4)', () => {
  it('makes the cached campaign the first version and campaign, without a hash, and keeps every pending record', async () => {
    db.close();
    await Dexie.delete(db.name);
    const old = new FieldsignDBv3(db.name);
    const cached = content('water', 7, { sealing: SEALING });
    const records = Array.from({ length: 20 }, () => makeRecord({ campaignId: 'water', campaignVersion: 7 }));
    await old.table('outbox').bulkAdd(records.map((record) => ({ id: record.id, state: 'pending', record, bytes: 100, day: '2026-11-23', attempts: 0 })));
    await old.table('meta').bulkPut([
      { key: 'campaign', value: cached },
      { key: 'enrollment', value: { deviceId: 'device-test', token: 't', event: 'Rally', enrolledAt: 1 } },
    ]);
    old.close();

    db = new FieldsignDB(db.name);
    await db.open();
    expect(db.verno).toBe(4);
    // The copy may hold a key kept from an earlier copy (S22): not provably the published text, so no hash.
    expect(await db.versions.toArray()).toEqual([expect.objectContaining({ campaignId: 'water', version: 7, hash: null, content: cached })]);
    expect(await db.campaigns.toArray()).toEqual([{ id: 'water', allowed: true, status: 'open', version: 7, position: 0, sealing: SEALING }]);
    expect(await db.meta.get('campaign')).toBeUndefined();
    expect(await currentOffer(db)).toEqual({ campaign: cached });

    expect(await counts(db)).toEqual({ pending: 20, quarantined: 0, synced: 0 });
    expect((await db.outbox.orderBy('seq').toArray()).map((r) => r.record)).toEqual(records);
    const server = new MemoryServer();
    const engine = new SyncEngine({ db, transport: server, credentials: () => server.credentials(), withLock: (fn) => fn() });
    await engine.syncNow();
    expect(await server.store.count()).toBe(20);
    engine.stop();
    await server.close();
  });

  it('does not carry over a cached copy that fails validation (it was never shown)', async () => {
    db.close();
    await Dexie.delete(db.name);
    const old = new FieldsignDBv3(db.name);
    await old.table('meta').put({ key: 'campaign', value: { ...content('water', 7), languages: [] } });
    old.close();
    db = new FieldsignDB(db.name);
    expect(await db.versions.count()).toBe(0);
    expect(await currentOffer(db)).toBeUndefined();
  });
});

describe('versions on the tablet', () => {
  it('keeps every version received, shows the current one with its hash, and never deletes a version', async () => {
    await storeOffer(db, { defaultCampaignId: 'water', campaigns: [await offered(content('water', 1))] });
    await storeOffer(db, { defaultCampaignId: 'water', campaigns: [await offered(content('water', 2))] });
    // Removed from this tablet's list: not offered any more, but its versions stay.
    await storeOffer(db, { defaultCampaignId: 'air', campaigns: [await offered(content('air', 1))] });
    const held = await db.versions.toArray();
    expect(held.map((v) => [v.campaignId, v.version])).toEqual([['air', 1], ['water', 1], ['water', 2]]);
    expect(held.find((v) => v.version === 2)!.hash).toBe(await contentHash(content('water', 2)));
    expect(await titleOf(db)).toBe('air v1');
    expect((await campaignChoices(db)).map((c) => c.id)).toEqual(['air']);
  });

  it('a campaign whose text the tablet never received is not shown; one whose text it already holds is', async () => {
    await storeOffer(db, { campaigns: [{ status: 'open', campaignId: 'water', version: 3, hash: null, content: null }] });
    expect(await currentOffer(db)).toEqual({ campaign: null, lang: 'en' });
    await storeOffer(db, { campaigns: [await offered(content('water', 3))] });
    await storeOffer(db, { campaigns: [{ status: 'open', campaignId: 'water', version: 3, hash: null, content: null }] });
    expect(await titleOf(db)).toBe('water v3');
  });

  it('S22: keeps sealing a campaign whose later version lacks the key, takes a new key, and never lends a key to another campaign', async () => {
    await storeOffer(db, { campaigns: [await offered(content('water', 1, { sealing: SEALING })), await offered(content('air', 1))] });
    await storeOffer(db, { campaigns: [await offered(content('water', 2)), await offered(content('air', 1))] });
    const offer = await currentOffer(db);
    expect(offer?.campaign?.version).toBe(2);
    expect(offer?.campaign?.sealing).toEqual(SEALING);
    // The version is stored as received: keeping the key does not alter the text its hash proves.
    expect((await db.versions.get(['water', 2]))!.content.sealing).toBeUndefined();
    await chooseCampaign(db, 'air');
    expect((await currentOffer(db))?.campaign?.sealing).toBeUndefined();
    const rotated = { ...SEALING, keyId: 'R'.repeat(43) };
    await storeOffer(db, { campaigns: [await offered(content('water', 3, { sealing: rotated })), await offered(content('air', 1))] });
    await storeOffer(db, { campaigns: [await offered(content('water', 4)), await offered(content('air', 1))] });
    await chooseCampaign(db, 'water');
    expect((await currentOffer(db))?.campaign?.sealing?.keyId).toBe('R'.repeat(43));
  });
});

describe('the volunteer’s choice and closed campaigns', () => {
  const both = async (water: 'open' | 'closed', air: 'open' | 'closed') =>
    storeOffer(db, { defaultCampaignId: 'water', campaigns: [await offered(content('water', 1), water), await offered(content('air', 2), air)] });

  it('shows the default until the volunteer chooses, and the choice survives a reload', async () => {
    await both('open', 'open');
    expect(await titleOf(db)).toBe('water v1');
    await chooseCampaign(db, 'air');
    db.close();
    db = new FieldsignDB(db.name);
    expect(await titleOf(db)).toBe('air v2');
    expect((await campaignChoices(db)).map((c) => [c.id, c.status, c.next])).toEqual([['water', 'open', false], ['air', 'open', true]]);
  });

  it('a closed campaign is not offered: the kiosk falls back to another open one, or to the notice, and pending signatures stay', async () => {
    await both('open', 'open');
    await chooseCampaign(db, 'air');
    for (let i = 0; i < 3; i++) await enqueue(db, makeRecord({ campaignId: 'air', campaignVersion: 2 }));
    await both('open', 'closed');
    expect(await titleOf(db)).toBe('water v1');
    expect((await campaignChoices(db)).map((c) => [c.id, c.status, c.next])).toEqual([['water', 'open', true], ['air', 'closed', false]]);
    await both('closed', 'closed');
    expect(await currentOffer(db)).toEqual({ campaign: null, lang: 'en' });
    expect(await counts(db)).toEqual({ pending: 3, quarantined: 0, synced: 0 });
    // Reopened: the volunteer's choice stands again.
    await both('closed', 'open');
    expect(await titleOf(db)).toBe('air v2');
  });

  it('the notice speaks the default campaign’s language', async () => {
    const fr = content('eau', 1, { languages: ['fr', 'en'], defaultLanguage: 'fr', text: { fr: DEFAULT_CAMPAIGN.text.fr!, en: DEFAULT_CAMPAIGN.text.en! } });
    await storeOffer(db, { defaultCampaignId: 'eau', campaigns: [await offered(fr, 'closed')] });
    expect(await currentOffer(db)).toEqual({ campaign: null, lang: 'fr' });
  });

  it('pickCampaign: the choice while open and allowed, else the default, else the first open in order', () => {
    const row = (id: string, position: number, status: 'open' | 'closed' = 'open', allowed = true) => ({ id, position, status, allowed });
    const rows = [row('c', 2), row('a', 0, 'closed'), row('b', 1), row('d', 3, 'open', false)];
    expect(pickCampaign(rows, 'c', 'b')).toBe('c');
    expect(pickCampaign(rows, 'a', 'b')).toBe('b');
    expect(pickCampaign(rows, 'd', 'a')).toBe('b');
    expect(pickCampaign(rows, undefined, undefined)).toBe('b');
    expect(pickCampaign([row('a', 0, 'closed')], 'a', 'a')).toBeUndefined();
  });
});

describe('what the tablet asks the server (refreshCampaigns)', () => {
  /** Answer fetches by path; records what was asked with which Authorization. */
  function serve(routes: Record<string, () => Response>): string[] {
    const asked: string[] = [];
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      const path = new URL(url, 'http://tablet').pathname;
      asked.push(`${path} ${(init?.headers as Record<string, string> | undefined)?.authorization ?? '-'}`);
      const route = routes[path];
      return route ? route() : new Response('{}', { status: 404 });
    });
    return asked;
  }
  const json = (body: unknown, status = 200) => () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const wire = async (c: Campaign, status: 'open' | 'closed' = 'open', hash?: string | null): Promise<TabletCampaigns['campaigns'][number]> => ({
    status, version: { campaignId: c.id, version: c.version, hash: hash === undefined ? await contentHash(c) : hash, publishedAt: '2026-11-01T10:00:00.000Z', content: c },
  });

  it('asks /api/v1/campaigns with the device token, keeps a hash that matches and drops one that does not', async () => {
    const asked = serve({
      '/api/v1/campaigns': json({ defaultCampaignId: 'water', campaigns: [await wire(content('water', 1)), await wire(content('air', 1), 'open', 'x'.repeat(43))] }),
    });
    expect(await refreshCampaigns(db, 'secret-token')).toBe(true);
    expect(asked).toEqual(['/api/v1/campaigns Bearer secret-token']);
    expect((await db.versions.get(['water', 1]))!.hash).toBe(await contentHash(content('water', 1)));
    expect((await db.versions.get(['air', 1]))!.hash).toBeNull();
  });

  it('falls back to /api/v1/campaign on a 0.1.0 server (404), with the hash of exactly what it shows', async () => {
    const asked = serve({ '/api/v1/campaign': json(content('water', 5)) });
    expect(await refreshCampaigns(db, 'secret-token')).toBe(true);
    expect(asked).toEqual(['/api/v1/campaigns Bearer secret-token', '/api/v1/campaign -']);
    expect(await currentOffer(db)).toEqual({ campaign: content('water', 5), hash: await contentHash(content('water', 5)) });
  });

  it('claims no hash for a legacy document the schema changed (trimmed text), and asks an unenrolled tablet’s legacy route only', async () => {
    const untrimmed = content('water', 5);
    const asked = serve({ '/api/v1/campaign': json({ ...untrimmed, text: { ...untrimmed.text, en: { ...untrimmed.text.en!, title: '  water v5  ' } } }) });
    expect(await refreshCampaigns(db, undefined)).toBe(true);
    expect(asked).toEqual(['/api/v1/campaign -']);
    // Shown trimmed, as the schema made it; no hash claimed for it.
    expect(await currentOffer(db)).toEqual({ campaign: untrimmed });
  });

  it('changes nothing when the token is refused, the answer is invalid, or the server cannot be reached', async () => {
    await storeOffer(db, { defaultCampaignId: 'water', campaigns: [await offered(content('water', 1))] });
    const before = JSON.stringify([await db.campaigns.toArray(), await db.versions.toArray()]);
    serve({ '/api/v1/campaigns': json({ error: { code: 'device_revoked', message: 'Revoked.' } }, 401), '/api/v1/campaign': json(content('other', 1)) });
    expect(await refreshCampaigns(db, 'revoked-token')).toBe(false);
    serve({ '/api/v1/campaigns': json({ campaigns: [{ status: 'open', version: { campaignId: 'water' } }] }) });
    expect(await refreshCampaigns(db, 'token')).toBe(false);
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    expect(await refreshCampaigns(db, 'token')).toBe(false);
    expect(JSON.stringify([await db.campaigns.toArray(), await db.versions.toArray()])).toBe(before);
  });

  it('does not show a content filed under another campaign or version than it claims', async () => {
    const asked = serve({ '/api/v1/campaigns': json({ campaigns: [{ ...(await wire(content('water', 2))), version: { ...(await wire(content('water', 2))).version, version: 3 } }] }) });
    expect(await refreshCampaigns(db, 'token')).toBe(true);
    expect(asked.length).toBe(1);
    expect(await db.versions.count()).toBe(0);
    expect(await currentOffer(db)).toEqual({ campaign: null, lang: 'en' });
  });
});
