/**
 * Sealed signatures end to end (issue #7), in real Chromium against the real server started
 * with `--seal-key`: sign, sync, and export a transfer file, then search everything that
 * holds signatures outside the signer's head for the signer's name and email: the tablet's
 * IndexedDB and web storage, the sync traffic, the server's database files and the transfer
 * file. They are nowhere; and the coordinator's private key opens every record exactly.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { unlockPrivateKey } from '../../server/keys.ts';
import type { SignatureRecord } from '../../src/shared/protocol.ts';
import { decodeInk } from '../../src/shared/ink.ts';
import { openPayload, sealContextOf } from '../../src/shared/seal.ts';
import { verifyChain } from '../../src/shared/chain.ts';
import { launchChromium } from '../helpers/browser.ts';
import { closeVolunteer, enroll, openVolunteer, signOnce } from '../helpers/kiosk.ts';
import { enrollmentCode, ROOT, startApp, type AppProcess } from '../helpers/app-process.ts';
import { serverRecords, tabletStorageText } from '../helpers/kiosk-extra.ts';

const PASSPHRASE = 'Nunca más sin defensoras 2026';
const signers = [
  { name: 'Quetzalli Ixchel Sealtest', email: 'quetzalli.sealed@example.org', country: 'MX', optIn: true },
  { name: 'Oluwaseun Brightwater', email: 'seun.brightwater@example.net', country: 'NG' },
  { name: 'Ingrid Fjellheim-Sealed', email: 'ingrid.fjell@example.com', country: 'NO' },
];
const SECRETS = signers.flatMap((s) => [s.name, s.email, s.name.split(' ')[0], s.email.split('@')[0]]);

let keyDir: string;
let app: AppProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const batchBodies: string[] = [];

beforeAll(async () => {
  keyDir = mkdtempSync(join(tmpdir(), 'fieldsign-keys-'));
  execFileSync('npm', ['run', '--silent', 'cli', '--', 'keygen', '--out', join(keyDir, 'keys')], { cwd: ROOT, input: `${PASSPHRASE}\n${PASSPHRASE}\n`, encoding: 'utf8' });
  app = await startApp(undefined, ['--seal-key', join(keyDir, 'keys/fieldsign-public-key.json'), '--seal-country']);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1100, height: 1000 }, acceptDownloads: true });
  // Every sync request as it leaves the browser, decompressed.
  await context.route('**/api/v1/batches', async (route) => {
    const request = route.request();
    const body = request.postDataBuffer() ?? Buffer.alloc(0);
    const gzip = (await request.allHeaders())['content-encoding'] === 'gzip';
    batchBodies.push((gzip ? gunzipSync(body) : body).toString('utf8'));
    await route.continue();
  });
  page = await context.newPage();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  if (keyDir) rmSync(keyDir, { recursive: true, force: true });
});

/** The chain head the tablet last reported, as the server stored it. */
function reportedHead(): unknown {
  const db = new DatabaseSync(app.dbPath, { readOnly: true });
  try {
    const row = db.prepare('SELECT last_report FROM devices').get() as { last_report: string | null } | undefined;
    return row?.last_report ? JSON.parse(row.last_report).chain : undefined;
  } finally {
    db.close();
  }
}

function expectNoSecrets(where: string, text: string): void {
  expect(text.length, `${where} is empty: nothing was searched`).toBeGreaterThan(100);
  for (const secret of SECRETS) expect(text.includes(secret), `"${secret}" found in ${where}`).toBe(false);
}

