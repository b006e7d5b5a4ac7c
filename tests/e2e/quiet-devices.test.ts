/**
 * Tablets that go quiet (S21), end to end in real Chromium against the real server started as
 * the README starts it, with `--stale-after 2s`. Two tablets enroll. Stall B signs online and
 * syncs everything. Stall A signs twice offline, then gets one contact through — the server
 * takes its batch and its report, but the answer is lost as the rally's network drops again —
 * so it is left holding 2 unsynced signatures, and goes silent. The console's Devices
 * section then highlights exactly Stall A, first, in words ("Silent for … with 2 unsynced
 * signatures"), with the storage, persistence and app version its volunteer screen shows;
 * Stall B is not highlighted. The dashboard counts one such tablet and links to Devices.
 *
 * Also here, on a server started with `--token-lifetime 4s`: a tablet whose token expired
 * keeps what it signs and asks, in words, to be enrolled again (S25).
 */
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startApp, type AppProcess } from '../helpers/app-process.ts';
import { launchChromium } from '../helpers/browser.ts';
import { seriousAxeViolations } from '../helpers/axe.ts';
import { definitionOf, enrolledKiosk, screenshot, statusLine, tr, waitingText, type Kiosk } from '../helpers/kiosk-extra.ts';
import { closeVolunteer, openVolunteer, signOnce } from '../helpers/kiosk.ts';
import { startBatchProxy, type BatchProxy } from '../helpers/proxy.ts';
import { SqliteStore } from '../../server/store/sqlite.ts';
import { addAccount, type TestAccount } from '../helpers/accounts.ts';
import { fillSignIn } from '../helpers/console-app.ts';

const EMAIL = 'rosa.coordinator@example.org';
const PASSWORD = 'a long enough passphrase, 2026';
/** The coordinator (an owner, with the two-factor sign-in owners must have), made in beforeAll. */
let account: TestAccount | undefined;
const EVENT = 'March for defenders, Nairobi';

let app: AppProcess;
let proxy: BatchProxy;
let browser: Browser;
let stallA: Kiosk;
let stallB: Kiosk;
let consoleContext: BrowserContext;
let page: Page;
/** What Stall A's volunteer screen says about the tablet. */
const shownOnA = { appVersion: '', persistence: '', tokenExpires: '' };

/** The server's last report from the tablet labelled `label`, read from its database. */
function serverReport(label: string): { pending: number; quarantined: number } | undefined {
  const db = new DatabaseSync(app.dbPath, { readOnly: true });
  try {
    const row = db.prepare('SELECT last_report FROM devices WHERE label = ?').get(label) as { last_report: string | null } | undefined;
    return row?.last_report ? JSON.parse(row.last_report) : undefined;
  } finally {
    db.close();
  }
}

/** Type the tablet's name on the enrollment screen (enrolledKiosk types the code and PIN). */
const named = (label: string) => async (p: Page) => p.getByLabel('Tablet name (optional)').fill(label);

beforeAll(async () => {
  app = await startApp(undefined, ['--stale-after', '2s']);
  // Stall A reaches the server through a proxy that can lose the server's answers.
  proxy = await startBatchProxy(app.url);
  // An owner, with the two-factor sign-in owners must have (the CLI's owner would first set it up).
  const store = new SqliteStore(app.dbPath);
  try {
    account = await addAccount(store, { email: EMAIL, password: PASSWORD, name: 'Rosa Coordinator' });
  } finally {
    await store.close();
  }
  browser = await launchChromium();
  stallA = await enrolledKiosk(browser, { ...app, url: proxy.url }, EVENT, { beforeEnroll: named('Stall A') });
  stallB = await enrolledKiosk(browser, app, EVENT, { beforeEnroll: named('Stall B') });
  consoleContext = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  page = await consoleContext.newPage();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await app?.stop();
});

