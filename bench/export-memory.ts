/**
 * Memory benchmark of the console exports: do they stream, or do they hold every
 * signature in memory?
 *
 *   node_modules/.bin/node bench/export-memory.ts [N]      (default N = 100000)
 *
 * Fills a temporary SQLite store with N realistic signatures (export-memory-seed.ts; and, for
 * comparison, one with 10,000), then downloads each export (the hand-in package in its
 * per-country profile; its chain check keeps ~200 bytes per signature, by design) through the real HTTP app into a
 * null sink, sampling process.memoryUsage() every 50 ms. Every export runs in a fresh child process
 * (`--child`), so one export's peak never hides in another's. If the exports stream, the
 * peak RSS and heap are about the same for 10,000 and 100,000 signatures; if they buffer,
 * they grow tenfold. Prints figures only; asserts nothing.
 *
 * The child measures itself: server and client share the process, so the figures include
 * the client reading the download (a plain node:http reader that discards the bytes).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { request, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../server/app.ts';
import { SqliteStore } from '../server/store/sqlite.ts';
import { fill } from './export-memory-seed.ts';
import { addAccount, secondFactorCode } from '../tests/helpers/accounts.ts';

const EXPORTS = ['handin.csv', 'contacts.csv', 'signatures.zip', 'handin.pdf', 'handin-package.zip'] as const;
/** The query each export is asked with: the hand-in package in its largest profile (a PDF and a CSV per country). */
const QUERY: Partial<Record<(typeof EXPORTS)[number], string>> = { 'handin-package.zip': '?profile=per-country' };
type ExportName = (typeof EXPORTS)[number];
const SAMPLE_MS = 50;
const BASELINE_N = 10_000;
/** Samples between forced GCs (live-heap probe): once a second. */
const LIVE_EVERY = 20;

interface Result {
  export: ExportName;
  n: number;
  rows: number;
  seconds: number;
  bytes: number;
  startRssMb: number;
  peakRssMb: number;
  peakHeapMb: number;
  /** Highest heap right after a forced GC: what the export really keeps, garbage aside. */
  peakLiveHeapMb: number;
  check: string;
}

// ---------------------------------------------------------------------------------------
// One export, measured (child process)
// ---------------------------------------------------------------------------------------

const MB = 1024 * 1024;

function httpCall(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string | undefined,
  onData: (chunk: Buffer) => void,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      res.on('data', onData);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Entry count from a zip's end records (ZIP64 if present). */
function zipEntries(tail: Buffer): number {
  const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) return -1;
  const count = tail.readUInt16LE(eocd + 10);
  if (count !== 0xffff) return count;
  const z64 = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x06, 0x06]));
  return z64 < 0 ? -1 : Number(tail.readBigUInt64LE(z64 + 32));
}

