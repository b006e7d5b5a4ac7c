/**
 * The real server as a child process on a FIXED loopback port and a given SQLite file, so
 * it can be SIGKILLed and started again on the same database while clients keep the same URL.
 * Started as `node server/main.ts` directly (the pinned Node 24), in its own process group.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
/** The pinned Node 24 (the `node` npm package). */
export const NODE = join(ROOT, 'node_modules/.bin/node');

/** Whether `port` can be listened on at 127.0.0.1 right now. */
async function canListen(port: number): Promise<boolean> {
  const probe = createServer();
  const ok = await new Promise<boolean>((done) => {
    probe.once('error', () => done(false));
    probe.listen(port, '127.0.0.1', () => done(true));
  });
  if (ok) await new Promise<void>((done) => probe.close(() => done()));
  return ok;
}

/**
 * A free TCP port on 127.0.0.1 OUTSIDE the kernel's ephemeral range, so that while the
 * server is down no outgoing connection (tablet → proxy, proxy → server) can be given this
 * port as its local port and keep the restarted server from listening.
 */
export async function freePort(): Promise<number> {
  let low = 32_768;
  try {
    low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || low;
  } catch {
    /* not Linux: assume the IANA dynamic range starts at 49152, below is fine too */
  }
  const top = Math.min(low, 49_152) - 1;
  const bottom = Math.max(10_000, top - 15_000);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = bottom + Math.floor(Math.random() * (top - bottom));
    if (await canListen(port)) return port;
  }
  throw new Error('no free port found outside the ephemeral range');
}

/** `server/cli.ts code --event …` on `dbPath`; returns the printed code (XXXXX-XXXXX). */
export function cliEnrollmentCode(dbPath: string, event: string): Promise<string> {
  return new Promise((done, fail) => {
    execFile(NODE, ['server/cli.ts', 'code', '--event', event, '--db', dbPath], { cwd: ROOT, timeout: 20_000 }, (error, stdout, stderr) => {
      const match = /Enrollment code: ([0-9A-Z]{5}-[0-9A-Z]{5})/.exec(stdout);
      if (error || !match) fail(new Error(`cli code failed: ${error?.message ?? ''}\n${stdout}\n${stderr}`));
      else done(match[1]);
    });
  });
}

export interface ServerProcessOptions {
  dbPath: string;
  port: number;
  /** Extra environment, e.g. FIELDSIGN_FAULT_PAUSE_MS. */
  env?: Record<string, string>;
  /** Give up on a start after this long. Default 15 s. */
  startTimeoutMs?: number;
}

const live = new Set<ChildProcess>();
// Last resort: never leave a server behind if the test worker exits without afterAll.
process.once('exit', () => {
  for (const child of live) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

export class ServerProcess {
  readonly url: string;
  /** How many times the process was started. */
  starts = 0;
  private child: ChildProcess | undefined;
  private log = '';
  private disposed = false;
  private readonly opts: ServerProcessOptions;

  constructor(opts: ServerProcessOptions) {
    this.opts = opts;
    this.url = `http://127.0.0.1:${opts.port}`;
  }

  /** Process id of the current server process. */
  get pid(): number | undefined {
    return this.running ? this.child!.pid : undefined;
  }

  /**
   * Linux only: true when the server's main thread sleeps in a futex wait, i.e. inside the
   * fault pause that holds a batch's transaction open before COMMIT (an idle server sleeps in
   * epoll instead). Undefined when the kernel does not tell.
   */
  insideHeldTransaction(): boolean | undefined {
    const pid = this.pid;
    if (pid === undefined) return undefined;
    try {
      const wchan = readFileSync(`/proc/${pid}/wchan`, 'utf8').trim();
      return wchan === '' || wchan === '0' ? undefined : wchan.includes('futex');
    } catch {
      return undefined;
    }
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The server's stdout and stderr (last 64 KB), for diagnostics. */
  output(): string {
    return this.log;
  }

  private append(text: string): void {
    this.log = (this.log + text).slice(-65_536);
  }

  /** Start the server and resolve once it listens. Retries a few times if the port is briefly busy. */
  async start(): Promise<void> {
    if (this.running) throw new Error('server already running');
    let lastError: unknown;
    for (let attempt = 0; attempt < 6; attempt++) {
      if (this.disposed) throw new Error('server disposed');
      try {
        await this.startOnce();
        return;
      } catch (error) {
        lastError = error;
        await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
      }
    }
    throw lastError;
  }

  private startOnce(): Promise<void> {
    const child = spawn(NODE, ['server/main.ts', '--port', String(this.opts.port), '--host', '127.0.0.1', '--db', this.opts.dbPath], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...this.opts.env },
    });
    this.child = child;
    this.starts++;
    if (this.disposed) killGroup(child, 'SIGKILL');
    live.add(child);
    child.once('exit', () => live.delete(child));
    this.append(`\n--- start #${this.starts} (pid ${child.pid}) ---\n`);
    let seen = '';
    return new Promise<void>((done, fail) => {
      const timer = setTimeout(() => {
        killGroup(child, 'SIGKILL');
        fail(new Error(`server did not start within ${this.opts.startTimeoutMs ?? 15_000} ms:\n${this.log.slice(-4000)}`));
      }, this.opts.startTimeoutMs ?? 15_000);
      child.stdout!.on('data', (d: Buffer) => {
        this.append(d.toString());
        seen += d.toString();
        if (/listening on http:\/\/\S+:\d+/.test(seen)) {
          clearTimeout(timer);
          done();
        }
      });
      child.stderr!.on('data', (d: Buffer) => this.append(d.toString()));
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        fail(new Error(`server exited during start (code ${code}, signal ${signal}):\n${this.log.slice(-4000)}`));
      });
    });
  }

  /**
   * Stop the server with `signal` and wait until it is gone. A graceful stop that hangs is
   * finished with SIGKILL after `graceMs`.
   */
  async stop(signal: NodeJS.Signals = 'SIGKILL', graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    killGroup(child, signal);
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), signal === 'SIGKILL' ? 2_000 : graceMs);
    await exited;
    clearTimeout(timer);
    this.append(`--- stopped with ${signal}: exit ${child.exitCode} signal ${child.signalCode} ---\n`);
  }

  /** Stop for good: kill the server and refuse any later start (e.g. from a test that timed out). */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.stop('SIGKILL');
  }

  /** Exit status of the last process, once it has exited. */
  lastExit(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    const child = this.child;
    return child ? { code: child.exitCode, signal: child.signalCode } : undefined;
  }
}
