/**
 * Sync under faults, in real Chromium against the real server (started as the README
 * starts it) behind a loopback proxy that can hold or drop batch answers:
 * - the page closed while a batch is in flight (the server already committed) and reopened;
 * - two tabs syncing the same queue;
 * - a revoked tablet that wipes what it exported once the volunteer confirms the file is
 *   saved, exports the rest, and re-enrolls.
 * Each ends with the set on the server equal to the set captured: 0 lost, 0 duplicated.
 */
import { DatabaseSync } from 'node:sqlite';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { closeVolunteer, enroll, openVolunteer, signOnce } from '../helpers/kiosk.ts';
import { outboxRows, seedOutbox } from '../helpers/kiosk-extra.ts';
import { cli, enrollmentCode, startApp, type AppProcess } from '../helpers/app-process.ts';
import { startBatchProxy, type BatchProxy } from '../helpers/proxy.ts';
import { makeRecord } from '../helpers/records.ts';

let app: AppProcess;
let proxy: BatchProxy;
let browser: Browser;

beforeAll(async () => {
  app = await startApp();
  proxy = await startBatchProxy(app.url);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await app?.stop();
});

/** Ids stored on the server, with how many rows each has. */
function serverIds(): Map<string, number> {
  const db = new DatabaseSync(app.dbPath, { readOnly: true });
  const rows = db.prepare('SELECT id, COUNT(*) AS n FROM signatures GROUP BY id').all() as Array<{ id: string; n: number }>;
  db.close();
  return new Map(rows.map((r) => [r.id, Number(r.n)]));
}

/** Compare what tablets captured with what the server holds; prints and returns the figures. */
function reconcile(label: string, captured: string[]) {
  const stored = serverIds();
  const lost = captured.filter((id) => !stored.has(id)).length;
  const duplicated = captured.reduce((n, id) => n + Math.max(0, (stored.get(id) ?? 0) - 1), 0);
  console.log(`${label}: captured ${captured.length}, stored ${captured.length - lost}, lost ${lost}, duplicated ${duplicated}`);
  return { lost, duplicated };
}

async function enrolledPage(context: BrowserContext, label: string): Promise<{ page: Page; deviceId: string }> {
  const page = await context.newPage();
  await page.goto(proxy.url);
  await enroll(page, enrollmentCode(app.dbPath, label));
  await expect.poll(() => page.getByRole('button', { name: 'Continue' }).count()).toBe(1);
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  const deviceId = await page.evaluate(
    () =>
      new Promise<string>((resolve, reject) => {
        const open = indexedDB.open('fieldsign');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('meta').objectStore('meta').get('enrollment');
          get.onsuccess = () => resolve(get.result.value.deviceId);
        };
      }),
  );
  return { page, deviceId };
}

