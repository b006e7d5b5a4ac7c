/**
 * WebKitGTK, Safari's engine on Linux: Debian's WebKitWebDriver (webkit2gtk-driver) driving
 * its MiniBrowser on an Xvfb display (WebKitGTK has no headless mode), through the W3C
 * WebDriver client selenium-webdriver, behind the EnginePage steps.
 *
 * WebKitWebDriver 2.50 speaks classic WebDriver only (no BiDi, no log endpoint), so the
 * page's errors are caught by a probe: `probedStaticDir` copies the built app and puts a
 * small script in front of the browser check (the first script the page runs, and one the
 * service worker precaches, so the probe also runs offline). It records console.error
 * calls, uncaught errors, unhandled rejections, failed loads and CSP violations in
 * sessionStorage (kept across reloads of the tab). The app's own files are the built ones.
 * (The check's precompressed copies are removed, so the probed file is the one served.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, globSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Builder, Origin, type WebDriver, type WebElement } from 'selenium-webdriver';
import { Select } from 'selenium-webdriver/lib/select.js';
import { CODING_SUFFIX } from '../../server/content-coding.ts';
import { BROWSER_CHECK_FILE } from '../../src/browser-check/vite-plugin.ts';
import { freePort } from '../faults/server-process.ts';
import { describeTarget, findTarget, type EnginePage, type Point, type Target } from './engine-page.ts';

export const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER_PATH ?? '/usr/bin/WebKitWebDriver';
const PROBE_KEY = 'fieldsign-test:errors';

/** MiniBrowser, the browser WebKitWebDriver drives (it lives under the library's multiarch folder). */
function miniBrowser(): string {
  const candidates = [process.env.WEBKIT_MINIBROWSER_PATH ?? '', ...globSync('/usr/lib/*/webkit2gtk-4.1/MiniBrowser'), ...globSync('/usr/lib/*/webkitgtk-6.0/MiniBrowser')];
  const found = candidates.find((path) => path && existsSync(path));
  if (!found) throw new Error('WebKitGTK MiniBrowser not found. Install it with: apt-get install -y webkit2gtk-driver');
  return found;
}

/** Kill a detached child and everything it started. */
function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

const live = new Set<ChildProcess>();
process.once('exit', () => live.forEach(killGroup));

function start(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const child = spawn(command, args, { detached: true, env, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** An Xvfb server on a display number it picks itself (-displayfd); resolves with ":N". */
async function startXvfb(): Promise<{ display: string; process: ChildProcess }> {
  const xvfb = start('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp']);
  const display = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('Xvfb did not start (is the xvfb package installed?)')), 10_000);
    (xvfb.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(`:${out.trim()}`);
      }
    });
    xvfb.once('error', reject);
  });
  return { display, process: xvfb };
}

/** Wait until the WebDriver server answers /status. */
async function driverReady(url: string, driver: ChildProcess): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (driver.exitCode !== null) throw new Error(`WebKitWebDriver exited with ${driver.exitCode}`);
    const ok = await fetch(`${url}/status`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('WebKitWebDriver did not answer');
}

/** A MiniBrowser window of `width`×`height` under a fresh Xvfb. */
export async function launchWebKit(width = 1100, height = 900): Promise<WebKitPage> {
  if (!existsSync(WEBKIT_DRIVER)) throw new Error(`WebKitWebDriver not found at ${WEBKIT_DRIVER}. Install it with: apt-get install -y webkit2gtk-driver xvfb`);
  const binary = miniBrowser();
  const xvfb = await startXvfb();
  const port = await freePort();
  const driverProcess = start(WEBKIT_DRIVER, [`--port=${port}`], { ...process.env, DISPLAY: xvfb.display });
  const url = `http://127.0.0.1:${port}`;
  try {
    await driverReady(url, driverProcess);
    const driver = await new Builder()
      .usingServer(url)
      .withCapabilities({ browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary, args: ['--automation'] } })
      .build();
    await driver.manage().window().setRect({ width, height });
    const capabilities = await driver.getCapabilities();
    return new WebKitPage(driver, [driverProcess, xvfb.process], `${capabilities.get('browserName')} ${capabilities.get('browserVersion')}`);
  } catch (error) {
    killGroup(driverProcess);
    killGroup(xvfb.process);
    throw error;
  }
}

