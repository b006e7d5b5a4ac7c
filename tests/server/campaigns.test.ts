/**
 * Many campaigns on one server (S26, S27), through the real HTTP app on a temporary SQLite
 * file: published versions never change, whatever route or command is tried; every signature
 * is checked against the version it names and kept whatever the verdict; contacts never cross
 * campaigns; a closed campaign still takes what tablets captured; tablets are told only their
 * own campaigns.
 */
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCampaign } from '../../server/campaigns.ts';
import type { Campaign } from '../../src/shared/campaign.ts';
import { contentHash, type CampaignDetail, type TabletCampaigns } from '../../src/shared/campaigns.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import type { SignatureRecord } from '../../src/shared/protocol.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';
import { batchOf, makeRecord, withSigner } from '../helpers/records.ts';
import { addAccount, signIn } from '../helpers/accounts.ts';


const PASSWORD = 'a long enough passphrase, 2026';
let server: TestServer;
let session: { cookie: string; csrf: string };

const WATER: Campaign = {
  ...DEFAULT_CAMPAIGN,
  id: 'clean-water',
  text: { ...DEFAULT_CAMPAIGN.text, en: { ...DEFAULT_CAMPAIGN.text.en!, title: 'Clean water for every village', demands: ['Pipe clean water to every village by 2030.'] } },
};

async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T };
}

