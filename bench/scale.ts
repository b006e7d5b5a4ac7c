/**
 * The scale section of `npm run bench`: N signatures (default 1,000,000) on SQLite and on
 * PostgreSQL, and what the console and the exports feel like at that size, measured on a
 * real server process started as in production (server/main.ts), so that its event loop and
 * its memory are the server's alone.
 *
 *   1. seed N through the store (scale-seed.ts): seeding time, and the ingest rate with N
 *      stored against an empty store, as a ratio (target ≥ 0.8);
 *   2. sign a coordinator in and ask what the console asks, ~50 times each: the signatures
 *      page, a deep page (the `before` cursor at the middle where the API has it, else the
 *      offset), a selective name search, the duplicates filter, the totals, and the first
 *      snapshot of the live stream: p50 / p99 (target p99 ≤ 50 ms);
 *   3. download the four exports of all N one after the other while asking /api/health every
 *      20 ms: health p50 / p99 (target ≤ 50 ms), rows per second, and the server's peak RSS
 *      (VmHWM, reset before each export; target ≤ 256 MB). The PDF stops after
 *      `pdfMaxSeconds` and says so (its rows are then estimated from the pages);
 *   4. throughout, the server's own event-loop delay p99 for each of the above, which it
 *      reports on SIGUSR2 when started with FIELDSIGN_BENCH_LOOP_DELAY=1 (server/bench-loop-delay.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { addAccount, signIn as signInAs, type TestAccount } from '../tests/helpers/accounts.ts';
import type { Store } from '../server/store/store.ts';
import { download, firstSnapshot, getJson, healthProbe, latencies, quantile } from './scale-probes.ts';
import { CAMPAIGN_COUNT, RARE_NAME, seed, type Seeded } from './scale-seed.ts';

export interface Figure {
  name: string;
  value: string;
  target: string;
  met: boolean | undefined;
}

export interface ScaleOptions {
  n: number;
  /** The store to seed, and the --db the server is started with. */
  open: () => Promise<Store>;
  db: string;
  label: string;
  pdfMaxSeconds: number;
  log: (line: string) => void;
}

const ms = (n: number) => `${n.toFixed(1)} ms`;
const fmt = (n: number) => Math.round(n).toLocaleString('en');

/** The server under test, with its event-loop reports. */
class ServerProcess {
  private waiting: Array<(line: string) => void> = [];
  readonly url: Promise<string>;
  readonly proc: ChildProcess;
  private constructor(proc: ChildProcess) {
    this.proc = proc;
    let out = '';
    this.url = new Promise((resolve, reject) => {
      proc.stdout!.on('data', (d: Buffer) => {
        out += d;
        let nl: number;
        while ((nl = out.indexOf('\n')) >= 0) {
          const line = out.slice(0, nl);
          out = out.slice(nl + 1);
          const m = /listening on (http:\/\/\S+?:\d+)/.exec(line);
          if (m) resolve(m[1].replace('localhost', '127.0.0.1'));
          if (line.startsWith('bench-loop-delay ')) this.waiting.shift()?.(line.slice(17));
        }
      });
      proc.on('exit', (code) => reject(new Error(`the server exited with ${code}`)));
    });
  }

