/**
 * Quick delete and the wipe of a revoked tablet, in real Chromium against the real server
 * (started as the README starts it):
 * - three people sign offline; the volunteer opens quick delete, cancels at the first
 *   confirmation, then at the second (also after typing a wrong number), and nothing is
 *   erased; then confirms both: the names are in no IndexedDB store, the counts are 0, and
 *   once online the server stores none of them but learns (report and audit log) that 3
 *   were erased;
 * - a tablet revoked with the CLI learns it at its next sync: the banner says what still
 *   must be exported; exporting writes them to a file and wipes nothing; cancelling the
 *   "the file is saved" confirmation wipes nothing; confirming it wipes from IndexedDB
 *   exactly the signatures in the file (not one signed after it); the file imported with
 *   the CLI puts every one on the server.
 */
import { DatabaseSync } from 'node:sqlite';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { seriousAxeViolations } from '../helpers/axe.ts';
import { closeVolunteer, openVolunteer, signOnce, type TestSigner } from '../helpers/kiosk.ts';
import { TEST_PIN } from '../helpers/kiosk.ts';
import { definitionOf, enrolledKiosk, outboxRows, screenshot, serverRecords, tabletStorage, tr, waitingText } from '../helpers/kiosk-extra.ts';
import { cli, startApp, type AppProcess } from '../helpers/app-process.ts';


let app: AppProcess;
let browser: Browser;

beforeAll(async () => {
  app = await startApp();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

/** The device id in the tablet's enrollment. */
function deviceIdOf(page: Page): Promise<string> {
  return page.evaluate(
    () =>
      new Promise<string>((resolve, reject) => {
        const open = indexedDB.open('fieldsign');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('meta').objectStore('meta').get('enrollment');
          get.onsuccess = () => {
            resolve(get.result.value.deviceId);
            open.result.close();
          };
        };
      }),
  );
}

/** What the server keeps of a device: its last report and its audit log entries. */
function serverDevice(deviceId: string): { report: { erased?: number; pending?: number } | null; audit: Array<{ action: string; detail: Record<string, unknown> }> } {
  const db = new DatabaseSync(app.dbPath, { readOnly: true });
  try {
    const row = db.prepare('SELECT last_report FROM devices WHERE id = ?').get(deviceId) as { last_report: string | null } | undefined;
    const audit = (db.prepare('SELECT action, detail FROM audit_log ORDER BY seq').all() as Array<{ action: string; detail: string }>)
      .map((a) => ({ action: a.action, detail: JSON.parse(a.detail) as Record<string, unknown> }))
      .filter((a) => a.detail.deviceId === deviceId);
    return { report: row?.last_report ? JSON.parse(row.last_report) : null, audit };
  } finally {
    db.close();
  }
}

/**
 * What a person using assistive technology or a finger would trip on, on the page as it is
 * now: axe-core's serious and critical findings, and buttons or fields under 44×44 px.
 */
async function accessibilityProblems(page: Page): Promise<string[]> {
  const small = await page.evaluate(() => {
    const found: string[] = [];
    // (Checkboxes count with their label: tests/e2e/accessibility.test.ts checks those.)
    for (const el of document.querySelectorAll<HTMLElement>('button, input:not([type="checkbox"])')) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || !el.checkVisibility()) continue;
      if (box.width < 43.5 || box.height < 43.5) found.push(`small target: ${el.outerHTML.slice(0, 80)} ${Math.round(box.width)}×${Math.round(box.height)}`);
    }
    return found;
  });
  return [...(await seriousAxeViolations(page)), ...small];
}

const dialog = (page: Page) => page.getByRole('dialog', { name: 'Erase the signatures on this tablet?' });

/** Open quick delete from the volunteer screen and see its first confirmation. */
async function startErase(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Erase signatures', exact: true }).click();
  await expect.poll(() => dialog(page).isVisible()).toBe(true);
}

