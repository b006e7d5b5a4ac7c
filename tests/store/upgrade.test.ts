/**
 * Upgrade in place: a database written by release 0.1.0's own store code (kept verbatim in
 * tests/fixtures/store-0.1.0), on SQLite and on PostgreSQL, is opened by today's store, which
 * migrates it at startup. Every signature, conflict, tombstone, device, code and audit row
 * must read back exactly as the old release read it (its coordinators become owners without
 * the personal-data permission, and its sessions end: #19), and the new
 * indexes (keys, flags, counters, search) must hold for the old rows as for new ones. Its
 * campaign versions are found in its signatures, their text taken only from a file whose id
 * and version match, and the hand-in says "text not recorded" for the others.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importCampaign } from '../../server/campaigns.ts';
import { campaignSections, writePdf } from '../../server/exports/pdf.ts';
import { recordHash } from '../../server/ingest.ts';
import { contentHash } from '../../src/shared/campaigns.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { PostgresStore } from '../../server/store/postgres.ts';
import { SCHEMA_VERSION } from '../../server/store/schema.ts';
import { SqliteStore } from '../../server/store/sqlite.ts';
import type { Store } from '../../server/store/store.ts';
import { createDuplicateFinder } from '../../src/shared/duplicates.ts';
import type { SignatureRecord } from '../../src/shared/protocol.ts';
import { nextChain, type RecordChain } from '../../src/shared/chain.ts';
import { PostgresStore as PostgresStore010 } from '../fixtures/store-0.1.0/postgres.ts';
import { SqliteStore as SqliteStore010 } from '../fixtures/store-0.1.0/sqlite.ts';
import type { Store as Store010 } from '../fixtures/store-0.1.0/store.ts';
import { makeRecord, withSigner } from '../helpers/records.ts';
import { pgTestSchema } from './postgres-schema.ts';

const T0 = '2026-11-24T09:15:00.000Z';
const T1 = '2026-11-24T11:40:00.000Z';
const FAR = '2099-01-01T00:00:00.000Z';
const item = (record: SignatureRecord) => ({ record, hash: recordHash(record), clockSuspect: false });

/** What 0.1.0 wrote: tablets, signatures of every kind, a conflict, a deletion, the console's accounts. */
async function seedAsRelease010(old: Store010): Promise<{ plain: SignatureRecord[]; sessions: string[]; deleted: SignatureRecord }> {
  await old.createEnrollmentCode({ codeHash: 'code-a', event: 'Nairobi march', createdAt: T0, expiresAt: FAR });
  await old.createEnrollmentCode({ codeHash: 'code-b', event: 'Lyon rally', createdAt: T0, expiresAt: FAR });
  await old.createEnrollmentCode({ codeHash: 'code-unused', event: 'Later', createdAt: T0, expiresAt: FAR });
  const a = await old.redeemEnrollmentCode('code-a', T0, { id: 'tablet-a', tokenHash: 'token-a', label: 'Tablet A' });
  const b = await old.redeemEnrollmentCode('code-b', T0, { id: 'tablet-b', tokenHash: 'token-b', label: null });
  if (!a.ok || !b.ok) throw new Error('enrollment failed');
  await old.reportDevice('tablet-a', { pending: 2, quarantined: 0, at: T1, persisted: true, erased: 3, appVersion: '0.1.0' });
  await old.touchDevice('tablet-a', T1);
  await old.revokeDevice('tablet-b', T1);

  const chained: SignatureRecord[] = [];
  let head: RecordChain | undefined;
  for (let i = 0; i < 3; i++) {
    const record = makeRecord({ deviceId: 'tablet-a', name: `Chained Signer ${i}` });
    const withChain = { ...record, chain: await nextChain(record, head) };
    head = withChain.chain;
    chained.push(withChain);
  }
  const plain = [
    makeRecord({ deviceId: 'tablet-a', name: 'Zoë  Smith', email: 'zoe@example.org' }),
    makeRecord({ deviceId: 'tablet-a', name: 'zoe\u0308 smith', email: 'zoe.smith@example.org' }),
    withSigner(makeRecord({ deviceId: 'tablet-b', name: 'Bo Li', email: 'bo@example.org' }), { country: undefined }),
    withSigner(makeRecord({ deviceId: 'tablet-b', name: 'BO LI', email: 'BO@example.org ' }), { country: 'CN' }),
    withSigner(makeRecord({ deviceId: 'tablet-b', name: 'محمد الأحمد', email: 'mohamed@example.org' }), { country: 'EG' }),
    makeRecord({ deviceId: 'imported-tablet', name: 'Imported One' }),
    // Signed under a version 2 this server never kept the text of (another file, served once).
    { ...makeRecord({ deviceId: 'tablet-a', name: 'Under Version Two' }), campaignVersion: 2 },
    ...chained,
  ];
  const sealed: SignatureRecord = {
    ...makeRecord({ deviceId: 'tablet-a' }),
    country: 'KE',
    payload: { kind: 'sealed', alg: 'RSA-OAEP-256+A256GCM', keyId: 'k1', wrappedKey: 'AAAA', iv: 'BBBB', ciphertext: 'CCCC' },
  };
  await old.ingest(plain.slice(0, 3).map(item), T0, 'sync');
  await old.ingest([...plain.slice(3, 5), ...chained, sealed].map(item), T1, 'sync');
  await old.ingest([item(plain[5])], T1, 'import');
  await old.ingest([item(plain[6])], T1, 'sync');
  // A conflicting copy, then a deletion on a data-subject request (with its chain place).
  // Resent three times, as 0.1.0 stored it each time, beside a second, different copy: four rows
  // that version 10 folds into the two distinct copies (F15).
  const conflicting = withSigner(plain[0], { name: 'Zoë Smith-Other' });
  for (let resend = 0; resend < 3; resend++) await old.ingest([item(conflicting)], T1, 'sync');
  await old.ingest([item(withSigner(plain[0], { name: 'Zoë Smith-Third' }))], T1, 'sync');
  await old.deleteSignature(chained[1].id, T1);

  await old.createCoordinator({ id: 'c1', email: 'ana@example.org', name: 'Ana', passwordHash: 'scrypt$hash', createdAt: T0 });
  await old.createSession({ idHash: 'session-1', coordinatorId: 'c1', csrfToken: 'csrf-1', createdAt: T0, expiresAt: FAR });
  await old.createSession({ idHash: 'session-2', coordinatorId: 'c1', csrfToken: 'csrf-2', createdAt: T1, expiresAt: FAR });
  await old.audit({ at: T0, actor: 'cli (root)', action: 'create-coordinator', detail: { email: 'ana@example.org' } });
  await old.audit({ at: T1, actor: 'ana@example.org', action: 'delete-signature', detail: { id: chained[1].id, nested: { list: [1, null, 'é'] } } });
  return { plain: [...plain, sealed].filter((r) => r.id !== chained[1].id), sessions: ['session-1', 'session-2'], deleted: chained[1] };
}