  static start(db: string): ServerProcess {
    const proc = spawn(process.execPath, ['server/main.ts', '--port', '0', '--db', db], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, FIELDSIGN_BENCH_LOOP_DELAY: '1', FIELDSIGN_STATIC: '/nonexistent' },
    });
    return new ServerProcess(proc);
  }

  /** Event-loop delay since the last call (the first call only starts the count). */
  loopDelay(): Promise<{ p50: number; p99: number; max: number }> {
    return new Promise((resolve) => {
      this.waiting.push((line) => resolve(JSON.parse(line)));
      this.proc.kill('SIGUSR2');
    });
  }

  /** Reset the kernel's peak-RSS mark (VmHWM) of the server. */
  resetPeak(): void {
    try {
      writeFileSync(`/proc/${this.proc.pid}/clear_refs`, '5');
    } catch {
      // Not allowed here: VmHWM then covers the process's whole life.
    }
  }

  /** Peak and current RSS in MB. */
  rss(): { peak: number; now: number } {
    const status = readFileSync(`/proc/${this.proc.pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { peak: kb('VmHWM') / 1024, now: kb('VmRSS') / 1024 };
  }

  async stop(): Promise<void> {
    this.proc.kill('SIGTERM');
    await new Promise((resolve) => this.proc.once('exit', resolve));
  }
}

/** Wait for the server to listen, and sign the coordinator in. */
async function signIn(server: ServerProcess, owner: TestAccount): Promise<{ base: string; cookie: string }> {
  const base = await server.url;
  return { base, cookie: (await signInAs(base, owner)).cookie };
}

/** Seed, start the server, measure; the figures, each named with the store's label. */
export async function measureScale(options: ScaleOptions): Promise<Figure[]> {
  const { n, label, log } = options;
  const figures: Figure[] = [];
  const add = (name: string, value: string, target = '', met?: boolean) => figures.push({ name: `${label} ${n.toLocaleString('en')}: ${name}`, value, target, met });

  // 1. Seed.
  const store = await options.open();
  let seeded: Seeded;
  let owner: TestAccount;
  try {
    seeded = await seed(store, n, log);
    // An owner who may export personal data, with two-factor sign-in, as the console requires.
    owner = await addAccount(store, { email: 'scale@example.org', name: 'Scale' });
  } finally {
    await store.close();
  }
  add('seeding time', `${seeded.seconds.toFixed(1)} s (${fmt(n / seeded.seconds)} signatures/s, batches of 1,000)`);
  const ratio = seeded.fullRate / seeded.emptyRate;
  add(`ingest rate with N stored / empty (${fmt(seeded.probe)} each)`, `${ratio.toFixed(2)} (${fmt(seeded.fullRate)} vs ${fmt(seeded.emptyRate)} /s)`, '≥ 0.8', ratio >= 0.8);

  // 2. The console's requests, on one server process.
  let server = ServerProcess.start(options.db);
  try {
    const { base, cookie } = await signIn(server, owner);
    // Features the API may not have yet (the before cursor, the duplicates filter) are detected, not assumed.
    const signatures = `${base}/api/console/signatures?limit=50`;
    const first = await getJson(signatures, cookie);
    const ids = (page: { rows: Array<{ id: string }> }) => page.rows.map((r) => r.id).join();
    const mid = Math.floor(n / 2);
    const cursor = await getJson(`${signatures}&before=${mid}`, cookie);
    const deep = ids(cursor) !== ids(first) ? { url: `${signatures}&before=${mid}`, how: 'before cursor' } : { url: `${signatures}&offset=${mid}`, how: 'offset; no before cursor yet' };
    const dupes = await getJson(`${signatures}&duplicates=1`, cookie);
    const dupesHow = dupes.total !== first.total ? 'duplicates=1' : 'duplicates=1 not supported yet: the whole list';
    const search = await getJson(`${signatures}&q=${RARE_NAME}`, cookie);
    const kinds: Array<[string, () => Promise<unknown>]> = [
      ['signatures page 1', () => getJson(signatures, cookie)],
      [`page at the middle (${deep.how})`, () => getJson(deep.url, cookie)],
      [`search "${RARE_NAME}" (${search.total} of ${seeded.rare} found)`, () => getJson(`${signatures}&q=${RARE_NAME}`, cookie)],
      [`duplicates filter (${dupesHow})`, () => getJson(`${signatures}&duplicates=1`, cookie)],
      ['GET /api/console/totals', () => getJson(`${base}/api/console/totals`, cookie)],
      ['live snapshot (first data: of /api/console/events)', () => firstSnapshot(`${base}/api/console/events`, cookie)],
    ];
    for (const [name, run] of kinds) {
      await server.loopDelay();
      const l = await latencies(async () => void (await run()));
      const loop = await server.loopDelay();
      add(`${name}: p50 / p99`, `${ms(l.p50)} / ${ms(l.p99)} (${l.count} requests; server loop delay p99 ${ms(loop.p99)})`, 'p99 ≤ 50 ms', l.p99 <= 50);
    }

  } finally {
    await server.stop();
  }

  // 3. The exports, one after the other, with /api/health asked throughout, on a server
  // process of their own: what the requests above left in its memory is not theirs.
  server = ServerProcess.start(options.db);
  try {
    const { base, cookie } = await signIn(server, owner);
    const exports: Array<[string, string]> = [
      ['CSV hand-in', 'handin.csv'],
      ['CSV contacts', 'contacts.csv'],
      ['PDF hand-in', 'handin.pdf'],
      ['zip of SVGs', 'signatures.zip'],
    ];
    const allHealth: number[] = [];
    let peakAll = 0;
    for (const [name, file] of exports) {
      log(`  exporting ${file}…`);
      server.resetPeak();
      await server.loopDelay();
      let sampledPeak = 0;
      const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, server.rss().now)), 100);
      const health = healthProbe(base);
      const d = await download(`${base}/api/console/export/${file}`, cookie, file.endsWith('.pdf') ? options.pdfMaxSeconds : 3600);
      const times = (await health.stop()).sort((a, b) => a - b);
      clearInterval(sampler);
      const loop = await server.loopDelay();
      const peak = Math.max(server.rss().peak, sampledPeak);
      peakAll = Math.max(peakAll, peak);
      allHealth.push(...times);
      // The PDF's rows when it was stopped: its pages, at the rows per page of a full sheet (~15).
      // Each export is of the default campaign: one signature in CAMPAIGN_COUNT.
      const rows = d.capped ? d.pages * 15 : Math.ceil(n / CAMPAIGN_COUNT);
      const cappedNote = d.capped ? `, stopped after ${options.pdfMaxSeconds} s at ${fmt(d.pages)} pages (~${fmt(rows)} rows, estimated)` : '';
      add(`${name} export`, `${fmt(rows / d.seconds)} rows/s (${d.seconds.toFixed(1)} s, ${(d.bytes / 2 ** 20).toFixed(0)} MB${cappedNote})`);
      add(`${name}: /api/health p50 / p99 meanwhile`, `${ms(quantile(times, 0.5))} / ${ms(quantile(times, 0.99))} (max ${ms(times.at(-1) ?? Number.NaN)}; server loop delay p99 ${ms(loop.p99)}, max ${ms(loop.max)})`, 'p99 ≤ 50 ms', quantile(times, 0.99) <= 50);
      add(`${name}: server peak RSS`, `${peak.toFixed(0)} MB`, '≤ 256 MB', peak <= 256);
    }
    allHealth.sort((a, b) => a - b);
    add('/api/health during all four exports: p50 / p99', `${ms(quantile(allHealth, 0.5))} / ${ms(quantile(allHealth, 0.99))} (${allHealth.length} requests)`, 'p99 ≤ 50 ms', quantile(allHealth, 0.99) <= 50);
    add('server peak RSS over the exports', `${peakAll.toFixed(0)} MB`, '≤ 256 MB', peakAll <= 256);
  } finally {
    await server.stop();
  }
  return figures;
}
