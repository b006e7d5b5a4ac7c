/**
 * The team's rows on both databases (SQLite, and PostgreSQL on FIELDSIGN_TEST_PG_URL): an
 * invitation redeemed twice at once makes one account; two owners disabled at once leave one
 * enabled; the settings are set and set again; each account's last sign-in is read from the
 * audit log.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../server/store/sqlite.ts';
import { PostgresStore } from '../../server/store/postgres.ts';
import type { Store } from '../../server/store/store.ts';
import { pgTestSchema, type PgTestSchema } from './postgres-schema.ts';

let pgSchema: PgTestSchema;
const stores: Record<string, Store> = {};

beforeAll(async () => {
  pgSchema = await pgTestSchema('team');
  stores.sqlite = new SqliteStore(':memory:');
  stores.postgres = await PostgresStore.open(pgSchema.url);
});
afterAll(async () => {
  for (const store of Object.values(stores)) await store.close();
  await pgSchema?.drop();
});

const at = (minutes = 0) => new Date(Date.UTC(2026, 5, 1, 12, minutes)).toISOString();

const owner = async (store: Store, email: string) => {
  const id = randomUUID();
  expect(await store.createCoordinator({ id, email, name: email, role: 'owner', passwordHash: 'x', createdAt: at() })).toBe(true);
  return id;
};

describe.each(['sqlite', 'postgres'])('the team rows on %s', (name) => {
  const store = () => stores[name];

  it('redeem an invitation once, even twice at once', async () => {
    const id = randomUUID();
    await store().createInvitation({ id, tokenHash: `hash-${id}`, email: `${id}@example.org`, role: 'manager', campaigns: ['a', 'b'], mayExportPersonalData: true, createdBy: 'o@example.org', createdAt: at(), expiresAt: at(60) });
    const both = await Promise.all([1, 2].map((n) => store().redeemInvitation(`hash-${id}`, at(1), { id: randomUUID(), name: `Try ${n}`, passwordHash: 'x' })));
    expect(both.filter((r) => r.ok)).toHaveLength(1);
    expect(both.find((r) => !r.ok)).toEqual({ ok: false, reason: 'used' });
    const made = both.find((r) => r.ok);
    expect(made?.ok && made.coordinator).toMatchObject({ email: `${id}@example.org`, role: 'manager', campaigns: ['a', 'b'], mayExportPersonalData: true });
    expect(await store().pendingInvitations(at(2))).toEqual([]);
  });

  it('keep one enabled owner when two disable each other at once', async () => {
    const a = await owner(store(), `a-${name}@example.org`);
    const b = await owner(store(), `b-${name}@example.org`);
    // Every other owner of the earlier tests is disabled first, so these two are the last.
    for (const m of await store().teamMembers()) if (m.role === 'owner' && m.id !== a && m.id !== b) await store().setAccountDisabled(m.id, at());
    const outcomes = await Promise.all([a, b].map((id) => store().setAccountDisabled(id, at(3))));
    expect(outcomes.map((o) => o.ok).sort()).toEqual([false, true]);
    expect(outcomes.find((o) => !o.ok)).toEqual({ ok: false, reason: 'last-owner' });
    expect((await store().teamMembers()).filter((m) => m.role === 'owner' && !m.disabledAt)).toHaveLength(1);
  });

  it('set a setting, and set it again', async () => {
    await store().setConsoleSetting('require_two_factor', '1');
    await store().setConsoleSetting('require_two_factor', '0');
    expect(await store().consoleSettings()).toEqual({ require_two_factor: '0' });
  });

  it('read the last sign-in from the audit log', async () => {
    const email = `signed-${name}@example.org`;
    await owner(store(), email);
    await store().audit({ at: at(5), actor: email, action: 'login', detail: {} });
    await store().audit({ at: at(9), actor: email, action: 'login', detail: {} });
    await store().audit({ at: at(20), actor: email, action: 'login-failed', detail: {} });
    expect((await store().teamMembers()).find((m) => m.email === email)?.lastSignInAt).toBe(at(9));
  });
});