describe('sync under faults in Chromium', () => {
  it('S6, S8: the page closed mid-sync after the server committed, then reopened: 0 lost, 0 duplicated', async () => {
    const context = await browser.newContext();
    const { page, deviceId } = await enrolledPage(context, 'Closed tab rally');
    await context.setOffline(true);
    await signOnce(page, { name: 'Wangari Maathai', email: 'wangari@example.org', country: 'KE' }, 1);
    const seeded = Array.from({ length: 300 }, () => makeRecord({ deviceId }));
    await seedOutbox(page, seeded);
    await page.reload();
    await expect.poll(() => page.getByText('301 waiting to sync').count()).toBe(1);
    const captured = (await outboxRows(page)).map((r) => r.id);
    expect(captured).toHaveLength(301);

    proxy.holdMs = 4_000;
    const startedBefore = proxy.stats.started;
    const storedBefore = serverIds().size;
    await context.setOffline(false);
    // Wait until the first batch is committed on the server while its answer is held back.
    await expect.poll(() => serverIds().size - storedBefore, { timeout: 15_000 }).toBeGreaterThan(0);
    expect(proxy.stats.started).toBeGreaterThan(startedBefore);
    await page.close();
    proxy.holdMs = 0;

    const reopened = await context.newPage();
    await reopened.goto(proxy.url);
    await expect.poll(() => reopened.getByText('0 waiting to sync').count(), { timeout: 30_000 }).toBe(1);
    const states = await outboxRows(reopened);
    expect(states.every((r) => r.state === 'synced')).toBe(true);
    expect(reconcile('page closed mid-sync', captured)).toEqual({ lost: 0, duplicated: 0 });
    await context.close();
  }, 120_000);

  it('S16: two tabs syncing the same queue send one batch at a time and store each signature once', async () => {
    const context = await browser.newContext();
    const { page: first, deviceId } = await enrolledPage(context, 'Two tabs rally');
    await context.setOffline(true);
    const seeded = Array.from({ length: 450 }, () => makeRecord({ deviceId }));
    await seedOutbox(first, seeded);
    await first.reload();
    const second = await context.newPage();
    await second.goto(proxy.url);
    await expect.poll(() => second.getByText('450 waiting to sync').count()).toBe(1);

    proxy.holdMs = 300;
    proxy.stats.maxInFlight = 0;
    const sentBefore = proxy.sentIds.length;
    await context.setOffline(false);
    for (const p of [first, second]) await openVolunteer(p);
    await Promise.all([first, second].map((p) => p.getByRole('button', { name: 'Sync now' }).click()));
    for (const p of [first, second]) {
      await p.getByRole('button', { name: 'Sync now' }).click();
      await closeVolunteer(p);
      await expect.poll(() => p.getByText('0 waiting to sync').count(), { timeout: 30_000 }).toBe(1);
    }
    proxy.holdMs = 0;
    expect(proxy.stats.maxInFlight).toBe(1);
    const sent = proxy.sentIds.slice(sentBefore);
    expect(new Set(sent).size).toBe(450);
    expect(reconcile('two tabs', seeded.map((r) => r.id))).toEqual({ lost: 0, duplicated: 0 });
    await context.close();
  }, 120_000);

  it('S12, S18: a revoked tablet wipes what it exported once the file is confirmed, exports the rest, re-enrolls and sends what is left: each stored once', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const { page, deviceId } = await enrolledPage(context, 'Revoked rally');
    await context.setOffline(true);
    await signOnce(page, { name: 'Berta Caceres', email: 'berta@example.org', country: 'HN' }, 2);
    await seedOutbox(page, Array.from({ length: 20 }, () => makeRecord({ deviceId })));
    await page.reload();
    await expect.poll(() => page.getByText('21 waiting to sync').count()).toBe(1);
    const firstIds = (await outboxRows(page)).map((r) => r.id);

    /** Export pending signatures to a file from the volunteer screen; returns the file's path. */
    async function exportFile(): Promise<string> {
      await openVolunteer(page);
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Export pending signatures to a file' }).click();
      const file = await (await download).path();
      await closeVolunteer(page);
      return file;
    }

    /** Confirm on the volunteer screen that the last file is saved, so its `n` signatures are wiped. */
    async function confirmWipe(n: number): Promise<void> {
      const s = n === 1 ? '' : 's';
      await openVolunteer(page);
      await page.getByRole('button', { name: `The file is saved: wipe ${n} signature${s}`, exact: true }).click();
      await page.getByRole('dialog', { name: 'Wipe the exported signatures from this tablet?' }).getByRole('button', { name: `Wipe ${n} signature${s}`, exact: true }).click();
      await expect.poll(() => page.getByRole('status').filter({ hasText: `${n} signature${s} wiped from this tablet.` }).count()).toBe(1);
      await closeVolunteer(page);
    }

    // Export to a file while offline, before any revocation: the records stay pending.
    const first = await exportFile();
    const transfer = JSON.parse(readFileSync(first, 'utf8'));
    expect(transfer).toMatchObject({ format: 'fieldsign-transfer', version: 1, deviceId });
    expect(transfer.records.map((r: { id: string }) => r.id).sort()).toEqual([...firstIds].sort());
    expect(JSON.stringify(transfer)).toContain('Berta Caceres');
    expect(await page.getByText('21 waiting to sync').count()).toBe(1);
    // One more signer, not in that file.
    await signOnce(page, { name: 'Marielle Franco', email: 'marielle@example.org', country: 'BR' }, 3);
    await expect.poll(() => page.getByText('22 waiting to sync').count()).toBe(1);
    const captured = (await outboxRows(page)).map((r) => r.id);

    // The coordinator imports the file, twice; then revokes the tablet.
    expect(cli(['import', first, '--db', app.dbPath])).toMatch(/21 records in the file: 21 new/);
    expect(cli(['import', first, '--db', app.dbPath])).toMatch(/0 new, 21 already stored/);
    expect(cli(['revoke', deviceId, '--db', app.dbPath])).toMatch(/Revoked/);

    // At its next contact the tablet learns it: nothing pending is wiped by that alone.
    await context.setOffline(false);
    await openVolunteer(page);
    await page.getByRole('button', { name: 'Sync now' }).click();
    await closeVolunteer(page);
    await expect.poll(() => page.getByRole('alert').filter({ hasText: /revoked by the coordinator. 22 signatures on it are not on the server/ }).count(), { timeout: 15_000 }).toBe(1);
    let rows = await outboxRows(page);
    expect(rows.filter((r) => r.state === 'pending')).toHaveLength(22);
    // The volunteer confirms the earlier file is saved: the 21 it holds are wiped, the rest kept.
    await confirmWipe(21);
    await expect.poll(() => page.getByRole('alert').filter({ hasText: /revoked by the coordinator. 1 signature on it is not on the server/ }).count()).toBe(1);
    expect(await page.getByText('1 waiting to sync').count()).toBe(1);
    rows = await outboxRows(page);
    expect(rows.filter((r) => r.state === 'wiped')).toHaveLength(21);
    expect(rows.filter((r) => r.state === 'pending').map((r) => r.name)).toEqual(['Marielle Franco']);
    expect(rows.some((r) => r.name === 'Berta Caceres')).toBe(false);

    // Exported now and confirmed, it is wiped too; a signer after that is kept for the next enrollment.
    const second = await exportFile();
    expect(JSON.parse(readFileSync(second, 'utf8')).records.map((r: { payload: { signer: { name: string } } }) => r.payload.signer.name)).toEqual(['Marielle Franco']);
    expect(await page.getByText('1 waiting to sync').count()).toBe(1);
    await confirmWipe(1);
    await expect.poll(() => page.getByText('0 waiting to sync').count()).toBe(1);
    expect((await outboxRows(page)).some((r) => r.name === 'Marielle Franco')).toBe(false);
    await signOnce(page, { name: 'Nasrin Sotoudeh', email: 'nasrin@example.org', country: 'IR' }, 4);
    await expect.poll(() => page.getByText('1 waiting to sync').count()).toBe(1);
    captured.push(...(await outboxRows(page)).filter((r) => r.state === 'pending').map((r) => r.id));
    expect(cli(['import', second, '--db', app.dbPath])).toMatch(/1 records in the file: 1 new/);
    expect(cli(['import', second, '--db', app.dbPath])).toMatch(/0 new, 1 already stored/);

    await openVolunteer(page);
    await page.getByRole('button', { name: 'Enroll this tablet again' }).click();
    await enroll(page, enrollmentCode(app.dbPath, 'Revoked rally'));
    await expect.poll(() => page.getByText('0 waiting to sync').count(), { timeout: 30_000 }).toBe(1);
    rows = await outboxRows(page);
    expect(rows.filter((r) => r.state === 'synced')).toHaveLength(1);
    expect(rows.every((r) => r.state === 'synced' || r.state === 'wiped')).toBe(true);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(captured).toHaveLength(23);
    expect(reconcile('revoked, exported before and after, imported twice, re-enrolled', captured)).toEqual({ lost: 0, duplicated: 0 });
    await context.close();
  }, 120_000);
});
