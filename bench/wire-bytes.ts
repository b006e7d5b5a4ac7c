/**
 * The kiosk's bytes on the wire, as Chromium counts them (CDP Network.loadingFinished
 * encodedDataLength: headers and body as received, compressed or not), on a fresh tablet:
 *   first load   the page and everything it fetches, with no service worker yet;
 *   precache     what the service worker then downloads to work offline;
 *   second load  a reload, with the service worker answering from its precache.
 * Once with the browser's own Accept-Encoding (the server sends the build's br copies) and
 * once with `Accept-Encoding: identity` on every request of the browser context (Playwright
 * sets it through CDP Network.setExtraHTTPHeaders, for the worker too): nothing compressed.
 */
import type { BrowserContext, CDPSession } from 'playwright-core';
import { launchChromium } from '../tests/helpers/browser.ts';
import { startApp } from '../tests/helpers/app-process.ts';

/** Bytes received for one way of loading the kiosk. */
export interface WireBytes {
  firstLoad: number;
  precache: number;
  secondLoad: number;
  /** Requests counted on the first load (the page's own). */
  firstLoadRequests: number;
}

/** Sums encodedDataLength of every request a CDP session sees finish. */
async function countBytes(session: CDPSession): Promise<{ bytes: () => number; requests: () => number; reset: () => void }> {
  let bytes = 0;
  let requests = 0;
  session.on('Network.loadingFinished', (event) => {
    bytes += event.encodedDataLength;
    requests++;
  });
  await session.send('Network.enable');
  return { bytes: () => bytes, requests: () => requests, reset: () => ((bytes = 0), (requests = 0)) };
}

/**
 * Counts the service worker's own downloads (its precache). A page's CDP session does not see
 * a worker's fetches, and Playwright opens none on a worker; it reports them on the context,
 * with the sizes Chromium received (body as encoded, and headers).
 */
function countWorkerBytes(context: BrowserContext): () => number {
  let bytes = 0;
  context.on('requestfinished', (request) => {
    if (!request.serviceWorker()) return;
    void request.sizes().then((sizes) => (bytes += sizes.responseBodySize + sizes.responseHeadersSize));
  });
  return () => bytes;
}

/** Load the kiosk twice on a fresh profile; `acceptEncoding` overrides the browser's own. */
async function loadKiosk(url: string, acceptEncoding?: string): Promise<WireBytes> {
  const browser = await launchChromium();
  try {
    // On the context, so that the worker's fetches get the override too, not only the page's.
    const context = await browser.newContext(acceptEncoding ? { extraHTTPHeaders: { 'Accept-Encoding': acceptEncoding } } : {});
    const workerBytes = countWorkerBytes(context);
    const page = await context.newPage();
    const counter = await countBytes(await context.newCDPSession(page));
    const kioskUp = () => page.getByRole('heading', { name: 'Enroll this tablet' }).waitFor();
    await page.goto(url);
    await kioskUp();
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await page.waitForLoadState('networkidle');
    const firstLoad = counter.bytes();
    const firstLoadRequests = counter.requests();
    counter.reset();
    await page.reload();
    await kioskUp();
    await page.waitForLoadState('networkidle');
    return { firstLoad, precache: workerBytes(), secondLoad: counter.bytes(), firstLoadRequests };
  } finally {
    await browser.close();
  }
}

/** The kiosk's bytes on the wire with compression and without, served by the built app. */
export async function kioskWireBytes(): Promise<{ compressed: WireBytes; identity: WireBytes }> {
  const app = await startApp();
  try {
    return { compressed: await loadKiosk(app.url), identity: await loadKiosk(app.url, 'identity') };
  } finally {
    await app.stop();
  }
}

if (import.meta.main) console.table(await kioskWireBytes());