describe('tablets that go quiet holding signatures', () => {
  it('Stall B signs online and syncs everything; its last report says nothing waits', async () => {
    await signOnce(stallB.page, { name: 'Wanjiru Kamau', email: 'wanjiru@example.org', country: 'KE' }, 2);
    await expect.poll(() => waitingText(stallB.page), { timeout: 20_000 }).toBe('0 waiting to sync');
    await expect.poll(() => serverReport('Stall B'), { timeout: 20_000 }).toMatchObject({ pending: 0, quarantined: 0 });
  }, 60_000);

  it('Stall A signs offline, gets one contact through whose answer is lost, and goes silent with 2 waiting', async () => {
    const { context, page: a } = stallA;
    await context.setOffline(true);
    await signOnce(a, { name: 'Otieno Odhiambo', email: 'otieno@example.org', country: 'KE' }, 1);
    await signOnce(a, { name: 'Achieng Auma', email: 'achieng@example.org', country: 'KE' }, 3);
    expect(await waitingText(a)).toBe('2 waiting to sync');

    proxy.dropAnswers = true;
    await context.setOffline(false);
    await openVolunteer(a);
    await a.getByRole('button', { name: 'Sync now' }).click();
    // The server took the batch (and the report saying 2 wait); the network drops before the answer.
    await expect.poll(() => proxy.stats.dropped, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    await context.setOffline(true);
    expect(serverReport('Stall A')).toMatchObject({ pending: 2, quarantined: 0 });
    expect(await definitionOf(a, 'Waiting to sync')).toBe('2');

    // What the volunteer sees about this tablet: the console must say the same.
    await expect.poll(() => definitionOf(a, 'App version')).toMatch(/^\d+\.\d+\.\d+\+\w+$/);
    shownOnA.appVersion = await definitionOf(a, 'App version');
    await expect.poll(() => definitionOf(a, 'Enrollment valid until')).toMatch(/\d{4}/);
    shownOnA.tokenExpires = await definitionOf(a, 'Enrollment valid until');
    shownOnA.persistence = (await a.getByText(/^Storage is persistent|^Warning: the browser may clear/).textContent()) ?? '';
    expect(shownOnA.persistence).not.toBe('');
    await closeVolunteer(a);
  }, 60_000);

  it('the console highlights exactly Stall A, first, with its counts, storage and app version', async () => {
    await page.goto(`${app.url}/console.html#devices`);
    await fillSignIn(page, account!);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 15_000 }).toBe('Devices');

    const rows = page.locator('#devices-table tbody tr');
    const rowA = rows.filter({ hasText: 'Stall A' });
    const rowB = rows.filter({ hasText: 'Stall B' });
    // Silence grows without any live update: refresh until the 2 s threshold has passed.
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          return rowA.getByText(/^Silent for \d+ seconds? with 2 unsynced signatures$/).count();
        },
        { timeout: 20_000, interval: 500 },
      )
      .toBe(1);

    // Exactly one tablet is flagged, in words, and it is listed first.
    expect(await page.locator('#devices-table').getByText(/^Silent for/).count()).toBe(1);
    expect(await rows.first().getByRole('rowheader').textContent()).toMatch(/^Stall A/);
    expect(await rowA.getAttribute('class')).toBe('silent');
    await screenshot(page, 'console-silent-tablet.png');
    expect(await rowB.getAttribute('class')).toBeNull();

    const headers = await page.locator('#devices-table thead th').allTextContents();
    const cell = async (row: typeof rowA, header: string) => (await row.locator('th, td').nth(headers.indexOf(header)).textContent())?.trim();
    expect(await cell(rowA, 'Waiting to sync')).toBe('2');
    expect(await cell(rowA, 'Quarantined')).toBe('0');
    expect(await cell(rowA, 'Erased')).toBe('0');
    expect(await rowA.getByRole('rowheader').textContent()).toContain(`App ${shownOnA.appVersion}`);
    expect(await cell(rowA, 'Storage')).toMatch(/^[\d.,]+ (KB|MB|GB) of [\d.,]+ (MB|GB)/);
    // Persistence as the tablet's own screen put it.
    expect(await cell(rowA, 'Storage')).toMatch(shownOnA.persistence.startsWith('Storage is persistent') ? /Persistent$/ : /Not persistent: may be evicted$/);
    expect(await cell(rowA, 'Last sync')).toBe('Not confirmed yet'); // its only contact never got its answer
    expect(await cell(rowA, 'Token expires')).toMatch(/\d{4}/);

    expect(await cell(rowB, 'Status')).toBe('Active');
    expect(await cell(rowB, 'Waiting to sync')).toBe('0');
    expect(await cell(rowB, 'Last sync')).toMatch(/^(Just now|\d+ seconds? ago)$/);
    expect(await rowB.getByRole('rowheader').textContent()).toContain(`App ${shownOnA.appVersion}`);
    expect(await page.getByText(/is flagged and listed first/).textContent()).toMatch(/silent for over 2 seconds/);
    expect(await seriousAxeViolations(page)).toEqual([]);
  }, 60_000);

  it('the dashboard counts one silent tablet and links to the Devices section', async () => {
    await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Dashboard', exact: true }).click();
    const banner = page.getByTestId('silent-tablets');
    await expect.poll(() => banner.textContent(), { timeout: 15_000 }).toMatch(/^1 tablet is silent while holding 2 unsynced signatures\./);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await banner.getByRole('link').click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Devices');
    expect(new URL(page.url()).hash).toBe('#devices');
  }, 30_000);
});

