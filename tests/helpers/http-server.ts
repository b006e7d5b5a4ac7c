/**
 * Starts the real HTTP app on an ephemeral port against a temporary SQLite file. A test that
 * needs no socket can call `request()`, the same app without one.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App, type AppOptions } from '../../server/app.ts';
import { SqliteStore } from '../../server/store/sqlite.ts';
import { createEnrollmentCode } from '../../server/devices.ts';

export interface TestServer {
  url: string;
  store: SqliteStore;
  dbPath: string;
  /** The app's `request()`: the same routes, without the socket. */
  request: App['request'];
  /** Enroll a new device through the API (for `campaigns`, or the default one); returns its id and token. */
  enroll(event?: string, campaigns?: string[]): Promise<{ deviceId: string; token: string }>;
  close(): Promise<void>;
}

/** `exportsInWorkers`: tell the app its database file, so exports run in worker threads, as in production. */
export async function startTestServer(options: Partial<AppOptions> = {}, { exportsInWorkers = false } = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldsign-'));
  const dbPath = join(dir, 'test.db');
  const store = new SqliteStore(dbPath);
  const app = createApp({ store, log: () => {}, ...(exportsInWorkers && { db: dbPath }), ...options });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    store,
    dbPath,
    request: app.request,
    async enroll(event = 'Test rally', campaigns?: string[]) {
      const { code } = await createEnrollmentCode(store, event, 3_600_000, 'test', new Date(), campaigns);
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/enroll`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ protocol: 1, code }),
      });
      if (res.status !== 201) throw new Error(`enrollment failed: ${res.status} ${await res.text()}`);
      return (await res.json()) as { deviceId: string; token: string };
    },
    async close() {
      app.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
