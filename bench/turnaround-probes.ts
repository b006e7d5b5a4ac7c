/**
 * What the turnaround benchmark (turnaround.ts) runs inside the page, so that Playwright's
 * round trips add nothing to the figures: a probe of the outbox's commits, a watch armed
 * before each tap, and a busy loop that checks CPU throttling applies.
 */
import type { BrowserContext, Page } from 'playwright-core';

/** Before any page script: note when each readwrite transaction on the outbox commits. */
export async function installCommitProbe(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as { __fsCommits: number[] };
    w.__fsCommits = [];
    const transaction = IDBDatabase.prototype.transaction;
    IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
      const tx = transaction.apply(this, args);
      const names = typeof args[0] === 'string' ? [args[0]] : [...args[0]];
      if (args[1] === 'readwrite' && names.includes('outbox')) tx.addEventListener('complete', () => w.__fsCommits.push(performance.now()));
      return tx;
    } as IDBDatabase['transaction'];
  });
}

/** One tap, as the page saw it: when, when the DOM showed the result, when it was painted, when the outbox committed. */
export interface Watch {
  tap: number;
  dom: number;
  painted: number;
  committed?: number;
}

/**
 * Arm an in-page watch before a tap: it takes the tap time from the click event (capture
 * phase, event timestamp), then resolves at the first DOM mutation after which `kind` holds,
 * and again after the next frame is painted (requestAnimationFrame, then a message task).
 */
export async function arm(page: Page, kind: 'thanks' | 'blank'): Promise<void> {
  await page.evaluate((kind) => {
    const w = window as unknown as { __fsWatch?: Promise<Watch>; __fsCommits: number[] };
    w.__fsWatch = new Promise<Watch>((resolve, reject) => {
      let tap: number | undefined;
      const onClick = (e: Event) => {
        tap ??= Math.min(e.timeStamp, performance.now());
      };
      addEventListener('click', onClick, { capture: true });
      const thanksShown = () => [...document.querySelectorAll('h2')].some((h) => h.textContent?.trim() === 'Thank you!');
      const ready =
        kind === 'thanks'
          ? thanksShown
          : () =>
              !thanksShown() &&
              (document.querySelector<HTMLInputElement>('#name')?.value ?? 'x') === '' &&
              [...document.querySelectorAll('button')].some((b) => b.textContent?.trim() === 'Continue' && b.getClientRects().length > 0);
      const timer = setTimeout(() => {
        observer.disconnect();
        reject(new Error(`${kind}: not reached within 30 s`));
      }, 30_000);
      const observer = new MutationObserver(() => {
        if (tap === undefined || !ready()) return;
        const dom = performance.now();
        observer.disconnect();
        clearTimeout(timer);
        removeEventListener('click', onClick, { capture: true });
        const committed = w.__fsCommits.find((t) => t >= tap!);
        requestAnimationFrame(() => {
          const channel = new MessageChannel();
          channel.port1.onmessage = () => resolve({ tap: tap!, dom, painted: performance.now(), committed });
          channel.port2.postMessage(null);
        });
      });
      observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
  }, kind);
}

/** Median time of a fixed busy loop in the page (to check that CPU throttling applies). */
export function busyLoopMs(page: Page): Promise<number> {
  return page.evaluate(() => {
    const times: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t = performance.now();
      let x = 0;
      for (let i = 0; i < 3_000_000; i++) x = (x + i * 7) % 1_000_003;
      times.push(performance.now() - t + (x < 0 ? 1 : 0));
    }
    return times.sort((a, b) => a - b)[2];
  });
}

/** The watch armed last, once it resolves. */
export function collect(page: Page): Promise<Watch> {
  return page.evaluate(() => (window as unknown as { __fsWatch: Promise<Watch> }).__fsWatch);
}
