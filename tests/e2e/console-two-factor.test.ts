/**
 * Two-factor sign-in as a person meets it, in real Chromium: an owner made with the CLI signs
 * in and is shown only the setup (QR code, the key as text, a code field); the test reads the
 * key off the page and computes the app's code (otpauth), as a phone would; the recovery
 * codes are shown once and download as a .txt; then the dashboard. Signed out, the sign-in
 * asks for the code after the password, refuses a wrong one, takes the right one, and on
 * another sign-in takes a recovery code instead. axe-core finds no serious violation on the three screens.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ROOT, startApp, type AppProcess } from '../helpers/app-process.ts';
import { launchChromium } from '../helpers/browser.ts';
import { seriousAxeViolations } from '../helpers/axe.ts';
import { screenshot } from '../helpers/kiosk-extra.ts';
import { totpNow } from '../helpers/accounts.ts';

const EMAIL = 'owner.two-factor@example.org';
const PASSWORD = 'a long enough passphrase, 2026';
let app: AppProcess;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  app = await startApp();
  // As the README says: echo "<password>" | npm run cli -- coordinator add …
  execFileSync('npm', ['run', '--silent', 'cli', '--', 'coordinator', 'add', '--email', EMAIL, '--name', 'Olga Owner', '--db', app.dbPath], { cwd: ROOT, input: `${PASSWORD}\n`, encoding: 'utf8' });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })).newPage();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

const heading = () => page.getByRole('heading', { level: 1 }).first().textContent();

async function passwordStep(): Promise<void> {
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function logOut(): Promise<void> {
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect.poll(heading).toBe('Coordinator console');
}

describe('two-factor sign-in in the console', () => {
  let secret = '';
  let recoveryCodes: string[] = [];

  it('an owner without it is shown only its setup, turns it on with a code from the key on screen, and gets recovery codes once', async () => {
    await page.goto(`${app.url}/console`);
    await passwordStep();
    // Checking a password takes a while (scrypt), longer on a busy machine.
    await expect.poll(heading, { timeout: 15_000 }).toBe('Set up two-factor sign-in');
    expect(await page.getByRole('navigation', { name: 'Console sections' }).count()).toBe(0);
    await expect.poll(() => page.getByRole('img', { name: /QR code of the two-factor secret/ }).isVisible()).toBe(true);
    await screenshot(page, 'console-two-factor-setup.png');
    expect(await seriousAxeViolations(page)).toEqual([]);

    secret = (await page.getByTestId('totp-secret').textContent())!.replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await page.getByLabel('Code from the app').fill('000000');
    await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^Wrong code/);

    await page.getByLabel('Code from the app').fill(totpNow(secret));
    await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
    const list = page.getByRole('list', { name: 'Recovery codes' });
    await expect.poll(() => list.getByRole('listitem').count()).toBe(10);
    recoveryCodes = await list.getByRole('listitem').allTextContents();
    for (const code of recoveryCodes) expect(code).toMatch(/^[0-9a-z]{5}-[0-9a-z]{5}$/);
    await screenshot(page, 'console-recovery-codes.png');
    expect(await seriousAxeViolations(page)).toEqual([]);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download as .txt' }).click()]);
    expect(download.suggestedFilename()).toBe('fieldsign-recovery-codes.txt');
    const text = readFileSync((await download.path())!, 'utf8');
    for (const code of recoveryCodes) expect(text).toContain(code);
    expect(text).toContain(EMAIL);

    await page.getByRole('button', { name: 'I have saved them' }).click();
    await expect.poll(heading).toBe('Dashboard');
  });

  it('signed out, signing in asks for the code after the password, refuses a wrong one and takes the right one', async () => {
    await logOut();
    await passwordStep();
    const code = page.getByLabel('Two-factor code');
    await code.waitFor({ timeout: 15_000 });
    expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
    expect(await code.getAttribute('inputmode')).toBe('numeric');
    expect(await page.getByText('A recovery code works too').count()).toBe(1);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('login-code');
    await screenshot(page, 'console-sign-in-code.png');
    expect(await seriousAxeViolations(page)).toEqual([]);

    await code.fill('123456');
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 15_000 }).toMatch(/^Wrong code/);
    expect(await heading()).toBe('Coordinator console');

    await code.fill(totpNow(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(heading, { timeout: 15_000 }).toBe('Dashboard');
  });

  it('takes a recovery code in place of the app\'s code, once', async () => {
    await logOut();
    await passwordStep();
    await page.getByLabel('Two-factor code').fill(recoveryCodes[0], { timeout: 15_000 });
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(heading, { timeout: 15_000 }).toBe('Dashboard');

    await logOut();
    await passwordStep();
    await page.getByLabel('Two-factor code').fill(recoveryCodes[0], { timeout: 15_000 });
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 15_000 }).toMatch(/^Wrong code/);
  });
});
