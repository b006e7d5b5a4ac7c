/**
 * Exports in a worker thread (exports/worker.ts) give exactly what the same
 * export gives in the server's own thread: the CSVs and the zip byte for byte, the PDF the
 * same text; and a client that leaves mid-download stops the worker.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobOf, runExport, type ExportKind } from '../../server/exports/job.ts';
import { recordHash } from '../../server/ingest.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';
import { makeRecord, withSigner } from '../helpers/records.ts';
import { addAccount, signIn } from '../helpers/accounts.ts';


const PASSWORD = 'a long enough passphrase, 2026';
let server: TestServer;
let cookie: string;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fieldsign-export-worker-'));
  // Told its database file, the app runs exports in workers that open it (as server/main.ts does).
  server = await startTestServer({}, { exportsInWorkers: true });
  const ana = await addAccount(server.store, { email: 'ana@example.org', name: 'Ana', password: PASSWORD });
  const records = Array.from({ length: 2_500 }, (_, i) => withSigner(makeRecord({ name: `Worker Signer ${i}`, email: `w${i}@example.org`, seed: (i % 40) + 1 }), { optIn: i % 2 === 0 }));
  for (let i = 0; i < records.length; i += 500) {
    await server.store.ingest(records.slice(i, i + 500).map((record) => ({ record, hash: recordHash(record), clockSuspect: false })), '2026-11-24T10:00:00.000Z', 'sync');
  }
  ({ cookie } = await signIn(server.url, ana));
}, 60_000);
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The same export run in this thread, into a buffer. */
async function inThisThread(kind: ExportKind): Promise<Buffer> {
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on('data', (chunk: Buffer) => parts.push(chunk));
  const versionHashes = new Map((await server.store.campaignVersions(DEFAULT_CAMPAIGN.id)).map((v) => [v.version, v.hash]));
  await runExport(server.store, jobOf(kind, { id: DEFAULT_CAMPAIGN.id, content: DEFAULT_CAMPAIGN, versionHashes }), out);
  return Buffer.concat(parts);
}

const pdfText = (bytes: Buffer) => {
  const file = join(dir, `${randomUUID()}.pdf`);
  writeFileSync(file, bytes);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
};

describe('exports in a worker thread', () => {
  it('give the same files as in the server thread', async () => {
    for (const [path, kind] of [['handin.csv', 'handin'], ['contacts.csv', 'contacts'], ['signatures.zip', 'zip'], ['handin.pdf', 'pdf']] as const) {
      const res = await fetch(`${server.url}/api/console/export/${path}`, { headers: { cookie } });
      expect(res.status, path).toBe(200);
      const fromWorker = Buffer.from(await res.arrayBuffer());
      const here = await inThisThread(kind);
      expect(fromWorker.length, path).toBeGreaterThan(1000);
      if (kind === 'pdf') expect(pdfText(fromWorker)).toBe(pdfText(here));
      else expect(fromWorker.equals(here), path).toBe(true);
    }
  }, 120_000);

  it('stops the worker when the client leaves mid-download, and the server goes on', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length;
    const controller = new AbortController();
    const res = await fetch(`${server.url}/api/console/export/handin.pdf`, { headers: { cookie }, signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    // The worker (its message port) is at work …
    expect(process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length).toBe(before + 1);
    controller.abort();
    // … and is gone once the client left.
    await expect.poll(() => process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length, { timeout: 10_000 }).toBeLessThanOrEqual(before);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  }, 60_000);
});
