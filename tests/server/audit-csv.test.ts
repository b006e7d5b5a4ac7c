/**
 * Issue #19, part C: owners download the whole audit log as CSV (oldest first, every row,
 * streamed a page at a time, formula-guarded like the exports), and every export is audited
 * with its campaign, its kind and the signers' rows it carried.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp, type App } from '../../server/app.ts';
import { AUDIT_PAGE_SIZE } from '../../server/exports/audit-csv.ts';
import { recordHash } from '../../server/ingest.ts';
import { SqliteStore } from '../../server/store/sqlite.ts';
import type { AuditEntry } from '../../server/store/store.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { addAccount, signIn, type SignedIn, type TestAccount } from '../helpers/accounts.ts';
import { makeRecord, withSigner } from '../helpers/records.ts';

const CAMPAIGN = DEFAULT_CAMPAIGN.id;
const parseCsv = (text: string) => parse(text, { bom: true, record_delimiter: '\r\n' }) as string[][];

/** A store with one campaign's signatures: 3 from France (one opted in), 2 from Germany (one opted in). */
async function seededStore(store: SqliteStore): Promise<void> {
  const signers = [
    { country: 'FR', optIn: true },
    { country: 'FR', optIn: false },
    { country: 'FR', optIn: false },
    { country: 'DE', optIn: true },
    { country: 'DE', optIn: false },
  ];
  const records = signers.map((signer) => withSigner(makeRecord({ campaignId: CAMPAIGN }), signer));
  const outcomes = await store.ingest(records.map((record) => ({ record, hash: recordHash(record), clockSuspect: false })), new Date().toISOString(), 'sync');
  expect(outcomes.every((o) => o === 'accepted')).toBe(true);
}