async function child(dbPath: string, name: ExportName, n: number, optedIn: number): Promise<Result> {
  const store = new SqliteStore(dbPath);
  const server = createServer(createApp({ store, log: (message, error) => console.error(message, error) }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  // An owner who may export personal data, of this process's own (each signs in once, with its code).
  const owner = await addAccount(store, { name: 'Bench' });
  const credentials = { email: owner.email, password: owner.password, code: secondFactorCode(owner) };
  const login = await httpCall(port, 'POST', '/api/console/login', { 'content-type': 'application/json' }, JSON.stringify(credentials), () => {});
  const cookie = String(login.headers['set-cookie'] ?? '').split(';')[0];
  if (login.status !== 200 || !cookie) throw new Error(`login failed: ${login.status}`);

  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  gc();
  const startRss = process.memoryUsage().rss;
  let peakRss = startRss;
  let peakHeap = process.memoryUsage().heapUsed;
  let peakLiveHeap = peakHeap;
  let ticks = 0;
  const sample = () => {
    const m = process.memoryUsage();
    if (m.rss > peakRss) peakRss = m.rss;
    if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
    // Once a second, a full GC shows the live heap (only with --expose-gc, as the children run).
    if (++ticks % LIVE_EVERY === 0) {
      gc();
      peakLiveHeap = Math.max(peakLiveHeap, process.memoryUsage().heapUsed);
    }
  };
  const timer = setInterval(sample, SAMPLE_MS);

  // The null sink counts what the checks need without keeping the download: line ends
  // (CSV), PDF page objects, and the last 64 KB (the zip's end records).
  let bytes = 0;
  let lines = 0;
  let pageObjects = 0;
  let carry = Buffer.alloc(0);
  const tailChunks: Buffer[] = [];
  let tailBytes = 0;
  const PAGE_OBJECT = Buffer.from('/Type /Page\n');
  const started = performance.now();
  const res = await httpCall(port, 'GET', `/api/console/export/${name}${QUERY[name] ?? ''}`, { cookie }, undefined, (chunk) => {
    bytes += chunk.length;
    if (name.endsWith('.csv')) for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
    if (name.endsWith('.pdf')) {
      const seam = Buffer.concat([carry, chunk]);
      for (let i = seam.indexOf(PAGE_OBJECT); i >= 0; i = seam.indexOf(PAGE_OBJECT, i + 1)) if (i + PAGE_OBJECT.length > carry.length) pageObjects++;
      carry = Buffer.from(seam.subarray(-(PAGE_OBJECT.length - 1)));
    }
    tailChunks.push(chunk);
    tailBytes += chunk.length;
    while (tailBytes - tailChunks[0].length >= 64 * 1024) tailBytes -= tailChunks.shift()!.length;
  });
  const tail = Buffer.concat(tailChunks);
  const seconds = (performance.now() - started) / 1000;
  sample();
  clearInterval(timer);
  if (res.status !== 200) throw new Error(`${name}: HTTP ${res.status}`);

  let rows = 0;
  let check: string;
  if (name === 'handin.csv' || name === 'contacts.csv') {
    rows = lines - 1; // the header; bench names hold no line breaks
    const expected = name === 'handin.csv' ? n : optedIn;
    check = rows === expected ? 'ok' : `expected ${expected}`;
  } else if (name === 'signatures.zip') {
    rows = zipEntries(tail);
    check = rows === n ? 'ok' : `expected ${n}`;
  } else if (name === 'handin-package.zip') {
    // Its files: a PDF and a CSV per country, and the four manifest files.
    rows = n;
    const files = zipEntries(tail);
    check = files >= 6 && files % 2 === 0 ? `ok, ${fmt(files)} files` : `${files} files`;
  } else {
    rows = n;
    check = tail.toString('latin1').trimEnd().endsWith('%%EOF') ? `ok, ${fmt(pageObjects)} pages` : 'truncated';
  }
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await store.close();
  return {
    export: name,
    n,
    rows,
    seconds,
    bytes,
    startRssMb: startRss / MB,
    peakRssMb: peakRss / MB,
    peakHeapMb: peakHeap / MB,
    peakLiveHeapMb: peakLiveHeap / MB,
    check,
  };
}

// ---------------------------------------------------------------------------------------
// Driver
// ---------------------------------------------------------------------------------------

function runChild(dbPath: string, name: ExportName, n: number, optedIn: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', dbPath, name, String(n), String(optedIn)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`child for ${name} (N=${n}) exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as Result);
    });
  });
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function table(results: Result[], sizes: number[]): string {
  const head = ['export'];
  const rule = ['---'];
  for (const n of sizes) {
    const tag = `N=${fmt(n)}`;
    head.push(`${tag} rows`, 'seconds', 'bytes', 'peak RSS MB', 'peak heap MB', 'live heap MB', 'check');
    rule.push('--:', '--:', '--:', '--:', '--:', '--:', '---');
  }
  const lines = [head, rule];
  for (const name of EXPORTS) {
    const cells: string[] = [name];
    for (const n of sizes) {
      const r = results.find((x) => x.export === name && x.n === n)!;
      cells.push(fmt(r.rows), fmt(r.seconds, 1), fmt(r.bytes), fmt(r.peakRssMb), fmt(r.peakHeapMb), fmt(r.peakLiveHeapMb), r.check);
    }
    lines.push(cells);
  }
  return lines.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const [, dbPath, name, n, optedIn] = args;
    if (!EXPORTS.includes(name as ExportName)) throw new Error(`unknown export ${name}`);
    const result = await child(dbPath, name as ExportName, Number(n), Number(optedIn));
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const n = Number(args[0] ?? 100_000);
  if (!Number.isInteger(n) || n < 1) throw new Error('Usage: node bench/export-memory.ts [N]   (N signatures, default 100000)');
  const sizes = n === BASELINE_N ? [n] : [BASELINE_N, n].sort((a, b) => a - b);
  const dir = mkdtempSync(join(tmpdir(), 'fieldsign-bench-'));
  const results: Result[] = [];
  try {
    for (const size of sizes) {
      const dbPath = join(dir, `n${size}.db`);
      const filled = await fill(dbPath, size);
      console.error(`filled ${fmt(size)} signatures (${fmt(filled.optedIn)} opted in) in ${fmt(filled.seconds, 1)} s, database ${fmt(statSync(dbPath).size / MB)} MB`);
      for (const name of EXPORTS) {
        const result = await runChild(dbPath, name, size, filled.optedIn);
        console.error(
          `  ${name.padEnd(15)} N=${fmt(size)}: ${fmt(result.seconds, 1)} s, ${fmt(result.bytes / MB, 1)} MB, RSS ${fmt(result.startRssMb)} → ${fmt(result.peakRssMb)} MB, ` +
            `peak heap ${fmt(result.peakHeapMb)} MB, live ${fmt(result.peakLiveHeapMb)} MB, ${result.check}`,
        );
        results.push(result);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nExport memory, node ${process.version}, samples every ${SAMPLE_MS} ms (peak over the download, server + client in one process;`);
  console.log(`"live heap" = highest heap right after a forced GC, once a second)\n`);
  console.log(table(results, sizes));
}

await main();