describe('a tablet whose token expired (S25)', () => {
  const LIFETIME_MS = 4_000;
  let shortApp: AppProcess;
  let stallC: Kiosk;
  let enrolledAt = 0;
  beforeAll(async () => {
    shortApp = await startApp(undefined, ['--token-lifetime', '4s']);
    enrolledAt = Date.now();
    stallC = await enrolledKiosk(browser, shortApp, EVENT, { beforeEnroll: named('Stall C') });
  }, 60_000);
  afterAll(async () => {
    await shortApp?.stop();
  });

  it('S25: the volunteer sees when the enrollment expires; after it, a signature is kept and the tablet asks to be enrolled again', async () => {
    const { page: c } = stallC;
    const en = tr('en');
    await openVolunteer(c);
    // The server enrolled it a moment after `enrolledAt`: either side of midnight is fine.
    const day = (ms: number) => new Date(ms).toLocaleDateString('en', { day: 'numeric', month: 'long', year: 'numeric' });
    const expected = [day(enrolledAt + LIFETIME_MS), day(Date.now() + LIFETIME_MS)];
    await expect.poll(() => definitionOf(c, 'Enrollment valid until')).toBeOneOf(expected);
    await closeVolunteer(c);
    expect(await c.getByRole('alert').filter({ hasText: en('reenrollNeeded') }).count()).toBe(0);

    // Past the expiry the server set: it counts from its own enrollment time, which a busy
    // machine can put seconds after `enrolledAt` was read here.
    const db0 = new DatabaseSync(shortApp.dbPath, { readOnly: true });
    const serverEnrolledAt = Date.parse((db0.prepare('SELECT MAX(enrolled_at) AS at FROM devices').get() as { at: string }).at);
    db0.close();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, serverEnrolledAt + LIFETIME_MS + 500 - Date.now())));
    await signOnce(c, { name: 'Muthoni Njeri', email: 'muthoni@example.org', country: 'KE' }, 4);
    await expect.poll(() => c.getByRole('alert').filter({ hasText: en('reenrollNeeded') }).count(), { timeout: 20_000 }).toBe(1);
    expect(await statusLine(c)).toContain(en('problemTokenExpired'));
    expect(await waitingText(c)).toBe('1 waiting to sync');
    const db = new DatabaseSync(shortApp.dbPath, { readOnly: true });
    try {
      expect((db.prepare('SELECT COUNT(*) AS n FROM signatures').get() as { n: number }).n).toBe(0);
    } finally {
      db.close();
    }
    await openVolunteer(c);
    expect(await definitionOf(c, 'Last problem')).toContain(en('problemTokenExpired'));
    expect(await definitionOf(c, 'Last problem')).toMatch(/enroll it again with a new code/);
  }, 60_000);
});
