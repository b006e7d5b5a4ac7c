/**
 * Issue #18, F3 and F7: the console's sign-in limits.
 * F3: the address's and the account's limits are checked before the password, so a limited
 * account answers a right password exactly like a wrong one, and does not even hash it.
 * F7: at most two password checks (scrypt, on libuv's thread pool) run at once; a few wait,
 * the rest are told the server is busy, and a tablet's gzipped batch never waits behind them.
 *
 * scrypt is observed where it runs: node:crypto's `scrypt` is wrapped to count calls and the
 * checks in flight, and can hold their results until the test lets them go.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp, type App } from '../../server/app.ts';
import { createEnrollmentCode } from '../../server/devices.ts';
import { SqliteStore } from '../../server/store/sqlite.ts';
import { batchOf, makeRecord } from '../helpers/records.ts';
import { addAccount } from '../helpers/accounts.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';

const scryptProbe = vi.hoisted(() => ({ calls: 0, inFlight: 0, peak: 0, held: undefined as Promise<void> | undefined }));

vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof import('node:crypto')>();
  const scrypt = (...args: unknown[]) => {
    const callback = args.pop() as (error: Error | null, key: Buffer) => void;
    scryptProbe.calls++;
    scryptProbe.peak = Math.max(scryptProbe.peak, ++scryptProbe.inFlight);
    (crypto.scrypt as (...a: unknown[]) => void)(...args, (error: Error | null, key: Buffer) => {
      const done = () => {
        scryptProbe.inFlight--;
        callback(error, key);
      };
      if (scryptProbe.held) void scryptProbe.held.then(done);
      else done();
    });
  };
  return { ...crypto, scrypt, default: { ...crypto, scrypt } };
});

const PASSWORD = 'correct horse battery staple';
const dir = mkdtempSync(join(tmpdir(), 'fieldsign-sign-in-'));
let n = 0;

/**
 * A fresh app and database with two coordinators, Ana and Ben: campaign managers without the
 * personal-data permission, of whom no second factor is required, so that a right password
 * alone signs them in (the limits on codes are two-factor's tests).
 */
async function appWith(loginLimit: { capacity: number; refillMs: number }) {
  const store = new SqliteStore(join(dir, `sign-in-${++n}.db`));
  for (const [email, name] of [['ana@example.org', 'Ana'], ['ben@example.org', 'Ben']]) {
    await addAccount(store, { email, name, password: PASSWORD, role: 'manager', campaigns: [DEFAULT_CAMPAIGN.id] });
  }
  const app = createApp({ store, log: () => {}, loginLimit });
  return { store, app, close: async () => (app.close(), await store.close()) };
}

/**
 * A request's bindings as node-server gives them: the client's address, on an encrypted (TLS)
 * socket, since the server refuses sign-ins over plain http from other machines.
 */
function from(address: string) {
  return { incoming: { socket: { remoteAddress: address, encrypted: true } } } as never;
}

async function signIn(app: App, address: string, email: string, password: string) {
  const res = await app.request('/api/console/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) }, from(address));
  return { status: res.status, retryAfter: res.headers.get('retry-after'), cookie: res.headers.get('set-cookie'), body: await res.json() };
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  Object.assign(scryptProbe, { calls: 0, inFlight: 0, peak: 0, held: undefined });
});

