/**
 * Runs the server as the README does (`npm start`), on a free port and a temporary
 * database, and stops it with its whole process group.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
/** The built PWA the test servers serve: `dist`, or FIELDSIGN_STATIC (as the server reads it). */
export const DIST = resolve(ROOT, process.env.FIELDSIGN_STATIC ?? 'dist');

/** Run the coordinator CLI as the README does; returns its output. */
export function cli(args: string[]): string {
  return execFileSync('npm', ['run', '--silent', 'cli', '--', ...args], { cwd: ROOT, encoding: 'utf8' });
}

/** Make an enrollment code with the CLI against `dbPath`. */
export function enrollmentCode(dbPath: string, event = 'Test rally'): string {
  const out = cli(['code', '--event', event, '--db', dbPath]);
  const match = /Enrollment code: (\S+)/.exec(out);
  if (!match) throw new Error(`no code in CLI output:\n${out}`);
  return match[1];
}

export interface AppProcess {
  url: string;
  dbPath: string;
  child: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function startApp(dbPath?: string, extraArgs: string[] = []): Promise<AppProcess> {
  if (!existsSync(join(DIST, 'index.html'))) {
    throw new Error('dist/ is missing: run "npm run build" before the browser tests (npm test does it).');
  }
  const dir = dbPath ? undefined : mkdtempSync(join(tmpdir(), 'fieldsign-e2e-'));
  const db = dbPath ?? join(dir!, 'fieldsign.db');
  const child = spawn('npm', ['start', '--silent', '--', '--port', '0', '--db', db, ...extraArgs], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${log}`)), 30_000);
    const check = () => {
      const match = /listening on (http:\/\/\S+?:\d+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${log}`)));
  });
  return {
    url,
    dbPath: db,
    child,
    output: () => log,
    async stop(signal = 'SIGTERM') {
      // Stopped before (a signal leaves exitCode null and sets signalCode): nothing to wait for.
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-child.pid!, signal);
      } catch {
        /* already gone */
      }
      await exited;
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
