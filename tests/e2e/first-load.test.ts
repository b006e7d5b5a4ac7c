/**
 * A fresh tablet's first load, in real Chromium against the built app: the kiosk's script
 * arrives brotli-compressed, and the enroll screen's chunk is fetched while the campaign is
 * still on its way, not one round trip after it (issue #18: Lighthouse mobile ≥ 98).
 */
import { describe, expect, it } from 'vitest';
import type { Request } from 'playwright-core';
import { appAndChromium } from '../helpers/fixtures.ts';

const fixture = appAndChromium();

describe('a fresh tablet’s first load', () => {
  it('gets the kiosk script as brotli, and the enroll screen before the campaign has come', async () => {
    const context = await fixture.browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    const enrollChunk = page.waitForRequest((r: Request) => /\/assets\/EnrollScreen-[\w-]+\.js$/.test(r.url()), { timeout: 10_000 }).then(
      () => true,
      () => false,
    );
    let chunkBeforeCampaign: boolean | undefined;
    // The campaign's answer is held until the enroll screen's chunk is asked for (or 10 s pass):
    // a kiosk that asks for the chunk only once it renders, after the campaign, waits it out.
    await page.route('**/api/v1/campaign', async (route) => {
      chunkBeforeCampaign ??= await enrollChunk;
      await route.continue();
    });
    const script = page.waitForResponse((r) => /\/assets\/index-[\w-]+\.js$/.test(r.url()));
    await page.goto(fixture.app.url);
    expect((await script).headers()['content-encoding']).toBe('br');
    await page.getByRole('heading', { name: 'Enroll this tablet' }).waitFor();
    expect(chunkBeforeCampaign).toBe(true);
    await context.close();
  });
});
