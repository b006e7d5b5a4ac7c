/**
 * The team, in real Chromium against the real server (issue #19): an owner opens the Team
 * section, invites a viewer for the default campaign and is shown the one-time link with its
 * QR code; the link, opened in a fresh browser (no cookie, no storage), shows who invites whom
 * for what, takes a name and a password twice, and signs the new viewer in; the viewer sees
 * the dashboard and the sections a viewer may use, and no Team, Signatures or Exports; the
 * owner's team table then lists the viewer.
 *
 * The owner signs in with an authenticator code computed here, through the sign-in API from
 * the page itself (the console's code step is part A's), so the browser holds the cookie.
 *
 * With SCREENSHOTS set it saves docs/screenshots/console-team.png, console-invite-link.png
 * and console-accept-invitation.png.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { SqliteStore } from '../../server/store/sqlite.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { startApp, type AppProcess } from '../helpers/app-process.ts';
import { addAccount, totpNow, type TestAccount } from '../helpers/accounts.ts';
import { seriousAxeViolations } from '../helpers/axe.ts';
import { launchChromium } from '../helpers/browser.ts';
import { screenshot } from '../helpers/kiosk-extra.ts';

const VIEWER = 'vera.viewer@example.org';
const VIEWER_PASSWORD = 'a passphrase of my own, 2026';

let dir: string;
let app: AppProcess;
let browser: Browser;
let owner: TestAccount;
const problems: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fieldsign-team-'));
  const dbPath = join(dir, 'fieldsign.db');
  const store = new SqliteStore(dbPath);
  try {
    owner = await addAccount(store, { email: 'olga.owner@example.org', name: 'Olga Owner' });
  } finally {
    await store.close();
  }
  app = await startApp(dbPath);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A page of a fresh browser context, its script errors and CSP refusals collected. */
async function freshPage(): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  return page;
}

const h1 = (page: Page) => page.getByRole('heading', { level: 1 }).first().textContent();
const navLinks = (page: Page) => page.getByRole('navigation', { name: 'Console sections' }).getByRole('link').allTextContents();

describe('the team', () => {
  it('an owner invites a viewer; the link, opened in a fresh browser, makes the account and signs it in; the viewer sees the dashboard, not the team nor signer data', async () => {
    const ownerPage = await freshPage();
    await ownerPage.goto(`${app.url}/console`);
    const signedIn = await ownerPage.evaluate(
      async (body) => (await fetch('/api/console/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status,
      { email: owner.email, password: owner.password, code: totpNow(owner.totpSecret!) },
    );
    expect(signedIn).toBe(200);
    // Only the hash differs: a reload makes the console ask for its session again.
    await ownerPage.goto(`${app.url}/console#team`);
    await ownerPage.reload();
    await expect.poll(() => h1(ownerPage), { timeout: 15_000 }).toBe('Team');
    expect(await navLinks(ownerPage)).toContain('Team');
    await expect.poll(() => ownerPage.locator('#team-table tbody tr').count()).toBe(1);

    // The invitation: a viewer of the default campaign, for two days.
    await ownerPage.getByLabel('Email').fill(VIEWER);
    await ownerPage.getByLabel('Role').first().selectOption('viewer');
    expect(await ownerPage.getByRole('checkbox', { name: new RegExp(`\\(${DEFAULT_CAMPAIGN.id}\\)`) }).isChecked()).toBe(true);
    await ownerPage.getByLabel('Hours the link works').fill('48');
    await ownerPage.getByRole('button', { name: 'Create invitation link' }).click();
    const linkField = ownerPage.getByRole('textbox', { name: 'Invitation link', exact: true });
    await expect.poll(() => linkField.count()).toBe(1);
    const link = await linkField.inputValue();
    expect(link).toMatch(new RegExp(`^${app.url}/console/#invite=[A-Za-z0-9_-]{43}$`));
    expect(await ownerPage.getByRole('img', { name: `QR code of the invitation link for ${VIEWER}` }).isVisible()).toBe(true);
    await expect.poll(() => ownerPage.getByRole('region', { name: 'Pending invitations' }).textContent()).toContain(VIEWER);
    expect(await seriousAxeViolations(ownerPage)).toEqual([]);
    await ownerPage.getByRole('region', { name: `Invitation link for ${VIEWER}` }).scrollIntoViewIfNeeded();
    await screenshot(ownerPage, 'console-invite-link.png');

    // A fresh browser: the invited person opens the link.
    const viewerPage = await freshPage();
    await viewerPage.goto(link);
    await expect.poll(() => h1(viewerPage), { timeout: 15_000 }).toBe('Join the team');
    await expect.poll(() => viewerPage.locator('main').textContent()).toContain(`Olga Owner (${owner.email}) invites ${VIEWER} to the coordinator console.`);
    expect(await viewerPage.locator('.invitation-facts').textContent()).toContain('Viewer');
    await viewerPage.getByLabel('Your name').fill('Vera Viewer');
    // Two different passwords are caught before anything is sent.
    await viewerPage.getByLabel('Choose a password').fill(VIEWER_PASSWORD);
    await viewerPage.getByLabel('The password again').fill(`${VIEWER_PASSWORD}!`);
    await viewerPage.getByRole('button', { name: 'Join and sign in' }).click();
    expect(await viewerPage.getByRole('alert').textContent()).toContain('not the same');
    await viewerPage.getByLabel('The password again').fill(VIEWER_PASSWORD);
    expect(await seriousAxeViolations(viewerPage)).toEqual([]);
    await screenshot(viewerPage, 'console-accept-invitation.png');
    await viewerPage.getByRole('button', { name: 'Join and sign in' }).click();

    await expect.poll(() => h1(viewerPage), { timeout: 15_000 }).toBe('Dashboard');
    expect(new URL(viewerPage.url()).hash).toBe('');
    expect(await viewerPage.locator('.who-email').textContent()).toBe(VIEWER);
    expect(await navLinks(viewerPage)).toEqual(['Campaigns', 'Dashboard', 'Devices', 'Paper', 'Your account']);
    // A section the viewer may not use, typed into the address bar, is not shown either.
    await viewerPage.goto(`${app.url}/console#signatures`);
    await expect.poll(() => h1(viewerPage), { timeout: 15_000 }).toBe('Dashboard');
    // Campaigns are read-only for a viewer: no draft, no close, no new campaign.
    await viewerPage.goto(`${app.url}/console#campaigns/${DEFAULT_CAMPAIGN.id}`);
    await expect.poll(() => viewerPage.getByRole('button', { name: /Show its figures/ }).count(), { timeout: 15_000 }).toBe(1);
    expect(await viewerPage.getByRole('button', { name: /Close the campaign|Save draft|Publish|Save goal/ }).count()).toBe(0);

    // The owner's team table lists the new viewer, with what was granted.
    await ownerPage.reload();
    await expect.poll(() => ownerPage.locator('#team-table tbody tr').count(), { timeout: 15_000 }).toBe(2);
    const row = ownerPage.getByRole('row', { name: /Vera Viewer/ });
    expect(await row.textContent()).toMatch(/Viewer.*No.*Off.*Active/);
    expect(await ownerPage.getByRole('region', { name: 'Pending invitations' }).textContent()).toContain('None.');
    await screenshot(ownerPage, 'console-team.png', true);
    expect(problems).toEqual([]);
  });
});