describe('quick delete in Chromium', () => {
  it('S24: cancelling at either confirmation erases nothing; confirming both erases the 3 offline signatures everywhere on the tablet, and the server learns the count', async () => {
    const { context, page } = await enrolledKiosk(browser, app, 'Quick delete rally');
    const deviceId = await deviceIdOf(page);
    const signers: TestSigner[] = [
      { name: 'Narges Mohammadi', email: 'narges@example.org', country: 'IR' },
      { name: 'Ales Bialiatski', email: 'ales@example.org', country: 'BY' },
      { name: 'Maria Ressa', email: 'maria@example.org', country: 'PH' },
    ];
    await context.setOffline(true);
    for (const [i, signer] of signers.entries()) await signOnce(page, signer, i + 1);
    await expect.poll(() => waitingText(page)).toBe('3 waiting to sync');
    const before = JSON.stringify((await tabletStorage(page)).idb);
    for (const s of signers) expect(before).toContain(s.name);

    await openVolunteer(page);
    expect(await definitionOf(page, 'Waiting to sync')).toBe('3');

    // First confirmation: says how many are not on the server; focus on the safe choice; Cancel.
    await startErase(page);
    expect(await dialog(page).innerText()).toContain('3 signatures on this tablet are not on the server yet. Erasing them loses them for good unless they were exported to a file.');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    expect(await accessibilityProblems(page), 'first confirmation').toEqual([]);
    await screenshot(page, 'quick-delete-confirm.png');
    await dialog(page).getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => dialog(page).count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Erase signatures');
    // Escape cancels too.
    await startErase(page);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog(page).count()).toBe(0);

    // Second confirmation: a wrong number erases nothing; then Cancel.
    await startErase(page);
    await dialog(page).getByRole('button', { name: 'I understand, continue' }).click();
    const typed = dialog(page).getByLabel('To confirm, type the number of signatures to erase: 3');
    await expect.poll(() => typed.evaluate((el) => el === document.activeElement)).toBe(true);
    await typed.fill('2');
    await dialog(page).getByRole('button', { name: 'Erase 3 signatures' }).click();
    await expect.poll(() => dialog(page).getByRole('alert').innerText()).toBe('Type 3 to confirm. Nothing was erased.');
    expect(await typed.getAttribute('aria-invalid')).toBe('true');
    expect(await accessibilityProblems(page), 'second confirmation, wrong number').toEqual([]);
    await dialog(page).getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => dialog(page).count()).toBe(0);
    expect((await outboxRows(page)).map((r) => [r.state, r.name]).sort()).toEqual(signers.map((s) => ['pending', s.name]).sort());
    expect(await definitionOf(page, 'Waiting to sync')).toBe('3');

    // Both confirmations.
    await startErase(page);
    await dialog(page).getByRole('button', { name: 'I understand, continue' }).click();
    await typed.fill('3');
    await dialog(page).getByRole('button', { name: 'Erase 3 signatures' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: '3 signatures erased.' }).count()).toBe(1);
    expect(await dialog(page).count()).toBe(0);
    await expect.poll(() => definitionOf(page, 'Waiting to sync')).toBe('0');
    expect(await definitionOf(page, 'Need attention')).toBe('0');

    const after = JSON.stringify((await tabletStorage(page)).idb);
    for (const s of signers) {
      expect(after).not.toContain(s.name);
      expect(after).not.toContain(s.email);
    }
    expect((await outboxRows(page)).map((r) => r.state)).toEqual(['erased', 'erased', 'erased']);

    // Online again: nothing is sent, but the erased count reaches the server.
    await context.setOffline(false);
    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect.poll(() => serverDevice(deviceId).report?.erased, { timeout: 15_000 }).toBe(3);
    expect(serverDevice(deviceId).report).toMatchObject({ pending: 0, erased: 3 });
    expect(serverDevice(deviceId).audit).toEqual([
      { action: 'enroll-device', detail: expect.objectContaining({ deviceId }) },
      { action: 'tablet-erased', detail: expect.objectContaining({ deviceId, erased: 3, total: 3 }) },
    ]);
    expect(serverRecords(app).filter((r) => r.deviceId === deviceId)).toEqual([]);
    const names = JSON.stringify(serverRecords(app));
    for (const s of signers) expect(names).not.toContain(s.name);

    await closeVolunteer(page);
    expect(await waitingText(page)).toBe('0 waiting to sync');
    await context.close();
  }, 120_000);

  it('S24: in Arabic, right to left, the number can be typed in Arabic-Indic digits', async () => {
    const t = tr('ar');
    const { context, page } = await enrolledKiosk(browser, app, 'Arabic quick delete rally');
    await context.setOffline(true);
    await signOnce(page, { name: 'Razan Zaitouneh', email: 'razan@example.org', country: 'SY' }, 1);
    await signOnce(page, { name: 'Ahmed Mansoor', email: 'ahmed@example.org', country: 'AE' }, 2);
    await page.getByRole('combobox', { name: 'Language', exact: true }).selectOption('ar');
    await expect.poll(() => page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await page.getByRole('button', { name: t('volunteer'), exact: true }).click();
    await page.getByLabel(t('pinLabel'), { exact: true }).fill(TEST_PIN);
    await page.getByRole('button', { name: t('unlock'), exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { name: t('volunteerHeading') }).count()).toBe(1);
    expect(await page.getByRole('heading', { name: t('eraseHeading') }).count()).toBe(1);

    await page.getByRole('button', { name: t('eraseStart'), exact: true }).click();
    const arDialog = page.getByRole('dialog', { name: t('eraseConfirmHeading') });
    await expect.poll(() => arDialog.isVisible()).toBe(true);
    expect(await arDialog.innerText()).toContain(t('eraseConfirmBody', { n: 2 }));
    expect(await accessibilityProblems(page), 'first confirmation [ar]').toEqual([]);
    await arDialog.getByRole('button', { name: t('eraseContinue') }).click();
    await arDialog.getByLabel(t('eraseTypeLabel', { n: 2 })).fill('٢');
    expect(await accessibilityProblems(page), 'second confirmation [ar]').toEqual([]);
    await arDialog.getByRole('button', { name: t('eraseFinal', { n: 2 }) }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: t('eraseDone', { n: 2 }) }).count()).toBe(1);
    const dump = JSON.stringify((await tabletStorage(page)).idb);
    expect(dump).not.toContain('Razan');
    expect(dump).not.toContain('Ahmed');
    await context.close();
  }, 120_000);
});

