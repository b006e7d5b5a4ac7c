/**
 * Issue #18: rate limits live in the database, so two app instances on one database count the
 * same attempts (one PostgreSQL schema; one SQLite file opened twice), instead of each giving
 * an attacker the full limit again. Each app has its own clock, moved by the test, so refilling
 * is seen without waiting.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../server/app.ts';
import { PostgresStore } from '../../server/store/postgres.ts';
import { SqliteStore } from '../../server/store/sqlite.ts';
import type { Store } from '../../server/store/store.ts';
import { pgTestSchema, type PgTestSchema } from '../store/postgres-schema.ts';

const ENROLL_LIMIT = { capacity: 4, refillMs: 30_000 };

/** A request from `address`, as the node-server bindings give it. */
function from(address: string) {
  return { incoming: { socket: { remoteAddress: address } } } as never;
}

/** Two apps over two stores on one database, their clocks shared and moved by the test. */
function twoInstances(stores: [Store, Store]) {
  const clock = { at: Date.parse('2026-11-28T10:00:00.000Z') };
  const apps = stores.map((store) => createApp({ store, log: () => {}, now: () => new Date(clock.at), enrollLimit: ENROLL_LIMIT })) as [App, App];
  const enroll = (app: App, address: string) =>
    app.request('/api/v1/enroll', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ protocol: 1, code: '00000-00000' }) }, from(address));
  return { clock, apps, enroll, close: () => apps.forEach((app) => app.close()) };
}

/** Two stores on one database, and the keys of its rate-limit buckets as read around the store. */
interface SharedDatabase {
  stores: [Store, Store];
  bucketKeys(): Promise<string[]>;
}

function sharedLimitCases(name: string, open: () => Promise<SharedDatabase>, cleanup: () => Promise<void>) {
  describe(`${name}: two instances share the rate limits`, () => {
    let stores: [Store, Store];
    let bucketKeys: SharedDatabase['bucketKeys'];
    beforeAll(async () => {
      ({ stores, bucketKeys } = await open());
    });
    afterAll(async () => {
      await Promise.all(stores?.map((s) => s.close()) ?? []);
      await cleanup();
    });

    it('an address that used its enrollment attempts on one instance is refused by the other, and gets them back over time', async () => {
      const { clock, apps, enroll, close } = twoInstances(stores);
      try {
        // Two bad codes at each instance: the four attempts of the limit, not four each.
        const statuses = [];
        for (const app of [apps[0], apps[1], apps[0], apps[1]]) statuses.push((await enroll(app, '203.0.113.7')).status);
        expect(statuses).toEqual([403, 403, 403, 403]);
        for (const app of apps) {
          const refused = await enroll(app, '203.0.113.7');
          expect(refused.status).toBe(429);
          expect((await refused.json()).error.code).toBe('rate_limited');
          expect(refused.headers.get('retry-after')).toBe('30');
        }
        // Another address has its own attempts.
        expect((await enroll(apps[1], '198.51.100.2')).status).toBe(403);
        // One attempt comes back after 30 s, on whichever instance asks.
        clock.at += 30_000;
        expect((await enroll(apps[1], '203.0.113.7')).status).toBe(403);
        expect((await enroll(apps[0], '203.0.113.7')).status).toBe(429);
      } finally {
        close();
      }
    });

    it('failed token checks count across both instances too', async () => {
      const apps = stores.map((store) => createApp({ store, log: () => {}, authFailureLimit: { capacity: 2, refillMs: 60_000 } }));
      try {
        const badToken = (app: App) =>
          app.request('/api/v1/batches', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer nope' }, body: '{}' }, from('192.0.2.9'));
        expect((await badToken(apps[0])).status).toBe(401);
        expect((await badToken(apps[1])).status).toBe(401);
        expect((await badToken(apps[0])).status).toBe(429);
        expect((await badToken(apps[1])).status).toBe(429);
      } finally {
        apps.forEach((app) => app.close());
      }
    });

    it('keeps hashes in the buckets, never an address', async () => {
      const keys = await bucketKeys();
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(key).not.toContain('203.0.113.7');
      }
    });
  });
}

let pg: PgTestSchema;
sharedLimitCases(
  'PostgreSQL',
  async () => {
    pg = await pgTestSchema('limits');
    const first = await PostgresStore.open(pg.url);
    return {
      stores: [first, await PostgresStore.open(pg.url)],
      bucketKeys: async () => (await pg.admin.query<{ key: string }>(`SELECT key FROM ${pg.schema}.rate_limit_buckets`)).rows.map((r) => r.key),
    };
  },
  async () => pg?.drop(),
);

const dir = mkdtempSync(join(tmpdir(), 'fieldsign-limits-'));
sharedLimitCases(
  'SQLite (one file opened twice)',
  async () => {
    const path = join(dir, 'limits.db');
    const first = await new SqliteStore(path).opened();
    return {
      stores: [first, await new SqliteStore(path).opened()],
      bucketKeys: async () => {
        const db = new DatabaseSync(path, { readOnly: true });
        try {
          return (db.prepare('SELECT key FROM rate_limit_buckets').all() as Array<{ key: string }>).map((r) => r.key);
        } finally {
          db.close();
        }
      },
    };
  },
  async () => rmSync(dir, { recursive: true, force: true }),
);
