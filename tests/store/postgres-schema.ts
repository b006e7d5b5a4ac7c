/**
 * The PostgreSQL test databases shared by the PostgreSQL test files: a fresh schema per file,
 * on FIELDSIGN_TEST_PG_URL; unreachable PostgreSQL fails, never skips.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describeDb } from '../../server/store/open.ts';

/** The PostgreSQL server the tests use. */
export const PG_TEST_URL = process.env.FIELDSIGN_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** `url` with its search_path set to `schema` (and nothing else of its own options kept). */
export function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.delete('options');
  const rest = u.search ? `${u.search}&` : '?';
  u.search = '';
  return `${u.toString()}${rest}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

export interface PgTestSchema {
  schema: string;
  /** Database URL whose search_path is the schema. */
  url: string;
  /** Administrative connection (public schema). */
  admin: pg.Pool;
  /** Drop and create the schema again: an empty database. */
  reset(): Promise<void>;
  /** Empty every table but schema_migrations (faster than reset once migrated). */
  empty(): Promise<void>;
  /** Drop the schema and close the admin connection. */
  drop(): Promise<void>;
}

/**
 * A fresh schema `fs_<tag>_<random>` on FIELDSIGN_TEST_PG_URL. Fails with a clear message when
 * PostgreSQL is unreachable: these tests never skip themselves.
 */
export async function pgTestSchema(tag: string): Promise<PgTestSchema> {
  const admin = new pg.Pool({ connectionString: PG_TEST_URL, max: 2, connectionTimeoutMillis: 5_000 });
  admin.on('error', () => {});
  const schema = `fs_${tag}_${randomBytes(5).toString('hex')}`;
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } catch (error) {
    await admin.end().catch(() => {});
    const e = error as Error & { code?: string };
    throw new Error(
      `PostgreSQL is required for these tests and is not usable at ${describeDb(PG_TEST_URL)}: ${e.message || e.code}. ` +
        'Start it, or point FIELDSIGN_TEST_PG_URL at a server where this user may CREATE SCHEMA. These tests do not skip themselves.',
    );
  }
  return {
    schema,
    url: withSearchPath(PG_TEST_URL, schema),
    admin,
    async reset() {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
    },
    async empty() {
      const { rows } = await admin.query<{ t: string }>(
        "SELECT format('%I.%I', table_schema, table_name) AS t FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'schema_migrations'",
        [schema],
      );
      if (rows.length > 0) await admin.query(`TRUNCATE ${rows.map((r) => r.t).join(', ')} RESTART IDENTITY`);
    },
    async drop() {
      try {
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}
