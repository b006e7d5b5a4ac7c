/**
 * The coordinator console and the public counter, end to end in real Chromium against the
 * real server (started as the README starts it): a coordinator made with the CLI signs in
 * (a wrong password is refused), makes an enrollment code, a tablet enrolls with its link
 * and takes two signatures (one from a signer whose "name" is an HTML injection), the
 * dashboard follows live, the tablet shows up under Devices, the signatures are listed,
 * searched and one is deleted on a data-subject request (audited), the public counter
 * follows without any personal data, and signing out ends the session.
 *
 * With SCREENSHOTS set, it also saves docs/screenshots/console-dashboard.png and
 * public-counter.png.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parse } from 'csv-parse/sync';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { fillSignIn, setUpTwoFactorOnPage } from '../helpers/console-app.ts';
import { DIST, ROOT, startApp, type AppProcess } from '../helpers/app-process.ts';
import { launchChromium } from '../helpers/browser.ts';
import { seriousAxeViolations } from '../helpers/axe.ts';
import { screenshot } from '../helpers/kiosk-extra.ts';
import { enroll, signOnce } from '../helpers/kiosk.ts';
import { makeRecord } from '../helpers/records.ts';
import { enrollTablet, storeRecords } from '../helpers/sealed-records.ts';
import { SqliteStore } from '../../server/store/sqlite.ts';

const EMAIL = 'ana.coordinator@example.org';
const PASSWORD = 'a long enough passphrase, 2024';
const EVENT = 'Console rally, Place du Marché';
const TABLET = 'Stall tablet';
const HOSTILE = { name: '<img src=x onerror=alert(1)>', email: 'hostile@example.org', country: 'FR' };
const AMINA = { name: 'Amina Diallo', email: 'amina@example.org', country: 'SN' };
const TITLE = DEFAULT_CAMPAIGN.text[DEFAULT_CAMPAIGN.defaultLanguage]!.title;

let app: AppProcess;
let browser: Browser;
let consoleContext: BrowserContext;
let page: Page;
let kioskContext: BrowserContext;
let kiosk: Page;
let counterContext: BrowserContext;
let counter: Page;
/** Every alert/confirm/prompt any page opened: a signer's markup must never run. */
const dialogs: string[] = [];
/** Script errors and CSP violations reported by the pages. */
const pageProblems: string[] = [];
let enrollmentLink = '';

function watch(p: Page): void {
  p.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  p.on('pageerror', (e) => pageProblems.push(`pageerror: ${e.message}`));
  p.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) pageProblems.push(`console: ${m.text()}`);
  });
}

beforeAll(async () => {
  if (!existsSync(join(DIST, 'console.html')) || !existsSync(join(DIST, 'counter.html'))) {
    throw new Error('dist/console.html or dist/counter.html is missing: run "npm run build" first (npm test does it).');
  }
  app = await startApp();
  // As the README says: echo "<password>" | npm run cli -- coordinator add …
  const out = execFileSync('npm', ['run', '--silent', 'cli', '--', 'coordinator', 'add', '--email', EMAIL, '--name', 'Ana Coordinator', '--db', app.dbPath], {
    cwd: ROOT,
    input: `${PASSWORD}\n`,
    encoding: 'utf8',
  });
  expect(out).toMatch(/created/);
  browser = await launchChromium();
  consoleContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await consoleContext.newPage();
  watch(page);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

const nav = (name: string) => page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name, exact: true });
const h1 = (p: Page) => p.getByRole('heading', { level: 1 });
const total = () => page.getByTestId('total').textContent();
/** A breakdown table's rows as "name count" strings. */
const breakdown = (id: string) => page.locator(`#${id} tbody tr`).evaluateAll((rows) => rows.map((r) => `${r.children[0].textContent} ${r.children[1].textContent}`));

async function openSection(name: string): Promise<void> {
  await nav(name).click();
  await expect.poll(() => h1(page).textContent()).toBe(name);
  expect(await nav(name).getAttribute('aria-current')).toBe('page');
}

/** The owner's two-factor secret and recovery codes, from its setup in the first test. */
let secondFactor: { totpSecret: string; recoveryCodes: string[] } | undefined;