/** The probe (ES5, runs before the app): records every error the page reports, for errors(). */
const PROBE = `(function () {
  var key = ${JSON.stringify(PROBE_KEY)};
  function record(kind, text) {
    try {
      var list = JSON.parse(sessionStorage.getItem(key) || '[]');
      list.push(kind + ': ' + text);
      sessionStorage.setItem(key, JSON.stringify(list));
    } catch (e) {}
  }
  var consoleError = console.error;
  console.error = function () {
    record('console.error', Array.prototype.map.call(arguments, String).join(' '));
    return consoleError.apply(console, arguments);
  };
  window.addEventListener('error', function (event) {
    var target = event.target;
    if (target && target !== window && (target.src || target.href)) record('failed to load', target.src || target.href);
    else record('uncaught', event.message);
  }, true);
  window.addEventListener('unhandledrejection', function (event) {
    var reason = event.reason;
    record('unhandled rejection', reason && reason.message ? reason.message : String(reason));
  });
  document.addEventListener('securitypolicyviolation', function (event) {
    record('CSP violation', event.violatedDirective + ' ' + event.blockedURI);
  });
})();
`;

/** A copy of the built app (`dist`) whose first script, the browser check, starts with the error probe. */
export function probedStaticDir(dist: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fieldsign-webkit-dist-'));
  cpSync(dist, dir, { recursive: true });
  const check = join(dir, BROWSER_CHECK_FILE);
  writeFileSync(check, PROBE + readFileSync(check, 'utf8'));
  // The build's brotli and gzip copies hold the file without the probe, and the server would
  // send those to a browser that accepts them: remove them so the probed file is what goes out.
  for (const suffix of Object.values(CODING_SUFFIX)) rmSync(check + suffix, { force: true });
  return dir;
}

export class WebKitPage implements EnginePage {
  readonly driver: WebDriver;
  readonly version: string;
  private readonly processes: ChildProcess[];

  constructor(driver: WebDriver, processes: ChildProcess[], version: string) {
    this.driver = driver;
    this.processes = processes;
    this.version = version;
  }

  async goto(url: string): Promise<void> {
    await this.driver.get(url);
  }

  async reload(): Promise<void> {
    await this.driver.navigate().refresh();
  }

  async evaluate<A extends unknown[], R>(fn: (...args: A) => R | Promise<R>, ...args: A): Promise<Awaited<R>> {
    // W3C Execute Script awaits a promise the script returns.
    return (await this.driver.executeScript(`return (${fn.toString()}).apply(null, arguments);`, ...args)) as Awaited<R>;
  }

  private async element(target: Target): Promise<WebElement> {
    const element = (await this.driver.executeScript(`return (${findTarget.toString()})(arguments[0]);`, target)) as WebElement | null;
    if (!element) throw new Error(`${this.version}: no ${describeTarget(target)} on the page`);
    return element;
  }

  async click(target: Target): Promise<void> {
    await (await this.element(target)).click();
  }

  async type(target: Target, text: string): Promise<void> {
    await (await this.element(target)).sendKeys(text);
  }

  async select(target: Target, value: string): Promise<void> {
    await new Select(await this.element(target)).selectByValue(value);
  }

  async draw(strokes: Point[][]): Promise<void> {
    const actions = this.driver.actions({ async: true });
    for (const [first, ...rest] of strokes) {
      actions.move({ origin: Origin.VIEWPORT, x: Math.round(first.x), y: Math.round(first.y) }).press();
      for (const point of rest) actions.move({ origin: Origin.VIEWPORT, x: Math.round(point.x), y: Math.round(point.y), duration: 16 });
      actions.release();
    }
    await actions.perform();
  }

  async screenshot(file: string): Promise<void> {
    writeFileSync(file, Buffer.from(await this.driver.takeScreenshot(), 'base64'));
  }

  async errors(): Promise<string[]> {
    return this.evaluate((key: string) => JSON.parse(sessionStorage.getItem(key) ?? '[]') as string[], PROBE_KEY);
  }

  async close(): Promise<void> {
    try {
      await this.driver.quit();
    } finally {
      this.processes.forEach(killGroup);
    }
  }
}
