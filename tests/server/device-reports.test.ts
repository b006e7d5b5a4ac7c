/**
 * What tablets report about themselves (S21) and how long their tokens last (S25), against the
 * real HTTP server on a temporary SQLite file, with the server's clock in the test's hands:
 * every reported fact is kept with the device (a bad report is ignored, never costing the batch
 * its records; a chain head only for the token's own device), an erase total that grows is audited once
 * whatever the retries, the console and the CLI flag exactly the tablets that went silent
 * holding unsynced signatures, and a token past its lifetime is refused while the tablet's
 * signatures stay where they are.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import { createApp } from '../../server/app.ts';
import { createEnrollmentCode, MAX_ERASED_PER_REPORT } from '../../server/devices.ts';
import { SqliteStore } from '../../server/store/sqlite.ts';
import { ROOT } from '../helpers/app-process.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';
import { batchOf, makeRecord } from '../helpers/records.ts';
import { addAccount, signIn } from '../helpers/accounts.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PASSWORD = 'correct horse battery staple';

/** A server whose clock the test sets. */
interface ClockedServer extends TestServer {
  clock: { at: number };
}

async function clockedServer(options: Parameters<typeof startTestServer>[0] = {}): Promise<ClockedServer> {
  const clock = { at: Date.now() };
  const server = await startTestServer({ now: () => new Date(clock.at), ...options });
  return Object.assign(server, { clock });
}

