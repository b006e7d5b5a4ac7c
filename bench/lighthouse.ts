/**
 * `npm run lighthouse`: Lighthouse (mobile form factor, performance category, its default
 * simulated slow-4G and 4× CPU) on the kiosk as built, served by the real server on a
 * temporary SQLite database. Prints the score and the key metrics, keeps the HTML report in
 * the temporary directory (its path is printed) and a picture of its top in
 * docs/screenshots/lighthouse-kiosk.png.
 *
 *   npm run lighthouse                 build, then audit
 *   npm run lighthouse -- --no-build   audit dist/ as it is
 *
 * Nothing leaves the machine: Chromium runs with its background networking off and the page
 * fetches only from the local server; the report is rendered with every non-local request refused.
 */
import { execSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import lighthouse from 'lighthouse';
import { CHROMIUM, launchChromium } from '../tests/helpers/browser.ts';
import { startApp } from '../tests/helpers/app-process.ts';

/** The figures a reader of the report looks at first. */
export interface LighthouseFigures {
  score: number;
  fcpMs: number;
  lcpMs: number;
  tbtMs: number;
  cls: number;
  speedIndexMs: number;
  totalBytes: number;
}

/** Chromium for Lighthouse to drive: headless, on a DevTools port it picks itself. */
async function startDebuggableChromium(): Promise<{ port: number; stop: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'fieldsign-lighthouse-'));
  const child = spawn(
    CHROMIUM,
    [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-extensions',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-default-apps',
      '--disable-domain-reliability',
      '--disable-client-side-phishing-detection',
      '--metrics-recording-only',
      '--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,AutofillServerCommunication',
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  let log = '';
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`Chromium gave no DevTools port:\n${log}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      log += d;
      const match = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(log);
      if (match) {
        clearTimeout(timer);
        resolvePort(Number(match[1]));
      }
    });
    child.on('exit', (code) => reject(new Error(`Chromium exited with ${code}:\n${log}`)));
  });
  return {
    port,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
      await exited;
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Audit the kiosk at `url` (a server already running); returns the figures and the HTML report. */
export async function auditKiosk(url: string): Promise<{ figures: LighthouseFigures; html: string }> {
  const chromium = await startDebuggableChromium();
  try {
    const result = await lighthouse(url, { port: chromium.port, output: 'html', onlyCategories: ['performance'], logLevel: 'error' });
    if (!result) throw new Error('Lighthouse returned no result');
    const { lhr } = result;
    if (lhr.runtimeError) throw new Error(`Lighthouse: ${lhr.runtimeError.message}`);
    const value = (id: string) => lhr.audits[id]?.numericValue ?? Number.NaN;
    const figures: LighthouseFigures = {
      score: Math.round((lhr.categories.performance?.score ?? 0) * 100),
      fcpMs: value('first-contentful-paint'),
      lcpMs: value('largest-contentful-paint'),
      tbtMs: value('total-blocking-time'),
      cls: value('cumulative-layout-shift'),
      speedIndexMs: value('speed-index'),
      totalBytes: value('total-byte-weight'),
    };
    return { figures, html: result.report as string };
  } finally {
    await chromium.stop();
  }
}

/** A picture of the report's top (the score gauge and the metrics), rendered offline. */
async function screenshotReport(htmlFile: string, png: string): Promise<void> {
  const browser = await launchChromium();
  try {
    // No gauge animation: the picture shows the score as it ends, not midway.
    const page = await browser.newPage({ viewport: { width: 1000, height: 720 }, reducedMotion: 'reduce' });
    await page.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
    await page.goto(`file://${htmlFile}`);
    // The report draws itself from the JSON it carries: wait until the score is on the page.
    await page.locator('.lh-exp-gauge__percentage').filter({ hasText: /\d/ }).first().waitFor();
    await page.screenshot({ path: png });
  } finally {
    await browser.close();
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { 'no-build': { type: 'boolean' } }, strict: true });
  if (!values['no-build']) execSync('npx vite build', { stdio: 'ignore' });
  const app = await startApp();
  try {
    const { figures, html } = await auditKiosk(app.url);
    mkdirSync('docs/screenshots', { recursive: true });
    const report = join(mkdtempSync(join(tmpdir(), 'fieldsign-lighthouse-report-')), 'lighthouse-kiosk.html');
    writeFileSync(report, html);
    console.log(`Lighthouse (mobile) performance: ${figures.score}  (target ≥ 98)`);
    console.log(`  FCP ${figures.fcpMs.toFixed(0)} ms, LCP ${figures.lcpMs.toFixed(0)} ms, TBT ${figures.tbtMs.toFixed(0)} ms, CLS ${figures.cls.toFixed(3)}, Speed Index ${figures.speedIndexMs.toFixed(0)} ms`);
    console.log(`  total bytes ${(figures.totalBytes / 1024).toFixed(1)} KiB`);
    console.log(`  report: ${report} (${(readFileSync(report).length / 1024).toFixed(0)} KB), screenshot: docs/screenshots/lighthouse-kiosk.png`);
    await screenshotReport(report, 'docs/screenshots/lighthouse-kiosk.png');
    process.exitCode = figures.score >= 98 ? 0 : 1;
  } finally {
    await app.stop();
  }
}
