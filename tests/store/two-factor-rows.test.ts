/**
 * The two-factor rows (server/store/two-factor-rows.ts) on both stores, for real: SQLite in
 * memory and a fresh schema in PostgreSQL's database `test`. A pending secret becomes the
 * confirmed one only while it is still the pending one; recovery codes are replaced as a set;
 * turning off leaves no secret and no code; sessions end by account, one kept when asked.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../server/store/postgres.ts';
import { SqliteStore } from '../../server/store/sqlite.ts';
import type { Store } from '../../server/store/store.ts';
import { addAccount } from '../helpers/accounts.ts';
import { pgTestSchema, type PgTestSchema } from './postgres-schema.ts';

const schemas: PgTestSchema[] = [];
afterAll(async () => {
  for (const schema of schemas) await schema.drop();
});

const KINDS: Array<[string, () => Promise<Store & { close(): Promise<void> }>]> = [
  ['SQLite', async () => new SqliteStore(':memory:')],
  [
    'PostgreSQL',
    async () => {
      const schema = await pgTestSchema('twofactor');
      schemas.push(schema);
      return PostgresStore.open(schema.url);
    },
  ],
];

const session = (idHash: string, coordinatorId: string) => ({
  idHash,
  publicId: `public-${idHash}`,
  coordinatorId,
  csrfToken: 'csrf',
  createdAt: '2026-01-01T00:00:00.000Z',
  expiresAt: '2099-01-01T00:00:00.000Z',
  address: '127.0.0.1',
  userAgent: 'test',
  secondFactor: false,
});
const NOW = '2026-06-01T00:00:00.000Z';

describe.each(KINDS)('two-factor rows on %s', (_name, open) => {
  it('confirms the pending secret only while it is the pending one, and replaces the recovery codes as a set', async () => {
    const store = await open();
    try {
      const { id } = await addAccount(store, { twoFactor: false });
      expect(await store.totpSecrets(id)).toEqual({});
      await store.setPendingTotp(id, 'FIRSTSECRET');
      await store.setPendingTotp(id, 'SECONDSECRET');
      expect(await store.totpSecrets(id)).toEqual({ pending: 'SECONDSECRET' });
      expect(await store.confirmTotp(id, 'FIRSTSECRET', ['a'])).toBe(false);
      expect(await store.replaceRecoveryCodes(id, ['a'])).toBe(false);
      expect(await store.confirmTotp(id, 'SECONDSECRET', ['h1', 'h2', 'h3'])).toBe(true);
      expect(await store.totpSecrets(id)).toEqual({ secret: 'SECONDSECRET' });
      expect(await store.unusedRecoveryCodes(id)).toBe(3);
      expect(await store.useRecoveryCode(id, 'h2', NOW)).toBe(true);
      expect(await store.unusedRecoveryCodes(id)).toBe(2);

      expect(await store.replaceRecoveryCodes(id, ['n1', 'n2'])).toBe(true);
      expect(await store.useRecoveryCode(id, 'h1', NOW)).toBe(false);
      expect(await store.unusedRecoveryCodes(id)).toBe(2);

      await store.turnOffTotp(id);
      expect(await store.totpSecrets(id)).toEqual({});
      expect(await store.unusedRecoveryCodes(id)).toBe(0);
      expect(await store.useRecoveryCode(id, 'n1', NOW)).toBe(false);
    } finally {
      await store.close();
    }
  });

  it("ends an account's sessions but the one kept, and marks a session second-factor", async () => {
    const store = await open();
    try {
      const ana = await addAccount(store);
      const ben = await addAccount(store);
      for (const [hash, who] of [['a1', ana.id], ['a2', ana.id], ['a3', ana.id], ['b1', ben.id]] as const) await store.createSession(session(hash, who));
      await store.markSecondFactor('a1');
      expect((await store.sessionByIdHash('a1', NOW))?.secondFactor).toBe(true);
      expect((await store.sessionByIdHash('a2', NOW))?.secondFactor).toBe(false);
      expect(await store.endSessionsOf(ana.id, 'a1')).toBe(2);
      expect(await store.sessionByIdHash('a1', NOW)).toBeDefined();
      expect(await store.sessionByIdHash('a2', NOW)).toBeUndefined();
      expect(await store.sessionByIdHash('b1', NOW)).toBeDefined();
      expect(await store.endSessionsOf(ana.id)).toBe(1);
      expect(await store.sessionByIdHash('a1', NOW)).toBeUndefined();
      expect(await store.sessionByIdHash('b1', NOW)).toBeDefined();
    } finally {
      await store.close();
    }
  });
});
