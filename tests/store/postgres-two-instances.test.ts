/**
 * Two real server processes (`node server/main.ts`) on ONE PostgreSQL database, started
 * together on an empty schema, receiving the same batches at the same moment: every signature
 * is stored once, each record is accepted by exactly one instance and answered duplicate by
 * the other, and each migration ran once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess, cliEnrollmentCode, freePort, NODE, ROOT } from '../faults/server-process.ts';
import { batchOf, makeRecord } from '../helpers/records.ts';
import { MIGRATIONS } from '../../server/store/schema.ts';
import { pgTestSchema, type PgTestSchema } from './postgres-schema.ts';
import { execFileSync } from 'node:child_process';
import type { SignatureRecord } from '../../src/shared/protocol.ts';

const BATCHES = 20;
const PER_BATCH = 50;

let db: PgTestSchema;
let servers: ServerProcess[] = [];
let device: { deviceId: string; token: string };
let batches: SignatureRecord[][] = [];

beforeAll(async () => {
  db = await pgTestSchema('two');
  const ports = [await freePort(), await freePort()];
  while (ports[1] === ports[0]) ports[1] = await freePort();
  servers = ports.map((port) => new ServerProcess({ dbPath: db.url, port }));
  // Started together on an empty schema: both race to migrate it.
  await Promise.all(servers.map((s) => s.start()));
  const code = await cliEnrollmentCode(db.url, 'Two instances rally');
  const res = await fetch(`${servers[0].url}/api/v1/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ protocol: 1, code, label: 'Tablet 1' }),
  });
  if (res.status !== 201) throw new Error(`enrollment failed: ${res.status} ${await res.text()}`);
  device = (await res.json()) as { deviceId: string; token: string };
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.dispose()));
  await db?.drop();
});

/** POST one batch body (already serialised, so both instances get the same bytes). */
async function post(server: ServerProcess, body: string): Promise<Array<{ id: string; status: string }>> {
  const res = await fetch(`${server.url}/api/v1/batches`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${device.token}` },
    body,
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${server.url} answered ${res.status}: ${text.slice(0, 500)}\n${server.output().slice(-2000)}`);
  return (JSON.parse(text) as { results: Array<{ id: string; status: string }> }).results;
}

describe('two server instances on one PostgreSQL database', () => {
  it('started together, they applied each migration once', async () => {
    // Each started at its first attempt (a failed migration would have made it exit and retry).
    expect(servers.map((s) => s.starts)).toEqual([1, 1]);
    const { rows } = await db.admin.query(`SELECT version, COUNT(*)::int AS n FROM ${db.schema}.schema_migrations GROUP BY version ORDER BY version`);
    expect(rows).toEqual(MIGRATIONS.map((_m, i) => ({ version: i + 1, n: 1 })));
    const out = execFileSync(NODE, ['server/cli.ts', 'migrate', '--db', db.url], { cwd: ROOT, encoding: 'utf8' });
    expect(out).toMatch(new RegExp(`schema version ${MIGRATIONS.length}, up to date`));
  });

  it('S3: the same batches sent to both at the same moment store each signature once, accepted by exactly one', async () => {
    batches = Array.from({ length: BATCHES }, () => Array.from({ length: PER_BATCH }, () => makeRecord({ deviceId: device.deviceId })));
    const bodies = batches.map((records) => JSON.stringify({ ...batchOf(records, device.deviceId), sentAt: new Date().toISOString() }));
    // Every batch to both instances at once: 2 × 20 requests in flight together, sent first to
    // one instance or the other in turn. Answers are kept per instance: [first, second].
    const answers = await Promise.all(
      bodies.map(async (body, b) => {
        const order = b % 2 === 0 ? [0, 1] : [1, 0];
        const replies = await Promise.all(order.map((i) => post(servers[i], body)));
        return b % 2 === 0 ? replies : [replies[1], replies[0]];
      }),
    );

    const accepted = [0, 0];
    batches.forEach((records, b) => {
      const [first, second] = answers[b];
      expect(first.map((r) => r.id)).toEqual(records.map((r) => r.id));
      expect(second.map((r) => r.id)).toEqual(records.map((r) => r.id));
      records.forEach((_r, i) => {
        expect([first[i].status, second[i].status].sort(), `batch ${b} record ${i}`).toEqual(['accepted', 'duplicate']);
        if (first[i].status === 'accepted') accepted[0]++;
        else accepted[1]++;
      });
    });
    expect(accepted[0] + accepted[1]).toBe(BATCHES * PER_BATCH);

    const { rows } = await db.admin.query(`SELECT COUNT(*)::int AS n, COUNT(DISTINCT id)::int AS ids FROM ${db.schema}.signatures`);
    expect(rows[0]).toEqual({ n: BATCHES * PER_BATCH, ids: BATCHES * PER_BATCH });
    const ids = new Set(batches.flat().map((r) => r.id));
    const stored = await db.admin.query<{ id: string }>(`SELECT id FROM ${db.schema}.signatures`);
    expect(stored.rows.every((r) => ids.has(r.id))).toBe(true);
    expect((await db.admin.query(`SELECT COUNT(*)::int AS n FROM ${db.schema}.conflicts`)).rows[0].n).toBe(0);

    // Sent to both again: already stored, so a duplicate on both, and nothing new.
    const again = await Promise.all(bodies.slice(0, 5).map((body) => Promise.all(servers.map((s) => post(s, body)))));
    for (const pair of again) for (const results of pair) expect(new Set(results.map((r) => r.status))).toEqual(new Set(['duplicate']));
    for (const server of servers) {
      const health = (await (await fetch(`${server.url}/api/health`)).json()) as { signatures: number };
      expect(health.signatures).toBe(BATCHES * PER_BATCH);
    }
  });

  it('arrival order (seq) follows commit order: each batch is stored as one contiguous run, in request order', async () => {
    const { rows } = await db.admin.query<{ id: string }>(`SELECT id FROM ${db.schema}.signatures ORDER BY seq`);
    const position = new Map(rows.map((r, i) => [r.id, i]));
    for (const records of batches) {
      const at = records.map((r) => position.get(r.id)!);
      expect(at).toEqual(at.map((_p, i) => at[0] + i));
    }
  });
});
