/**
 * The real server process (`node server/main.ts`) meets an error nobody caught: a promise
 * rejected with no handler, an exception thrown from a timer. It logs each one with its
 * message and keeps serving (server/process-guard.ts) instead of exiting with batches in
 * flight. The errors are injected by a module preloaded with NODE_OPTIONS=--import, fired
 * by SIGUSR2 once the server listens.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess, freePort } from './server-process.ts';

const INJECT = `process.on('SIGUSR2', () => {
  Promise.reject(new Error('stray rejection (injected)'));
  setTimeout(() => { throw new Error('stray exception (injected)'); }, 10);
});`;

let dir: string;
let server: ServerProcess;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fieldsign-guard-'));
  const nodeOptions = `${process.env.NODE_OPTIONS ?? ''} --import=data:text/javascript,${encodeURIComponent(INJECT)}`.trim();
  server = new ServerProcess({ dbPath: join(dir, 'guard.db'), port: await freePort(), env: { NODE_OPTIONS: nodeOptions } });
  await server.start();
}, 30_000);

afterAll(async () => {
  await server?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('the server process and errors nobody caught', () => {
  it('logs an unhandled rejection and an uncaught exception, and keeps answering', async () => {
    process.kill(server.pid!, 'SIGUSR2');
    await expect.poll(() => server.output(), { timeout: 5_000 }).toMatch(/Uncaught exception \(2 since start; still serving\)[\s\S]*stray exception \(injected\)/);
    expect(server.output()).toMatch(/Unhandled promise rejection \(1 since start; still serving\)[\s\S]*stray rejection \(injected\)/);
    expect(server.running).toBe(true);
    const health = await fetch(`${server.url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, signatures: 0 });
  });
});