/** The revoked tablet's confirmation that its transfer file is saved. */
const wipeDialog = (page: Page) => page.getByRole('dialog', { name: 'Wipe the exported signatures from this tablet?' });

/** The tablet's hash chain log (no personal data: wiping leaves it as it was). */
async function chainLog(page: Page): Promise<unknown[]> {
  return (await tabletStorage(page)).idb.fieldsign.chain;
}

describe('a revoked tablet in Chromium', () => {
  it('S12, S18: learns it at the next sync, exports what waits, wipes only what the file holds once the volunteer confirms it is saved; the imported file puts every one on the server', async () => {
    const { context, page } = await enrolledKiosk(browser, app, 'Revoke wipe rally', { acceptDownloads: true });
    const deviceId = await deviceIdOf(page);
    const signers: TestSigner[] = [
      { name: 'Germain Rukuki', email: 'germain@example.org', country: 'BI' },
      { name: 'Loujain Alhathloul', email: 'loujain@example.org', country: 'SA' },
    ];
    const late: TestSigner = { name: 'Nabeel Rajab', email: 'nabeel@example.org', country: 'BH' };
    await context.setOffline(true);
    for (const [i, signer] of signers.entries()) await signOnce(page, signer, i + 1);
    await expect.poll(() => waitingText(page)).toBe('2 waiting to sync');

    expect(cli(['revoke', deviceId, '--db', app.dbPath])).toMatch(/Revoked/);
    await context.setOffline(false);
    await openVolunteer(page);
    await page.getByRole('button', { name: 'Sync now' }).click();
    // The volunteer screen says it, with what must still be exported.
    await expect.poll(() => page.getByRole('heading', { name: 'This tablet was revoked' }).count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => page.getByText('2 signatures on this tablet are not on the server yet: export them to a file below').count()).toBe(1);
    expect(await page.getByRole('button', { name: /The file is saved/ }).count()).toBe(0);
    expect(await accessibilityProblems(page), 'volunteer screen of a revoked tablet').toEqual([]);
    await closeVolunteer(page);
    const banner = page.getByRole('alert').filter({ hasText: 'This tablet was revoked by the coordinator.' });
    await expect.poll(() => banner.innerText()).toContain('2 signatures on it are not on the server: a volunteer must export them to a file now');
    expect(await accessibilityProblems(page), 'sign form of a revoked tablet').toEqual([]);
    // Not exported yet: nothing is wiped.
    expect((await outboxRows(page)).map((r) => [r.state, r.name]).sort()).toEqual(signers.map((s) => ['pending', s.name]).sort());

    // Export: the file holds both, and nothing is wiped until the volunteer says the file is saved.
    await openVolunteer(page);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export pending signatures to a file' }).click();
    const saved = await download;
    const file = await saved.path();
    const fileName = saved.suggestedFilename();
    expect(fileName).toMatch(/^fieldsign-pending-.+\.json$/);
    const transfer = JSON.parse(readFileSync(file, 'utf8'));
    expect(transfer.records.map((r: { payload: { signer: { name: string } } }) => r.payload.signer.name).sort()).toEqual(signers.map((s) => s.name).sort());
    const check = `2 signatures were saved to ${fileName}. Check that the file is in your downloads (or on the USB stick), then wipe them from this tablet.`;
    await expect.poll(() => page.getByRole('status').filter({ hasText: check }).count()).toBe(1);
    const wipeButton = page.getByRole('button', { name: 'The file is saved: wipe 2 signatures', exact: true });
    expect(await wipeButton.count()).toBe(1);
    expect(await definitionOf(page, 'Waiting to sync')).toBe('2');
    expect((await outboxRows(page)).map((r) => [r.state, r.name]).sort()).toEqual(signers.map((s) => ['pending', s.name]).sort());
    expect(await accessibilityProblems(page), 'volunteer screen after the export').toEqual([]);
    await closeVolunteer(page);
    await expect.poll(() => banner.innerText()).toContain('2 signatures on it are not on the server');

    // Someone signs after the export: not in the file, so never wiped by confirming it.
    await signOnce(page, late, 3);
    await expect.poll(() => banner.innerText()).toContain('3 signatures on it are not on the server');
    await openVolunteer(page);
    await expect.poll(() => page.getByRole('status').filter({ hasText: check }).count()).toBe(1);
    expect(await definitionOf(page, 'Waiting to sync')).toBe('3');
    const chainBefore = await chainLog(page);
    expect(chainBefore).toHaveLength(3);

    // The confirmation: focus on the safe choice; Cancel, then Escape, wipe nothing.
    await wipeButton.click();
    await expect.poll(() => wipeDialog(page).isVisible()).toBe(true);
    expect(await wipeDialog(page).innerText()).toContain(`Only do this if ${fileName} is in your downloads or on the USB stick: the file will then hold the only copy of 2 signatures.`);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    expect(await accessibilityProblems(page), 'wipe confirmation').toEqual([]);
    await wipeDialog(page).getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => wipeDialog(page).count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('The file is saved: wipe 2 signatures');
    await wipeButton.click();
    await expect.poll(() => wipeDialog(page).isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => wipeDialog(page).count()).toBe(0);
    expect((await outboxRows(page)).map((r) => [r.state, r.name]).sort()).toEqual([...signers, late].map((s) => ['pending', s.name]).sort());
    expect(await definitionOf(page, 'Waiting to sync')).toBe('3');

    // Confirmed: exactly the two in the file are wiped; the later signer stays.
    await wipeButton.click();
    await wipeDialog(page).getByRole('button', { name: 'Wipe 2 signatures', exact: true }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: '2 signatures wiped from this tablet. Give the file to the coordinator.' }).count()).toBe(1);
    expect(await wipeDialog(page).count()).toBe(0);
    await expect.poll(() => definitionOf(page, 'Waiting to sync')).toBe('1');
    await expect.poll(() => page.getByText('2 signatures were exported, then wiped from this tablet.').count()).toBe(1);
    expect(await wipeButton.count()).toBe(0);
    expect(await page.getByRole('status').filter({ hasText: 'were saved to' }).count()).toBe(0);
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Export pending signatures to a file');
    expect(await accessibilityProblems(page), 'volunteer screen after the wipe').toEqual([]);

    const dump = JSON.stringify((await tabletStorage(page)).idb);
    for (const s of signers) {
      expect(dump).not.toContain(s.name);
      expect(dump).not.toContain(s.email);
    }
    expect(dump).toContain(late.name);
    const rows = await outboxRows(page);
    expect(rows.map((r) => r.state)).toEqual(['wiped', 'wiped', 'pending']);
    expect(rows.filter((r) => r.state === 'wiped').map((r) => r.id).sort()).toEqual(transfer.records.map((r: { id: string }) => r.id).sort());
    expect(await chainLog(page)).toEqual(chainBefore);
    await closeVolunteer(page);
    await expect.poll(() => banner.innerText()).toContain('1 signature on it is not on the server');

    // The coordinator imports the file: every signature is on the server, once.
    expect(cli(['import', file, '--db', app.dbPath])).toMatch(/2 records in the file: 2 new/);
    const stored = serverRecords(app).filter((r) => transfer.records.some((t: { id: string }) => t.id === r.id));
    expect(stored).toHaveLength(2);
    const names = JSON.stringify(stored);
    for (const s of signers) {
      expect(names).toContain(s.name);
      expect(names).toContain(s.email);
    }
    // Wiped, not lost: the tablet reports nothing erased.
    expect(serverDevice(deviceId).audit.filter((a) => a.action === 'tablet-erased')).toEqual([]);
    await context.close();
  }, 120_000);
});
