/**
 * Who may do what: enrollment codes, devices and their tokens, coordinators (their role,
 * campaigns, permission and two-factor sign-in) and their sessions, and the audit log.
 * Registered by `storeContract` (tests/store/contract.ts) for every store.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { NewCoordinator, NewSession, Store } from '../../../server/store/store.ts';
import { addRecoveryCodes, disableAccount, setConsoleSetting, storedSession } from '../../helpers/account-rows.ts';
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
    const ana: NewCoordinator = { id: 'c-ana', email: 'ana@example.org', name: 'Ana', role: 'owner', passwordHash: 'scrypt$…', createdAt: T0 };
    /** A session of `coordinatorId`, as startSession makes one. */
    const session = (idHash: string, coordinatorId: string, more: Partial<NewSession> = {}): NewSession => ({
      idHash,
      publicId: `public-${idHash}`,
      coordinatorId,
      csrfToken: `csrf-${idHash}`,
      createdAt: T0,
      expiresAt: T1,
      address: '198.51.100.7',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0',
      secondFactor: false,
      ...more,
    });

    it('creates a coordinator once per email and finds them by email, with what a sign-in checks', async () => {
      expect(await store.createCoordinator(ana)).toBe(true);
      expect(await store.createCoordinator({ ...ana, id: 'c-other', name: 'Other' })).toBe(false);
      expect(await store.coordinatorByEmail('ana@example.org')).toEqual({
        id: 'c-ana', email: 'ana@example.org', name: 'Ana', role: 'owner', campaigns: [], mayExportPersonalData: false, twoFactorOn: false, passwordHash: 'scrypt$…',
      });
      expect(await store.coordinatorByEmail('nobody@example.org')).toBeUndefined();
      expect(await store.coordinatorByEmail('ana@example.org\u0000')).toBeUndefined();
    });

    it('keeps each account’s role, campaigns (an owner has them all) and the personal-data permission, and its TOTP secret', async () => {
      await store.createCoordinator({ ...ana, campaigns: ['ignored-for-an-owner'], mayExportPersonalData: true, totpSecret: 'JBSWY3DPEHPK3PXP' });
      await store.createCoordinator({ id: 'c-bo', email: 'bo@example.org', name: 'Bo', role: 'manager', campaigns: ['water', 'defenders', 'water'], mayExportPersonalData: true, passwordHash: 'h', createdAt: T0 });
      await store.createCoordinator({ id: 'c-cy', email: 'cy@example.org', name: 'Cy', role: 'viewer', campaigns: ['water'], passwordHash: 'h', createdAt: T0 });
      expect(await store.coordinatorByEmail('ana@example.org')).toMatchObject({ role: 'owner', campaigns: [], mayExportPersonalData: true, twoFactorOn: true, totpSecret: 'JBSWY3DPEHPK3PXP' });
      const bo = await store.coordinatorByEmail('bo@example.org');
      expect(bo).toMatchObject({ role: 'manager', campaigns: ['defenders', 'water'], mayExportPersonalData: true, twoFactorOn: false });
      expect(bo).not.toHaveProperty('totpSecret');
      expect(await store.coordinatorByEmail('cy@example.org')).toMatchObject({ role: 'viewer', campaigns: ['water'], mayExportPersonalData: false });
    });

    it('accepts a TOTP time step once per account, and only one later than the last accepted', async () => {
      await store.createCoordinator(ana);
      await store.createCoordinator({ ...ana, id: 'c-bo', email: 'bo@example.org' });
      const step = 59_012_345;
      expect(await store.acceptTotpStep('c-ana', step)).toBe(true);
      // The same code again (seen over a shoulder), or an older one: refused.
      expect(await store.acceptTotpStep('c-ana', step)).toBe(false);
      expect(await store.acceptTotpStep('c-ana', step - 1)).toBe(false);
      expect(await store.acceptTotpStep('c-ana', step + 1)).toBe(true);
      expect(await store.acceptTotpStep('c-ana', step)).toBe(false);
      // Another account's steps are its own.
      expect(await store.acceptTotpStep('c-bo', step)).toBe(true);
      expect(await store.acceptTotpStep('nobody', step + 5)).toBe(false);
    });

    it('uses each recovery code once, and only the account’s own', async () => {
      await store.createCoordinator(ana);
      await store.createCoordinator({ ...ana, id: 'c-bo', email: 'bo@example.org' });
      await addRecoveryCodes(store, 'c-ana', ['hash-1', 'hash-2']);
      expect(await store.useRecoveryCode('c-bo', 'hash-1', T0)).toBe(false);
      expect(await store.useRecoveryCode('c-ana', 'hash-1', T0)).toBe(true);
      expect(await store.useRecoveryCode('c-ana', 'hash-1', T1)).toBe(false);
      expect(await store.useRecoveryCode('c-ana', 'hash-3', T1)).toBe(false);
      expect(await store.useRecoveryCode('c-ana', 'hash-2\u0000', T1)).toBe(false);
      expect(await store.useRecoveryCode('c-ana', 'hash-2', T1)).toBe(true);
    });

    it('finds a session until it expires, and not after it is deleted; it carries its account, how it was signed in, and the owners’ two-factor setting', async () => {
      await store.createCoordinator({ ...ana, mayExportPersonalData: true, totpSecret: 'JBSWY3DPEHPK3PXP' });
      await store.createSession(session('s1', 'c-ana', { secondFactor: true }));
      const found = {
        publicId: 'public-s1',
        coordinator: { id: 'c-ana', email: 'ana@example.org', name: 'Ana', role: 'owner', campaigns: [], mayExportPersonalData: true, twoFactorOn: true },
        csrfToken: 'csrf-s1',
        createdAt: T0,
        expiresAt: T1,
        lastSeenAt: T0,
        secondFactor: true,
        twoFactorForAll: false,
      };
      expect(await store.sessionByIdHash('s1', T0)).toEqual(found);
      expect(await store.sessionByIdHash('s1', '2026-11-24T11:59:59.998Z')).toEqual(found);
      expect(await store.sessionByIdHash('s1', T1)).toBeUndefined();
      expect(await store.sessionByIdHash('s2', T0)).toBeUndefined();
      await setConsoleSetting(store, 'require_two_factor', '1');
      expect(await store.sessionByIdHash('s1', T0)).toEqual({ ...found, twoFactorForAll: true });
      await store.deleteSession('s1');
      expect(await store.sessionByIdHash('s1', T0)).toBeUndefined();
      await store.deleteSession('never-existed');
    });

    it('keeps where and from what browser a session began, and a public id of its own (never the cookie’s)', async () => {
      await store.createCoordinator({ id: 'c-bo', email: 'bo@example.org', name: 'Bo', role: 'viewer', campaigns: ['water'], passwordHash: 'h', createdAt: T0 });
      await store.createSession(session('s1', 'c-bo'));
      await store.createSession(session('s2', 'c-bo', { publicId: 'public-2', address: '2001:db8::1', userAgent: 'agent\u0000with a NUL' }));
      expect(await storedSession(store, 's1')).toEqual({ publicId: 'public-s1', address: '198.51.100.7', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0', secondFactor: false });
      // What cannot be stored of a browser's self-description is not.
      expect(await storedSession(store, 's2')).toEqual({ publicId: 'public-2', address: '2001:db8::1', userAgent: '', secondFactor: false });
      expect((await store.sessionByIdHash('s2', T0))?.coordinator).toMatchObject({ role: 'viewer', campaigns: ['water'] });
      // Two sessions never share a public id.
      await expect(store.createSession(session('s3', 'c-bo', { publicId: 'public-2' }))).rejects.toThrow();
    });

    it('gives a disabled account no session, while a sign-in still finds it (to refuse it as disabled)', async () => {
      await store.createCoordinator(ana);
      await store.createCoordinator({ ...ana, id: 'c-bo', email: 'bo@example.org' });
      await store.createSession(session('s-ana', 'c-ana', { expiresAt: LATER }));
      await store.createSession(session('s-bo', 'c-bo', { expiresAt: LATER }));
      await disableAccount(store, 'c-ana', T1);
      expect(await store.sessionByIdHash('s-ana', T1)).toBeUndefined();
      expect((await store.sessionByIdHash('s-bo', T1))?.coordinator.email).toBe('bo@example.org');
      expect(await store.coordinatorByEmail('ana@example.org')).toMatchObject({ id: 'c-ana', disabledAt: T1 });
    });

    it('purges expired sessions when a new one is created', async () => {
      await store.createCoordinator(ana);
      await store.createSession(session('old', 'c-ana', { csrfToken: 'a', expiresAt: T1 }));
      await store.createSession(session('live', 'c-ana', { csrfToken: 'b', expiresAt: LATER }));
      await store.createSession(session('new', 'c-ana', { csrfToken: 'c', createdAt: T1, expiresAt: LATER }));
      // Asked with a time before its expiry, the old session is gone all the same.
      expect(await store.sessionByIdHash('old', T0)).toBeUndefined();
      expect((await store.sessionByIdHash('live', T0))?.csrfToken).toBe('b');
      expect((await store.sessionByIdHash('new', T1))?.csrfToken).toBe('c');
    });

    it('refuses a session for an unknown coordinator', async () => {
      await expect(store.createSession(session('s', 'nobody'))).rejects.toThrow();
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
