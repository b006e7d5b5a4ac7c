/**
 * Many petitions on one server (issue 15), on a real tablet in Chromium against the real
 * server: a tablet enrolled for two campaigns shows the default one; the volunteer switches
 * campaign between two signers, each signature reaches the server under its own campaign,
 * version and the hash of the version its signer saw; the choice survives a reload; a
 * signature taken offline still syncs after its campaign closed; a campaign closed on the
 * server stops being offered after the next sync; with none open the kiosk shows a notice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { CampaignDetail, CampaignSummary } from '../../src/shared/campaigns.ts';
import type { Campaign } from '../../src/shared/campaign.ts';
import { startApp, type AppProcess } from '../helpers/app-process.ts';
import { launchChromium } from '../helpers/browser.ts';
import { consoleClient, type ConsoleClient } from '../helpers/console-client.ts';
import { closeVolunteer, enroll, openVolunteer, signOnce } from '../helpers/kiosk.ts';
import { screenshot, serverRecordOf } from '../helpers/kiosk-extra.ts';

const WATER_TITLE = 'Clean water for every village';

let app: AppProcess;
let browser: Browser;
let api: ConsoleClient;
let context: BrowserContext;
let page: Page;
/** The default campaign's id and title, as the server has them. */
let defenders: { id: string; title: string };

