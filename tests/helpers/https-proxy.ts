/**
 * The HTTPS deployment as deploy/ describes it, for tests: Caddy running deploy/Caddyfile.local
 * (`tls internal`) in front of Fieldsign instances, and a Chromium whose own certificate
 * store trusts Caddy's local authority (an NSS database in a temporary HOME), resolving the
 * site's name to 127.0.0.1. Certificate checks stay on: nothing here turns them off.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS } from './browser.ts';
import { ROOT } from './app-process.ts';

/** A port nothing listens on now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until(what: string, ready: () => Promise<boolean> | boolean, log: () => string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

export interface CaddyProxy {
  /** https://<domain>:<port>, the address tablets and coordinators use. */
  publicUrl: string;
  domain: string;
  port: number;
  /** Caddy's local root certificate (PEM), the one browsers are told to trust. */
  rootCertificate: string;
  rootCertificateFile: string;
  output: () => string;
  stop(): Promise<void>;
}

/**
 * Start Caddy on deploy/Caddyfile.local in front of `upstreams` ("127.0.0.1:port" each), on
 * `port` (chosen before, so that the instances behind it can be told their public URL).
 */
export async function startCaddy(upstreams: string[], port: number, domain = 'fieldsign.test'): Promise<CaddyProxy> {
  const home = mkdtempSync(join(tmpdir(), 'fieldsign-caddy-'));
  const httpPort = await freePort();
  const child: ChildProcess = spawn('caddy', ['run', '--config', join(ROOT, 'deploy/Caddyfile.local'), '--adapter', 'caddyfile'], {
    cwd: home,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      // Caddy keeps its local CA and certificates under these: the test's own, never the machine's.
      HOME: home,
      XDG_DATA_HOME: join(home, 'data'),
      XDG_CONFIG_HOME: join(home, 'config'),
      FIELDSIGN_DOMAIN: domain,
      FIELDSIGN_HTTPS_PORT: String(port),
      FIELDSIGN_HTTP_PORT: String(httpPort),
      FIELDSIGN_UPSTREAMS: upstreams.join(' '),
    },
  });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const rootCertificateFile = join(home, 'data/caddy/pki/authorities/local/root.crt');
  try {
    await until('Caddy listening with its local CA', async () => child.exitCode === null && existsSync(rootCertificateFile) && (await listening(port)), () => log);
  } catch (error) {
    process.kill(-child.pid!, 'SIGKILL');
    throw error;
  }
  return {
    publicUrl: `https://${domain}:${port}`,
    domain,
    port,
    rootCertificate: readFileSync(rootCertificateFile, 'utf8'),
    rootCertificateFile,
    output: () => log,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        process.kill(-child.pid!, 'SIGTERM');
        await exited;
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export interface TrustingBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Chromium that trusts `proxy`'s root certificate, through an NSS database in a HOME of its
 * own (how a person adds a root on Linux), and that resolves the proxy's domain to 127.0.0.1.
 */
export async function launchTrustingChromium(proxy: CaddyProxy): Promise<TrustingBrowser> {
  const home = mkdtempSync(join(tmpdir(), 'fieldsign-nss-'));
  const nssdb = join(home, '.pki/nssdb');
  mkdirSync(nssdb, { recursive: true });
  execFileSync('certutil', ['-d', `sql:${nssdb}`, '-N', '--empty-password']);
  execFileSync('certutil', ['-d', `sql:${nssdb}`, '-A', '-t', 'C,,', '-n', 'Caddy local authority (test)', '-i', proxy.rootCertificateFile]);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [...CHROMIUM_FLAGS, `--host-resolver-rules=MAP ${proxy.domain} 127.0.0.1`],
    env: { ...process.env, HOME: home },
  });
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
