/**
 * Many petitions on one server, from the console, in real Chromium against the real server:
 * a coordinator creates a second campaign copied from the default one, edits its title and a
 * demand (the kiosk's preview follows, in English and in Arabic, right to left), reads what
 * changed, is told clearly what the server refuses (an empty title, a version that changes
 * nothing), publishes it and gives it a goal; makes an enrollment code for both campaigns
 * (the code and the enrolled tablet name both); switches the console to the new campaign and
 * sees its own totals, its signatures (one signed under a version that was never published,
 * badged) and export links; publishes a version 2 and sees both versions, version 1 still
 * read-only with its hash; closes it; and /counter/<id> shows its title and goal progress
 * while /counter still shows the default campaign.
 *
 * With SCREENSHOTS set it saves docs/screenshots/console-campaigns.png, console-campaign-
 * editor-en.png, console-campaign-editor-ar.png, console-campaign-diff.png and
 * counter-goal.png.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { addAccount, type TestAccount } from '../helpers/accounts.ts';
import { fillSignIn } from '../helpers/console-app.ts';
import { SqliteStore } from '../../server/store/sqlite.ts';
import type { TabletCampaigns } from '../../src/shared/campaigns.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { startApp, type AppProcess } from '../helpers/app-process.ts';
import { seriousAxeViolations } from '../helpers/axe.ts';
import { launchChromium } from '../helpers/browser.ts';
import { screenshot } from '../helpers/kiosk-extra.ts';
import { batchOf, makeRecord } from '../helpers/records.ts';

const EMAIL = 'campaigns.coordinator@example.org';
const PASSWORD = 'a long enough passphrase, 2026';
/** The coordinator (an owner, with the two-factor sign-in owners must have), made in beforeAll. */
let account: TestAccount | undefined;
const DEFAULT_ID = DEFAULT_CAMPAIGN.id;
const WATER = 'clean-water';
const TITLE = 'Clean water for every village';
const DEMAND = 'Repair every village well within a year.';
const TITLE_2 = 'Clean water for every village, now';

let app: AppProcess;
let browser: Browser;
let page: Page;
let dir: string;
const problems: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fieldsign-campaigns-'));
  const dbPath = join(dir, 'fieldsign.db');
  const store = new SqliteStore(dbPath);
  try {
    account = await addAccount(store, { email: EMAIL, password: PASSWORD, name: 'Campaigns Coordinator' });
  } finally {
    await store.close();
  }
  app = await startApp(dbPath);
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const h1 = () => page.getByRole('heading', { level: 1 }).first().textContent();
const nav = (name: string) => page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name, exact: true });
const preview = () => page.getByTestId('kiosk-preview').first();
const editor = () => page.locator('.draft-editor');

async function openSection(name: string): Promise<void> {
  await nav(name).click();
  await expect.poll(h1).toBe(name);
}

/** POST to the tablet API as a tablet would. */
async function tabletPost(path: string, body: unknown, token?: string): Promise<Response> {
  return fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
}

