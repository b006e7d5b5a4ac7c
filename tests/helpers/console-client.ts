/**
 * The coordinator console's API from a test, as the console page calls it: a coordinator
 * made with the CLI (as the README says), a session cookie from /api/console/login, and
 * the CSRF token on every change.
 */
import { execFileSync } from 'node:child_process';
import { ROOT, type AppProcess } from './app-process.ts';

export interface ConsoleClient {
  /** Call `path` with an optional JSON body; throws with the answer unless it is 2xx. */
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** GET `path` (an export) as bytes; throws unless it is 200. */
  download(path: string): Promise<Buffer>;
}

/** Add a coordinator to `app`'s database and sign in as them. */
export async function consoleClient(app: AppProcess, email = 'coordinator@example.org', password = 'a long console password 2026'): Promise<ConsoleClient> {
  execFileSync('npm', ['run', '--silent', 'cli', '--', 'coordinator', 'add', '--email', email, '--name', 'Test Coordinator', '--db', app.dbPath], {
    cwd: ROOT,
    input: `${password}\n`,
    encoding: 'utf8',
  });
  const res = await fetch(`${app.url}/api/console/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (!res.ok) throw new Error(`login: HTTP ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  const { csrfToken } = (await res.json()) as { csrfToken: string };
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