describe('the coordinator console', () => {
  it('refuses a wrong password with a message, then signs in to a live dashboard', async () => {
    await page.goto(`${app.url}/console.html`);
    await expect.poll(() => h1(page).textContent()).toBe('Coordinator console');
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill('not the password, clearly');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Wrong email or password.');
    expect(await page.getByLabel('Password').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Password').inputValue()).toBe('');
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // An owner made with the CLI sets up two-factor sign-in at its first sign-in, as owners must.
    secondFactor = await setUpTwoFactorOnPage(page);
    await expect.poll(() => h1(page).textContent()).toBe('Dashboard');
    expect(await page.getByText('Ana Coordinator').count()).toBe(1);
    await expect.poll(() => page.locator('.live').textContent()).toBe('Live');
    await expect.poll(total).toBe('0');
    // Marks this document: if the page reloaded, the mark would be gone.
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
  }, 60_000);

  it('makes an enrollment code with its QR code and link, and a tablet enrolls with it', async () => {
    await openSection('Devices');
    await expect.poll(() => page.getByText(/^No tablet is enrolled yet/).count()).toBe(1);
    await page.getByRole('button', { name: 'Create code' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/Name the event/);
    await page.getByLabel('Event name').fill(EVENT);
    await page.getByLabel('Hours valid').fill('2');
    await page.getByRole('button', { name: 'Create code' }).click();
    const codeText = page.getByTestId('enrollment-code');
    await codeText.waitFor({ timeout: 10_000 });
    const code = (await codeText.textContent())!;
    expect(code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    const qr = page.getByRole('img', { name: `QR code of the enrollment link for code ${code}` });
    await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
    enrollmentLink = (await page.getByRole('link', { name: /enroll=/ }).getAttribute('href'))!;
    expect(enrollmentLink).toBe(`${app.url}/?enroll=${code}`);

    // The tablet opens the link (as scanning the QR code would) and enrolls.
    kioskContext = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    kiosk = await kioskContext.newPage();
    watch(kiosk);
    await kiosk.goto(enrollmentLink);
    await kiosk.getByRole('heading', { name: 'Enroll this tablet' }).waitFor({ timeout: 15_000 });
    expect(await kiosk.getByLabel('Enrollment code').inputValue()).toBe(code);
    await enroll(kiosk, code, TABLET);
    await kiosk.getByRole('button', { name: 'Continue', exact: true }).waitFor({ timeout: 15_000 });
    await kiosk.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));

    // The new tablet is listed.
    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    await expect.poll(() => page.locator('#devices-table tbody tr', { hasText: TABLET }).count()).toBe(1);
  }, 60_000);

  it("the kiosk's service worker leaves the console and the counter to the network", async () => {
    const other = await kioskContext.newPage();
    watch(other);
    try {
      for (const [path, heading] of [
        ['/console.html', 'Coordinator console'],
        ['/counter.html', TITLE],
      ]) {
        await other.goto(`${app.url}${path}`);
        await expect.poll(() => h1(other).textContent()).toBe(heading);
        expect(await other.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
      }
      const cached = await other.evaluate(async () => {
        const urls: string[] = [];
        for (const name of await caches.keys()) for (const req of await (await caches.open(name)).keys()) urls.push(new URL(req.url).pathname);
        return urls;
      });
      expect(cached).toContain('/index.html');
      expect(cached.filter((u) => /console|counter/.test(u))).toEqual([]);
    } finally {
      await other.close();
    }
  }, 60_000);

  it('follows new signatures live on the dashboard, with breakdowns and the hourly chart', async () => {
    await openSection('Dashboard');
    await signOnce(kiosk, HOSTILE, 1);
    await signOnce(kiosk, AMINA, 2);
    await expect.poll(total, { timeout: 20_000 }).toBe('2');
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);

    expect(await breakdown('by-country')).toEqual(expect.arrayContaining(['France 1', 'Senegal 1']));
    expect(await breakdown('by-event')).toEqual([`${EVENT} 2`]);
    expect(await breakdown('by-device')).toEqual([`${TABLET} 2`]);
    const chart = page.getByRole('img', { name: /Signatures received per hour/ });
    expect(await chart.count()).toBe(1);
    expect(await chart.locator('rect.chart-bar').count()).toBe(1);
    expect(await page.locator('#hourly-desc').textContent()).toMatch(/^2 signatures in the last \d+ hours; the busiest hour began at .+ with 2\.$/);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'console-dashboard.png');
  }, 90_000);

  it('lists the tablet under Devices with its last contact and reported queue', async () => {
    await openSection('Devices');
    const row = page.locator('#devices-table tbody tr', { hasText: TABLET });
    const cells = () => row.locator('td').allTextContents();
    await expect.poll(async () => (await cells())[1]).toBe('Just now');
    const [event, , pending, quarantined, status] = await cells();
    expect(event).toBe(EVENT);
    expect(pending).toMatch(/^\d+$/);
    expect(quarantined).toBe('0');
    expect(status).toBe('Active');
    // The last contact's own <time> (the row also has the tablet's last sync and token expiry).
    expect(await row.locator('td').nth(1).locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await row.getByRole('button', { name: `Revoke ${TABLET}` }).count()).toBe(1);
    expect(await seriousAxeViolations(page)).toEqual([]);
  }, 30_000);

  it('lists both signatures, the injected markup as plain text, with their handwritten signatures', async () => {
    await openSection('Signatures');
    await expect.poll(() => page.locator('#signatures-table tbody tr').count()).toBe(2);
    expect(await page.getByRole('status').filter({ hasText: /signatures/ }).first().textContent()).toMatch(/^2 signatures/);
    const table = page.locator('#signatures-table');
    expect(await table.getByRole('rowheader', { name: HOSTILE.name, exact: true }).count()).toBe(1);
    expect(await table.getByRole('rowheader', { name: AMINA.name, exact: true }).count()).toBe(1);
    expect(await table.getByText(HOSTILE.email).count()).toBe(1);
    expect(await table.getByRole('cell', { name: 'France', exact: true }).count()).toBe(1);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    // The handwritten signatures load from the server as images.
    const images = table.locator('img.sig-thumb');
    expect(await images.count()).toBe(2);
    await expect
      .poll(() => images.evaluateAll((imgs: HTMLImageElement[]) => imgs.map((i) => i.complete && i.naturalWidth > 0)))
      .toEqual([true, true]);
    expect(await table.getByRole('img', { name: `Signature of ${HOSTILE.name}` }).count()).toBe(1);
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(dialogs).toEqual([]);
  }, 30_000);

  it('finds a signer by search', async () => {
    await page.getByLabel('Search by name, email or signature ID').fill('amina');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => page.locator('.result-line').textContent()).toMatch(/^1 signature matches “amina”/);
    expect(await page.locator('#signatures-table tbody tr').count()).toBe(1);
    expect(await page.locator('#signatures-table').getByRole('rowheader').textContent()).toBe(AMINA.name);
    await page.getByRole('button', { name: 'Show all' }).click();
    await expect.poll(() => page.locator('#signatures-table tbody tr').count()).toBe(2);
  }, 30_000);

  it('the public counter shows the live total and nothing personal', async () => {
    // A separate browser with no session: the counter is public.
    counterContext = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    counter = await counterContext.newPage();
    watch(counter);
    await counter.goto(`${app.url}/counter.html`);
    await expect.poll(() => h1(counter).textContent()).toBe(TITLE);
    await expect.poll(() => counter.getByTestId('public-total').textContent()).toBe('2');
    await expect.poll(() => counter.locator('.counter-live').textContent()).toBe('Live');
    const text = await counter.locator('body').innerText();
    for (const s of [HOSTILE, AMINA]) {
      expect(text).not.toContain(s.name);
      expect(text).not.toContain(s.email);
    }
    expect(text).not.toContain(TABLET);
    expect(await seriousAxeViolations(counter)).toEqual([]);
    await screenshot(counter, 'public-counter.png');
  }, 30_000);

  it('deletes a signature on a data-subject request: the count drops live and the audit log says so', async () => {
    await page.getByRole('button', { name: `Delete signature of ${HOSTILE.name}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this signature?' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('data-subject request');
    expect(await dialog.locator('dd').first().textContent()).toBe(HOSTILE.name);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    expect(await seriousAxeViolations(page)).toEqual([]);
    // Cancel first: nothing happens.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.locator('#signatures-table tbody tr').count()).toBe(2);

    await page.getByRole('button', { name: `Delete signature of ${HOSTILE.name}` }).click();
    await dialog.getByRole('button', { name: 'Delete permanently' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => page.locator('#signatures-table tbody tr').count()).toBe(1);
    expect(await page.getByText(`The signature of ${HOSTILE.name} was deleted.`).count()).toBe(1);
    await expect.poll(() => counter.getByTestId('public-total').textContent(), { timeout: 10_000 }).toBe('1');

    await openSection('Dashboard');
    await expect.poll(total).toBe('1');
    expect(await breakdown('by-country')).toEqual(['Senegal 1']);

    await openSection('Audit log');
    const row = page.locator('#audit-table tbody tr', { hasText: 'Deleted a signature' });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain(EMAIL);
    expect(await row.textContent()).toContain('data-subject request');
    expect(await page.locator('#audit-table tbody tr', { hasText: 'Created an enrollment code' }).count()).toBe(1);
    expect(await page.locator('#audit-table tbody tr', { hasText: 'Signed in' }).count()).toBe(1);
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
  }, 60_000);

  it('revokes a tablet after a confirmation', async () => {
    await openSection('Devices');
    const row = page.locator('#devices-table tbody tr', { hasText: TABLET });
    await row.getByRole('button', { name: `Revoke ${TABLET}` }).click();
    const dialog = page.getByRole('dialog', { name: `Revoke ${TABLET}?` });
    await dialog.waitFor();
    expect(await dialog.textContent()).toMatch(/stops working at once/);
    await dialog.getByRole('button', { name: 'Revoke tablet' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => row.locator('td').nth(4).textContent()).toBe('Revoked');
    expect(await row.getByRole('button', { name: `Revoke ${TABLET}` }).count()).toBe(0);
    expect(await page.getByText(`${TABLET} was revoked.`).count()).toBe(1);
    await openSection('Audit log');
    await expect.poll(() => page.locator('#audit-table tbody tr', { hasText: 'Revoked a tablet' }).count()).toBe(1);
  }, 30_000);

  it('links the four exports, of the campaign the console is about', async () => {
    await openSection('Exports');
    const scope = `?campaign=${DEFAULT_CAMPAIGN.id}`;
    const links: Record<string, string> = {
      'Download hand-in PDF': `/api/console/export/handin.pdf${scope}`,
      'Download hand-in CSV': `/api/console/export/handin.csv${scope}`,
      'Download contacts CSV': `/api/console/export/contacts.csv${scope}`,
      'Download signatures ZIP': `/api/console/export/signatures.zip${scope}`,
    };
    for (const [name, href] of Object.entries(links)) {
      expect(await page.getByRole('link', { name, exact: true }).getAttribute('href')).toBe(href);
    }
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('offers paper collection sheets in the campaign\'s languages, as many as asked; the link downloads them', async () => {
    await openSection('Exports');
    const card = page.locator('#paper-sheets-card');
    await expect.poll(() => card.getByLabel('Language').locator('option').allTextContents()).toEqual(['English', 'French', 'Spanish', 'Arabic']);
    await card.getByLabel('Language').selectOption('ar');
    await card.getByLabel('Number of sheets').fill('3');
    const link = card.getByRole('link', { name: 'Download paper sheets', exact: true });
    expect(await link.getAttribute('href')).toBe(`/api/console/export/paper-sheets.pdf?lang=ar&pages=3&campaign=${DEFAULT_CAMPAIGN.id}`);
    const pdf = await page.request.get(`${app.url}${await link.getAttribute('href')}`);
    expect(pdf.status()).toBe(200);
    const dir = mkdtempSync(join(tmpdir(), 'fieldsign-sheets-'));
    writeFileSync(join(dir, 'sheets.pdf'), await pdf.body());
    expect(execFileSync('pdfinfo', [join(dir, 'sheets.pdf')], { encoding: 'utf8' })).toMatch(/Pages:\s+3\n/);
    rmSync(dir, { recursive: true, force: true });
    // Out of range: no link, and the field says why.
    await card.getByLabel('Number of sheets').fill('501');
    await expect.poll(() => link.count()).toBe(0);
    expect(await card.getByText('From 1 to 500 sheets.').count()).toBe(1);
    await card.getByLabel('Number of sheets').fill('10');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await card.getByLabel('Language').selectOption('en');
    // From the top, or the sticky header is drawn over the middle of the full-page picture.
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'console-exports-paper-sheets.png', true);
  }, 30_000);

  it('the hand-in CSV and the PDF contain the signer (and not the deleted one); the PDF renders', async () => {
    const csvText = await (await page.request.get(`${app.url}/api/console/export/handin.csv`)).text();
    const rows = parse(csvText, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r.Name)).toEqual([AMINA.name]);
    expect(csvText).not.toContain(AMINA.email); // the hand-in list carries no contact data
    const contacts = parse(await (await page.request.get(`${app.url}/api/console/export/contacts.csv`)).text(), { bom: true, columns: true });
    expect(contacts).toEqual([]); // nobody opted in
    const pdf = Buffer.from(await (await page.request.get(`${app.url}/api/console/export/handin.pdf`)).body());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const dir = mkdtempSync(join(tmpdir(), 'fieldsign-pdf-'));
    writeFileSync(join(dir, 'handin.pdf'), pdf);
    const text = execFileSync('pdftotext', ['-layout', join(dir, 'handin.pdf'), '-'], { encoding: 'utf8' });
    expect(text).toContain(AMINA.name);
    expect(text).toContain('Page 1');
    expect(text.replace(/\s+/g, ' ')).toContain(TITLE.slice(0, 40));
    expect(text).not.toContain('onerror');
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', join(dir, 'handin.pdf'), join(dir, 'page')]);
    const png = readdirSync(dir).find((f) => f.endsWith('.png'))!;
    expect(readFileSync(join(dir, png)).subarray(1, 4).toString()).toBe('PNG');
    if (process.env.SCREENSHOTS) {
      execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', join(dir, 'handin.pdf'), join(ROOT, 'docs/screenshots/handin-pdf-page')]);
    }
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('is usable with a keyboard, with buttons and links at least 44 px', async () => {
    await nav('Dashboard').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Devices');
    await page.keyboard.press('Enter');
    await expect.poll(() => h1(page).textContent()).toBe('Devices');
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('code-event');
    const small = await page.evaluate(() =>
      [...document.querySelectorAll('button, a.button, nav a')]
        .map((el) => ({ text: el.textContent, box: el.getBoundingClientRect() }))
        .filter(({ box }) => box.width > 0 && (box.height < 44 || box.width < 44))
        .map(({ text, box }) => `${text} ${box.width}x${box.height}`),
    );
    expect(small).toEqual([]);
  }, 30_000);

  it('logging out returns to the sign-in form and ends the session', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => h1(page).textContent()).toBe('Coordinator console');
    expect(await page.getByRole('status').filter({ hasText: 'You have signed out.' }).count()).toBe(1);
    expect(await page.evaluate(() => fetch('/api/console/totals').then((r) => r.status))).toBe(401);
    await page.reload();
    await expect.poll(() => h1(page).textContent()).toBe('Coordinator console');
  }, 30_000);

  it('never runs a signer’s or a tablet’s markup on any page, and no page breaks the content security policy', async () => {
    // Its own hostile data, pages and watchers: it proves this alone (vitest -t), not from what earlier tests saw.
    const names = ['<img src=x onerror=alert(1)>', '"><script>alert(2)</script>', '<svg onload=alert(3)>'];
    const label = '<b onmouseover=alert(4)>Hostile tablet</b>';
    const store = new SqliteStore(app.dbPath);
    try {
      const deviceId = await enrollTablet(store, label, '<iframe src=javascript:alert(5)>');
      await storeRecords(store, names.map((name, i) => makeRecord({ deviceId, name, email: `markup${i}@example.org`, seed: i + 1 })));
    } finally {
      await store.close();
    }
    const own = { dialogs: [] as string[], problems: [] as string[] };
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const watched = await context.newPage();
      watched.on('dialog', (d) => {
        own.dialogs.push(`${d.type()}: ${d.message()}`);
        void d.dismiss();
      });
      watched.on('pageerror', (e) => own.problems.push(`pageerror: ${e.message}`));
      watched.on('console', (m) => void (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text()) && own.problems.push(`console: ${m.text()}`)));
      await watched.goto(`${app.url}/console`);
      await fillSignIn(watched, { email: EMAIL, password: PASSWORD, ...secondFactor });
      await expect.poll(() => h1(watched).textContent(), { timeout: 15_000 }).toBe('Dashboard');
      const section = (name: string) => watched.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name, exact: true }).click();
      await section('Signatures');
      for (const name of names) await expect.poll(() => watched.getByRole('rowheader', { name, exact: true }).count()).toBe(1);
      await section('Devices');
      await expect.poll(() => watched.locator('#devices-table').getByText(label).count()).toBeGreaterThan(0);
      await section('Dashboard');
      await expect.poll(() => watched.locator('#by-device').getByText(label).count()).toBe(1);
      expect(await watched.locator('#by-event').getByText('<iframe src=javascript:alert(5)>').count()).toBe(1);
      await section('Audit log');
      await expect.poll(() => watched.locator('#audit-table tbody tr').count()).toBeGreaterThan(0);
      await watched.goto(`${app.url}/counter`);
      await expect.poll(() => h1(watched).textContent()).toBe(TITLE);
      // Markup shown as text leaves no element behind.
      expect(await watched.locator('img[src="x"], svg[onload], script:not([src]), iframe, b[onmouseover]').count()).toBe(0);
    } finally {
      await context.close();
    }
    expect(own.dialogs).toEqual([]);
    expect(own.problems).toEqual([]);
    // And whatever the walk above saw on its pages.
    expect(dialogs).toEqual([]);
    expect(pageProblems).toEqual([]);
  }, 60_000);
});
