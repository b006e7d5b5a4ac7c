/**
 * Roles in real Chromium against the real server (issue #19, "Done when"): an owner invites a
 * viewer and a campaign manager who may export personal data; each accepts in a browser of
 * its own; the manager, who must have two-factor sign-in, sets it up and signs in again with a
 * code computed here. The viewer sees the totals but is refused (403) every personal-data
 * route, and no answer its page received holds a signer's name or email; the manager
 * downloads the contacts of its own campaign and is refused another's; the owner disables the
 * viewer, whose open page is signed out at its next request.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { recordHash } from '../../server/ingest.ts';
import { SqliteStore } from '../../server/store/sqlite.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import type { PlainPayload } from '../../src/shared/seal.ts';
import { startApp, type AppProcess } from '../helpers/app-process.ts';
import { addAccount, type TestAccount } from '../helpers/accounts.ts';
import { launchChromium } from '../helpers/browser.ts';
import { fillSignIn, setUpTwoFactorOnPage } from '../helpers/console-app.ts';
import { makeRecord } from '../helpers/records.ts';

const A = DEFAULT_CAMPAIGN.id;
const B = 'clean-water';
/** Each campaign's signers: unique names and emails, all opted in to contact. */
const SIGNERS = {
  [A]: [{ name: 'Amaru Quispe Team', email: 'amaru.team@example.org' }, { name: 'Leyla Haddad Team', email: 'leyla.team@example.org' }],
  [B]: [{ name: 'Bongani Dlamini Team', email: 'bongani.team@example.org' }],
};
const PERSONAL_ROUTES = ['signatures', 'export/contacts.csv', 'export/handin.csv', 'export/signatures.zip', 'export/handin.pdf', 'export/handin-package.zip', 'records'];

