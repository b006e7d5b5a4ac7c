/**
 * `npm run bench`: measures what a user feels, side by side in one run, prints a table and
 * writes docs/benchmarks.md with the machine, the date and how to reproduce.
 * Targets are printed next to each figure; nothing here fails a build (machines are noisy).
 *
 *   npm run bench              everything (about 10 minutes on 2 cores, plus the scale section)
 *   npm run bench -- --quick   smaller counts, for a smoke run
 *   npm run bench -- --only scale [--scale-size 20000] [--scale-pdf-seconds 600]
 *                              one section only (bundle, wire, turnaround, turnaround-sealed, bytes,
 *                              slow-link, ingest, tablets, login-storm, scale); the scale section seeds
 *                              --scale-size signatures (default 1,000,000) on SQLite and on
 *                              PostgreSQL, and its PDF export stops after --scale-pdf-seconds.
 *                              A partial run rewrites only the scale part of docs/benchmarks.md.
 */
import { cpus, totalmem, release } from 'node:os';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execSync } from 'node:child_process';
import { kioskFirstLoad } from './bundle.ts';
import { bytesPerSignature } from './bytes.ts';
import { ingestRate, manyTablets, sqliteIngestRate } from './server-load.ts';

const { values: flags } = parseArgs({
  options: { quick: { type: 'boolean' }, only: { type: 'string' }, 'scale-size': { type: 'string' }, 'scale-pdf-seconds': { type: 'string' } },
  strict: true,
});
const quick = flags.quick === true;
const only = flags.only;
const scaleSize = Number(flags['scale-size'] ?? (quick ? 20_000 : 1_000_000));
const scalePdfSeconds = Number(flags['scale-pdf-seconds'] ?? 600);
if (!Number.isInteger(scaleSize) || scaleSize < 1000) throw new Error('--scale-size must be a whole number of at least 1000');
const lines: string[] = [];
const rows: Array<[string, string, string, string]> = [];
/** The scale section's figures: their own table in docs/benchmarks.md. */
const scaleRows: Array<[string, string, string, string]> = [];
let target = rows;
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

/** Record one figure with its target and whether it is met. */
function figure(name: string, value: string, goal: string, met: boolean | undefined): void {
  target.push([name, value, goal, met === undefined ? '' : met ? 'met' : 'MISSED']);
  console.log(`${met === false ? '✗' : met ? '✓' : ' '} ${name}: ${value}${goal ? `  (target ${goal})` : ''}`);
}

/** Run one section (all of them, or only the one `--only` names). */
async function section<T>(key: string, title: string, run: () => Promise<T>): Promise<T | undefined> {
  if (only && only !== key) return undefined;
  console.log(`\n== ${title}`);
  try {
    return await run();
  } catch (error) {
    console.log(`   failed: ${(error as Error).message}`);
    target.push([title, `failed: ${(error as Error).message.split('\n')[0]}`, '', 'MISSED']);
    return undefined;
  }
}

if (!only || only === 'bundle' || only === 'wire' || only.startsWith('turnaround')) execSync('npx vite build', { stdio: 'ignore' });

await section('bundle', '1. JavaScript shipped to the kiosk on first load (gzip)', async () => {
  const { chunks, totalGzip, lazy } = kioskFirstLoad();
  for (const c of chunks) figure(`first load: ${c.file}`, `${kb(c.gzip)} (${kb(c.bytes)} raw)`, '', undefined);
  figure('kiosk JS on first load, total', kb(totalGzip), '≤ 60 KB', totalGzip <= 60 * 1024);
  for (const c of lazy) figure(`loaded on demand: ${c.file}`, kb(c.gzip), '', undefined);
});

await section('wire', '1b. The kiosk’s bytes on the wire (Chromium, fresh tablet, CDP encodedDataLength)', async () => {
  const { kioskWireBytes } = await import('./wire-bytes.ts');
  const { compressed, identity } = await kioskWireBytes();
  const vs = (a: number, b: number) => `${kb(a)} (${kb(b)} uncompressed, ${Math.round((1 - a / b) * 100) + 0} % less)`;
  figure('first load, no service worker yet', vs(compressed.firstLoad, identity.firstLoad), '≤ 120 KB', compressed.firstLoad <= 120 * 1024);
  figure('service worker precache, downloaded after it', vs(compressed.precache, identity.precache), '', undefined);
  figure('second load, from the precache', vs(compressed.secondLoad, identity.secondLoad), '', undefined);
});

await section('turnaround', '2. Signer turnaround (Chromium, 4× CPU throttling, 10,000 stored)', async () => {
  const { signerTurnaround } = await import('./turnaround.ts');
  const r = (await signerTurnaround({ stored: quick ? 1000 : 10_000, runs: quick ? 8 : 30 })) as Record<string, unknown>;
  for (const [k, v] of Object.entries(r)) {
    const median = k.includes('median') && typeof v === 'number';
    figure(`turnaround: ${k}`, typeof v === 'number' ? `${v.toFixed(1)}` : JSON.stringify(v), median ? '≤ 150 ms' : '', median ? (v as number) <= 150 : undefined);
  }
  return r;
});