/** Everything a store can tell about its contents, through the API both releases share. */
async function everything(store: Store | Store010, sessions: string[]) {
  // A tablet enrolled by 0.1.0 may show the default campaign: `campaigns: null`, which 0.1.0 did not have.
  const withCampaigns = <T extends object | undefined>(d: T) => (d === undefined ? d : { campaigns: null, ...d });
  return {
    // Upgraded signatures are attached to the versions they name: none is flagged (versionProblem
    // is new), and none is set aside (setAside is newer still).
    signatures: (await store.list({ limit: -1 })).map((row) => ({ versionProblem: null, setAside: null, ...row })),
    count: await store.count(),
    conflicts: await store.conflictCount(),
    totals: await store.totals(),
    devices: (await store.listDevices()).map(withCampaigns),
    tokens: [withCampaigns(await store.deviceByTokenHash('token-a')), withCampaigns(await store.deviceByTokenHash('token-b'))],
    places: await store.deletedChainPlaces(),
    coordinator: await store.coordinatorByEmail('ana@example.org'),
    sessions: await Promise.all(sessions.map((s) => store.sessionByIdHash(s, T1))),
    audit: await store.auditLog(1000),
  };
}

async function checkUpgrade(old: Store010, reopen: () => Promise<Store>, dir: string): Promise<void> {
  const seeded = await seedAsRelease010(old);
  const before = await everything(old, seeded.sessions);
  await old.close();
  expect(before.count).toBe(seeded.plain.length);

  const store = await reopen();
  try {
    expect(await (store as SqliteStore).schemaVersion()).toBe(SCHEMA_VERSION);
    const after = await everything(store, seeded.sessions);
    expect(before.conflicts).toBe(4);
    expect(after.conflicts).toBe(2);
    // The accounts change on purpose (#19): each coordinator becomes an owner without the
    // permission to export personal data (an owner grants it, with two-factor sign-in), and
    // every session ends, so that everyone signs in again under the new checks.
    expect(before.coordinator).toEqual({ id: 'c1', email: 'ana@example.org', name: 'Ana', passwordHash: 'scrypt$hash' });
    expect(after.coordinator).toEqual({ ...before.coordinator, role: 'owner', campaigns: [], mayExportPersonalData: false, twoFactorOn: false });
    expect(before.sessions.every((s) => s?.coordinator.email === 'ana@example.org')).toBe(true);
    expect(after.sessions).toEqual([undefined, undefined]);
    expect({ ...after, conflicts: before.conflicts, coordinator: before.coordinator, sessions: before.sessions }).toEqual(before);

    // The new indexes hold for the old rows: the same verdicts as the console's finder ...
    const finder = createDuplicateFinder();
    for (const r of seeded.plain) if (r.payload.kind === 'plain') finder.add(r.id, r.payload.signer);
    const expected = new Set(finder.groups().flatMap((g) => g.ids));
    expect(expected.size).toBeGreaterThan(0);
    expect(await store.duplicateIds(seeded.plain.map((r) => r.id))).toEqual(expected);
    expect((await store.searchSignatures({ duplicatesOnly: true, campaignId: 'protect-defenders' })).total).toBe(expected.size);
    // ... the search, folded like the keys ...
    expect((await store.searchSignatures({ q: 'ZOË SMITH' })).rows.map((r) => r.id).sort()).toEqual([seeded.plain[0].id, seeded.plain[1].id].sort());
    expect((await store.searchSignatures({ q: 'الأحمد' })).total).toBe(1);
    // ... and the counters go on from where the old rows left them.
    const next = makeRecord({ deviceId: 'tablet-a' });
    expect(await store.ingest([item(next), item(seeded.deleted)], T1, 'sync')).toEqual(['accepted', 'duplicate']);
    expect((await store.totals()).total).toBe(before.totals.total + 1);
    expect(await store.deleteSignature(seeded.plain[4].id, T1)).toBe(true);
    expect(await store.count()).toBe(before.count);
    expect((await store.totals()).byCountry.find((c) => c.country === 'EG')).toBeUndefined();

    // The campaigns: found in the signatures, their texts not recorded until the server serves
    // a file whose id and version match; then only that version takes the file's text.
    expect((await store.campaignVersions('protect-defenders')).map((v) => [v.version, v.content === null])).toEqual([
      [1, true],
      [2, true],
    ]);
    expect(await importCampaign(store, DEFAULT_CAMPAIGN, 'server (startup)')).toEqual({ kind: 'text-recorded', version: 1 });
    const versions = await store.campaignVersions('protect-defenders');
    expect(versions.map((v) => [v.version, v.hash])).toEqual([
      [1, await contentHash(DEFAULT_CAMPAIGN)],
      [2, null],
    ]);
    // The hand-in says so plainly, and never prints version 1's text over version 2's signers.
    const sections = await campaignSections(store, { id: 'protect-defenders' });
    expect(sections.map((s) => [s.version, s.content === null])).toEqual([
      [1, false],
      [2, true],
    ]);
    const pdf = join(dir, `handin-${randomUUID()}.pdf`);
    await writePdf(sections, createWriteStream(pdf), { campaignId: 'protect-defenders', title: 'Upgrade' });
    const pages = execFileSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8' }).split('\f');
    const v2 = pages.filter((p) => p.includes('version 2'));
    expect(v2.length).toBeGreaterThan(0);
    for (const page of v2) {
      expect(page).toContain('Version 2: text not recorded');
      expect(page).not.toContain(DEFAULT_CAMPAIGN.text.en!.title);
    }
    expect(v2.join('')).toContain('Under Version Two');
    expect(pages.some((p) => p.includes('version 1') && p.replace(/\s+/g, ' ').includes(DEFAULT_CAMPAIGN.text.en!.title))).toBe(true);
  } finally {
    await store.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'fieldsign-upgrade-'));

describe('upgrade in place from release 0.1.0', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('SQLite: every row of a 0.1.0 database reads back the same, and the new indexes hold', async () => {
    const path = join(dir, `fieldsign-${randomUUID()}.db`);
    await checkUpgrade(new SqliteStore010(path), async () => new SqliteStore(path).opened(), dir);
  });

  it('PostgreSQL: every row of a 0.1.0 database reads back the same, and the new indexes hold', async () => {
    const pg = await pgTestSchema('upgrade');
    try {
      await checkUpgrade(await PostgresStore010.open(pg.url), () => PostgresStore.open(pg.url), dir);
    } finally {
      await pg.drop();
    }
  });
});
