/**
 * `npm run bench`: measures what a user feels, side by side in one run, prints a table and
 * writes docs/benchmarks.md with the machine, the date and how to reproduce.
 * Targets are printed next to each figure; nothing here fails a build (machines are noisy).
 *
 *   npm run bench              everything (about 10 minutes on 2 cores)
 *   npm run bench -- --quick   smaller counts, for a smoke run
 */
import { cpus, totalmem, release } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { kioskFirstLoad } from './bundle.ts';
import { bytesPerSignature } from './bytes.ts';
import { ingestRate, manyTablets, sqliteIngestRate } from './server-load.ts';

const quick = process.argv.includes('--quick');
const lines: string[] = [];
const rows: Array<[string, string, string, string]> = [];
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

/** Record one figure with its target and whether it is met. */
function figure(name: string, value: string, target: string, met: boolean | undefined): void {
  rows.push([name, value, target, met === undefined ? '' : met ? 'met' : 'MISSED']);
  console.log(`${met === false ? '✗' : met ? '✓' : ' '} ${name}: ${value}${target ? `  (target ${target})` : ''}`);
}

async function section<T>(title: string, run: () => Promise<T>): Promise<T | undefined> {
  console.log(`\n== ${title}`);
  try {
    return await run();
  } catch (error) {
    console.log(`   failed: ${(error as Error).message}`);
    rows.push([title, `failed: ${(error as Error).message.split('\n')[0]}`, '', 'MISSED']);
    return undefined;
  }
}

execSync('npx vite build', { stdio: 'ignore' });

await section('1. JavaScript shipped to the kiosk on first load (gzip)', async () => {
  const { chunks, totalGzip, lazy } = kioskFirstLoad();
  for (const c of chunks) figure(`first load: ${c.file}`, `${kb(c.gzip)} (${kb(c.bytes)} raw)`, '', undefined);
  figure('kiosk JS on first load, total', kb(totalGzip), '≤ 60 KB', totalGzip <= 60 * 1024);
  for (const c of lazy) figure(`loaded on demand: ${c.file}`, kb(c.gzip), '', undefined);
});

await section('2. Signer turnaround (Chromium, 4× CPU throttling, 10,000 stored)', async () => {
  const { signerTurnaround } = await import('./turnaround.ts');
  const r = (await signerTurnaround({ stored: quick ? 1000 : 10_000, runs: quick ? 8 : 30 })) as Record<string, unknown>;
  for (const [k, v] of Object.entries(r)) {
    const median = k.includes('median') && typeof v === 'number';
    figure(`turnaround: ${k}`, typeof v === 'number' ? `${v.toFixed(1)}` : JSON.stringify(v), median ? '≤ 150 ms' : '', median ? (v as number) <= 150 : undefined);
  }
  return r;
});

await section('2b. Signer turnaround with sealing on (each signature encrypted before it is stored)', async () => {
  const { signerTurnaround } = await import('./turnaround.ts');
  const r = (await signerTurnaround({ stored: quick ? 1000 : 10_000, runs: quick ? 8 : 30, compareEmpty: false, sealed: true })) as Record<string, unknown>;
  for (const [k, v] of Object.entries(r)) {
    const median = k.includes('median') && typeof v === 'number';
    figure(`sealed turnaround: ${k}`, typeof v === 'number' ? `${v.toFixed(1)}` : JSON.stringify(v), median ? '≤ 150 ms' : '', median ? (v as number) <= 150 : undefined);
  }
  return r;
});

await section('3. Bytes per stored signature', async () => {
  const b = await bytesPerSignature(quick ? 10 : 40);
  figure('points per signature (median)', String(b.points), '', undefined);
  figure('Fieldsign strokes (JSON, median)', `${b.inkJson} B`, '≤ 3 KB', b.inkJson <= 3072);
  figure('whole record on the tablet and the wire before gzip', `${b.record} B`, '', undefined);
  figure('whole record gzipped (as sent in a batch)', `${b.recordGzip} B`, '', undefined);
  figure('signature_pad PNG data URL, same drawing', `${b.png} B (${(b.png / b.inkJson).toFixed(0)}×)`, '', undefined);
  figure('signature_pad SVG, same drawing', `${b.svg} B (${(b.svg / b.inkJson).toFixed(0)}×)`, '', undefined);
});

await section('4. Sync 10,000 signatures over a slow link (750 kbit/s up, 150 ms RTT)', async () => {
  const { slowLinkSync } = await import('./slow-link.ts');
  const r = (await slowLinkSync({ count: quick ? 1000 : 10_000 })) as Record<string, unknown>;
  for (const [k, v] of Object.entries(r)) {
    const n = typeof v === 'number' ? v : Number.NaN;
    const met = k.includes('target ≤ 1.3') ? n <= 1.3 : k.includes('target ≥ 20') ? n >= 20 : undefined;
    figure(`slow link: ${k}`, typeof v === 'number' ? `${v.toFixed(2)}` : JSON.stringify(v), '', met);
  }
  return r;
});

await section('5. Server ingest rate', async () => {
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

await section('6. Many tablets at once (one server process, SQLite)', async () => {
  const t = await manyTablets(quick ? 100 : 500, 4, 25);
  figure('tablets syncing concurrently', `${t.tablets} × ${t.batchesPerTablet} batches of ${t.recordsPerBatch}`, '', undefined);
  figure('batch latency p50', `${t.p50ms.toFixed(0)} ms`, '', undefined);
  figure('batch latency p99', `${t.p99ms.toFixed(0)} ms`, '< 1 s', t.p99ms < 1000);
  figure('server peak memory (RSS)', `${t.serverPeakRssMb.toFixed(0)} MB`, '', undefined);
  figure('stored / failed', `${t.stored} / ${t.failed}`, `${t.tablets * t.batchesPerTablet * t.recordsPerBatch} / 0`, t.failed === 0 && t.stored === t.tablets * t.batchesPerTablet * t.recordsPerBatch);
  const one = await manyTablets(quick ? 100 : 500, 1, 25);
  figure('same, one batch of 25 per tablet: p50 / p99', `${one.p50ms.toFixed(0)} / ${one.p99ms.toFixed(0)} ms`, '< 1 s', one.p99ms < 1000 && one.failed === 0);
});

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Linux ${release()}, Node ${process.version}`;
lines.push(
  '# Fieldsign benchmarks',
  '',
  `Measured ${new Date().toISOString()} on ${machine}${quick ? ' (quick run: smaller counts)' : ''}.`,
  '',
  'Reproduce on a fresh clone: `npm ci && npm run bench` (needs Debian `chromium`; PostgreSQL at 127.0.0.1:5432 for its row).',
  'Figures are single runs on a shared 2-core machine: expect noise of ±20 %.',
  '',
  '| measure | value | target | |',
  '| --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`),
  '',
);
mkdirSync('docs', { recursive: true });
writeFileSync('docs/benchmarks.md', lines.join('\n'));
console.log('\nWrote docs/benchmarks.md');
process.exit(0);
