/**
 * The coordinator console's API from a test, as the console page calls it: an owner who may
 * export personal data, with two-factor sign-in (as the product requires of both), added to
 * the running server's database; a session cookie from /api/console/login with the code the
 * authenticator would show; and the CSRF token on every change. (The README's first owner,
 * made with `coordinator add`, signs in through the console page in tests/e2e/console.test.ts.)
 */
import { SqliteStore } from '../../server/store/sqlite.ts';
import { addAccount, signIn } from './accounts.ts';
import type { AppProcess } from './app-process.ts';

export interface ConsoleClient {
  /** Call `path` with an optional JSON body; throws with the answer unless it is 2xx. */
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** GET `path` (an export) as bytes; throws unless it is 200. */
  download(path: string): Promise<Buffer>;
}

/** Add an owner to `app`'s database and sign in as them. */
export async function consoleClient(app: AppProcess, email = 'coordinator@example.org', password = 'a long console password 2026'): Promise<ConsoleClient> {
  // The server has the database open: a second connection adds the account beside it.
  const store = new SqliteStore(app.dbPath);
  const owner = await addAccount(store, { email, password, name: 'Test Coordinator' }).finally(() => store.close());
  const { cookie, csrfToken } = await signIn(app.url, owner);
  return {
    async call<T>(method: string, path: string, body?: unknown): Promise<T> {
      const answer = await fetch(`${app.url}${path}`, {
        method,
        headers: { cookie, 'x-csrf-token': csrfToken, ...(body !== undefined && { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await answer.text();
      if (!answer.ok) throw new Error(`${method} ${path}: HTTP ${answer.status} ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    },
    async download(path: string): Promise<Buffer> {
      const answer = await fetch(`${app.url}${path}`, { headers: { cookie } });
      if (answer.status !== 200) throw new Error(`GET ${path}: HTTP ${answer.status} ${await answer.text()}`);
      return Buffer.from(await answer.arrayBuffer());
    },
  };
}
