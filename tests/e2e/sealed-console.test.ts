/**
 * Opening sealed signatures in the coordinator console, in real Chromium against the real
 * server (started as the README starts it, with a sealed campaign): records sealed and
 * chained as a tablet makes them are seeded into the server's database; the coordinator
 * signs in, chooses the private key file and types the passphrase (a wrong one, and the
 * public key file, are refused with a clear message), opens the signatures in the browser,
 * sees the counts, the chain verdicts and the possible duplicates, downloads the hand-in
 * list, the contacts and the integrity report made in the browser, and forgets the key.
 * A byte flipped in the database afterwards is named, with its record, on the next opening.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parse } from 'csv-parse/sync';
import type { Browser, BrowserContext, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAccount, type TestAccount } from '../helpers/accounts.ts';
import { fillSignIn } from '../helpers/console-app.ts';
import { generateCoordinatorKeys, publicKeyFileOf, type CoordinatorKeys } from '../../server/keys.ts';
import { SqliteStore } from '../../server/store/sqlite.ts';
import { fromBase64Url, toBase64Url } from '../../src/shared/ink.ts';
import type { SignatureRecord } from '../../src/shared/protocol.ts';
import { importSealingKey } from '../../src/shared/seal.ts';
import { DIST, startApp, type AppProcess } from '../helpers/app-process.ts';
import { launchChromium } from '../helpers/browser.ts';
import { seriousAxeViolations } from '../helpers/axe.ts';
import { screenshot } from '../helpers/kiosk-extra.ts';
import { enrollTablet, reportHead, sealedCampaign, sealedChain, storeRecords, type SignerSpec } from '../helpers/sealed-records.ts';

const EMAIL = 'ana.coordinator@example.org';
const PASSWORD = 'a long enough passphrase, 2024';
/** The coordinator (an owner, with the two-factor sign-in owners must have), made in beforeAll. */
let account: TestAccount | undefined;
const PASSPHRASE = 'Sealed for the march, 24 November';
const SPECS: SignerSpec[] = [
  { name: 'Zoë Ørsted-Núñez', email: 'zoe@example.org', country: 'FR', postcode: '75011', phone: '+33 6 12 34 56 78', optIn: true },
  { name: 'Ada Lovelace', email: 'ada@example.org', country: 'GB', typed: true },
  { name: '<img src=x onerror=alert(1)>', email: 'hostile@example.org', country: 'KE', optIn: true },
  { name: 'Z. Ørsted', email: 'zoe@example.org', country: 'DK' },
  { name: 'Amina Diallo', email: 'amina@example.org', country: 'SN' },
];

let keys: CoordinatorKeys;
let tmp: string;
let keyPath: string;
let publicKeyPath: string;
let dbPath: string;
let app: AppProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let tablet: string;
let records: SignatureRecord[];
const dialogs: string[] = [];
const pageProblems: string[] = [];

beforeAll(async () => {
  if (!existsSync(join(DIST, 'console.html'))) throw new Error(`${DIST}/console.html is missing: build first (npx vite build --outDir …, FIELDSIGN_STATIC=…).`);
  keys = await generateCoordinatorKeys(PASSPHRASE);
  tmp = mkdtempSync(join(tmpdir(), 'fieldsign-sealed-e2e-'));
  keyPath = join(tmp, 'fieldsign-private-key.json');
  publicKeyPath = join(tmp, 'fieldsign-public-key.json');
  writeFileSync(keyPath, JSON.stringify(keys.privateKeyFile, null, 2));
  writeFileSync(publicKeyPath, JSON.stringify(publicKeyFileOf(keys), null, 2));
  const campaignPath = join(tmp, 'campaign.json');
  writeFileSync(campaignPath, JSON.stringify(sealedCampaign(keys.keyId, keys.publicKeyJwk)));

  // Seed the database the server will use: a tablet, its sealed and chained records, its head.
  dbPath = join(tmp, 'fieldsign.db');
  const store = new SqliteStore(dbPath);
  try {
    account = await addAccount(store, { email: EMAIL, password: PASSWORD, name: 'Ana Coordinator' });
    tablet = await enrollTablet(store, 'Stall tablet');
    const chain = await sealedChain(tablet, SPECS, await importSealingKey(publicKeyFileOf(keys)));
    records = chain.sealed;
    await storeRecords(store, records, '2026-11-24T12:00:00.000Z');
    await reportHead(store, tablet, chain.head);
  } finally {
    await store.close();
  }
  app = await startApp(dbPath, ['--campaign', campaignPath]);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => pageProblems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) pageProblems.push(`console: ${m.text()}`);
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const h1 = () => page.getByRole('heading', { level: 1 });
const nav = (name: string) => page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name, exact: true });
const alertText = () => page.getByRole('alert').first().textContent();