describe('GET /api/console/audit.csv', () => {
  let store: SqliteStore;
  let app: App;
  let owner: SignedIn;
  let ownerAccount: TestAccount;
  const call = (path: string, s: SignedIn) => app.request(path, { headers: s.headers });

  beforeAll(async () => {
    store = new SqliteStore(':memory:');
    app = createApp({ store, log: () => {} });
    ownerAccount = await addAccount(store);
    owner = await signIn((path, init) => app.request(path, init), ownerAccount);
  });
  afterAll(async () => {
    app.close();
    await store.close();
  });

  it('is for owners only: a manager (even one who may export personal data) and a viewer get 403 with a clear message', async () => {
    const manager = await addAccount(store, { role: 'manager', campaigns: [CAMPAIGN], mayExportPersonalData: true });
    const viewer = await addAccount(store, { role: 'viewer', campaigns: [CAMPAIGN] });
    for (const account of [manager, viewer]) {
      const res = await call('/api/console/audit.csv', await signIn((path, init) => app.request(path, init), account));
      expect(res.status, account.role).toBe(403);
      expect((await res.json()).error.message).toMatch(/Only an owner/);
    }
    expect((await app.request('/api/console/audit.csv')).status).toBe(401);
    const res = await call('/api/console/audit.csv', owner);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="fieldsign-audit-log-\d{4}-\d\d-\d\d\.csv"$/);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    await res.arrayBuffer();
  });

  it('holds every entry, oldest first, with the campaign and the detail as JSON, each cell formula-guarded', async () => {
    await store.audit({ at: new Date().toISOString(), actor: '=HYPERLINK("https://evil.example","x")', action: '@SUM(A1)', detail: { label: '+cmd', note: 'a, "quoted" note' }, campaignId: CAMPAIGN });
    await store.audit({ at: new Date().toISOString(), actor: 'tablet:abc', action: 'enroll-device', detail: {}, campaignId: null });
    const everything = (await store.auditLog(Number.MAX_SAFE_INTEGER)).reverse();

    const rows = parseCsv(await (await call('/api/console/audit.csv', owner)).text());
    expect(rows[0]).toEqual(['seq', 'at', 'actor', 'action', 'campaign', 'detail']);
    const body = rows.slice(1);
    expect(body.map((r) => Number(r[0]))).toEqual(everything.map((e) => e.seq));
    const hostile = body.find((r) => r[2].includes('HYPERLINK'))!;
    expect(hostile).toEqual([hostile[0], hostile[1], `'=HYPERLINK("https://evil.example","x")`, `'@SUM(A1)`, CAMPAIGN, JSON.stringify({ label: '+cmd', note: 'a, "quoted" note' })]);
    expect(body.find((r) => r[2] === 'tablet:abc')?.[4]).toBe('');
    for (const row of body) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('is streamed a page at a time, never the whole table at once, and the download is audited with its rows', async () => {
    for (let i = 0; i < 20 * AUDIT_PAGE_SIZE; i++) await store.audit({ at: new Date().toISOString(), actor: 'cli (test)', action: 'filler', detail: { i, padding: 'x'.repeat(80) } });
    const total = (await store.auditLog(Number.MAX_SAFE_INTEGER)).length;
    let written = 0;
    const pages = vi.spyOn(store, 'auditPage');
    const whole = vi.spyOn(store, 'auditLog');
    try {
      const res = await call('/api/console/audit.csv', owner);
      const reader = res.body!.getReader();
      const first = await reader.read();
      expect(first.done).toBe(false);
      // The first bytes went out while most of the log was still unread.
      expect(pages.mock.calls.length).toBeLessThan(total / AUDIT_PAGE_SIZE / 2);
      const chunks = [Buffer.from(first.value!)];
      for (let next = await reader.read(); !next.done; next = await reader.read()) chunks.push(Buffer.from(next.value));
      // Every entry there was, in order (an earlier download's own entry may have landed meanwhile).
      expect(whole).not.toHaveBeenCalled();
      const seqs = parseCsv(Buffer.concat(chunks).toString('utf8')).slice(1).map((r) => Number(r[0]));
      expect(seqs.length).toBeGreaterThanOrEqual(total);
      expect(seqs).toEqual((await store.auditLog(Number.MAX_SAFE_INTEGER)).map((e) => e.seq).reverse().slice(0, seqs.length));
      written = seqs.length;
      expect(pages.mock.calls.every(([, limit]) => limit === AUDIT_PAGE_SIZE)).toBe(true);
      expect(pages.mock.calls.length).toBe(Math.floor(written / AUDIT_PAGE_SIZE) + 1);
    } finally {
      pages.mockRestore();
      whole.mockRestore();
    }
    const audited = await vi.waitFor(async () => {
      const entry = (await store.auditLog(5)).find((e) => e.action === 'download-audit-log' && e.detail.rows === written);
      if (!entry) throw new Error('not audited yet');
      return entry;
    });
    expect(audited).toMatchObject({ actor: ownerAccount.email, detail: { kind: 'audit-log', rows: written } });
    expect(audited.campaignId).toBeUndefined();
  });
});

describe('every export is audited with its campaign, kind and rows', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fieldsign-audit-rows-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** An app on `store` (exports in a worker when `db` is given), with an owner signed in. */
  async function appOn(store: SqliteStore, db?: string) {
    const app = createApp({ store, log: () => {}, ...(db && { db }) });
    await seededStore(store);
    const owner = await addAccount(store);
    const session = await signIn((path, init) => app.request(path, init), owner);
    /** Download `path` whole, then the audit entry it left. */
    const exported = async (path: string, action: string): Promise<AuditEntry> => {
      const before = (await store.auditLog(1))[0]?.seq ?? 0;
      const res = await app.request(`${path}${path.includes('?') ? '&' : '?'}campaign=${CAMPAIGN}`, { headers: session.headers });
      expect(res.status, path).toBe(200);
      await res.arrayBuffer();
      return vi.waitFor(async () => {
        const entry = (await store.auditLog(20)).find((e) => e.seq > before && e.action === action);
        if (!entry) throw new Error(`${path}: not audited yet`);
        return entry;
      });
    };
    return { app, owner, exported, close: async () => (app.close(), await store.close()) };
  }

  it('the CSV lists, the drawings, the PDF, the hand-in packages, the paper sheets and the records', async () => {
    const { owner, exported, close } = await appOn(new SqliteStore(':memory:'));
    try {
      const cases: Array<[path: string, action: string, detail: Record<string, unknown>]> = [
        ['/api/console/export/handin.csv', 'export-csv', { kind: 'handin', rows: 5 }],
        ['/api/console/export/contacts.csv', 'export-csv', { kind: 'contacts', rows: 2 }],
        ['/api/console/export/signatures.zip', 'export-svg-zip', { kind: 'zip', rows: 5 }],
        ['/api/console/export/handin.pdf', 'export-pdf', { kind: 'pdf', rows: 5 }],
        ['/api/console/export/handin-package.zip', 'export-handin-package', { kind: 'handin-package', profile: 'informal', rows: 5 }],
        ['/api/console/export/handin-package.zip?profile=per-country', 'export-handin-package', { kind: 'handin-package', profile: 'per-country', rows: 5 }],
        ['/api/console/export/handin-package.zip?profile=paper&lang=en', 'export-handin-package', { kind: 'handin-package', profile: 'paper', rows: 0 }],
        ['/api/console/export/paper-sheets.pdf?pages=2', 'export-paper-sheets', { kind: 'paper-sheets', pages: 2, rows: 0 }],
        ['/api/console/records?after=0', 'download-records', { kind: 'records', rows: 5 }],
      ];
      for (const [path, action, detail] of cases) {
        const entry = await exported(path, action);
        expect(entry, path).toMatchObject({ actor: owner.email, campaignId: CAMPAIGN, detail });
      }
    } finally {
      await close();
    }
  });

  it('counts the rows an export worker wrote too', async () => {
    const db = join(dir, 'worker.db');
    const { exported, close } = await appOn(new SqliteStore(db), db);
    try {
      expect((await exported('/api/console/export/contacts.csv', 'export-csv')).detail).toMatchObject({ kind: 'contacts', rows: 2 });
      expect((await exported('/api/console/export/handin.pdf', 'export-pdf')).detail).toMatchObject({ kind: 'pdf', rows: 5 });
    } finally {
      await close();
    }
  });
});
