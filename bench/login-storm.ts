/**
 * Issue #18, F7: what a tablet and a coordinator feel while someone fires wrong sign-ins.
 * One server process (SQLite) with the sign-in limits raised so that every wrong sign-in
 * reaches the password check (scrypt, on libuv's thread pool); `logins` wrong sign-ins are
 * sent at once, and meanwhile one tablet sends gzipped batches one after another and the
 * console asks GET /api/console/session. Their latencies are compared with the same requests
 * on the idle server.
 *
 *   node bench/login-storm.ts            the figures
 *   node bench/login-storm.ts serve DB   (internal) the server process, limits raised
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createApp } from '../server/app.ts';
import { createEnrollmentCode, sha256 } from '../server/devices.ts';
import { hashPassword } from '../server/console/passwords.ts';
import { SqliteStore } from '../server/store/sqlite.ts';
import { PROTOCOL_VERSION } from '../src/shared/protocol.ts';
import { recordsFor } from './server-load.ts';

export interface LoginStormFigures {
  logins: number;
  /** The wrong sign-ins' answers by status (401 checked, 429 refused as busy). */
  answers: Record<string, number>;
  idle: { batchMs: number; sessionMs: number };
  storm: { batchP50Ms: number; batchMaxMs: number; sessionMaxMs: number; stormSeconds: number };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Time one request, its body read. */
async function timed(url: string, init?: RequestInit): Promise<{ ms: number; status: number }> {
  const t0 = performance.now();
  const res = await fetch(url, init);
  await res.arrayBuffer();
  return { ms: performance.now() - t0, status: res.status };
}

/** Run the storm against a fresh server process; see the module comment. */
export async function loginStorm(logins = 300): Promise<LoginStormFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldsign-storm-'));
  const db = join(dir, 'storm.db');
  const setup = new SqliteStore(db);
  await setup.createCoordinator({ id: randomUUID(), email: 'ana@example.org', name: 'Ana', role: 'owner', passwordHash: await hashPassword('the real passphrase'), createdAt: new Date().toISOString() });
  const { code } = await createEnrollmentCode(setup, 'Storm', 3_600_000, 'bench');
  const token = randomBytes(32).toString('base64url');
  const deviceId = randomUUID();
  await setup.redeemEnrollmentCode(sha256(code.replace('-', '')), new Date().toISOString(), { id: deviceId, tokenHash: sha256(token), label: 'Tablet' });
  await setup.close();

  const server = spawn(process.execPath, [import.meta.filename, 'serve', db], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      server.stdout!.on('data', (d: Buffer) => /(http:\/\/\S+)/.test(String(d)) && resolve(/(http:\/\/\S+)/.exec(String(d))![1]));
      server.on('exit', (status) => reject(new Error(`the bench server exited ${status}`)));
    });
    const batch = () =>
      timed(`${url}/api/v1/batches`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${token}` },
        body: gzipSync(JSON.stringify({ protocol: PROTOCOL_VERSION, deviceId, records: recordsFor(deviceId, 25) })),
      });
    const session = () => timed(`${url}/api/console/session`);

    const idleBatches: number[] = [];
    const idleSessions: number[] = [];
    for (let i = 0; i < 10; i++) {
      idleBatches.push((await batch()).ms);
      idleSessions.push((await session()).ms);
    }

    const answers: Record<string, number> = {};
    const t0 = performance.now();
    let stormOver = false;
    const storm = Promise.all(
      Array.from({ length: logins }, (_, i) =>
        fetch(`${url}/api/console/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ana@example.org', password: `wrong guess ${i}` }) }).then(
          async (res) => {
            await res.arrayBuffer();
            answers[res.status] = (answers[res.status] ?? 0) + 1;
          },
        ),
      ),
    ).finally(() => (stormOver = true));
    const stormBatches: number[] = [];
    const stormSessions: number[] = [];
    // The tablet and the console keep asking while the storm lasts (at least three times each).
    while (!stormOver || stormBatches.length < 3) {
      const [b, s] = await Promise.all([batch(), session()]);
      if (b.status !== 200) throw new Error(`a batch was answered ${b.status} during the storm`);
      stormBatches.push(b.ms);
      stormSessions.push(s.ms);
    }
    await storm;
    return {
      logins,
      answers,
      idle: { batchMs: median(idleBatches), sessionMs: median(idleSessions) },
      storm: { batchP50Ms: median(stormBatches), batchMaxMs: Math.max(...stormBatches), sessionMaxMs: Math.max(...stormSessions), stormSeconds: (performance.now() - t0) / 1000 },
    };
  } finally {
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The server process: the app on `db`, every sign-in limit raised so that wrong sign-ins all reach scrypt. */
async function serve(db: string): Promise<void> {
  const store = new SqliteStore(db);
  const unlimited = { capacity: 1_000_000, refillMs: 1 };
  const app = createApp({ store, log: () => {}, loginLimit: unlimited });
  const server = createServer(app);
  server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${(server.address() as { port: number }).port}`));
}

if (import.meta.main) {
  if (process.argv[2] === 'serve') await serve(process.argv[3]);
  else console.log(JSON.stringify(await loginStorm(Number(process.argv[2] ?? 300)), null, 2));
}