function post(server: TestServer, device: { deviceId: string; token: string }, body: Record<string, unknown>) {
  return fetch(`${server.url}/api/v1/batches`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${device.token}` },
    body: JSON.stringify({ ...batchOf([], device.deviceId), ...body }),
  });
}

/** An empty batch carrying `report`, as a tablet sends after draining its queue. */
async function report(server: TestServer, device: { deviceId: string; token: string }, fields: Record<string, unknown>): Promise<void> {
  const res = await post(server, device, { report: { pending: 0, quarantined: 0, ...fields } });
  expect(res.status, await res.clone().text()).toBe(200);
}

async function consoleCookie(server: TestServer): Promise<string> {
  const ana = await addAccount(server.store, { email: 'ana@example.org', name: 'Ana', password: PASSWORD });
  // The server runs on the test's clock: a recovery code, which knows no time, is her second factor.
  return (await signIn(server.url, ana, { recoveryCode: true })).cookie;
}

const lastReport = async (server: TestServer, id: string) => (await server.store.listDevices()).find((d) => d.id === id)?.lastReport;
const erasures = async (server: TestServer) => (await server.store.auditLog()).filter((e) => e.action === 'tablet-erased');

describe('what a tablet reports (S21)', () => {
  let server: ClockedServer;
  let tablet: { deviceId: string; token: string };
  beforeAll(async () => {
    server = await clockedServer();
    tablet = await server.enroll('Rally');
  });
  afterAll(async () => {
    await server.close();
  });

  it('S21: every fact of a batch’s report is kept with the device, stamped with the server’s clock', async () => {
    const facts = {
      pending: 2, quarantined: 1, persisted: false, storage: { usage: 5_242_880, quota: 1_073_741_824 },
      appVersion: '0.1.0+2cf8e27', lastSyncAt: '2026-11-24T10:00:00.000Z', erased: 0,
    };
    const res = await post(server, tablet, { records: [makeRecord({ deviceId: tablet.deviceId })], report: facts });
    expect(res.status).toBe(200);
    expect(await lastReport(server, tablet.deviceId)).toEqual({ ...facts, at: new Date(server.clock.at).toISOString() });
  });

  it('S21: a batch refused as a whole (another device’s envelope) keeps no report', async () => {
    const before = await lastReport(server, tablet.deviceId);
    const other = await server.enroll('Rally');
    const forged = await post(server, tablet, { deviceId: other.deviceId, report: { pending: 99, quarantined: 0 } });
    expect(forged.status).toBe(403);
    expect(await lastReport(server, tablet.deviceId)).toEqual(before);
    expect(await lastReport(server, other.deviceId)).toBeNull();
  });

  it('S21: a bad report is ignored, not kept, and costs the batch nothing: its records are stored', async () => {
    const before = await lastReport(server, tablet.deviceId);
    expect(before).not.toBeNull();
    const records = [makeRecord({ deviceId: tablet.deviceId }), makeRecord({ deviceId: tablet.deviceId })];
    const stored = await server.store.count();
    const bad = await post(server, tablet, { records, report: { pending: 99, quarantined: 0, erased: -4 } });
    expect(bad.status).toBe(200);
    expect((await bad.json()).results).toEqual(records.map((r) => ({ id: r.id, status: 'accepted' })));
    expect(await server.store.count()).toBe(stored + 2);
    expect(await lastReport(server, tablet.deviceId)).toEqual(before);
  });

  it('S21, S23: a report’s chain head naming another device is ignored; the rest of the report is kept', async () => {
    const other = await server.enroll('Rally');
    const link = (c: string) => c.repeat(43);
    const own = { device: tablet.deviceId, seq: 4, link: link('A') };
    await report(server, tablet, { pending: 1, chain: own });
    expect((await lastReport(server, tablet.deviceId))?.chain).toEqual(own);
    // The other tablet's token speaks for this tablet's chain: a head far ahead would make its records look missing.
    await report(server, other, { pending: 2, chain: { device: tablet.deviceId, seq: 99, link: link('B') } });
    const kept = await lastReport(server, other.deviceId);
    expect(kept).toMatchObject({ pending: 2 });
    expect(kept?.chain).toBeUndefined();
    expect((await lastReport(server, tablet.deviceId))?.chain).toEqual(own);
    // Its own head is kept as usual.
    const mine = { device: other.deviceId, seq: 0, link: link('C') };
    await report(server, other, { pending: 0, chain: mine });
    expect((await lastReport(server, other.deviceId))?.chain).toEqual(mine);
  });

  it('S21: an erase total that grows is written to the audit log once, however often it is reported', async () => {
    const device = await server.enroll('Rally');
    await server.store.reportDevice(device.deviceId, { pending: 0, quarantined: 0, at: new Date().toISOString() }); // no erased yet
    const seen = (await erasures(server)).length;
    await report(server, device, { erased: 2 });
    await report(server, device, { erased: 2 }); // a retry, or the final empty batch
    await report(server, device, { pending: 1 }); // an older app that does not say
    await report(server, device, { erased: 5 });
    await report(server, device, { erased: 3 }); // a late batch: the total never goes back
    await report(server, device, { erased: 5 });
    const mine = (await erasures(server)).slice(0, (await erasures(server)).length - seen).reverse();
    expect(mine.map((e) => [e.actor, e.detail])).toEqual([
      [`tablet:${device.deviceId}`, { deviceId: device.deviceId, erased: 2, total: 2 }],
      [`tablet:${device.deviceId}`, { deviceId: device.deviceId, erased: 3, total: 5 }],
    ]);
    expect((await lastReport(server, device.deviceId))?.erased).toBe(5);
  });
});

describe('an erase total no tablet could report (F15)', () => {
  let server: ClockedServer;
  beforeAll(async () => {
    server = await clockedServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('2^53 − 1 erased is not kept, is audited as implausible, and the tablet’s real quick deletes after it are still audited', async () => {
    const device = await server.enroll('Rally');
    await report(server, device, { erased: 2 });
    await report(server, device, { erased: Number.MAX_SAFE_INTEGER });
    expect((await lastReport(server, device.deviceId))?.erased).toBe(2);
    await report(server, device, { erased: 3 }); // a real quick delete of one signature
    await report(server, device, { erased: 3 + MAX_ERASED_PER_REPORT + 1 }); // one over the bound
    await report(server, device, { erased: 3 + MAX_ERASED_PER_REPORT }); // the bound itself: a huge but possible day
    const mine = (await server.store.auditLog()).filter((e) => e.actor === `tablet:${device.deviceId}` && e.action.startsWith('tablet-erased')).reverse();
    expect(mine.map((e) => [e.action, e.detail])).toEqual([
      ['tablet-erased', { deviceId: device.deviceId, erased: 2, total: 2 }],
      ['tablet-erased-implausible', { deviceId: device.deviceId, claimed: Number.MAX_SAFE_INTEGER, kept: 2 }],
      ['tablet-erased', { deviceId: device.deviceId, erased: 1, total: 3 }],
      ['tablet-erased-implausible', { deviceId: device.deviceId, claimed: 3 + MAX_ERASED_PER_REPORT + 1, kept: 3 }],
      ['tablet-erased', { deviceId: device.deviceId, erased: MAX_ERASED_PER_REPORT, total: 3 + MAX_ERASED_PER_REPORT }],
    ]);
    expect((await lastReport(server, device.deviceId))?.erased).toBe(3 + MAX_ERASED_PER_REPORT);
  });
});

describe('tablets gone quiet holding signatures', () => {
  let server: ClockedServer;
  let cookie: string;
  const tablets: Record<'silent' | 'drained' | 'recent' | 'revoked' | 'never', { deviceId: string; token: string }> = {} as never;
  const start = Date.now() - 5 * HOUR;

  beforeAll(async () => {
    // The clock jumps hours ahead: the console session must outlast it (sessions are not under test here).
    server = await clockedServer({ staleAfterMs: 2 * HOUR, tokenLifetimeMs: 30 * DAY, sessions: { idleMs: DAY, lifetimeMs: DAY } });
    server.clock.at = start;
    cookie = await consoleCookie(server);
    for (const name of ['silent', 'drained', 'recent', 'revoked', 'never'] as const) tablets[name] = await server.enroll(`Rally ${name}`);
    // Three hours ago: one tablet still held 4 signatures (1 refused), one had sent everything.
    server.clock.at = start + 2 * HOUR;
    await report(server, tablets.silent, { pending: 3, quarantined: 1, storage: { usage: 3e6, quota: 6e9 }, persisted: false, appVersion: '0.1.0+abc' });
    await report(server, tablets.drained, { pending: 0, quarantined: 0 });
    await report(server, tablets.revoked, { pending: 7, quarantined: 0 });
    await server.store.revokeDevice(tablets.revoked.deviceId, new Date(server.clock.at).toISOString());
    // An hour ago: this one held signatures too, but it is not silent for long yet.
    server.clock.at = start + 4 * HOUR;
    await report(server, tablets.recent, { pending: 5, quarantined: 0 });
    server.clock.at = start + 5 * HOUR;
  });
  afterAll(async () => {
    await server.close();
  });

  it('S21: the console lists only the tablet silent for over the threshold with unsynced signatures as silent, first', async () => {
    const res = await fetch(`${server.url}/api/console/devices`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const { devices, staleAfterMs } = await res.json();
    expect(staleAfterMs).toBe(2 * HOUR);
    expect(devices[0].id).toBe(tablets.silent.deviceId);
    expect(devices[0].silent).toEqual({ forMs: 3 * HOUR, unsynced: 4 });
    expect(devices[0].lastReport).toMatchObject({ pending: 3, quarantined: 1, storage: { usage: 3e6, quota: 6e9 }, persisted: false, appVersion: '0.1.0+abc' });
    const silentIds = devices.filter((d: { silent: unknown }) => d.silent).map((d: { id: string }) => d.id);
    expect(silentIds).toEqual([tablets.silent.deviceId]);
    // Every token's expiry: 30 days after its enrollment.
    for (const d of devices) expect(Date.parse(d.tokenExpiresAt) - Date.parse(d.enrolledAt)).toBe(30 * DAY);
  });

  it('S21: the CLI flags the same tablet, with its counts, storage and version', () => {
    // The CLI reads the real clock: the reports above are hours old by it as well.
    const out = execFileSync('node', ['server/cli.ts', 'devices', '--db', server.dbPath, '--stale-after', '2h', '--token-lifetime', '30d'], { cwd: ROOT, encoding: 'utf8' });
    expect(out).toMatch(/^1 silent for over 2 hours while holding unsynced signatures/);
    const blocks = out.split(/\n(?=\S{36}  )/).slice(1);
    expect(blocks).toHaveLength(5);
    expect(blocks[0]).toContain(tablets.silent.deviceId);
    expect(blocks[0]).toMatch(/SILENT for 3 hours with 4 unsynced signatures/);
    expect(blocks[0]).toMatch(/pending 3, quarantined 1, erased 0; storage 3\.0 MB of 6\.0 GB, NOT persistent/);
    expect(blocks[0]).toMatch(/app 0\.1\.0\+abc/);
    expect(blocks[0]).toMatch(/token expires 20\d\d-/);
    expect(out.match(/SILENT/g)).toHaveLength(1);
    expect(blocks.find((b) => b.includes(tablets.never.deviceId))).toMatch(/no report yet/);
  });

  it('S21: a longer threshold flags none', async () => {
    const out = execFileSync('node', ['server/cli.ts', 'devices', '--db', server.dbPath, '--stale-after', '4h'], { cwd: ROOT, encoding: 'utf8' });
    expect(out).not.toMatch(/SILENT/);
    expect(() => execFileSync('node', ['server/cli.ts', 'devices', '--db', server.dbPath, '--stale-after', 'soon'], { cwd: ROOT, stdio: 'pipe' })).toThrow(/--stale-after must look like/);
  });
});

describe('device token lifetime (S25)', () => {
  let server: ClockedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('S25: enrollment says when the token expires; past it the server answers 401 token_expired and stores nothing', async () => {
    server = await clockedServer({ tokenLifetimeMs: 90 * DAY });
    const enrolledAt = server.clock.at;
    const { code } = await createEnrollmentCode(server.store, 'Rally', HOUR, 'test');
    const enrolled = await fetch(`${server.url}/api/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ protocol: 1, code }) });
    expect(enrolled.status).toBe(201);
    const tablet = await enrolled.json();
    expect(tablet.tokenExpiresAt).toBe(new Date(enrolledAt + 90 * DAY).toISOString());

    server.clock.at = enrolledAt + 90 * DAY - 1;
    expect((await post(server, tablet, { records: [makeRecord({ deviceId: tablet.deviceId })] })).status).toBe(200);
    const stored = await server.store.count();

    server.clock.at = enrolledAt + 90 * DAY;
    const refused = await post(server, tablet, { records: [makeRecord({ deviceId: tablet.deviceId })], report: { pending: 1, quarantined: 0 } });
    expect(refused.status).toBe(401);
    const { error } = await refused.json();
    expect(error.code).toBe('token_expired');
    expect(error.message).toMatch(/enroll it again with a new code/);
    expect(error.message).toMatch(/signatures are kept/);
    expect(await server.store.count()).toBe(stored);
    expect((await lastReport(server, tablet.deviceId))?.pending).not.toBe(1);
  });

  it('S25: with lifetime 0 a token never expires, and enrollment names no expiry', async () => {
    server = await clockedServer({ tokenLifetimeMs: 0 });
    const tablet = await server.enroll('Rally');
    const devices = await server.store.listDevices();
    expect(devices).toHaveLength(1);
    server.clock.at += 10 * 365 * DAY;
    expect((await post(server, tablet, { records: [makeRecord({ deviceId: tablet.deviceId })] })).status).toBe(200);
    expect('tokenExpiresAt' in (tablet as object)).toBe(false);
  });

  it('S25: a shorter lifetime set later applies to tablets already enrolled, counted from their enrollment', async () => {
    const first = await clockedServer({ tokenLifetimeMs: 90 * DAY });
    const tablet = await first.enroll('Rally');
    const dbPath = first.dbPath;
    // The same database served again with --token-lifetime 7d, eight days later.
    const store = new SqliteStore(dbPath);
    const later = Date.now() + 8 * DAY;
    const http = createServer(createApp({ store, log: () => {}, tokenLifetimeMs: 7 * DAY, now: () => new Date(later) }));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
      const res = await post({ ...first, url }, tablet, {});
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe('token_expired');
    } finally {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
      await store.close();
      await first.close();
    }
  });
});
