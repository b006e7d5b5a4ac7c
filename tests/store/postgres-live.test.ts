/**
 * Live updates across server instances on PostgreSQL (server/store/postgres-notify.ts): two
 * real server processes on one schema; a coordinator's dashboard stream on instance A follows
 * batches, deletions and revocations made through instance B within a second, and keeps doing
 * so after its LISTEN connection is cut. Two stores in this process check that each change is
 * told once per instance (its echo skipped) and that a write storing nothing notifies nobody.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess, freePort } from '../faults/server-process.ts';
import { batchOf, makeRecord } from '../helpers/records.ts';
import { openSse, type SseStream } from '../helpers/sse.ts';
import { createEnrollmentCode, enroll } from '../../server/devices.ts';
import { ingestBatch } from '../../server/ingest.ts';
import { PostgresStore } from '../../server/store/postgres.ts';
import { listenerName } from '../../server/store/postgres-notify.ts';
import type { Totals } from '../../server/store/store.ts';
import type { SignatureRecord } from '../../src/shared/protocol.ts';
import { pgTestSchema, type PgTestSchema } from './postgres-schema.ts';
import { addAccount, signIn } from '../helpers/accounts.ts';

const PASSWORD = 'correct horse battery staple';

let db: PgTestSchema;
let store: PostgresStore;
let a: ServerProcess;
let b: ServerProcess;
let device: { deviceId: string; token: string };
let session: { cookie: string; csrfToken: string };

beforeAll(async () => {
  db = await pgTestSchema('live');
  store = await PostgresStore.open(db.url, { max: 2 });
  const ana = await addAccount(store, { email: 'ana@example.org', name: 'Ana', password: PASSWORD });
  const ports = [await freePort(), await freePort()];
  while (ports[1] === ports[0]) ports[1] = await freePort();
  [a, b] = ports.map((port) => new ServerProcess({ dbPath: db.url, port }));
  await Promise.all([a.start(), b.start()]);

  const { code } = await createEnrollmentCode(store, 'Two-instance rally', 3_600_000, 'test');
  const enrolled = await fetch(`${b.url}/api/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ protocol: 1, code, label: 'Tablet B' }) });
  device = (await enrolled.json()) as { deviceId: string; token: string };
  const { cookie, csrfToken } = await signIn(a.url, ana);
  session = { cookie, csrfToken };
}, 60_000);

afterAll(async () => {
  await Promise.all([a?.dispose(), b?.dispose()]);
  await store?.close();
  await db?.drop();
});

/** POST `records` as one batch to `server`. */
async function post(server: ServerProcess, records: SignatureRecord[]): Promise<void> {
  const res = await fetch(`${server.url}/api/v1/batches`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${device.token}` },
    body: JSON.stringify(batchOf(records, device.deviceId)),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

/** Milliseconds until `stream` shows a snapshot for which `ok` holds (older ones skipped). */
async function msUntil<T>(stream: SseStream<T>, ok: (snapshot: T) => boolean, since: number, timeoutMs = 5_000): Promise<number> {
  const deadline = since + timeoutMs;
  for (;;) {
    if (ok(await stream.next(Math.max(1, deadline - Date.now())))) return Date.now() - since;
  }
}

describe('live updates across two instances on PostgreSQL', () => {
  it('a dashboard on instance A follows a batch posted to instance B within 1 s', async () => {
    const dashboard = await openSse<Totals>(`${a.url}/api/console/events`, { cookie: session.cookie });
    const counter = await openSse<{ total: number }>(`${a.url}/api/public/events`);
    expect(dashboard.status).toBe(200);
    expect((await dashboard.next()).total).toBe(0);
    expect(await counter.next()).toEqual({ total: 0 });

    await post(b, [makeRecord({ deviceId: device.deviceId }), makeRecord({ deviceId: device.deviceId })]);
    const posted = Date.now();
    const ms = await msUntil(dashboard, (t) => t.total === 2, posted);
    console.log(`dashboard on A saw B's batch after ${ms} ms`);
    expect(ms).toBeLessThan(1_000);
    expect(await msUntil(counter, (c) => c.total === 2, posted)).toBeLessThan(1_000);
    dashboard.close();
    counter.close();
  });

  it('deletions and revocations made through B reach A too', async () => {
    const dashboard = await openSse<Totals>(`${a.url}/api/console/events`, { cookie: session.cookie });
    const first = await dashboard.next();
    const record = makeRecord({ deviceId: device.deviceId });
    await post(b, [record]);
    await msUntil(dashboard, (t) => t.total === first.total + 1, Date.now());

    const csrf = { cookie: session.cookie, 'x-csrf-token': session.csrfToken };
    expect((await fetch(`${b.url}/api/console/signatures/${record.id}`, { method: 'DELETE', headers: csrf })).status).toBe(204);
    expect(await msUntil(dashboard, (t) => t.total === first.total, Date.now())).toBeLessThan(1_000);

    const seen = dashboard.messages.length;
    expect((await fetch(`${b.url}/api/console/devices/${device.deviceId}/revoke`, { method: 'POST', headers: csrf })).status).toBe(200);
    await expect.poll(() => dashboard.messages.length, { timeout: 1_000, interval: 20 }).toBeGreaterThan(seen);
    dashboard.close();
  });

  it('after its LISTEN connection is cut, an instance reconnects (logged) and follows again', async () => {
    // A new device: the one above is revoked.
    const { code } = await createEnrollmentCode(store, 'Two-instance rally', 3_600_000, 'test');
    const enrolled = await fetch(`${b.url}/api/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ protocol: 1, code }) });
    device = (await enrolled.json()) as { deviceId: string; token: string };
    const dashboard = await openSse<Totals>(`${a.url}/api/console/events`, { cookie: session.cookie });
    const first = await dashboard.next();

    const { rows } = await db.admin.query<{ n: number }>(
      'SELECT COUNT(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1',
      [listenerName(db.schema)],
    );
    expect(rows[0].n).toBe(2); // one per server instance (this process's store never listened)
    await expect.poll(() => a.output(), { timeout: 10_000 }).toMatch(/PostgreSQL change feed \(LISTEN fieldsign_changes\) lost: .*; reconnecting in 250 ms/);
    await expect.poll(() => a.output(), { timeout: 10_000 }).toMatch(/PostgreSQL change feed: listening again/);

    await post(b, [makeRecord({ deviceId: device.deviceId })]);
    expect(await msUntil(dashboard, (t) => t.total === first.total + 1, Date.now())).toBeLessThan(1_000);
    expect(a.running && b.running).toBe(true);
    dashboard.close();
  });
});

describe('change notifications between two stores', () => {
  it('tell each instance once per change (the echo skipped), and nothing for a write that stored nothing', async () => {
    const other = await PostgresStore.open(db.url, { max: 2 });
    const first = await PostgresStore.open(db.url, { max: 2 });
    try {
      const told = { first: 0, other: 0 };
      first.onChange(() => told.first++);
      other.onChange(() => told.other++);
      await expect.poll(async () => (await db.admin.query('SELECT 1 FROM pg_stat_activity WHERE application_name = $1', [listenerName(db.schema)])).rowCount).toBe(4);

      const { code } = await createEnrollmentCode(first, 'Stores', 3_600_000, 'test');
      const enrolled = await enroll(first, { protocol: 1, code }, new Date(), 0, 0);
      if (enrolled.kind !== 'enrolled') throw new Error(`enrollment failed: ${enrolled.kind}`);
      const { deviceId } = enrolled.response;
      await expect.poll(() => told, { timeout: 2_000 }).toEqual({ first: 1, other: 1 });

      const record = makeRecord({ deviceId });
      await ingestBatch(first, batchOf([record], deviceId), { deviceId, source: 'import' });
      await expect.poll(() => told, { timeout: 2_000 }).toEqual({ first: 2, other: 2 });
      // The same batch again stores nothing: no one is told.
      await ingestBatch(first, batchOf([record], deviceId), { deviceId, source: 'import' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(told).toEqual({ first: 2, other: 2 });
    } finally {
      await Promise.all([first.close(), other.close()]);
    }
  });
});
