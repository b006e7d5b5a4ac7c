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
import { addAccount, totpNow } from './accounts.ts';

export const CONSOLE_PASSWORD = 'a long enough passphrase, 2026';

export interface ConsoleApp {
  app: AppProcess;
  /** A temporary folder of the test's own (the database is in it), removed by `stop`. */
  dir: string;
  email: string;
  /** The coordinator's TOTP secret (base32): `totpNow` gives the code to sign in with. */
  totpSecret: string;
  stop(): Promise<void>;
}

/** Start the server on a new database with the coordinator `email`, after `seed` filled it. */
export async function startConsoleApp(email: string, seed: (store: SqliteStore) => Promise<void> = async () => {}): Promise<ConsoleApp> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldsign-console-'));
  const dbPath = join(dir, 'fieldsign.db');
  const store = new SqliteStore(dbPath);
  let totpSecret: string;
  try {
    totpSecret = (await addAccount(store, { email, password: CONSOLE_PASSWORD })).totpSecret!;
    await seed(store);
  } finally {
    await store.close();
  }
  const app = await startApp(dbPath);
  return {
    app,
    dir,
    email,
    totpSecret,
    async stop() {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Sign in as a person does, the code step too, and wait for the dashboard (scrypt takes a while on a busy machine). */
export async function signInConsole(page: Page, console: Pick<ConsoleApp, 'app' | 'email' | 'totpSecret'>): Promise<void> {
  await page.goto(`${console.app.url}/console`);
  await page.getByLabel('Email').fill(console.email);
  await page.getByLabel('Password').fill(CONSOLE_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Two-factor code').fill(totpNow(console.totpSecret), { timeout: 15_000 });
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect.poll(() => page.getByRole('heading', { level: 1 }).first().textContent(), { timeout: 15_000 }).toBe('Dashboard');
}
