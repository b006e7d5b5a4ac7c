/**
 * Paper counts in real Chromium: a coordinator records a paper count with a country
 * breakdown in the Paper section; an open dashboard shows it live on its paper card (apart
 * from the tablets' total, and the two together labelled "with paper"); an open counter page
 * shows the combined figure with "including N on paper" and its goal progress on it; removing
 * the count (after the confirmation) takes it back out everywhere, live.
 * With SCREENSHOTS set it saves docs/screenshots/console-paper.png, dashboard-paper.png and counter-paper.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { launchChromium } from '../helpers/browser.ts';
import { screenshot } from '../helpers/kiosk-extra.ts';
import { makeRecord } from '../helpers/records.ts';
import { enrollTablet, storeRecords } from '../helpers/sealed-records.ts';
import { signInConsole, startConsoleApp, type ConsoleApp } from '../helpers/console-app.ts';

const EMAIL = 'paper.coordinator@example.org';
let server: ConsoleApp;
let browser: Browser;

beforeAll(async () => {
  server = await startConsoleApp(EMAIL, async (store) => {
    const deviceId = await enrollTablet(store, 'Paper tablet', 'Kisumu market');
    await storeRecords(store, Array.from({ length: 3 }, (_, i) => makeRecord({ deviceId, name: `Tablet Signer ${i}`, email: `t${i}@example.org`, seed: i + 1 })));
    await store.updateCampaign(DEFAULT_CAMPAIGN.id, { goal: 1000 });
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const signIn = (page: Page) => signInConsole(page, server);

describe('paper counts in the console, the dashboard and the counter', () => {
  it('records a paper count with a country breakdown, shows it live, and removes it', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    try {
      const dashboard = await context.newPage();
      await signIn(dashboard);
      await expect.poll(() => dashboard.getByTestId('total').textContent()).toBe('3');
      const counter = await context.newPage();
      await counter.goto(`${server.app.url}/counter`);
      await expect.poll(() => counter.getByTestId('public-total').textContent(), { timeout: 15_000 }).toBe('3');
      await expect.poll(() => counter.locator('.counter-live').textContent(), { timeout: 15_000 }).toContain('Live');
      expect(await counter.getByTestId('paper-line').count()).toBe(0);

      // A second console tab, signed in already by the context's session cookie.
      const page = await context.newPage();
      await page.goto(`${server.app.url}/console`);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 15_000 }).toBe('Dashboard');
      await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Paper', exact: true }).click();
      await page.getByLabel('Event').fill('Market day, Kisumu');
      await page.getByLabel('Date collected').fill('2026-11-28');
      await page.getByLabel('Sheets').fill('12');
      await page.getByLabel('Signatures', { exact: true }).fill('230');
      await page.getByLabel('Counted by').fill('Wanjiru Kamau');
      await page.getByRole('button', { name: 'Add a country' }).click();
      await page.getByLabel('Country 1', { exact: true }).selectOption('KE');
      await page.getByLabel('Signatures from country 1').fill('200');
      await page.getByRole('button', { name: 'Add a country' }).click();
      await page.getByLabel('Country 2', { exact: true }).selectOption('UG');
      await page.getByLabel('Signatures from country 2').fill('300');
      // A breakdown over the total is refused, with the reason.
      await page.getByRole('button', { name: 'Record paper count' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('The country breakdown adds up to more than the number of signatures.');
      await page.getByLabel('Signatures from country 2').fill('10');
      await page.getByRole('button', { name: 'Record paper count' }).click();
      const row = page.locator('#paper-counts tbody tr');
      await expect.poll(() => row.count()).toBe(1);
      const cells = await row.first().locator('th, td').allTextContents();
      expect(cells.slice(0, 7)).toEqual(['Market day, Kisumu', '2026-11-28', '12', '230', 'Kenya 200, Uganda 10; 20 country not recorded', 'Wanjiru Kamau', EMAIL]);
      await screenshot(page, 'console-paper.png', true);

      // Live, with no reload: the dashboard's paper card, and the counter's combined figure.
      await expect.poll(() => dashboard.getByTestId('paper-total').textContent(), { timeout: 10_000 }).toBe('230');
      expect(await dashboard.getByTestId('total').textContent()).toBe('3');
      expect(await dashboard.getByTestId('with-paper-total').textContent()).toBe('233');
      expect(await dashboard.getByRole('heading', { name: 'On paper (counted by hand)' }).count()).toBe(1);
      await screenshot(dashboard, 'dashboard-paper.png', true);
      await expect.poll(() => counter.getByTestId('public-total').textContent(), { timeout: 10_000 }).toBe('233');
      expect(await counter.getByTestId('paper-line').textContent()).toBe('including 230 on paper');
      expect(await counter.getByTestId('goal-progress').textContent()).toBe('233 of 1,000 signatures (tablets and paper) · 23% of the goal');
      await screenshot(counter, 'counter-paper.png');

      // Removed after the confirmation: gone from the list, the dashboard and the counter.
      await page.getByRole('button', { name: 'Remove the paper count of Market day, Kisumu' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Remove paper count' }).click();
      await expect.poll(() => page.getByText('No paper count recorded yet.').count()).toBe(1);
      await expect.poll(() => counter.getByTestId('public-total').textContent(), { timeout: 10_000 }).toBe('3');
      expect(await counter.getByTestId('paper-line').count()).toBe(0);
      await expect.poll(() => dashboard.getByTestId('paper-total').count(), { timeout: 10_000 }).toBe(0);
    } finally {
      await context.close();
    }
  }, 90_000);
});
