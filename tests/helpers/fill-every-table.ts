/**
 * Test data in every table of a store, one filler per table, through the Store interface as
 * the server writes it. The backup test (tests/store/backup.test.ts) checks that every table
 * the database lists holds rows after these ran: a migration that adds a table must add its
 * filler here (or name it in FILLED_ALONG), or that test fails.
 */
import { recordHash } from '../../server/ingest.ts';
import type { Store } from '../../server/store/store.ts';
import { contentHash } from '../../src/shared/campaigns.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import type { SignatureRecord } from '../../src/shared/protocol.ts';
import { makeRecord, withSigner } from './records.ts';
import { addInvitation, addRecoveryCodes, disableAccount, setConsoleSetting } from './account-rows.ts';

const T0 = '2026-11-24T09:15:00.000Z';
const T1 = '2026-11-24T11:40:00.000Z';
const FAR = '2099-01-01T00:00:00.000Z';
const item = (record: SignatureRecord) => ({ record, hash: recordHash(record), clockSuspect: false });

/** What the fillers share: the signatures stored, so later fillers can refer to them. */
interface Filled {
  signatures: SignatureRecord[];
}

/**
 * One filler per table, run in this order (a device needs its code, a session its coordinator).
 * The account tables (#19) hold each kind of row: an owner with two-factor and a used TOTP
 * step, a disabled viewer of two campaigns, a used and an unused recovery code.
 */
export const TABLE_FILLERS: Record<string, (store: Store, filled: Filled) => Promise<void>> = {
  async enrollment_codes(store) {
    await store.createEnrollmentCode({ codeHash: 'code-a', event: 'Nairobi march', createdAt: T0, expiresAt: FAR, campaigns: [DEFAULT_CAMPAIGN.id] });
    await store.createEnrollmentCode({ codeHash: 'code-unused', event: 'Later', createdAt: T0, expiresAt: FAR });
  },
  async devices(store) {
    const enrolled = await store.redeemEnrollmentCode('code-a', T0, { id: 'tablet-a', tokenHash: 'token-a', label: 'Tablet A' });
    if (!enrolled.ok) throw new Error(`enrollment failed: ${enrolled.reason}`);
    await store.reportDevice('tablet-a', { pending: 2, quarantined: 0, at: T1, persisted: true, appVersion: '0.2.0' });
  },
  async campaigns(store) {
    await store.createCampaign({ id: 'second-campaign', status: 'draft', draft: null, createdAt: T0 });
  },
  async campaign_versions(store) {
    const content = { ...DEFAULT_CAMPAIGN, id: 'second-campaign' };
    await store.publishCampaignVersion({ campaignId: content.id, version: 1, content, hash: await contentHash(content), publishedAt: T0 });
  },
  async signatures(store, filled) {
    filled.signatures = [
      makeRecord({ deviceId: 'tablet-a', name: 'Zoë Smith', email: 'zoe@example.org' }),
      withSigner(makeRecord({ deviceId: 'tablet-a', name: 'محمد الأحمد', email: 'mohamed@example.org' }), { country: 'EG', optIn: true }),
      makeRecord({ deviceId: 'tablet-a', name: 'zoe smith', email: 'zoe.smith@example.org' }),
      makeRecord({ deviceId: 'tablet-a', name: 'To Be Deleted' }),
      makeRecord({ deviceId: 'tablet-a', name: 'Second Campaign', campaignId: 'second-campaign' }),
    ];
    await store.ingest(filled.signatures.slice(0, 3).map(item), T0, 'sync');
    await store.ingest(filled.signatures.slice(3).map(item), T1, 'import');
    await store.setAside([filled.signatures[2].id], { reason: 'duplicate', note: 'same as Zoë Smith', at: T1, by: 'ana@example.org' });
  },
  async conflicts(store, filled) {
    await store.ingest([item(withSigner(filled.signatures[0], { name: 'Zoë Smith-Other' }))], T1, 'sync');
  },
  async rate_limit_buckets(store) {
    await store.takeAttempt('enroll:198.51.100.7', { capacity: 10, refillMs: 30_000 }, Date.parse(T1));
  },
  async deleted_signatures(store, filled) {
    await store.deleteSignature(filled.signatures[3].id, T1);
  },
  async coordinators(store) {
    await store.createCoordinator({
      id: 'coord-1', email: 'ana@example.org', name: 'Ana', role: 'owner', mayExportPersonalData: true, totpSecret: 'JBSWY3DPEHPK3PXP', passwordHash: 'scrypt$not-a-real-hash', createdAt: T0,
    });
    await store.acceptTotpStep('coord-1', 59_012_345);
  },
  async coordinator_campaigns(store) {
    await store.createCoordinator({ id: 'coord-2', email: 'bo@example.org', name: 'Bo', role: 'viewer', campaigns: [DEFAULT_CAMPAIGN.id, 'second-campaign'], passwordHash: 'scrypt$other', createdAt: T0 });
    await disableAccount(store, 'coord-2', T1);
  },
  async recovery_codes(store) {
    await addRecoveryCodes(store, 'coord-1', ['recovery-hash-1', 'recovery-hash-2']);
    await store.useRecoveryCode('coord-1', 'recovery-hash-1', T1);
  },
  async invitations(store) {
    await addInvitation(store, {
      id: 'invitation-1', tokenHash: 'invitation-token-hash', email: 'cy@example.org', role: 'manager', campaigns: ['second-campaign'], mayExportPersonalData: false,
      createdBy: 'ana@example.org', createdAt: T0, expiresAt: FAR,
    });
  },
  async console_settings(store) {
    await setConsoleSetting(store, 'require_two_factor', '1');
  },
  async sessions(store) {
    await store.createSession({
      idHash: 'session-1', publicId: 'public-1', coordinatorId: 'coord-1', csrfToken: 'csrf-1', createdAt: T0, expiresAt: FAR,
      address: '198.51.100.7', userAgent: 'Mozilla/5.0 Firefox/140.0', secondFactor: true,
    });
  },
  async audit_log(store) {
    await store.audit({ at: T1, actor: 'ana@example.org', action: 'set-aside', detail: { count: 1 }, campaignId: DEFAULT_CAMPAIGN.id });
  },
  async paper_counts(store) {
    await store.addPaperCount({
      id: 'paper-1',
      campaignId: DEFAULT_CAMPAIGN.id,
      event: 'Lyon rally',
      collectedOn: '2026-11-23',
      sheets: 4,
      signatures: 71,
      countries: { FR: 60 },
      countedBy: 'Bo',
      note: null,
      recordedAt: T1,
      recordedBy: 'ana@example.org',
    });
  },
  async handin_keys(store) {
    await store.keepHandinKey({ privateJwk: { kty: 'EC', crv: 'P-256', d: 'd', x: 'x', y: 'y' }, publicJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }, createdAt: T0 });
  },
};

/** Tables no filler of their own fills: what fills them. */
export const FILLED_ALONG: Record<string, string> = {
  schema_migrations: 'the migrations',
  signature_counts: 'signatures (the ingest keeps the counters)',
  signature_search: 'signatures (the search index)',
  sqlite_sequence: 'signatures (SQLite AUTOINCREMENT)',
};

/** Run every filler; returns the signatures stored (one of them deleted again). */
export async function fillEveryTable(store: Store): Promise<SignatureRecord[]> {
  const filled: Filled = { signatures: [] };
  for (const fill of Object.values(TABLE_FILLERS)) await fill(store, filled);
  return filled.signatures;
}