async function sync(device: { deviceId: string; token: string }, records: SignatureRecord[]) {
  const res = await fetch(`${server.url}/api/v1/batches`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${device.token}` },
    body: JSON.stringify(batchOf(records, device.deviceId)),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { results: Array<{ status: string }> }).results.map((r) => r.status);
}

/** A plain record of `campaign` as a tablet of today sends it: with the version's hash. */
async function recordOf(campaign: Campaign, deviceId: string, signer: { name: string; email: string; optIn: boolean }): Promise<SignatureRecord> {
  const base = withSigner(makeRecord({ deviceId, name: signer.name, email: signer.email }), { optIn: signer.optIn });
  return { ...base, campaignId: campaign.id, campaignVersion: campaign.version, campaignHash: await contentHash(campaign), lang: 'en' };
}

beforeAll(async () => {
  server = await startTestServer();
  const ana = await addAccount(server.store, { email: 'ana@example.org', name: 'Ana', password: PASSWORD });
  const { cookie, csrfToken } = await signIn(server.url, ana);
  session = { cookie, csrf: csrfToken };
  // A second campaign, published from the console: create, draft, publish.
  expect((await api('POST', '/api/console/campaigns', { id: 'clean-water' })).status).toBe(201);
  expect((await api('PUT', '/api/console/campaigns/clean-water/draft', { content: WATER })).status).toBe(200);
  expect((await api('POST', '/api/console/campaigns/clean-water/publish')).status).toBe(200);
  // And its version 2, so that every test below finds two versions, whichever runs alone.
  const v2 = { ...WATER, text: { ...WATER.text, en: { ...WATER.text.en!, demands: ['Pipe clean water to every village by 2028.'] } } };
  expect((await api('PUT', '/api/console/campaigns/clean-water/draft', { content: v2 })).status).toBe(200);
  expect((await api('POST', '/api/console/campaigns/clean-water/publish')).status).toBe(200);
});
afterAll(async () => {
  await server?.close();
});

describe('campaigns on one server', () => {
  it('a new database starts with the defenders campaign published and open; the new one keeps both its versions', async () => {
    const { body } = await api<{ campaigns: CampaignDetail[] }>('GET', '/api/console/campaigns');
    expect(body.campaigns.slice(0, 2).map((c) => [c.id, c.status])).toEqual([
      ['protect-defenders', 'open'],
      ['clean-water', 'open'],
    ]);
    expect(body.campaigns[0].latestVersion?.version).toBe(1);
    expect((await server.store.campaignVersion('clean-water', 2))?.content?.text.en?.demands).toEqual(['Pipe clean water to every village by 2028.']);
    const v1 = await server.store.campaignVersion('clean-water', 1);
    expect(v1?.hash).toBe(await contentHash({ ...WATER, version: 1 }));
    expect(v1?.content?.text.en?.title).toBe('Clean water for every village');
  });

  it('no route and no command can change a published version', async () => {
    const before = await server.store.campaignVersions('clean-water');
    const latest = before.at(-1)!;
    // Publishing the latest text again: nothing to publish.
    expect((await api('PUT', '/api/console/campaigns/clean-water/draft', { content: latest.content })).status).toBe(200);
    expect((await api<{ error: { message: string } }>('POST', '/api/console/campaigns/clean-water/publish')).status).toBe(409);
    // A draft naming version 1 with another text would become the next version; version 1 stays as it was.
    const changed = { ...WATER, version: 1, text: { ...WATER.text, en: { ...WATER.text.en!, title: `Clean water, now (${randomUUID()})` } } };
    const saved = await api<CampaignDetail>('PUT', '/api/console/campaigns/clean-water/draft', { content: changed });
    expect(saved.body.draft?.version).toBe(latest.version + 1);
    await api('PUT', '/api/console/campaigns/clean-water/draft', { content: latest.content });
    // Settings, closing and reopening touch the campaign, not its versions.
    for (const [method, path, body] of [
      ['PATCH', '/api/console/campaigns/clean-water', { goal: 1000 }],
      ['POST', '/api/console/campaigns/clean-water/close', undefined],
      ['POST', '/api/console/campaigns/clean-water/reopen', undefined],
      ['PUT', '/api/console/campaigns/clean-water/versions/1', { content: changed }],
      ['DELETE', '/api/console/campaigns/clean-water/versions/1', undefined],
      ['POST', '/api/console/campaigns', { id: 'clean-water' }],
    ] as const) {
      await api(method, path, body);
    }
    expect(await server.store.campaignVersions('clean-water')).toEqual(before);
    // A file import with version 1 and another text is published as the next version.
    const file = join(server.dbPath, '..', 'water-changed.json');
    writeFileSync(file, JSON.stringify({ ...changed, id: 'clean-water' }));
    const said = execFileSync('node_modules/.bin/node', ['server/cli.ts', 'campaign', 'import', file, '--db', server.dbPath], { encoding: 'utf8' });
    expect(said).toMatch(new RegExp(`published as version ${latest.version + 1}`));
    const after = await server.store.campaignVersions('clean-water');
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.map((v) => v.version)).toEqual([...before.map((v) => v.version), latest.version + 1]);
    // And the database itself refuses an UPDATE or DELETE of a published version.
    const db = (server.store as unknown as { db: { run(sql: string, params?: unknown[]): Promise<number> } }).db;
    await expect(db.run("UPDATE campaign_versions SET content = '{}' WHERE campaign_id = 'clean-water' AND version = 1")).rejects.toThrow(/cannot be changed/);
    await expect(db.run("DELETE FROM campaign_versions WHERE campaign_id = 'clean-water'")).rejects.toThrow(/cannot be deleted/);
    expect(await server.store.campaignVersions('clean-water')).toEqual(after);
  });

  it('S27: a tablet is told only its own campaigns, each with its current version and hash, drafts never', async () => {
    await api('POST', '/api/console/campaigns', { id: 'draft-only' });
    expect((await server.store.getCampaign('draft-only'))?.status).toBe('draft');
    const both = await server.enroll('Two-campaign rally', ['protect-defenders', 'clean-water']);
    const one = await server.enroll('Defenders rally');
    const told = async (device: { token: string }) =>
      (await (await fetch(`${server.url}/api/v1/campaigns`, { headers: { authorization: `Bearer ${device.token}` } })).json()) as TabletCampaigns;
    const forBoth = await told(both);
    const latestWater = (await server.store.campaignVersions('clean-water')).at(-1)!.version;
    expect(forBoth.campaigns.map((c) => [c.version.campaignId, c.status, c.version.version])).toEqual([
      ['protect-defenders', 'open', 1],
      ['clean-water', 'open', latestWater],
    ]);
    for (const c of forBoth.campaigns) expect(c.version.hash).toBe(await contentHash(c.version.content!));
    expect((await told(one)).campaigns.map((c) => c.version.campaignId)).toEqual(['protect-defenders']);
    // A code cannot name a draft.
    expect((await api('POST', '/api/console/codes', { event: 'X', campaigns: ['draft-only'] })).status).toBe(400);
    // Closed: still told, as closed, so the tablet stops offering it.
    await api('POST', '/api/console/campaigns/clean-water/close');
    expect((await told(both)).campaigns.find((c) => c.version.campaignId === 'clean-water')?.status).toBe('closed');
    await api('POST', '/api/console/campaigns/clean-water/reopen');
    expect((await fetch(`${server.url}/api/v1/campaigns`)).status).toBe(401);
  });

  it('S26: records of an unknown campaign or version, or with another hash, are kept, flagged and counted', async () => {
    const tablet = await server.enroll('Offline rally', ['clean-water']);
    const v2 = (await server.store.campaignVersion('clean-water', 2))!.content!;
    const good = await recordOf(v2, tablet.deviceId, { name: 'Good Hash', email: 'good@example.org', optIn: false });
    const unknownVersion = { ...(await recordOf(v2, tablet.deviceId, { name: 'Version Nine', email: 'v9@example.org', optIn: false })), campaignVersion: 9 };
    const mismatch = { ...(await recordOf(v2, tablet.deviceId, { name: 'Other Text', email: 'other@example.org', optIn: false })), campaignHash: 'A'.repeat(43) };
    const unknownCampaign = { ...(await recordOf(v2, tablet.deviceId, { name: 'Nowhere', email: 'nowhere@example.org', optIn: false })), campaignId: 'never-published' };
    const oldTablet = { ...(await recordOf(v2, tablet.deviceId, { name: 'No Hash', email: 'nohash@example.org', optIn: false })), campaignHash: undefined };
    expect(await sync(tablet, [good, unknownVersion, mismatch, unknownCampaign, oldTablet])).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'accepted']);
    const problem = async (r: SignatureRecord) => (await server.store.getSignature(r.id))?.versionProblem;
    expect([await problem(good), await problem(unknownVersion), await problem(mismatch), await problem(unknownCampaign), await problem(oldTablet)]).toEqual([
      null,
      'unknown-version',
      'hash-mismatch',
      'unknown-campaign',
      null,
    ]);
    expect(await server.store.campaignCounts('clean-water', 'problem')).toEqual([
      { key: 'hash-mismatch', count: 1 },
      { key: 'unknown-version', count: 1 },
    ]);
    const flagged = await api<{ rows: Array<{ id: string; versionProblem: string }> }>('GET', '/api/console/signatures?campaign=clean-water&problems=1');
    expect(flagged.body.rows.map((r) => [r.id, r.versionProblem]).sort()).toEqual([
      [mismatch.id, 'hash-mismatch'],
      [unknownVersion.id, 'unknown-version'],
    ].sort());
    expect((await api<{ total: number }>('GET', '/api/console/totals?campaign=never-published')).body.total).toBe(1);
    // The hand-in lists them apart, under no petition text: never under a version's words they may not have seen.
    const res = await fetch(`${server.url}/api/console/export/handin.pdf?campaign=clean-water`, { headers: { cookie: session.cookie } });
    const file = join(server.dbPath, '..', 'flagged.pdf');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const pages = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).split('\f').map((p) => p.replace(/\s+/g, ' '));
    const apart = pages.filter((p) => p.includes('signatures matching no published text'));
    const listed = pages.filter((p) => !p.includes('signatures matching no published text'));
    expect(apart.join(' ')).toContain('Version Nine');
    expect(apart.join(' ')).toContain('Other Text');
    expect(apart.join(' ')).not.toContain(v2.text.en!.title);
    expect(listed.join(' ')).not.toContain('Version Nine');
    expect(listed.join(' ')).not.toContain('Other Text');
    expect(listed.join(' ')).toContain('Good Hash');
  });

  it('restarting with the same campaign file never publishes its text again over what the console published since', async () => {
    const before = await server.store.campaignVersions('clean-water');
    // The file the campaign started from (version 1's text), imported again as a server start does.
    expect((await importCampaign(server.store, { ...WATER, version: 1 }, 'server (startup)')).kind).toBe('unchanged');
    expect(await server.store.campaignVersions('clean-water')).toEqual(before);
  });

  it("a deletion is audited under the signature's own campaign, whichever campaign the console shows", async () => {
    const tablet = await server.enroll('Audit rally', ['clean-water']);
    const v2 = (await server.store.campaignVersion('clean-water', 2))!.content!;
    const record = await recordOf(v2, tablet.deviceId, { name: 'Asked To Be Forgotten', email: 'forget@example.org', optIn: false });
    expect(await sync(tablet, [record])).toEqual(['accepted']);
    expect((await api('DELETE', `/api/console/signatures/${record.id}`)).status).toBe(204);
    const audit = async (campaign: string) => (await api<{ entries: Array<{ action: string; detail: { id?: string } }> }>('GET', `/api/console/audit?campaign=${campaign}`)).body.entries;
    expect((await audit('clean-water')).some((e) => e.action === 'delete-signature' && e.detail.id === record.id)).toBe(true);
    expect((await audit('protect-defenders')).some((e) => e.action === 'delete-signature' && e.detail.id === record.id)).toBe(false);
  });

  it('S3, S27: a closed campaign still takes what tablets captured, marked when captured after the close', async () => {
    const tablet = await server.enroll('Late rally', ['clean-water']);
    const v2 = (await server.store.campaignVersion('clean-water', 2))!.content!;
    await api('POST', '/api/console/campaigns/clean-water/close');
    const closedAt = (await server.store.getCampaign('clean-water'))!.closedAt!;
    const before = { ...(await recordOf(v2, tablet.deviceId, { name: 'Before Close', email: 'before@example.org', optIn: false })), capturedAt: new Date(Date.parse(closedAt) - 60_000).toISOString() };
    const after = { ...(await recordOf(v2, tablet.deviceId, { name: 'After Close', email: 'after@example.org', optIn: false })), capturedAt: new Date(Date.parse(closedAt) + 60_000).toISOString() };
    expect(await sync(tablet, [before, after])).toEqual(['accepted', 'accepted']);
    const rows = (await api<{ rows: Array<{ id: string; capturedAfterClose: boolean }> }>('GET', '/api/console/signatures?campaign=clean-water&q=close')).body.rows;
    expect(Object.fromEntries(rows.map((r) => [r.id, r.capturedAfterClose]))).toEqual({ [before.id]: false, [after.id]: true });
    await api('POST', '/api/console/campaigns/clean-water/reopen');
  });

  it("contacts never cross campaigns: each campaign's contact list holds only its own opted-in signers", async () => {
    const tablet = await server.enroll('Both', ['protect-defenders', 'clean-water']);
    const defenders = await server.store.campaignVersion('protect-defenders', 1);
    const water = await server.store.campaignVersion('clean-water', 2);
    const forDefenders = await recordOf(defenders!.content!, tablet.deviceId, { name: 'Defender Contact', email: 'defender@example.org', optIn: true });
    const forWater = await recordOf(water!.content!, tablet.deviceId, { name: 'Water Contact', email: 'water@example.org', optIn: true });
    // The same person in both campaigns is not a duplicate: duplicates are judged within one campaign.
    const sameInBoth = [
      await recordOf(defenders!.content!, tablet.deviceId, { name: 'Both Campaigns', email: 'both@example.org', optIn: true }),
      await recordOf(water!.content!, tablet.deviceId, { name: 'Both Campaigns', email: 'both@example.org', optIn: false }),
    ];
    expect(await sync(tablet, [forDefenders, forWater, ...sameInBoth])).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    const emails = async (campaign: string) => {
      const { body } = await api<string>('GET', `/api/console/export/contacts.csv?campaign=${campaign}`);
      return (parseCsv(body, { columns: true, bom: true }) as Array<Record<string, string>>).map((r) => [r.Email, r.Campaign]);
    };
    const defendersEmails = await emails('protect-defenders');
    const waterEmails = await emails('clean-water');
    expect(defendersEmails).toContainEqual(['defender@example.org', 'protect-defenders']);
    expect(defendersEmails).toContainEqual(['both@example.org', 'protect-defenders']);
    expect(defendersEmails.every(([, c]) => c === 'protect-defenders')).toBe(true);
    expect(waterEmails).toEqual([['water@example.org', 'clean-water']]);
    expect(await server.store.duplicateIds(sameInBoth.map((r) => r.id))).toEqual(new Set());
    // Totals and the public counter are per campaign too.
    const count = async (campaign: string) => ((await (await fetch(`${server.url}/api/public/count?campaign=${campaign}`)).json()) as { total: number }).total;
    expect(await count('clean-water')).toBe(await server.store.count('clean-water'));
    expect((await count('protect-defenders')) + (await count('clean-water')) + (await count('never-published'))).toBe(await server.store.count());
  });
});
