/**
 * Issue #19, part C: the store's own-sessions, password and whole-audit-log methods
 * (session-rows.ts), the same on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../server/store/postgres.ts';
import { SqliteStore } from '../../server/store/sqlite.ts';
import type { NewSession, Store } from '../../server/store/store.ts';
import { pgTestSchema, type PgTestSchema } from './postgres-schema.ts';

const T0 = '2026-11-24T10:00:00.000Z';
const T1 = '2026-11-24T11:00:00.000Z';
const LATER = '2026-11-25T10:00:00.000Z';

const session = (idHash: string, coordinatorId: string, lastSeen = T0): NewSession => ({
  idHash,
  publicId: `public-${idHash}`,
  coordinatorId,
  csrfToken: `csrf-${idHash}`,
  createdAt: lastSeen,
  expiresAt: LATER,
  address: '192.0.2.1',
  userAgent: 'Mozilla/5.0 Firefox/128.0',
  secondFactor: false,
});

let pg: PgTestSchema;
beforeAll(async () => {
  pg = await pgTestSchema('sessionrows');
});
afterAll(async () => {
  await pg?.drop();
});

for (const [name, open] of [
  ['SQLite', async () => new SqliteStore(':memory:')],
  ['PostgreSQL', async () => PostgresStore.open(pg.url)],
] as Array<[string, () => Promise<Store>]>) {
  describe(`session rows on ${name}`, () => {
    it('lists, marks, ends one, ends all but one; changes a password; pages the audit log oldest first', async () => {
      const store = await open();
      try {
        for (const [id, email] of [['ana', 'ana@example.org'], ['ben', 'ben@example.org']]) {
          expect(await store.createCoordinator({ id, email, name: id, role: 'manager', passwordHash: 'old', createdAt: T0 })).toBe(true);
        }
        await store.createSession(session('a1', 'ana'));
        await store.createSession(session('a2', 'ana'));
        await store.createSession(session('a3', 'ana'));
        await store.createSession(session('b1', 'ben'));

        // Marked once: a second mark not a minute later is skipped.
        await store.touchSession('a2', T1, '2026-11-24T10:59:00.000Z');
        await store.touchSession('a2', '2026-11-24T11:00:30.000Z', '2026-11-24T10:59:30.000Z');
        expect((await store.sessionByIdHash('a2', T1))?.lastSeenAt).toBe(T1);
        // Idle since T0: refused when only sessions seen after T0 count.
        expect(await store.sessionByIdHash('a1', T1, T0)).toBeUndefined();
        expect((await store.sessionByIdHash('a2', T1, T0))?.publicId).toBe('public-a2');

        const listed = await store.accountSessions('ana', T1, '2026-11-24T09:00:00.000Z');
        expect(listed.map((s) => s.publicId).sort()).toEqual(['public-a1', 'public-a2', 'public-a3']);
        // The latest used first.
        expect(listed[0]).toMatchObject({ idHash: 'a2', address: '192.0.2.1', userAgent: 'Mozilla/5.0 Firefox/128.0', createdAt: T0, lastSeenAt: T1 });
        expect((await store.accountSessions('ana', T1, T0)).map((s) => s.publicId)).toEqual(['public-a2']);

        expect(await store.endAccountSession('ana', 'public-b1')).toBe(false);
        expect(await store.endAccountSession('ana', 'public-a3')).toBe(true);
        expect(await store.endAccountSession('ana', 'public-a3')).toBe(false);
        expect(await store.endOtherSessions('ana', 'a2')).toBe(1);
        expect(await store.sessionByIdHash('a1', T1)).toBeUndefined();
        expect(await store.sessionByIdHash('a2', T1)).toBeDefined();
        expect(await store.sessionByIdHash('b1', T1)).toBeDefined();

        expect(await store.setPasswordHash('ana', 'new')).toBe(true);
        expect(await store.setPasswordHash('nobody', 'new')).toBe(false);
        expect((await store.coordinatorByEmail('ana@example.org'))?.passwordHash).toBe('new');
        expect((await store.coordinatorByEmail('ben@example.org'))?.passwordHash).toBe('old');

        for (let i = 0; i < 5; i++) await store.audit({ at: T0, actor: 'ana@example.org', action: `a${i}`, detail: { i }, campaignId: i % 2 ? 'c' : null });
        const first = await store.auditPage(0, 2);
        const second = await store.auditPage(first[1].seq, 2);
        const third = await store.auditPage(second[1].seq, 2);
        expect([...first, ...second, ...third].map((e) => e.action)).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
        expect(second[0]).toMatchObject({ detail: { i: 2 } });
        expect(second[1]).toMatchObject({ campaignId: 'c', detail: { i: 3 } });
        expect(await store.auditPage(third[0].seq, 2)).toEqual([]);
      } finally {
        await store.close();
      }
    });
  });
}
