/**
 * Debian's Firefox ESR driven over WebDriver BiDi with puppeteer-core (never a downloaded
 * browser), behind the EnginePage steps. The page's console errors and uncaught exceptions
 * come from the browser itself (BiDi log events).
 */
import { existsSync } from 'node:fs';
import puppeteer, { type Browser, type ElementHandle, type Page } from 'puppeteer-core';
import { describeTarget, findTarget, type EnginePage, type Point, type Target } from './engine-page.ts';

export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/** A fresh headless Firefox profile with one page of `width`×`height`. */
export async function launchFirefox(width = 1100, height = 900): Promise<FirefoxPage> {
  if (!existsSync(FIREFOX)) throw new Error(`Firefox not found at ${FIREFOX}. Install it with: apt-get install -y firefox-esr`);
  const browser = await puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: FIREFOX,
    headless: true,
    defaultViewport: { width, height },
    // No update checks, telemetry or first-run pages: this machine has no network to spare.
    extraPrefsFirefox: { 'app.update.enabled': false, 'datareporting.policy.dataSubmissionEnabled': false, 'toolkit.telemetry.enabled': false },
  });
  const page = await browser.newPage();
  return new FirefoxPage(browser, page, await browser.version());
}

export class FirefoxPage implements EnginePage {
  private readonly reported: string[] = [];
  readonly browser: Browser;
  readonly page: Page;
  readonly version: string;

  constructor(browser: Browser, page: Page, version: string) {
    this.browser = browser;
    this.page = page;
    this.version = version;
    page.on('console', (message) => {
      if (message.type() === 'error') this.reported.push(`console.error: ${message.text()}`);
    });
    page.on('pageerror', (error) => this.reported.push(`uncaught: ${(error as Error).message ?? String(error)}`));
  }

  async goto(url: string): Promise<void> {
    await this.page.goto(url, { waitUntil: 'load' });
  }

  async reload(): Promise<void> {
    await this.page.reload({ waitUntil: 'load' });
  }

  evaluate<A extends unknown[], R>(fn: (...args: A) => R | Promise<R>, ...args: A): Promise<Awaited<R>> {
    return this.page.evaluate(fn as (...a: unknown[]) => R, ...args) as Promise<Awaited<R>>;
  }

  private async element(target: Target): Promise<ElementHandle<Element>> {
    const handle = (await this.page.evaluateHandle(findTarget, target)).asElement() as ElementHandle<Element> | null;
    if (!handle) throw new Error(`${this.version}: no ${describeTarget(target)} on the page`);
    return handle;
  }

  async click(target: Target): Promise<void> {
    await (await this.element(target)).click();
  }

  async type(target: Target, text: string): Promise<void> {
    await (await this.element(target)).type(text);
  }

  async select(target: Target, value: string): Promise<void> {
    await ((await this.element(target)) as ElementHandle<HTMLSelectElement>).select(value);
  }

  async draw(strokes: Point[][]): Promise<void> {
    for (const [first, ...rest] of strokes) {
      await this.page.mouse.move(first.x, first.y);
      await this.page.mouse.down();
      for (const point of rest) await this.page.mouse.move(point.x, point.y, { steps: 2 });
      await this.page.mouse.up();
    }
  }

  async screenshot(file: string): Promise<void> {
    await this.page.screenshot({ path: file as `${string}.png` });
  }

  async errors(): Promise<string[]> {
    return [...this.reported];
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}
