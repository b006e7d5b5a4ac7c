/**
 * Who may do what: enrollment codes, devices and their tokens, coordinators and their
 * sessions, and the audit log. Registered by `storeContract` (tests/store/contract.ts) for
 * every store.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../server/store/store.ts';
import type { ContractContext } from '../contract.ts';
import { T0, T1, LATER } from './fixtures.ts';

export function peopleContract(t: ContractContext): void {
  const { second, itWithSecond, enrollDevice } = t;
  let store: Store;
  beforeEach(() => {
    store = t.store();
  });

  describe('enrollment codes', () => {
    it('S13: a code enrolls one device, once', async () => {
      await store.createEnrollmentCode({ codeHash: 'code-1', event: 'Nairobi march', createdAt: T0, expiresAt: LATER });
      const result = await store.redeemEnrollmentCode('code-1', T1, { id: 'dev-1', tokenHash: 'token-1', label: 'Tablet 1' });
      const device = { id: 'dev-1', event: 'Nairobi march', label: 'Tablet 1', enrolledAt: T1, revokedAt: null, lastSeenAt: null, lastReport: null, campaigns: null };
      expect(result).toEqual({ ok: true, device });
      expect(await store.listDevices()).toEqual([device]);
      expect(await store.deviceByTokenHash('token-1')).toEqual(device);
      expect(await store.redeemEnrollmentCode('code-1', T1, { id: 'dev-2', tokenHash: 'token-2', label: null })).toEqual({ ok: false, reason: 'used' });
      expect(await store.listDevices()).toHaveLength(1);
      expect(await store.deviceByTokenHash('token-2')).toBeUndefined();
    });

    it('S13: an unknown code is refused and writes nothing', async () => {
      expect(await store.redeemEnrollmentCode('nope', T0, { id: 'dev-1', tokenHash: 'token-1', label: null })).toEqual({ ok: false, reason: 'unknown' });
      expect(await store.redeemEnrollmentCode('nul\u0000code', T0, { id: 'dev-1', tokenHash: 'token-1', label: null })).toEqual({ ok: false, reason: 'unknown' });
      expect(await store.listDevices()).toEqual([]);
    });

    it('S13: a code expires at its expiry time; an expired one writes nothing', async () => {
      await store.createEnrollmentCode({ codeHash: 'code-1', event: 'Rally', createdAt: T0, expiresAt: T1 });
      expect(await store.redeemEnrollmentCode('code-1', T1, { id: 'dev-1', tokenHash: 'token-1', label: null })).toEqual({ ok: false, reason: 'expired' });
      expect(await store.redeemEnrollmentCode('code-1', LATER, { id: 'dev-1', tokenHash: 'token-1', label: null })).toEqual({ ok: false, reason: 'expired' });
      expect(await store.listDevices()).toEqual([]);
      expect((await store.redeemEnrollmentCode('code-1', '2026-11-24T11:59:59.998Z', { id: 'dev-1', tokenHash: 'token-1', label: null })).ok).toBe(true);
    });

    it('S13: a used code that has since expired is reported as used', async () => {
      await store.createEnrollmentCode({ codeHash: 'code-1', event: 'Rally', createdAt: T0, expiresAt: T1 });
      await store.redeemEnrollmentCode('code-1', T0, { id: 'dev-1', tokenHash: 'token-1', label: null });
      expect(await store.redeemEnrollmentCode('code-1', LATER, { id: 'dev-2', tokenHash: 'token-2', label: null })).toEqual({ ok: false, reason: 'used' });
    });

    it('S13: redeeming is atomic: when the device cannot be created the code stays unused', async () => {
      await store.createEnrollmentCode({ codeHash: 'code-1', event: 'Rally', createdAt: T0, expiresAt: LATER });
      await store.createEnrollmentCode({ codeHash: 'code-2', event: 'Rally', createdAt: T0, expiresAt: LATER });
      await store.redeemEnrollmentCode('code-1', T0, { id: 'dev-1', tokenHash: 'token-1', label: null });
      // Same token hash as dev-1: the device row cannot be created.
      await expect(store.redeemEnrollmentCode('code-2', T0, { id: 'dev-2', tokenHash: 'token-1', label: null })).rejects.toThrow();
      expect(await store.listDevices()).toHaveLength(1);
      expect((await store.redeemEnrollmentCode('code-2', T1, { id: 'dev-2', tokenHash: 'token-2', label: null })).ok).toBe(true);
      expect((await store.listDevices()).map((d) => d.id)).toEqual(['dev-1', 'dev-2']);
    });
  });

  describe('devices', () => {
    it('S11: finds a device by its token hash, revoked or not; unknown tokens find nothing', async () => {
      const id = await enrollDevice(store, 'Rally', 'Tablet 3', T0, 'token-hash');
      expect(await store.deviceByTokenHash('token-hash')).toEqual({ id, event: 'Rally', label: 'Tablet 3', enrolledAt: T0, revokedAt: null, lastSeenAt: null, lastReport: null, campaigns: null });
      expect(await store.deviceByTokenHash('other')).toBeUndefined();
      expect(await store.revokeDevice(id, T1)).toBe(true);
      expect((await store.deviceByTokenHash('token-hash'))?.revokedAt).toBe(T1);
    });

    it('records contact and the tablet’s report; revoking keeps the first revocation time', async () => {
      const id = await enrollDevice(store, 'Rally', null, T0, 'token-hash');
      await store.touchDevice(id, T1);
      await store.reportDevice(id, { pending: 12, quarantined: 1, at: T1 });
      expect(await store.deviceByTokenHash('token-hash')).toMatchObject({ lastSeenAt: T1, lastReport: { pending: 12, quarantined: 1, at: T1 } });
      await store.reportDevice(id, { pending: 0, quarantined: 0, at: LATER });
      expect((await store.deviceByTokenHash('token-hash'))?.lastReport).toEqual({ pending: 0, quarantined: 0, at: LATER });
      expect(await store.revokeDevice(id, T1)).toBe(true);
      expect(await store.revokeDevice(id, LATER)).toBe(true);
      expect((await store.listDevices())[0].revokedAt).toBe(T1);
      expect(await store.revokeDevice('no-such-device', T1)).toBe(false);
      await store.touchDevice('no-such-device', T1);
      await store.reportDevice('no-such-device', { pending: 1, quarantined: 0, at: T1 });
      expect(await store.listDevices()).toHaveLength(1);
    });

    it('S21: keeps every fact a tablet reports, and answers with the report it replaced', async () => {
      const id = await enrollDevice(store, 'Rally', 'Tablet 7', T0, 'token-hash');
      const full = {
        pending: 3, quarantined: 1, at: T1, persisted: false, storage: { usage: 12_345_678, quota: 2_000_000_000 },
        appVersion: '0.1.0+abc1234', lastSyncAt: '2026-11-24T11:58:00.000+01:00', erased: 2,
      };
      expect(await store.reportDevice(id, full)).toBeNull();
      expect((await store.deviceByTokenHash('token-hash'))?.lastReport).toEqual(full);
      const next = { ...full, pending: 0, quarantined: 0, at: LATER, persisted: true, erased: 5, lastSyncAt: '2026-11-25T08:59:00.000Z' };
      expect(await store.reportDevice(id, next)).toEqual(full);
      expect((await store.listDevices())[0].lastReport).toEqual(next);
      expect(await store.reportDevice('no-such-device', full)).toBeNull();
    });

    it('S21: the erase total and the last sync never go back: a late or retried report cannot lower them', async () => {
      const id = await enrollDevice(store, 'Rally', null, T0, 'token-hash');
      await store.reportDevice(id, { pending: 4, quarantined: 0, at: T1, erased: 3, lastSyncAt: T1 });
      // An older report arriving late (a retried batch): its counts are the latest word, its totals are not.
      const previous = await store.reportDevice(id, { pending: 6, quarantined: 1, at: LATER, erased: 1, lastSyncAt: T0 });
      expect(previous).toMatchObject({ erased: 3, lastSyncAt: T1 });
      expect((await store.deviceByTokenHash('token-hash'))?.lastReport).toEqual({ pending: 6, quarantined: 1, at: LATER, erased: 3, lastSyncAt: T1 });
      // A report without the optional facts keeps the totals too.
      await store.reportDevice(id, { pending: 0, quarantined: 0, at: LATER });
      expect((await store.deviceByTokenHash('token-hash'))?.lastReport).toEqual({ pending: 0, quarantined: 0, at: LATER, erased: 3, lastSyncAt: T1 });
    });

    itWithSecond('S21: two servers saving reports of one tablet at once: each increase of the erase total is seen once', async () => {
      const id = await enrollDevice(store, 'Rally', null, T0, 'token-hash');
      const other = await second();
      const reports = Array.from({ length: 8 }, (_, i) => ({ pending: 0, quarantined: 0, at: T1, erased: 4 + (i % 2) }));
      const previous = await Promise.all(reports.map((r, i) => (i % 2 ? other : store).reportDevice(id, r)));
      // Each save saw the one before it, so the increases add up to the total exactly (5), never more.
      const increases = reports.map((r, i) => Math.max(0, r.erased - (previous[i]?.erased ?? 0))).reduce((a, b) => a + b, 0);
      expect(increases).toBe(5);
      expect((await store.listDevices())[0].lastReport?.erased).toBe(5);
    });

    it('lists devices in enrollment order', async () => {
      expect(await store.listDevices()).toEqual([]);
      const late = await enrollDevice(store, 'B', null, LATER);
      const early = await enrollDevice(store, 'A', null, T0);
      const middle = await enrollDevice(store, 'C', 'Tablet', T1);
      expect((await store.listDevices()).map((d) => d.id)).toEqual([early, middle, late]);
    });
  });

  describe('coordinators and sessions', () => {
    const ana = { id: 'c-ana', email: 'ana@example.org', name: 'Ana', passwordHash: 'scrypt$…', createdAt: T0 };

    it('creates a coordinator once per email and finds them by email', async () => {
      expect(await store.createCoordinator(ana)).toBe(true);
      expect(await store.createCoordinator({ ...ana, id: 'c-other', name: 'Other' })).toBe(false);
      expect(await store.coordinatorByEmail('ana@example.org')).toEqual({ id: 'c-ana', email: 'ana@example.org', name: 'Ana', passwordHash: 'scrypt$…' });
      expect(await store.coordinatorByEmail('nobody@example.org')).toBeUndefined();
      expect(await store.coordinatorByEmail('ana@example.org\u0000')).toBeUndefined();
    });

    it('finds a session until it expires, and not after it is deleted', async () => {
      await store.createCoordinator(ana);
      await store.createSession({ idHash: 's1', coordinatorId: 'c-ana', csrfToken: 'csrf-1', createdAt: T0, expiresAt: T1 });
      const session = { coordinator: { id: 'c-ana', email: 'ana@example.org', name: 'Ana' }, csrfToken: 'csrf-1', expiresAt: T1 };
      expect(await store.sessionByIdHash('s1', T0)).toEqual(session);
      expect(await store.sessionByIdHash('s1', '2026-11-24T11:59:59.998Z')).toEqual(session);
      expect(await store.sessionByIdHash('s1', T1)).toBeUndefined();
      expect(await store.sessionByIdHash('s2', T0)).toBeUndefined();
      await store.deleteSession('s1');
      expect(await store.sessionByIdHash('s1', T0)).toBeUndefined();
      await store.deleteSession('never-existed');
    });

    it('purges expired sessions when a new one is created', async () => {
      await store.createCoordinator(ana);
      await store.createSession({ idHash: 'old', coordinatorId: 'c-ana', csrfToken: 'a', createdAt: T0, expiresAt: T1 });
      await store.createSession({ idHash: 'live', coordinatorId: 'c-ana', csrfToken: 'b', createdAt: T0, expiresAt: LATER });
      await store.createSession({ idHash: 'new', coordinatorId: 'c-ana', csrfToken: 'c', createdAt: T1, expiresAt: LATER });
      // Asked with a time before its expiry, the old session is gone all the same.
      expect(await store.sessionByIdHash('old', T0)).toBeUndefined();
      expect((await store.sessionByIdHash('live', T0))?.csrfToken).toBe('b');
      expect((await store.sessionByIdHash('new', T1))?.csrfToken).toBe('c');
    });

    it('refuses a session for an unknown coordinator', async () => {
      await expect(store.createSession({ idHash: 's', coordinatorId: 'nobody', csrfToken: 'x', createdAt: T0, expiresAt: T1 })).rejects.toThrow();
    });
  });

  describe('audit log', () => {
    it('lists entries newest first, with their details, up to a limit (default 200)', async () => {
      await store.audit({ at: T0, actor: 'ana@example.org', action: 'login', detail: {} });
      await store.audit({ at: T1, actor: 'ana@example.org', action: 'delete-signature', detail: { id: 'x', nested: { n: 1, list: [true, null, 'é'] } } });
      await store.audit({ at: T1, actor: 'cli', action: 'create-coordinator', detail: { email: 'b@example.org' } });
      const log = await store.auditLog();
      expect(log.map((e) => e.action)).toEqual(['create-coordinator', 'delete-signature', 'login']);
      expect(log[1]).toEqual({ seq: expect.any(Number), at: T1, actor: 'ana@example.org', action: 'delete-signature', detail: { id: 'x', nested: { n: 1, list: [true, null, 'é'] } } });
      expect(log[0].seq).toBeGreaterThan(log[1].seq);
      expect(log[1].seq).toBeGreaterThan(log[2].seq);
      expect((await store.auditLog(2)).map((e) => e.action)).toEqual(['create-coordinator', 'delete-signature']);
      for (let i = 0; i < 200; i++) await store.audit({ at: LATER, actor: 'cli', action: `a${i}`, detail: { i } });
      const full = await store.auditLog();
      expect(full).toHaveLength(200);
      expect(full[0].action).toBe('a199');
    });
  });
}
