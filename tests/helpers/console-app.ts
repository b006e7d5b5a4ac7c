/**
 * A console to test in a real browser: a temporary SQLite database with one coordinator (and
 * whatever `seed` stores), the real server started on it, and the sign-in a person does.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { hashPassword } from '../../server/console/passwords.ts';
import { SqliteStore } from '../../server/store/sqlite.ts';
import { startApp, type AppProcess } from './app-process.ts';

export const CONSOLE_PASSWORD = 'a long enough passphrase, 2026';

export interface ConsoleApp {
  app: AppProcess;
  /** A temporary folder of the test's own (the database is in it), removed by `stop`. */
  dir: string;
  email: string;
  stop(): Promise<void>;
}

/** Start the server on a new database with the coordinator `email`, after `seed` filled it. */
export async function startConsoleApp(email: string, seed: (store: SqliteStore) => Promise<void> = async () => {}): Promise<ConsoleApp> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldsign-console-'));
  const dbPath = join(dir, 'fieldsign.db');
  const store = new SqliteStore(dbPath);
  try {
    await store.createCoordinator({ id: randomUUID(), email, name: 'Test Coordinator', passwordHash: await hashPassword(CONSOLE_PASSWORD), createdAt: new Date().toISOString() });
    await seed(store);
  } finally {
    await store.close();
  }
  const app = await startApp(dbPath);
  return {
    app,
    dir,
    email,
    async stop() {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Sign in as a person does, and wait for the dashboard (scrypt takes a while on a busy machine). */
export async function signInConsole(page: Page, console: ConsoleApp): Promise<void> {
  await page.goto(`${console.app.url}/console`);
  await page.getByLabel('Email').fill(console.email);
  await page.getByLabel('Password').fill(CONSOLE_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect.poll(() => page.getByRole('heading', { level: 1 }).first().textContent(), { timeout: 15_000 }).toBe('Dashboard');
}