describe('F3: sign-in limits come before the password', () => {
  let ctx: Awaited<ReturnType<typeof appWith>>;
  beforeAll(async () => {
    ctx = await appWith({ capacity: 3, refillMs: 60_000 });
  });
  afterAll(() => ctx.close());

  it('an account drained from many addresses answers the right password exactly like a wrong one, without hashing either', async () => {
    for (const address of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) expect((await signIn(ctx.app, address, 'ana@example.org', 'a wrong guess')).status).toBe(401);
    expect(scryptProbe.calls).toBe(3);

    const right = await signIn(ctx.app, '10.0.0.4', 'ana@example.org', PASSWORD);
    const wrong = await signIn(ctx.app, '10.0.0.5', ' ANA@example.org', 'another wrong guess');
    expect(right.status).toBe(429);
    expect(right.cookie).toBeNull();
    expect(wrong).toEqual(right);
    expect(right.body.error.code).toBe('rate_limited');
    expect(Number(right.retryAfter)).toBeGreaterThanOrEqual(1);
    // Neither password was looked at: from fresh addresses, the account's limit refused them first.
    expect(scryptProbe.calls).toBe(3);

    // Ben's account, from those same addresses, is not limited; his sign-ins cost nothing.
    for (let i = 0; i < 5; i++) expect((await signIn(ctx.app, '10.0.0.4', 'ben@example.org', PASSWORD)).status).toBe(200);

    // An address out of attempts is refused at once too, whatever account it tries next.
    for (const email of ['a@example.org', 'b@example.org', 'c@example.org']) expect((await signIn(ctx.app, '10.2.0.1', email, 'wrong')).status).toBe(401);
    const calls = scryptProbe.calls;
    expect((await signIn(ctx.app, '10.2.0.1', 'd@example.org', 'wrong')).status).toBe(429);
    expect(scryptProbe.calls).toBe(calls);
  });

  it('guesses sent in parallel from many addresses are evaluated only up to the limit', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => signIn(ctx.app, `10.1.0.${i}`, 'ben@example.org', `guess number ${i}`)));
    expect(answers.filter((a) => a.status === 401)).toHaveLength(3);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(17);
    expect(scryptProbe.calls).toBe(3);
  });
});

describe('F7: a bounded number of password checks at once', () => {
  let ctx: Awaited<ReturnType<typeof appWith>>;
  let device: { deviceId: string; token: string };
  beforeAll(async () => {
    // Limits raised so that every wrong sign-in reaches the password check.
    ctx = await appWith({ capacity: 10_000, refillMs: 1 });
    const { code } = await createEnrollmentCode(ctx.store, 'rally', 3_600_000, 'test');
    const res = await ctx.app.request('/api/v1/enroll', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ protocol: 1, code }) }, from('10.9.9.9'));
    device = await res.json();
  });
  afterAll(() => ctx.close());

  it('runs at most two, queues sixteen, tells the rest the server is busy, and serves tablets and the console meanwhile', async () => {
    let release!: () => void;
    scryptProbe.held = new Promise<void>((resolve) => (release = resolve));
    const settled: Array<Awaited<ReturnType<typeof signIn>>> = [];
    const all = Promise.all(
      Array.from({ length: 20 }, (_, i) => signIn(ctx.app, `10.3.0.${i}`, 'ana@example.org', `wrong guess ${i}`).then((answer) => (settled.push(answer), answer))),
    );
    // Two run (held) and sixteen wait: the two left over are answered at once.
    await expect.poll(() => settled.length).toBe(2);
    expect(scryptProbe.inFlight).toBe(2);
    for (const busy of settled) {
      expect(busy.status).toBe(429);
      expect(busy.retryAfter).toBe('1');
      expect(busy.body.error.message).toBe('The server is busy checking other sign-ins. Try again in 1 s.');
    }

    // Meanwhile a tablet's gzipped batch and the console's session check are answered.
    const body = gzipSync(JSON.stringify(batchOf([makeRecord({ deviceId: device.deviceId })], device.deviceId)));
    const batch = await ctx.app.request(
      '/api/v1/batches',
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${device.token}` }, body },
      from('10.9.9.9'),
    );
    expect(batch.status).toBe(200);
    expect((await ctx.app.request('/api/console/session', {}, from('10.9.9.9'))).status).toBe(200);

    scryptProbe.held = undefined;
    release();
    const answers = await all;
    expect(scryptProbe.peak).toBe(2);
    // Those that waited were checked (a wrong password) unless their wait ran out (busy).
    expect(answers.filter((a) => a.status === 401).length).toBeGreaterThanOrEqual(2);
    expect(answers.every((a) => a.status === 401 || (a.status === 429 && a.retryAfter === '1'))).toBe(true);
    // A busy answer gave its attempts back: the right password still signs in.
    expect((await signIn(ctx.app, '10.3.0.0', 'ana@example.org', PASSWORD)).status).toBe(200);
  });
});