beforeAll(async () => {
  app = await startApp();
  api = await consoleClient(app);
  const { campaigns } = await api.call<{ campaigns: CampaignSummary[] }>('GET', '/api/console/campaigns');
  expect(campaigns.length).toBe(1);
  defenders = { id: campaigns[0].id, title: campaigns[0].title };
  // A second campaign, drafted from the first with its own title and colour, then published.
  const created = await api.call<CampaignDetail>('POST', '/api/console/campaigns', { id: 'clean-water', from: defenders.id });
  const draft = created.draft as Campaign;
  await api.call('PUT', '/api/console/campaigns/clean-water/draft', {
    content: { ...draft, theme: { color: '#0b6e99' }, text: { ...draft.text, en: { ...draft.text.en!, title: WATER_TITLE } } },
  });
  await api.call('POST', '/api/console/campaigns/clean-water/publish');
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  page = await context.newPage();
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

const petitionTitle = () => page.getByRole('heading', { level: 1 }).textContent();
const hashOf = async (id: string) => (await api.call<CampaignDetail>('GET', `/api/console/campaigns/${id}`)).latestVersion!;
const waterRadio = () => page.getByRole('radio', { name: new RegExp(WATER_TITLE) });

/** The volunteer presses Sync now and waits for its answer. */
async function syncNow(): Promise<void> {
  await page.getByRole('button', { name: 'Sync now' }).click();
  await expect.poll(() => page.getByRole('status').filter({ hasText: /Sent|Nothing to send/ }).count(), { timeout: 20_000 }).toBeGreaterThan(0);
}

describe('a tablet allowed two campaigns', () => {
  // One story, in steps that build on each other (the same tablet, the same server), so one test:
  // run alone it still proves all of it.
  it('shows the default campaign, switches between signers, keeps the choice, stops offering a closed campaign, and shows a notice when none is open', async () => {
    // shows the default one; the volunteer switches between two signers; each signature carries its own campaign, version and hash
    const { code } = await api.call<{ code: string }>('POST', '/api/console/codes', { event: 'Two petitions, one stall', campaigns: [defenders.id, 'clean-water'] });
    await page.goto(app.url);
    await page.getByRole('heading', { name: 'Enroll this tablet' }).waitFor({ timeout: 15_000 });
    await enroll(page, code);
    await page.getByRole('button', { name: 'Continue', exact: true }).waitFor({ timeout: 15_000 });
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await expect.poll(petitionTitle).toBe(defenders.title);

    await signOnce(page, { name: 'Amara Defenders-Signer', email: 'amara@example.org', country: 'KE' }, 1);

    await openVolunteer(page);
    await expect.poll(() => page.getByRole('group', { name: 'Petition shown to the next signer' }).getByRole('radio').count(), { timeout: 15_000 }).toBe(2);
    expect(await page.getByRole('radio', { name: new RegExp(defenders.title) }).isChecked()).toBe(true);
    await waterRadio().check();
    await expect.poll(() => page.getByRole('status').filter({ hasText: `The next signer will see “${WATER_TITLE}”.` }).count()).toBe(1);
    await page.getByRole('heading', { name: 'Petition', exact: true }).scrollIntoViewIfNeeded();
    await screenshot(page, 'volunteer-campaign-choice.png');
    await closeVolunteer(page);
    await expect.poll(petitionTitle).toBe(WATER_TITLE);

    await signOnce(page, { name: 'Bongani Water-Signer', email: 'bongani@example.org', country: 'ZA' }, 2);

    const first = await serverRecordOf(app, 'Amara Defenders-Signer');
    const second = await serverRecordOf(app, 'Bongani Water-Signer');
    const [defendersVersion, waterVersion] = [await hashOf(defenders.id), await hashOf('clean-water')];
    expect([first.campaignId, first.campaignVersion, first.campaignHash, first.lang]).toEqual([defenders.id, defendersVersion.version, defendersVersion.hash, 'en']);
    expect([second.campaignId, second.campaignVersion, second.campaignHash, second.lang]).toEqual(['clean-water', waterVersion.version, waterVersion.hash, 'en']);
    expect(waterVersion.hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Each lands in its own campaign's totals, public counter and hand-in, and in no other's.
    for (const [campaign, name] of [[defenders.id, 'Amara Defenders-Signer'], ['clean-water', 'Bongani Water-Signer']]) {
      expect((await api.call<{ total: number }>('GET', `/api/console/totals?campaign=${campaign}`)).total, campaign).toBe(1);
      expect(((await (await fetch(`${app.url}/api/public/count?campaign=${campaign}`)).json()) as { total: number }).total, campaign).toBe(1);
      const csv = (await api.download(`/api/console/export/handin.csv?campaign=${campaign}`)).toString('utf8');
      expect(csv, campaign).toContain(name);
      expect(csv.split('\r\n').filter((line) => /Signer/.test(line)), campaign).toHaveLength(1);
    }

    // keeps the choice across a reload
    await page.reload();
    await expect.poll(petitionTitle, { timeout: 15_000 }).toBe(WATER_TITLE);

    // a signature taken offline syncs after its campaign closed, and the closed campaign is not offered after that sync
    await context.setOffline(true);
    await signOnce(page, { name: 'Chidi Offline-Signer', email: 'chidi@example.org', country: 'NG' }, 3);
    await api.call('POST', '/api/console/campaigns/clean-water/close');
    await context.setOffline(false);
    const late = await serverRecordOf(app, 'Chidi Offline-Signer');
    expect([late.campaignId, late.campaignHash]).toEqual(['clean-water', (await hashOf('clean-water')).hash]);
    // After that contact the tablet learns of the closing: its untouched form takes the open campaign.
    await expect.poll(petitionTitle, { timeout: 30_000 }).toBe(defenders.title);
    await openVolunteer(page);
    await expect.poll(() => waterRadio().isDisabled()).toBe(true);
    expect(await page.getByRole('radio', { name: new RegExp(`${WATER_TITLE}.*closed`) }).count()).toBe(1);
    await closeVolunteer(page);
    expect(await petitionTitle()).toBe(defenders.title);

    // with every campaign closed, shows a notice instead of the form
    await api.call('POST', `/api/console/campaigns/${defenders.id}/close`);
    await openVolunteer(page);
    await syncNow();
    await expect.poll(() => page.getByText('No petition is open on this tablet: every one it may show is closed.', { exact: false }).count(), { timeout: 15_000 }).toBe(1);
    await page.getByRole('button', { name: 'Back to signing' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'No petition is open on this tablet' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Continue' }).count()).toBe(0);
    expect(await page.getByLabel('Full name').count()).toBe(0);
    await screenshot(page, 'no-petition-open.png');
    // Reopened: from the next sync the form is back, with the volunteer’s choice.
    await api.call('POST', '/api/console/campaigns/clean-water/reopen');
    await openVolunteer(page);
    await syncNow();
    await closeVolunteer(page);
    await expect.poll(petitionTitle).toBe(WATER_TITLE);

  }, 360_000);
});
