/**
 * A console to test in a real browser: a temporary SQLite database with one coordinator, an
 * owner with two-factor sign-in (and whatever `seed` stores), the real server started on it,
 * and the sign-in a person does, with the code an authenticator app would show.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { SqliteStore } from '../../server/store/sqlite.ts';
import { startApp, type AppProcess } from './app-process.ts';
import { addAccount, secondFactorCode, totpNow, type TestAccount } from './accounts.ts';

export const CONSOLE_PASSWORD = 'a long enough passphrase, 2026';

export interface ConsoleApp {
  app: AppProcess;
  /** A temporary folder of the test's own (the database is in it), removed by `stop`. */
  dir: string;
  email: string;
  /** The coordinator's TOTP secret (base32): `totpNow` gives the code to sign in with. */
  totpSecret: string;
  /** The coordinator, with its recovery codes (a sign-in uses one once TOTP steps run out). */
  account: TestAccount;
  stop(): Promise<void>;
}

/** Start the server on a new database with the coordinator `email`, after `seed` filled it. */
export async function startConsoleApp(email: string, seed: (store: SqliteStore) => Promise<void> = async () => {}): Promise<ConsoleApp> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldsign-console-'));
  const dbPath = join(dir, 'fieldsign.db');
  const store = new SqliteStore(dbPath);
  let account: TestAccount;
  try {
    account = await addAccount(store, { email, password: CONSOLE_PASSWORD });
    await seed(store);
  } finally {
    await store.close();
  }
  const app = await startApp(dbPath);
  return {
    app,
    dir,
    email,
    totpSecret: account.totpSecret!,
    account,
    async stop() {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Fill the sign-in page as a person does, the code step too, on the page already open: the
 * caller waits for what it expects next.
 */
export async function fillSignIn(page: Page, account: Pick<TestAccount, 'email' | 'password' | 'totpSecret' | 'recoveryCodes'>): Promise<void> {
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const code = secondFactorCode(account);
  if (!code) return;
  await page.getByLabel('Two-factor code').fill(code, { timeout: 15_000 });
  await page.getByRole('button', { name: 'Verify' }).click();
}

/**
 * On the setup screen a new owner meets after the password (an account made with the CLI):
 * read the key shown, turn two-factor on with the code an app would show, go past the
 * recovery codes. Returns the secret and the codes, for later sign-ins.
 */
export async function setUpTwoFactorOnPage(page: Page): Promise<{ totpSecret: string; recoveryCodes: string[] }> {
  const key = page.getByTestId('totp-secret');
  await key.waitFor({ timeout: 15_000 });
  const totpSecret = (await key.textContent())!.replace(/\s/g, '');
  await page.getByLabel('Code from the app').fill(totpNow(totpSecret));
  await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
  const list = page.getByRole('list', { name: 'Recovery codes' });
  await list.getByRole('listitem').first().waitFor();
  const recoveryCodes = await list.getByRole('listitem').allTextContents();
  await page.getByRole('button', { name: 'I have saved them' }).click();
  return { totpSecret, recoveryCodes };
}

/** Sign in as a person does, the code step too, and wait for the dashboard (scrypt takes a while on a busy machine). */
export async function signInConsole(page: Page, console: Pick<ConsoleApp, 'app' | 'email' | 'totpSecret'> & { account?: TestAccount }): Promise<void> {
  await page.goto(`${console.app.url}/console`);
  await fillSignIn(page, console.account ?? { email: console.email, password: CONSOLE_PASSWORD, totpSecret: console.totpSecret });
  await expect.poll(() => page.getByRole('heading', { level: 1 }).first().textContent(), { timeout: 15_000 }).toBe('Dashboard');
}
