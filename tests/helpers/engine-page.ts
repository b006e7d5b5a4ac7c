/**
 * One page of a browser engine other than Chromium (Firefox over WebDriver BiDi with
 * puppeteer-core, WebKitGTK over W3C WebDriver with selenium-webdriver), behind the few
 * steps the cross-engine walk needs, so that one walk (tests/cross-engine/kiosk-walk.ts)
 * drives both. Elements are found in the page as a person finds them: a field by its label,
 * a button by its name; clicks, typing and strokes are real input from the driver.
 */

/** What to act on: a form control by its label's text, a button by its accessible name, an image (the signature canvas) by its label. */
export type Target = { label: string } | { button: string } | { img: string };

/** A point in the viewport, in CSS pixels. */
export interface Point {
  x: number;
  y: number;
}

export interface EnginePage {
  /** Engine and version, e.g. "firefox/153.8.0", "MiniBrowser 2.50.6". */
  readonly version: string;
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  /** Run `fn` in the page (awaiting a promise it returns) and return its JSON-able result. */
  evaluate<A extends unknown[], R>(fn: (...args: A) => R | Promise<R>, ...args: A): Promise<Awaited<R>>;
  click(target: Target): Promise<void>;
  /** Focus the control and type `text` with key events. */
  type(target: Target, text: string): Promise<void>;
  /** Choose the option whose value is `value` in a select. */
  select(target: Target, value: string): Promise<void>;
  /** Draw each stroke with pointer actions: press at its first point, move through the rest, release. */
  draw(strokes: Point[][]): Promise<void>;
  screenshot(file: string): Promise<void>;
  /** Every error the page reported so far: console errors, uncaught exceptions, unhandled rejections. */
  errors(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Runs IN THE PAGE (it is serialised): the element `target` names, or null. Written without
 * optional chaining or helpers, so that its source runs as it is in every engine.
 */
export function findTarget(target: Target): Element | null {
  const clean = (s: string | null) => (s || '').replace(/\s+/g, ' ').trim();
  if ('label' in target) {
    for (const label of Array.from(document.querySelectorAll('label'))) {
      if (clean(label.textContent) === target.label && label.htmlFor) return document.getElementById(label.htmlFor);
    }
    return document.querySelector(`[aria-label="${target.label}"]`);
  }
  if ('button' in target) {
    for (const button of Array.from(document.querySelectorAll('button'))) {
      if (clean(button.getAttribute('aria-label') || button.textContent) === target.button) return button;
    }
    return null;
  }
  return document.querySelector(`[role="img"][aria-label="${target.img}"]`);
}

/** Describe a target in an error message. */
export function describeTarget(target: Target): string {
  return 'label' in target ? `field "${target.label}"` : 'button' in target ? `button "${target.button}"` : `image "${target.img}"`;
}

/** Poll `check` (run in the page) until it returns true; fail with `what` and the page's text after `timeoutMs`. */
export async function waitInPage<A extends unknown[]>(
  page: EnginePage,
  what: string,
  check: (...args: A) => boolean | Promise<boolean>,
  args: A,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await page.evaluate(check, ...args).catch(() => false);
    if (ok) return;
    if (Date.now() > deadline) {
      const text = await page.evaluate(() => document.body.innerText).catch((e: Error) => `(page unreadable: ${e.message})`);
      throw new Error(`${page.version}: timed out waiting for ${what}. The page shows:\n${text.slice(0, 1500)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}