await section('turnaround-sealed', '2b. Signer turnaround with sealing on (each signature encrypted before it is stored)', async () => {
  const { signerTurnaround } = await import('./turnaround.ts');
  const r = (await signerTurnaround({ stored: quick ? 1000 : 10_000, runs: quick ? 8 : 30, compareEmpty: false, sealed: true })) as Record<string, unknown>;
  for (const [k, v] of Object.entries(r)) {
    const median = k.includes('median') && typeof v === 'number';
    figure(`sealed turnaround: ${k}`, typeof v === 'number' ? `${v.toFixed(1)}` : JSON.stringify(v), median ? '≤ 150 ms' : '', median ? (v as number) <= 150 : undefined);
  }
  return r;
});

await section('bytes', '3. Bytes per stored signature', async () => {
  const b = await bytesPerSignature(quick ? 10 : 40);
  figure('points per signature (median)', String(b.points), '', undefined);
  figure('Fieldsign strokes (JSON, median)', `${b.inkJson} B`, '≤ 3 KB', b.inkJson <= 3072);
  figure('whole record on the tablet and the wire before gzip', `${b.record} B`, '', undefined);
  figure('whole record gzipped (as sent in a batch)', `${b.recordGzip} B`, '', undefined);
  figure('signature_pad PNG data URL, same drawing', `${b.png} B (${(b.png / b.inkJson).toFixed(0)}×)`, '', undefined);
  figure('signature_pad SVG, same drawing', `${b.svg} B (${(b.svg / b.inkJson).toFixed(0)}×)`, '', undefined);
});

await section('slow-link', '4. Sync 10,000 signatures over a slow link (750 kbit/s up, 150 ms RTT)', async () => {
  const { slowLinkSync } = await import('./slow-link.ts');
  const r = (await slowLinkSync({ count: quick ? 1000 : 10_000 })) as Record<string, unknown>;
  for (const [k, v] of Object.entries(r)) {
    const n = typeof v === 'number' ? v : Number.NaN;
    const met = k.includes('target ≤ 1.3') ? n <= 1.3 : k.includes('target ≥ 20') ? n >= 20 : undefined;
    figure(`slow link: ${k}`, typeof v === 'number' ? `${v.toFixed(2)}` : JSON.stringify(v), '', met);
  }
  return r;
});

await section('ingest', '5. Server ingest rate', async () => {
  const s = await sqliteIngestRate(quick ? 5000 : 50_000);
  figure('SQLite ingest (synchronous=FULL, batches of 500)', `${Math.round(s.perSecond)} signatures/s`, '≥ 20,000/s', s.perSecond >= 20_000);
  const url = process.env.FIELDSIGN_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  try {
    const { openStore } = await import('../server/store/open.ts');
    const { default: pgLib } = await import('pg');
    const schema = `bench_${Date.now()}`;
    const admin = new pgLib.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const pg = await openStore(`${url}?options=-c%20search_path%3D${schema}`);
    try {
      const p = await ingestRate(pg, quick ? 5000 : 50_000);
      figure('PostgreSQL ingest (batches of 500)', `${Math.round(p.perSecond)} signatures/s`, '', undefined);
    } finally {
      await pg.close();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    }
  } catch (error) {
    figure('PostgreSQL ingest', `not measured: ${(error as Error).message.split('\n')[0]}`, '', undefined);
  }
});

await section('tablets', '6. Many tablets at once (one server process, SQLite)', async () => {
  const t = await manyTablets(quick ? 100 : 500, 4, 25);
  figure('tablets syncing concurrently', `${t.tablets} × ${t.batchesPerTablet} batches of ${t.recordsPerBatch}`, '', undefined);
  figure('batch latency p50', `${t.p50ms.toFixed(0)} ms`, '', undefined);
  figure('batch latency p99', `${t.p99ms.toFixed(0)} ms`, '< 1 s', t.p99ms < 1000);
  figure('server peak memory (RSS)', `${t.serverPeakRssMb.toFixed(0)} MB`, '', undefined);
  figure('stored / failed', `${t.stored} / ${t.failed}`, `${t.tablets * t.batchesPerTablet * t.recordsPerBatch} / 0`, t.failed === 0 && t.stored === t.tablets * t.batchesPerTablet * t.recordsPerBatch);
  const one = await manyTablets(quick ? 100 : 500, 1, 25);
  figure('same, one batch of 25 per tablet: p50 / p99', `${one.p50ms.toFixed(0)} / ${one.p99ms.toFixed(0)} ms`, '< 1 s', one.p99ms < 1000 && one.failed === 0);
});

