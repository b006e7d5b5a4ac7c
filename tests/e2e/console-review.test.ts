/**
 * Review before the hand-in, in real Chromium: a coordinator sets one signature aside (from
 * the keyboard), sets aside every signature a search matches, restores one, and the
 * dashboard counts them apart from the total. The server's own figures are checked too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { screenshot } from '../helpers/kiosk-extra.ts';
import { makeRecord } from '../helpers/records.ts';
import { enrollTablet, storeRecords } from '../helpers/sealed-records.ts';
import { signInConsole, startConsoleApp, type ConsoleApp } from '../helpers/console-app.ts';

const EMAIL = 'review.coordinator@example.org';
const SIGNERS = ['Amara Okafor', 'Lucía Fernández', 'Test Tablet One', 'Kenji Watanabe', 'Test Tablet Two', 'Fatima Zahra', 'Test Tablet Three', 'Olga Petrova'];
let server: ConsoleApp;
let browser: Browser;

beforeAll(async () => {
  server = await startConsoleApp(EMAIL, async (store) => {
    const deviceId = await enrollTablet(store, 'Review tablet', 'Review rally');
    await storeRecords(store, SIGNERS.map((name, i) => makeRecord({ deviceId, name, email: `signer${i}@example.org`, seed: i + 1, lang: 'en' })));
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const signIn = (page: Page) => signInConsole(page, server);

const section = (page: Page, name: string) => page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name, exact: true }).click();
const names = (page: Page) => page.locator('#signatures-table tbody th[scope=row]').evaluateAll((cells) => cells.map((c) => c.firstChild?.textContent ?? ''));
const totals = (page: Page) => page.evaluate(async () => (await fetch('/api/console/totals')).json());

describe('review before the hand-in', () => {
  it('sets one aside, sets a search aside in bulk, restores one, and the dashboard counts them apart', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      await signIn(page);
      await section(page, 'Signatures');
      await expect.poll(() => names(page)).toEqual([...SIGNERS].reverse());

      // One, from the keyboard: the row's button, the dialog (focus on Cancel), the reason, the note.
      await page.getByRole('button', { name: 'Set aside signature of Kenji Watanabe' }).focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Set aside the signature of Kenji Watanabe?' });
      await expect.poll(() => dialog.isVisible()).toBe(true);
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
      await dialog.getByLabel('Reason').selectOption('duplicate');
      await dialog.getByLabel('Note (optional)').fill('Signed twice at the rally');
      await dialog.getByRole('button', { name: 'Set aside', exact: true }).press('Enter');
      await expect.poll(() => page.locator('.notice-banner').textContent()).toContain('1 signature set aside (Duplicate)');
      const kenji = page.locator('#signatures-table tbody tr', { hasText: 'Kenji Watanabe' });
      await expect.poll(() => kenji.locator('.badge-muted').textContent()).toContain('Set aside: Duplicate');

      // All a search matches, through the confirmation that names the count.
      await page.getByLabel('Search by name, email or signature ID').fill('test tablet');
      await page.getByRole('button', { name: 'Search' }).click();
      await expect.poll(() => names(page)).toEqual(['Test Tablet Three', 'Test Tablet Two', 'Test Tablet One']);
      await page.getByRole('button', { name: 'Set aside all 3 matching…' }).click();
      const bulk = page.getByRole('dialog', { name: 'Set aside all 3 matching signatures?' });
      await bulk.getByLabel('Reason').selectOption('test');
      await bulk.getByLabel('Note (optional)').fill('Training before the march');
      await screenshot(page, 'console-review-dialog.png');
      await bulk.getByRole('button', { name: 'Set aside 3' }).click();
      await expect.poll(() => page.locator('.notice-banner').textContent()).toContain('3 signatures set aside (Test)');

      // Those set aside, and one restored.
      await page.getByRole('button', { name: 'Show all' }).click();
      await page.getByLabel('Hand-in').selectOption('only');
      await expect.poll(() => names(page)).toEqual(['Test Tablet Three', 'Test Tablet Two', 'Kenji Watanabe', 'Test Tablet One']);
      expect(await page.locator('.result-line').textContent()).toBe('4 signatures · showing 1–4');
      await screenshot(page, 'console-review.png');
      await page.getByRole('button', { name: 'Restore signature of Kenji Watanabe' }).click();
      await page.getByRole('dialog', { name: 'Restore the signature of Kenji Watanabe?' }).getByRole('button', { name: 'Restore', exact: true }).click();
      await expect.poll(() => names(page)).toEqual(['Test Tablet Three', 'Test Tablet Two', 'Test Tablet One']);
      expect(await page.getByRole('button', { name: 'Restore all 3 matching…' }).isVisible()).toBe(true);
      await page.getByLabel('Hand-in').selectOption('exclude');
      await expect.poll(() => names(page)).toEqual(['Olga Petrova', 'Fatima Zahra', 'Kenji Watanabe', 'Lucía Fernández', 'Amara Okafor']);

      // The dashboard: every stored signature in the total, the set-aside ones apart, by reason.
      await section(page, 'Dashboard');
      // Wait for the figures after the restore: "3 test" alone also fits the state before it
      // (3 test and 1 duplicate), which a dashboard opened early can still show for a moment.
      await expect.poll(() => page.locator('.stat-main').textContent()).toContain('5 in the hand-in');
      await expect.poll(() => page.getByTestId('set-aside').textContent()).toContain('3 test');
      await page.evaluate(() => window.scrollTo(0, 0));
      expect(await page.getByTestId('total').textContent()).toBe('8');
      expect(await page.getByTestId('set-aside').locator('dd').first().textContent()).toBe('3');
      expect((await totals(page)).setAside).toEqual({ total: 3, byReason: [{ reason: 'test', count: 3 }] });
      await screenshot(page, 'console-review-dashboard.png');
    } finally {
      await context.close();
    }
  }, 90_000);
});