let dir: string;
let app: AppProcess;
let browser: Browser;
let owner: TestAccount;
let signatureOfA = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fieldsign-roles-'));
  const dbPath = join(dir, 'fieldsign.db');
  const store = new SqliteStore(dbPath);
  try {
    owner = await addAccount(store, { email: 'olga.roles@example.org', name: 'Olga Owner' });
    let seed = 1;
    for (const [campaignId, signers] of Object.entries(SIGNERS)) {
      const items = signers.map(({ name, email }) => {
        const made = makeRecord({ name, email, seed: seed++, campaignId });
        const payload = made.payload as PlainPayload;
        const record = { ...made, id: randomUUID(), payload: { ...payload, signer: { ...payload.signer, optIn: true } } };
        return { record, hash: recordHash(record), clockSuspect: false };
      });
      if (campaignId === A) signatureOfA = items[0].record.id;
      await store.ingest(items, new Date().toISOString(), 'sync');
    }
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

/** A page in a browser context of its own, with every answer body it receives kept. */
async function freshPage(): Promise<{ page: Page; bodies: string[] }> {
  const page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
  const bodies: string[] = [];
  page.on('response', (r) => void r.text().then((text) => bodies.push(text), () => {}));
  return { page, bodies };
}

const h1 = (page: Page) => page.getByRole('heading', { level: 1 }).first().textContent();
/** GET `path` with the page's own cookie, as its scripts would; the status. */
const statusOf = (page: Page, path: string) => page.evaluate(async (url) => (await fetch(url)).status, path);

/** From the owner's Team section: invite `email` as `role` of campaign A; the one-time link. */
async function invite(ownerPage: Page, email: string, role: 'viewer' | 'manager', personal: boolean): Promise<string> {
  await ownerPage.getByLabel('Email').fill(email);
  await ownerPage.getByRole('combobox', { name: 'Role', exact: true }).first().selectOption(role);
  const campaign = ownerPage.getByRole('checkbox', { name: new RegExp(`\\(${A}\\)`) });
  if (!(await campaign.isChecked())) await campaign.check();
  if (personal) await ownerPage.getByRole('checkbox', { name: /May export personal data/ }).first().check();
  await ownerPage.getByRole('button', { name: 'Create invitation link' }).click();
  const field = ownerPage.getByRole('textbox', { name: 'Invitation link', exact: true });
  await field.waitFor();
  const link = await field.inputValue();
  expect(link).toMatch(/#invite=[A-Za-z0-9_-]{43}$/);
  return link;
}

/** Open the link in `page`, choose a name and a password, join. */
async function accept(page: Page, link: string, name: string, password: string): Promise<void> {
  await page.goto(link);
  await expect.poll(() => h1(page), { timeout: 15_000 }).toBe('Join the team');
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Choose a password').fill(password);
  await page.getByLabel('The password again').fill(password);
  await page.getByRole('button', { name: 'Join and sign in' }).click();
}

describe('roles, end to end', () => {
  it('a viewer sees totals and no signer; a manager with two-factor exports its own campaign only; disabling ends an open session', async () => {
    const ownerSide = await freshPage();
    const ownerPage = ownerSide.page;
    await ownerPage.goto(`${app.url}/console`);
    await fillSignIn(ownerPage, owner);
    await expect.poll(() => h1(ownerPage), { timeout: 15_000 }).toBe('Dashboard');
    await ownerPage.goto(`${app.url}/console#team`);
    await expect.poll(() => h1(ownerPage), { timeout: 15_000 }).toBe('Team');
    const viewerLink = await invite(ownerPage, 'vera.roles@example.org', 'viewer', false);
    await ownerPage.reload();
    await expect.poll(() => h1(ownerPage), { timeout: 15_000 }).toBe('Team');
    const managerLink = await invite(ownerPage, 'mateo.roles@example.org', 'manager', true);

    // The viewer: the dashboard's totals, and 403 on every route of names, emails and signatures.
    const { page: viewer, bodies: viewerBodies } = await freshPage();
    await accept(viewer, viewerLink, 'Vera Viewer', 'a viewer passphrase, 2026');
    await expect.poll(() => h1(viewer), { timeout: 15_000 }).toBe('Dashboard');
    await expect.poll(() => viewer.getByTestId('total').textContent().catch(() => null), { timeout: 15_000 }).toBe(String(SIGNERS[A].length));
    for (const route of PERSONAL_ROUTES) expect(await statusOf(viewer, `/api/console/${route}?campaign=${A}`), route).toBe(403);
    expect(await statusOf(viewer, `/api/console/signatures/${signatureOfA}/svg`)).toBe(403);
    const everyone = Object.values(SIGNERS).flat().flatMap((s) => [s.name, s.email]);
    expect(viewerBodies.length).toBeGreaterThan(5);
    expect(everyone.filter((value) => viewerBodies.some((body) => body.includes(value)))).toEqual([]);

    // The manager: two-factor first (it may export personal data), then a sign-in with a code.
    const { page: manager } = await freshPage();
    const managerPassword = 'a manager passphrase, 2026';
    await accept(manager, managerLink, 'Mateo Manager', managerPassword);
    const { totpSecret } = await setUpTwoFactorOnPage(manager);
    await expect.poll(() => h1(manager), { timeout: 15_000 }).toBe('Dashboard');
    await manager.getByRole('button', { name: 'Log out' }).click();
    await fillSignIn(manager, { email: 'mateo.roles@example.org', password: managerPassword, totpSecret });
    await expect.poll(() => h1(manager), { timeout: 15_000 }).toBe('Dashboard');
    // Its own campaign's contacts, through the Exports section's link, with the browser's cookie.
    await manager.goto(`${app.url}/console#exports`);
    const href = await manager.getByRole('link', { name: 'Download contacts CSV' }).getAttribute('href', { timeout: 15_000 });
    const contacts = await (await manager.request.get(new URL(href!, app.url).href)).text();
    for (const s of SIGNERS[A]) expect(contacts).toContain(s.email);
    for (const s of SIGNERS[B]) expect(contacts).not.toContain(s.email);
    expect(await statusOf(manager, `/api/console/export/contacts.csv?campaign=${B}`)).toBe(403);

    // The owner disables the viewer: its open page is signed out at its next request.
    await ownerPage.reload();
    await expect.poll(() => h1(ownerPage), { timeout: 15_000 }).toBe('Team');
    await ownerPage.getByRole('button', { name: 'Disable vera.roles@example.org' }).click();
    await ownerPage.getByRole('button', { name: 'Disable the account' }).click();
    await expect.poll(() => ownerPage.getByRole('row', { name: /Vera Viewer/ }).textContent()).toMatch(/Disabled/);
    expect(await statusOf(viewer, `/api/console/totals?campaign=${A}`)).toBe(401);
    await viewer.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Devices', exact: true }).click();
    await expect.poll(() => viewer.getByRole('button', { name: 'Sign in' }).count(), { timeout: 15_000 }).toBe(1);
  }, 120_000);
});