await section('login-storm', '6b. A tablet\'s gzipped batch while 300 wrong sign-ins are fired (limits raised so all reach scrypt)', async () => {
  const { loginStorm } = await import('./login-storm.ts');
  const r = await loginStorm(quick ? 100 : 300);
  figure('wrong sign-ins answered', Object.entries(r.answers).map(([status, n]) => `${n} × ${status}`).join(', '), '429 beyond 2 running + 16 waiting', undefined);
  figure('tablet batch, idle server (median)', `${r.idle.batchMs.toFixed(0)} ms`, '', undefined);
  figure('tablet batch during the storm: p50 / max', `${r.storm.batchP50Ms.toFixed(0)} / ${r.storm.batchMaxMs.toFixed(0)} ms`, 'max < 1 s', r.storm.batchMaxMs < 1000);
  figure('GET /api/console/session during the storm, max', `${r.storm.sessionMaxMs.toFixed(0)} ms`, '< 1 s', r.storm.sessionMaxMs < 1000);
});

await section('scale', `7. Scale: ${scaleSize.toLocaleString('en')} signatures on SQLite and PostgreSQL, a real server process`, async () => {
  target = scaleRows;
  const { measureScale } = await import('./scale.ts');
  const { SqliteStore } = await import('../server/store/sqlite.ts');
  const log = (line: string) => console.log(line);
  const common = { n: scaleSize, pdfMaxSeconds: scalePdfSeconds, log };
  const show = (figures: Awaited<ReturnType<typeof measureScale>>) => figures.forEach((f) => figure(f.name, f.value, f.target, f.met));
  const dir = mkdtempSync(join(tmpdir(), 'fieldsign-scale-'));
  try {
    const db = join(dir, 'scale.db');
    show(await measureScale({ ...common, label: 'SQLite', db, open: async () => new SqliteStore(db) }));
  } catch (error) {
    figure('SQLite scale', `failed: ${(error as Error).message.split('\n')[0]}`, '', false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // A fresh schema on the PostgreSQL of the other sections, dropped afterwards.
  const url = process.env.FIELDSIGN_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const { openStore } = await import('../server/store/open.ts');
  const { default: pgLib } = await import('pg');
  const schema = `bench_scale_${Date.now()}`;
  const admin = new pgLib.Client({ connectionString: url });
  try {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const db = `${url}?options=-c%20search_path%3D${schema}`;
    show(await measureScale({ ...common, label: 'PostgreSQL', db, open: () => openStore(db) }));
  } catch (error) {
    figure('PostgreSQL scale', `not measured: ${(error as Error).message.split('\n')[0]}`, '', undefined);
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await admin.end().catch(() => {});
  }
  target = rows;
  if (scalePdfSeconds < 3600) console.log(`   (the PDF export stops after ${scalePdfSeconds} s; --scale-pdf-seconds changes it)`);
});

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Linux ${release()}, Node ${process.version}`;
const table = (list: typeof rows) => [
  '| measure | value | target | |',
  '| --- | --- | --- | --- |',
  ...list.map((r) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`),
];
const SCALE_START = '<!-- scale section: npm run bench -- --only scale -->';
const SCALE_END = '<!-- end of scale section -->';
const scaleBlock = [
  SCALE_START,
  `## Scale: ${scaleSize.toLocaleString('en')} signatures`,
  '',
  `Measured ${new Date().toISOString()} on ${machine}. Reproduce: \`npm run bench -- --only scale --scale-size ${scaleSize}\` (PostgreSQL at 127.0.0.1:5432).`,
  'Seeded through the store in batches of 1,000; then one server process (server/main.ts) per store, asked over HTTP as the console asks;',
  'its RSS is its own (VmHWM, reset before each export), its event-loop delay its own report (FIELDSIGN_BENCH_LOOP_DELAY=1).',
  '',
  ...table(scaleRows),
  SCALE_END,
].join('\n');
mkdirSync('docs', { recursive: true });
if (only) {
  // A partial run: only the scale part of the file is replaced (or added); the rest is kept.
  if (only === 'scale') {
    const old = existsSync('docs/benchmarks.md') ? readFileSync('docs/benchmarks.md', 'utf8') : '# Fieldsign benchmarks\n';
    const a = old.indexOf(SCALE_START);
    const b = old.indexOf(SCALE_END);
    const next = a >= 0 && b > a ? old.slice(0, a) + scaleBlock + old.slice(b + SCALE_END.length) : `${old.trimEnd()}\n\n${scaleBlock}\n`;
    writeFileSync('docs/benchmarks.md', next);
    console.log('\nWrote the scale section of docs/benchmarks.md');
  } else console.log('\nA partial run: docs/benchmarks.md left as it was.');
  process.exit(0);
}
lines.push(
  '# Fieldsign benchmarks',
  '',
  `Measured ${new Date().toISOString()} on ${machine}${quick ? ' (quick run: smaller counts)' : ''}.`,
  '',
  'Reproduce on a fresh clone: `npm ci && npm run bench` (needs Debian `chromium`; PostgreSQL at 127.0.0.1:5432 for its row).',
  'Figures are single runs on a shared 2-core machine: expect noise of ±20 %.',
  '',
  ...table(rows),
  '',
  scaleBlock,
  '',
);
writeFileSync('docs/benchmarks.md', lines.join('\n'));
console.log('\nWrote docs/benchmarks.md');
process.exit(0);
