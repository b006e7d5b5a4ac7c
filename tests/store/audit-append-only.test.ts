/**
 * Issue #19: the audit log is append-only. On both databases the triggers of migration 11
 * refuse every UPDATE and DELETE of audit_log, whoever sends it; and no SQL anywhere in
 * server/ does anything to audit_log but add to it and read it, so no route or command can.
 */
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../server/store/postgres.ts';
import { SqliteStore } from '../../server/store/sqlite.ts';
import { ROOT } from '../helpers/app-process.ts';
import { pgTestSchema, type PgTestSchema } from './postgres-schema.ts';

const ENTRY = { at: '2026-11-24T12:00:00.000Z', actor: 'ana@example.org', action: 'export-csv', detail: { kind: 'contacts', rows: 2 } };

describe('the database refuses to change the audit log', () => {
  let dir: string;
  let pg: PgTestSchema;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fieldsign-append-only-'));
    pg = await pgTestSchema('appendonly');
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await pg?.drop();
  });

  it('SQLite: UPDATE and DELETE on audit_log fail, and the entry stays as written', async () => {
    const path = join(dir, 'audit.db');
    const store = new SqliteStore(path);
    await store.audit(ENTRY);
    await store.close();
    const db = new DatabaseSync(path);
    try {
      expect(() => db.exec("UPDATE audit_log SET actor = 'someone else'")).toThrow(/append-only/);
      expect(() => db.exec('DELETE FROM audit_log')).toThrow(/append-only/);
      db.exec("INSERT INTO audit_log (at, actor, action, detail) VALUES ('2026-11-24T13:00:00.000Z', 'cli (test)', 'login', '{}')");
      expect(db.prepare('SELECT actor, action FROM audit_log ORDER BY seq').all()).toEqual([
        { actor: ENTRY.actor, action: ENTRY.action },
        { actor: 'cli (test)', action: 'login' },
      ]);
    } finally {
      db.close();
    }
  });

  it('PostgreSQL: UPDATE and DELETE on audit_log fail, and the entry stays as written', async () => {
    const store = await PostgresStore.open(pg.url);
    try {
      await store.audit(ENTRY);
      await expect(pg.admin.query(`UPDATE ${pg.schema}.audit_log SET actor = 'someone else'`)).rejects.toThrow(/append-only/);
      await expect(pg.admin.query(`DELETE FROM ${pg.schema}.audit_log`)).rejects.toThrow(/append-only/);
      expect((await store.auditLog(10)).map((e) => [e.actor, e.action, e.detail])).toEqual([[ENTRY.actor, ENTRY.action, ENTRY.detail]]);
    } finally {
      await store.close();
    }
  });
});

/** Every TypeScript file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('no code changes the audit log', () => {
  it('the only SQL of server/ that writes to audit_log is an INSERT; the rest is the schema and reads', () => {
    const writes: string[] = [];
    for (const file of sources(join(ROOT, 'server'))) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/\b(UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?|DROP\s+TABLE(?:\s+IF\s+EXISTS)?|INSERT\s+INTO)\s+audit_log\b/gi)) {
        writes.push(`${relative(ROOT, file)}: ${match[0].replace(/\s+/g, ' ').toUpperCase()}`);
      }
    }
    expect(writes).toEqual(['server/store/console-rows.ts: INSERT INTO AUDIT_LOG']);
  });
});