describe('a sealed campaign keeps signers unreadable everywhere but in the coordinator’s hands', () => {
  let transfer: { records: SignatureRecord[]; chains: Array<{ device: string; entries: Array<{ id: string; link: string }> }> };

  it('S22, S23: signs and syncs two signers, and exports a third captured offline to a transfer file', async () => {
    await page.goto(app.url);
    await enroll(page, enrollmentCode(app.dbPath, 'Sealed rally'));
    // The signer is told, before signing, who can read what they enter.
    await expect.poll(() => page.getByText(/encrypted on this tablet the moment you sign/).count()).toBe(1);
    await signOnce(page, signers[0], 1);
    await signOnce(page, signers[1], 2);
    await expect.poll(() => serverRecords(app).length, { timeout: 30_000 }).toBe(2);
    // S23: the tablet reports its chain head; it anchors the end of the coordinator's check.
    const [first, second] = serverRecords(app);
    await expect.poll(() => reportedHead(), { timeout: 15_000 }).toEqual({ device: first.deviceId, seq: 1, link: second.chain!.link });
    expect(first.chain).toMatchObject({ device: first.deviceId, seq: 0 });

    await context.setOffline(true);
    await signOnce(page, signers[2], 3);
    await openVolunteer(page);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export pending signatures to a file' }).click();
    transfer = JSON.parse(readFileSync(await (await download).path(), 'utf8'));
    await closeVolunteer(page);
    expect(transfer.records).toHaveLength(1);
  }, 90_000);

  it('holds only ciphertext in IndexedDB and web storage on the tablet', async () => {
    const text = await tabletStorageText(page);
    expect(text).toContain('"kind":"sealed"');
    expectNoSecrets('the tablet’s storage', text);
    expect(text).not.toMatch(/"signer"|"ink"|"typed"/);
  });

  it('sends only ciphertext over the network', () => {
    const sent = batchBodies.flatMap((b) => (JSON.parse(b) as { records: SignatureRecord[] }).records);
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent.every((r) => r.payload.kind === 'sealed')).toBe(true);
    expectNoSecrets('the sync traffic', batchBodies.join('\n'));
  });

  it('stores only ciphertext in the server database files (database, WAL and shared memory)', () => {
    const files = [app.dbPath, `${app.dbPath}-wal`, `${app.dbPath}-shm`].filter(existsSync);
    const bytes = files.map((f) => readFileSync(f).toString('latin1') + readFileSync(f).toString('utf8')).join('\n');
    expectNoSecrets('the server database', bytes);
    const stored = serverRecords(app);
    expect(stored.map((r) => r.payload.kind)).toEqual(['sealed', 'sealed']);
    // Only what the system needs stays in clear: id, device, campaign, time, and the country allowed.
    expect(stored.map((r) => r.country)).toEqual(['MX', 'NG']);
  });

  it('writes only ciphertext into the transfer file, with the chain log', () => {
    const text = JSON.stringify(transfer);
    expect(transfer.records[0].payload.kind).toBe('sealed');
    expectNoSecrets('the transfer file', text);
    expect(transfer.chains).toHaveLength(1);
    expect(transfer.chains[0].entries).toHaveLength(3);
  });

  it('opens every record, exactly, with the coordinator’s private key; and the chain holds', async () => {
    const keyFile = JSON.parse(readFileSync(join(keyDir, 'keys/fieldsign-private-key.json'), 'utf8'));
    const privateKey = await unlockPrivateKey(keyFile, PASSPHRASE);
    const all = [...serverRecords(app), ...transfer.records];
    const opened = await Promise.all(all.map(async (r) => (r.payload.kind === 'sealed' ? openPayload(r.payload, sealContextOf(r), privateKey) : undefined)));
    expect(opened.map((p) => p?.signer)).toEqual(signers.map((s) => ({ name: s.name, email: s.email, country: s.country, optIn: s.optIn ?? false })));
    for (const p of opened) expect(decodeInk(p!.ink!).strokes.length).toBeGreaterThan(0);
    expect(await verifyChain(all, transfer.chains[0])).toEqual({ ok: true });
    // A record missing from what the coordinator holds is reported by the chain check.
    expect(await verifyChain([all[0], all[2]], transfer.chains[0])).toEqual({ ok: false, problems: [{ index: 1, id: all[1].id, kind: 'missing' }] });
  }, 30_000);
});
