/**
 * Persistent storage is asked for at a volunteer's action only (src/db/storage-persistence.ts):
 * never at startup, where Firefox's prompt would cover the petition; once when enrolling; and
 * again only from the volunteer screen's button, which says why. The screen keeps showing
 * whether it was granted. Real Chromium, with the browser's answers scripted (its own depend
 * on heuristics), counting every call of navigator.storage.persist().
 */
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { appAndChromium } from '../helpers/fixtures.ts';
import { enrolledKiosk, screenshot, tr } from '../helpers/kiosk-extra.ts';
import { openVolunteer } from '../helpers/kiosk.ts';

const fixture = appAndChromium();
const t = tr('en');

/**
 * Before any page script: persist() answers `answers` in turn (then false), counting its calls
 * in this document; persisted() tells what was granted. Both kept across reloads in sessionStorage.
 */
async function scriptPersistence(context: BrowserContext, answers: boolean[]): Promise<void> {
  await context.addInitScript((scripted: boolean[]) => {
    const w = window as unknown as { __persistCalls: number };
    w.__persistCalls = 0;
    const storage = navigator.storage;
    storage.persisted = async () => sessionStorage.getItem('test:persisted') === 'yes';
    storage.persist = async () => {
      w.__persistCalls++;
      const asked = Number(sessionStorage.getItem('test:asked') ?? 0);
      sessionStorage.setItem('test:asked', String(asked + 1));
      const granted = scripted[asked] ?? false;
      if (granted) sessionStorage.setItem('test:persisted', 'yes');
      return granted;
    };
  }, answers);
}

const persistCalls = (page: Page) => page.evaluate(() => (window as unknown as { __persistCalls: number }).__persistCalls);

describe('persistent storage is asked for by a volunteer, never at startup', () => {
  it('not at startup, once at enrollment, then from the volunteer screen, which shows the answer', async () => {
    let enrollScreenCalls = -1;
    const { context, page } = await enrolledKiosk(fixture.browser, fixture.app, 'Persistence rally', {
      setup: (c) => scriptPersistence(c, [false, true]),
      beforeEnroll: async (p) => {
        // The enrollment screen says why enrolling asks the browser.
        expect(await p.getByText(t('enrollPersistNote')).count()).toBe(1);
        await p.waitForTimeout(300);
        enrollScreenCalls = await persistCalls(p);
      },
    });
    expect(enrollScreenCalls).toBe(0);
    // Enrolling asked (and the scripted browser refused).
    await expect.poll(() => persistCalls(page)).toBe(1);

    // A restart, as after an update or a reload: the sign form, and no question.
    await page.reload();
    await page.getByRole('button', { name: 'Continue', exact: true }).waitFor();
    await page.waitForTimeout(500);
    expect(await persistCalls(page)).toBe(0);

    await openVolunteer(page);
    await expect.poll(() => page.getByText(t('storageNotPersistent')).count()).toBe(1);
    expect(await page.getByText(t('persistWhy')).count()).toBe(1);
    expect(await persistCalls(page)).toBe(0);
    await page.getByRole('button', { name: t('persistAsk') }).evaluate((button) => button.scrollIntoView({ block: 'center' }));
    await screenshot(page, 'volunteer-persistence.png');

    await page.getByRole('button', { name: t('persistAsk') }).click();
    await expect.poll(() => page.getByText(t('storagePersistent')).count()).toBe(1);
    expect(await persistCalls(page)).toBe(1);
    expect(await page.getByRole('button', { name: t('persistAsk') }).count()).toBe(0);

    // Granted stays shown, and a new start still asks nothing.
    await page.reload();
    await openVolunteer(page);
    await expect.poll(() => page.getByText(t('storagePersistent')).count()).toBe(1);
    expect(await persistCalls(page)).toBe(0);
    await context.close();
  }, 90_000);

  it('a refusal from the volunteer screen says so, and the button stays for another try', async () => {
    const { context, page } = await enrolledKiosk(fixture.browser, fixture.app, 'Refusing browser', { setup: (c) => scriptPersistence(c, [false, false]) });
    await openVolunteer(page);
    await page.getByRole('button', { name: t('persistAsk') }).click();
    await expect.poll(() => page.getByText(t('persistRefused')).count()).toBe(1);
    expect(await page.getByText(t('storageNotPersistent')).count()).toBe(1);
    expect(await page.getByRole('button', { name: t('persistAsk') }).isEnabled()).toBe(true);
    await context.close();
  }, 90_000);

  it('a browser that does not say (no StorageManager, as WebKitGTK): the screen says so and nothing is asked', async () => {
    const { context, page } = await enrolledKiosk(fixture.browser, fixture.app, 'No storage manager', {
      setup: async (c) => {
        await c.addInitScript(() => Object.defineProperty(Navigator.prototype, 'storage', { get: () => undefined, configurable: true }));
      },
      beforeEnroll: async (p) => expect(await p.getByText(t('enrollPersistNote')).count()).toBe(0),
    });
    await openVolunteer(page);
    await expect.poll(() => page.getByText(t('storagePersistenceUnknown')).count()).toBe(1);
    expect(await page.getByRole('button', { name: t('persistAsk') }).count()).toBe(0);
    await context.close();
  }, 90_000);
});