describe('campaigns in the console', () => {
  it('signs in and lists the default campaign, open', async () => {
    await page.goto(`${app.url}/console`);
    await fillSignIn(page, account!);
    await expect.poll(h1, { timeout: 15_000 }).toBe('Dashboard');
    await openSection('Campaigns');
    const row = page.locator('#campaigns-table tbody tr', { hasText: DEFAULT_ID });
    expect(await row.getByTestId('campaign-status').textContent()).toBe('Open');
    expect(await row.textContent()).toContain('Version 1');
  }, 60_000);

  it('creates a second campaign from the default one, edits its title and a demand, and sees the diff and the preview', async () => {
    await page.getByLabel('Id (letters, digits, - and _)').fill('not valid!');
    await page.getByRole('button', { name: 'Create draft campaign' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Use 1–64 letters');

    await page.getByLabel('Id (letters, digits, - and _)').fill(WATER);
    expect(await page.getByLabel('Copy the text from').inputValue()).toBe(DEFAULT_ID);
    await page.getByRole('button', { name: 'Create draft campaign' }).click();
    await expect.poll(h1).toBe(DEFAULT_CAMPAIGN.text.en!.title);
    expect(await page.getByTestId('campaign-status').first().textContent()).toBe('Draft');
    expect(await page.getByRole('heading', { name: 'Draft of version 1' }).count()).toBe(1);
    // Before its first publish, it is compared with the campaign it was copied from: no change yet.
    await expect.poll(() => page.getByTestId('no-changes').count()).toBe(1);

    await editor().getByLabel('Title', { exact: true }).fill(TITLE);
    await editor().getByLabel('Demand 1', { exact: true }).fill(DEMAND);
    await expect.poll(() => preview().getByRole('heading', { level: 1 }).textContent()).toBe(TITLE);
    expect(await preview().locator('.demands li').first().textContent()).toBe(DEMAND);
    expect(await preview().getAttribute('dir')).toBe('ltr');
    const diff = await page.locator('#diff-table tbody tr').evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
    expect(diff).toEqual([
      ['English · Title', DEFAULT_CAMPAIGN.text.en!.title, TITLE],
      ['English · Demand 1', DEFAULT_CAMPAIGN.text.en!.demands[0], DEMAND],
    ]);
    expect(await page.getByRole('heading', { name: `Changes against “${DEFAULT_ID}”` }).count()).toBe(1);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.locator('#draft-heading').evaluate((h) => h.scrollIntoView({ block: 'start' }));
    await page.mouse.wheel(0, -80);
    await screenshot(page, 'console-campaign-editor-en.png');

    // The preview in Arabic: the kiosk's own words in Arabic, right to left.
    await page.getByRole('group', { name: 'Preview language' }).getByRole('button', { name: 'Arabic' }).click();
    await expect.poll(() => preview().getAttribute('dir')).toBe('rtl');
    expect(await preview().getAttribute('lang')).toBe('ar');
    expect(await preview().getByRole('heading', { level: 1 }).textContent()).toBe(DEFAULT_CAMPAIGN.text.ar!.title);
    await expect.poll(() => preview().locator('.kp-heading').textContent()).not.toBe('Add your name');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'console-campaign-editor-ar.png');

    await page.locator('#diff-table').scrollIntoViewIfNeeded();
    await screenshot(page, 'console-campaign-diff.png');
  }, 60_000);

  it('names the field the server refuses, then publishes version 1 and sets a goal', async () => {
    await editor().getByLabel('Title', { exact: true }).fill('   ');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await expect.poll(() => page.locator('#draft-error').textContent()).toMatch(/^English · Title: /);
    expect(await editor().getByLabel('Title', { exact: true }).getAttribute('aria-invalid')).toBe('true');

    await editor().getByLabel('Title', { exact: true }).fill(TITLE);
    await page.getByRole('button', { name: 'Publish version 1' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Version 1 is published' }).count()).toBe(1);
    await expect.poll(h1).toBe(TITLE);
    expect(await page.getByTestId('campaign-status').first().textContent()).toBe('Open');
    expect(await page.locator('#versions-table tbody tr').count()).toBe(1);

    await page.getByLabel('Goal (signatures)').fill('10');
    await page.getByRole('button', { name: 'Save goal and dates' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'The goal and dates are saved.' }).count()).toBe(1);
    expect(await page.locator('.campaign-facts').textContent()).toContain('of a goal of 10');
  }, 60_000);

  let token = '';
  let waterHash = '';
  it('makes an enrollment code for both campaigns, and the tablet is told both', async () => {
    await openSection('Devices');
    await page.getByLabel('Event name').fill('Water march');
    const picks = page.getByRole('group', { name: 'Campaigns the tablet may show' });
    // The campaign the console is about is ticked already.
    expect(await picks.getByRole('checkbox', { name: new RegExp(DEFAULT_ID) }).isChecked()).toBe(true);
    await picks.getByRole('checkbox', { name: new RegExp(WATER) }).check();
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/console/codes') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Create code' }).click();
    const created = (await (await answer).json()) as { code: string; campaigns: string[] };
    expect(created.campaigns).toEqual([DEFAULT_ID, WATER]);
    expect(await page.getByTestId('code-campaigns').textContent()).toBe(`Campaigns: ${DEFAULT_ID}, ${WATER}`);

    const enrolled = await tabletPost('/api/v1/enroll', { protocol: 1, code: await page.getByTestId('enrollment-code').textContent(), label: 'Water tablet' });
    expect(enrolled.status).toBe(201);
    const device = (await enrolled.json()) as { deviceId: string; token: string };
    token = device.token;
    const told = (await (await fetch(`${app.url}/api/v1/campaigns`, { headers: { authorization: `Bearer ${token}` } })).json()) as TabletCampaigns;
    expect(told.campaigns.map((c) => c.version.campaignId)).toEqual([DEFAULT_ID, WATER]);
    const water = told.campaigns.find((c) => c.version.campaignId === WATER)!;
    expect(water.version.content?.text.en?.title).toBe(TITLE);
    waterHash = water.version.hash!;

    // Three signatures for the water campaign (one in Arabic), one under a version never
    // published, and two for the default campaign.
    const sign = (campaignId: string, name: string, extra: Record<string, unknown> = {}) =>
      makeRecord({ deviceId: device.deviceId, name, campaignId, campaignVersion: 1, lang: 'en', consentVersion: 1, ...extra });
    const records = [
      sign(WATER, 'Wanjiru Mathai', { campaignHash: waterHash }),
      sign(WATER, 'Lina Haddad', { campaignHash: waterHash, lang: 'ar' }),
      sign(WATER, 'Tom Okello', { campaignHash: waterHash }),
      sign(WATER, 'Ghost Version', { campaignVersion: 9 }),
      sign(DEFAULT_ID, 'Default One'),
      sign(DEFAULT_ID, 'Default Two'),
    ];
    const sent = await tabletPost('/api/v1/batches', batchOf(records, device.deviceId), token);
    expect(sent.status).toBe(200);
    expect(((await sent.json()) as { results: Array<{ status: string }> }).results.map((r) => r.status)).toEqual(records.map(() => 'accepted'));

    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => page.locator('#devices-table tbody tr', { hasText: 'Water tablet' }).textContent()).toContain(`Campaigns: ${DEFAULT_ID}, ${WATER}`);
  }, 60_000);

  it('switches the console to the new campaign: its own totals, signatures and export links', async () => {
    await openSection('Dashboard');
    await expect.poll(() => page.getByTestId('total').textContent()).toBe('2');
    await page.getByLabel('Campaign', { exact: true }).selectOption(WATER);
    await expect.poll(() => page.getByTestId('total').textContent()).toBe('4');
    await expect.poll(() => page.locator('.live').textContent()).toBe('Live');
    // Remembered: a reload keeps the choice.
    await page.reload();
    await expect.poll(() => page.getByTestId('total').textContent(), { timeout: 15_000 }).toBe('4');
    expect(await page.getByLabel('Campaign', { exact: true }).inputValue()).toBe(WATER);

    await openSection('Signatures');
    await expect.poll(() => page.locator('#signatures-table tbody tr').count()).toBe(4);
    await page.getByLabel('Only those matching no published version').check();
    await expect.poll(() => page.locator('#signatures-table tbody tr').count()).toBe(1);
    const ghost = page.locator('#signatures-table tbody tr').first();
    expect(await ghost.textContent()).toContain('Ghost Version');
    expect(await ghost.textContent()).toContain('Matches no published version: Unknown version');
    await page.getByLabel('Only those matching no published version').uncheck();
    await page.getByLabel('Language', { exact: true }).selectOption('ar');
    // One row before the filter applies (the ghost) and one after: wait for the row to change.
    await expect.poll(() => page.locator('#signatures-table tbody tr').first().textContent()).toContain('Lina Haddad');
    await expect.poll(() => page.locator('#signatures-table tbody tr').count()).toBe(1);
    await page.getByLabel('Language', { exact: true }).selectOption('');
    await page.getByLabel('Version', { exact: true }).selectOption('1');
    await expect.poll(() => page.locator('#signatures-table tbody tr').count()).toBe(3);
    expect(await seriousAxeViolations(page)).toEqual([]);

    await openSection('Exports');
    // Every export is of the chosen campaign (the organisation's public key, offered beside them, is of none).
    const links = await page.locator('.export-card a[href^="/api/console/export/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links.length).toBeGreaterThanOrEqual(5);
    expect(links.filter((href) => !href?.endsWith(`campaign=${WATER}`))).toEqual([]);
    const csv = await page.evaluate((href) => fetch(href!).then((r) => r.text()), links.find((h) => h?.includes('handin.csv')));
    expect(csv).toContain('Wanjiru Mathai');
    expect(csv).not.toContain('Default One');
  }, 60_000);

  it('publishes a version 2, lists both, refuses a version that changes nothing, and closes the campaign', async () => {
    await openSection('Campaigns');
    await page.locator('#campaigns-table').getByRole('link', { name: TITLE }).click();
    await expect.poll(h1).toBe(TITLE);
    await page.getByRole('button', { name: 'Edit a version 2' }).click();
    await editor().getByLabel('Title', { exact: true }).fill(TITLE_2);
    expect(await page.getByRole('heading', { name: 'Changes against version 1' }).count()).toBe(1);
    await page.getByRole('button', { name: 'Publish version 2' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Version 2 is published' }).count()).toBe(1);
    const versions = await page.locator('#versions-table tbody tr th').allTextContents();
    expect(versions).toEqual(['Version 2', 'Version 1']);

    // Version 1 as it was published, read-only, with its hash.
    await page.getByRole('button', { name: 'View version 1' }).click();
    const published = page.getByTestId('published-version');
    await expect.poll(() => published.textContent()).toContain(waterHash);
    expect(await published.getByRole('heading', { level: 1 }).textContent()).toBe(TITLE);
    expect(await published.locator('input, textarea').count()).toBe(0);

    // A draft that says what version 2 says: the server's 409, shown plainly.
    await page.getByRole('button', { name: 'Edit a version 3' }).click();
    await page.getByRole('button', { name: 'Publish version 3' }).click();
    await expect.poll(() => page.locator('#draft-error').textContent()).toMatch(/^Not published: .*nothing to publish/);

    await page.getByRole('button', { name: 'Close the campaign' }).click();
    await expect.poll(() => page.getByTestId('campaign-status').first().textContent()).toBe('Closed');
    await page.getByRole('link', { name: 'All campaigns' }).click();
    await expect.poll(() => page.locator('#campaigns-table tbody tr', { hasText: WATER }).getByTestId('campaign-status').textContent()).toBe('Closed');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'console-campaigns.png');
  }, 60_000);

  it('shows the campaign’s public counter with its goal progress at /counter/<id>, and the default one at /counter', async () => {
    const counter = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await counter.goto(`${app.url}/counter/${WATER}`);
    await expect.poll(() => counter.getByRole('heading', { level: 1 }).textContent()).toBe(TITLE_2);
    await expect.poll(() => counter.getByTestId('public-total').textContent()).toBe('4');
    const bar = counter.getByRole('progressbar');
    expect(await bar.getAttribute('max')).toBe('10');
    expect(await bar.getAttribute('value')).toBe('4');
    expect(await counter.getByTestId('goal-progress').textContent()).toBe('4 of 10 signatures · 40% of the goal');
    expect(await counter.getByText('This petition is closed.', { exact: false }).count()).toBe(1);
    expect(await seriousAxeViolations(counter)).toEqual([]);
    await screenshot(counter, 'counter-goal.png');

    await counter.goto(`${app.url}/counter`);
    await expect.poll(() => counter.getByRole('heading', { level: 1 }).textContent()).toBe(DEFAULT_CAMPAIGN.text.en!.title);
    await expect.poll(() => counter.getByTestId('public-total').textContent()).toBe('2');
    expect(await counter.getByRole('progressbar').count()).toBe(0);
    await counter.close();
    expect(problems).toEqual([]);
  }, 60_000);
});