async function signIn(): Promise<void> {
  await page.goto(`${app.url}/console.html`);
  await fillSignIn(page, account!);
  await expect.poll(() => h1().textContent()).toBe('Dashboard');
}

async function openSection(name: string): Promise<void> {
  await nav(name).click();
  await expect.poll(() => h1().textContent()).toBe(name);
}

async function unlock(file: string, passphrase: string): Promise<void> {
  await page.getByLabel('Private key file').setInputFiles(file);
  await page.getByLabel('Passphrase').fill(passphrase);
  await page.getByRole('button', { name: 'Unlock key' }).click();
}

/** Click a download link; the file's text. */
async function download(name: string): Promise<{ file: Download; text: string }> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name, exact: true }).click()]);
  return { file, text: readFileSync((await file.path())!, 'utf8') };
}

describe('sealed signatures in the console', () => {
  it('the exports say the campaign is sealed and point to where the signatures can be opened', async () => {
    await signIn();
    await openSection('Exports');
    const note = page.locator('#exports-sealed-note');
    await note.waitFor();
    expect(await note.textContent()).toMatch(/This campaign is sealed: the server cannot read the signers’ names or signatures/);
    expect(await note.getByRole('link', { name: 'Sealed signatures' }).getAttribute('href')).toBe('#sealed');
    expect(await seriousAxeViolations(page)).toEqual([]);
  }, 60_000);

  it('refuses the public key file and a wrong passphrase, with clear messages', async () => {
    await openSection('Sealed signatures');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await unlock(publicKeyPath, PASSPHRASE);
    await expect.poll(alertText).toBe('This is the PUBLIC key file: it can only seal. Choose the private key file (fieldsign-private-key.json).');

    await unlock(keyPath, 'not the passphrase at all');
    await expect.poll(alertText, { timeout: 15_000 }).toBe(`Wrong passphrase for the private key ${keys.keyId} (or the key file is damaged).`);
    const passphrase = page.getByLabel('Passphrase');
    expect(await passphrase.inputValue()).toBe('');
    expect(await passphrase.getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('sealed-passphrase');
    expect(await seriousAxeViolations(page)).toEqual([]);
  }, 60_000);

  it('unlocks in the browser, opens every signature, and shows the counts, the chain verdict and the duplicates', async () => {
    const requests: string[] = [];
    page.on('request', (r) => requests.push(`${r.method()} ${new URL(r.url()).pathname} ${r.postData() ?? ''}`));
    await unlock(keyPath, PASSPHRASE);
    const status = page.getByRole('status').filter({ hasText: 'is unlocked in this tab only' });
    await status.waitFor({ timeout: 15_000 });
    expect(await status.textContent()).toBe(`Key ${keys.keyId} is unlocked in this tab only.`);
    await page.getByRole('button', { name: 'Open the signatures' }).click();
    const heading = page.getByRole('heading', { name: 'What was verified' });
    await heading.waitFor({ timeout: 30_000 });
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('sealed-result-heading');

    expect(await page.getByTestId('sealed-summary').textContent()).toBe('OK: all 5 signatures read (5 opened), every device chain intact.');
    expect(await page.getByTestId('sealed-held').textContent()).toBe('5');
    expect(await page.getByTestId('sealed-opened').textContent()).toBe('5 of 5 sealed');
    expect(await page.getByTestId('sealed-failed').textContent()).toBe('0');
    expect(await page.locator('#sealed-chains li').allTextContents()).toEqual([
      `Stall tablet (${tablet}): 5 records (seq 0–4), chain intact up to its last report (seq 4).`,
    ]);
    // Possible duplicates: the shared email, names shown as text.
    const dupNames = await page.locator('#sealed-duplicates tbody th').allTextContents();
    expect(dupNames).toEqual(['Zoë Ørsted-Núñez', 'Z. Ørsted']);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await screenshot(page, 'console-sealed.png', true);

    // Nothing about the key or the passphrase went to the server: only the records were fetched.
    expect(requests.filter((r) => !r.startsWith('GET '))).toEqual([]);
    expect(requests.some((r) => r.startsWith('GET /api/console/records '))).toBe(true);
    expect(requests.join('\n')).not.toContain(PASSPHRASE);
    expect(requests.join('\n')).not.toContain(keys.privateKeyFile.ciphertext.slice(0, 40));
    expect(await seriousAxeViolations(page)).toEqual([]);
  }, 90_000);

  it('downloads the hand-in list, the contacts and the integrity report, made in the browser', async () => {
    const handin = await download('Download hand-in CSV');
    expect(handin.file.suggestedFilename()).toMatch(/^fieldsign-handin-opened-\d{4}-\d\d-\d\d\.csv$/);
    expect(handin.text.charCodeAt(0)).toBe(0xfeff);
    expect(handin.text.slice(1).startsWith('No.,Name,Country,Country code,Date signed,Signature,Campaign,Version,Version hash,Language,Consent version,Signature ID\r\n')).toBe(true);
    const rows = parse(handin.text, { bom: true, columns: true }) as Array<Record<string, string>>;
    // What each signer was shown, as their record says it (the browser opened them).
    rows.forEach((row, i) => {
      expect([row.Campaign, row.Version, row['Version hash'], row.Language, row['Consent version']]).toEqual([
        records[i].campaignId,
        String(records[i].campaignVersion),
        records[i].campaignHash ?? '',
        records[i].lang ?? '',
        records[i].consentVersion === undefined ? '' : String(records[i].consentVersion),
      ]);
      for (const column of ['Campaign', 'Version', 'Version hash', 'Language', 'Consent version']) delete row[column];
    });
    expect(rows).toEqual([
      { 'No.': '1', Name: 'Zoë Ørsted-Núñez', Country: 'France', 'Country code': 'FR', 'Date signed': '2026-11-24', Signature: 'drawn', 'Signature ID': records[0].id },
      { 'No.': '2', Name: 'Ada Lovelace', Country: 'United Kingdom', 'Country code': 'GB', 'Date signed': '2026-11-24', Signature: 'typed', 'Signature ID': records[1].id },
      { 'No.': '3', Name: '<img src=x onerror=alert(1)>', Country: 'Kenya', 'Country code': 'KE', 'Date signed': '2026-11-24', Signature: 'drawn', 'Signature ID': records[2].id },
      { 'No.': '4', Name: 'Z. Ørsted', Country: 'Denmark', 'Country code': 'DK', 'Date signed': '2026-11-24', Signature: 'drawn', 'Signature ID': records[3].id },
      { 'No.': '5', Name: 'Amina Diallo', Country: 'Senegal', 'Country code': 'SN', 'Date signed': '2026-11-24', Signature: 'drawn', 'Signature ID': records[4].id },
    ]);
    expect(handin.text).not.toContain('@example.org');

    const contacts = parse((await download('Download contacts CSV')).text, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(contacts.map((c) => [c.Name, c.Email, c.Postcode, c.Phone, c['Signature ID']])).toEqual([
      ['Zoë Ørsted-Núñez', 'zoe@example.org', '75011', "'+33 6 12 34 56 78", records[0].id],
      ['<img src=x onerror=alert(1)>', 'hostile@example.org', '', '', records[2].id],
    ]);

    const integrity = await download('Download integrity report');
    expect(integrity.file.suggestedFilename()).toMatch(/^fieldsign-integrity-\d{4}-\d\d-\d\d\.txt$/);
    expect(integrity.text).toContain('Result: OK: all 5 signatures read (5 opened), every device chain intact.');
    expect(integrity.text).toContain(`Key:       ${keys.keyId}`);
    expect(integrity.text).toContain(`Stall tablet (${tablet}): 5 records (seq 0–4), chain intact up to its last report (seq 4).`);
  }, 60_000);

  it('a byte flipped in the database is named with its record; the others still open', async () => {
    const victim = records[3];
    const db = new DatabaseSync(dbPath);
    try {
      const row = db.prepare('SELECT record FROM signatures WHERE id = ?').get(victim.id) as { record: string };
      const stored = JSON.parse(row.record) as SignatureRecord & { payload: { ciphertext: string } };
      const bytes = fromBase64Url(stored.payload.ciphertext);
      bytes[10] ^= 0x80;
      stored.payload.ciphertext = toBase64Url(bytes);
      db.prepare('UPDATE signatures SET record = ? WHERE id = ?').run(JSON.stringify(stored), victim.id);
    } finally {
      db.close();
    }
    await page.getByRole('button', { name: 'Open the signatures again' }).click();
    await expect.poll(() => page.getByTestId('sealed-summary').textContent(), { timeout: 30_000 }).toBe(
      'PROBLEMS FOUND: 1 signature could not be opened; the chain check failed on 1 of 1 device chain.',
    );
    expect(await page.getByTestId('sealed-opened').textContent()).toBe('4 of 5 sealed');
    const failure = page.locator('#sealed-failures tbody tr');
    expect(await failure.count()).toBe(1);
    expect(await failure.locator('th').textContent()).toBe(victim.id);
    expect(await failure.locator('td').first().textContent()).toBe(`${tablet}, seq 3`);
    expect(await failure.locator('td').last().textContent()).toMatch(new RegExp(`^Record ${victim.id}: the sealed signature failed its integrity check`));
    expect(await page.locator('#sealed-chains li').allTextContents()).toEqual([
      `Stall tablet (${tablet}): 5 records (seq 0–4), CHAIN BROKEN: 1 altered: seq 3 (${victim.id}).`,
    ]);
    const rows = parse((await download('Download hand-in CSV')).text, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r.Name)).toEqual(['Zoë Ørsted-Núñez', 'Ada Lovelace', '<img src=x onerror=alert(1)>', 'Amina Diallo']);
    expect(await seriousAxeViolations(page)).toEqual([]);
  }, 90_000);

  it('is keyboard-usable with 44 px targets, and forgets the key on request and on sign-out', async () => {
    const small = await page.evaluate(() =>
      [...document.querySelectorAll('main button, main a.button, main input')]
        .map((el) => ({ text: el.textContent || el.id, box: el.getBoundingClientRect() }))
        .filter(({ box }) => box.width > 0 && (box.height < 44 || box.width < 44))
        .map(({ text, box }) => `${text} ${box.width}x${box.height}`),
    );
    expect(small).toEqual([]);

    await page.getByRole('button', { name: 'Forget key' }).click();
    await page.getByRole('button', { name: 'Unlock key' }).waitFor();
    expect(await page.getByRole('heading', { name: 'What was verified' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Download hand-in CSV' }).count()).toBe(0);

    // Unlock again, change section and come back: still unlocked; sign out: forgotten.
    await unlock(keyPath, PASSPHRASE);
    await page.getByRole('button', { name: 'Open the signatures' }).waitFor({ timeout: 15_000 });
    await openSection('Audit log');
    await expect.poll(() => page.locator('#audit-table tbody tr', { hasText: 'Downloaded the stored records' }).count()).toBeGreaterThanOrEqual(2);
    await openSection('Sealed signatures');
    expect(await page.getByRole('button', { name: 'Forget key' }).count()).toBe(1);
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => h1().textContent()).toBe('Coordinator console');
    await signIn();
    await openSection('Sealed signatures');
    expect(await page.getByRole('button', { name: 'Unlock key' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Forget key' }).count()).toBe(0);
  }, 90_000);

  it('never ran a signer’s markup, and broke no content security policy', () => {
    expect(dialogs).toEqual([]);
    expect(pageProblems).toEqual([]);
  });
});
