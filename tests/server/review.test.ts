/**
 * Review before the hand-in, through the HTTP API: setting signatures aside and restoring
 * them (by ids and by filter), the audit entries, CSRF, the contract's refusals, the
 * search's filter, the dashboard's figures, and the exports that leave them out.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordHash } from '../../server/ingest.ts';
import type { SignatureRecord } from '../../src/shared/protocol.ts';
import { makeRecord, withSigner } from '../helpers/records.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';
import { addAccount, signIn } from '../helpers/accounts.ts';

const PASSWORD = 'correct horse battery staple';
let server: TestServer;
let session: { cookie: string; csrf: string };
let tmp: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'fieldsign-review-'));
  server = await startTestServer();
  const ana = await addAccount(server.store, { email: 'ana@example.org', name: 'Ana', password: PASSWORD });
  const { cookie, csrfToken } = await signIn(server.url, ana);
  session = { cookie, csrf: csrfToken };
});
afterAll(async () => {
  await server.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Records stored straight into the store (their own campaign, so each test starts empty). */
async function stored(campaignId: string, names: string[], overrides: Partial<SignatureRecord> = {}): Promise<SignatureRecord[]> {
  const records = names.map((name) => withSigner(makeRecord({ campaignId, lang: 'en', ...overrides }), { name, optIn: true, email: `${name.split(' ')[0].toLowerCase()}@example.org` }));
  await server.store.ingest(records.map((record) => ({ record, hash: recordHash(record), clockSuspect: false })), new Date().toISOString(), 'import');
  return records;
}

function post(path: 'set-aside' | 'restore', campaign: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/api/console/signatures/${path}?campaign=${campaign}`, {
    method: 'POST',
    headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

async function get(path: string) {
  const res = await fetch(`${server.url}${path}`, { headers: { cookie: session.cookie } });
  expect(res.status, path).toBe(200);
  return res;
}

async function auditOf(campaign: string) {
  return (await (await get(`/api/console/audit?campaign=${campaign}`)).json()).entries as Array<{ action: string; actor: string; detail: Record<string, unknown> }>;
}

describe('setting signatures aside', () => {
  it('sets one aside and restores it: the answer counts, the list and the dashboard show it, the audit log keeps each', async () => {
    const [a, b] = await stored('review-one', ['Ada One', 'Ben Two']);
    const set = await post('set-aside', 'review-one', { ids: [a.id], reason: 'duplicate', note: ' same as row 2 ' });
    expect(set.status).toBe(200);
    expect(await set.json()).toEqual({ changed: 1 });
    expect(await (await post('set-aside', 'review-one', { ids: [a.id], reason: 'test' })).json()).toEqual({ changed: 0 });

    const list = await (await get('/api/console/signatures?campaign=review-one')).json();
    const row = list.rows.find((r: { id: string }) => r.id === a.id);
    expect(row.setAside).toMatchObject({ reason: 'duplicate', note: 'same as row 2', by: 'ana@example.org' });
    expect(list.rows.find((r: { id: string }) => r.id === b.id).setAside).toBeNull();
    const only = await (await get('/api/console/signatures?campaign=review-one&setAside=only')).json();
    expect([only.total, only.rows.map((r: { id: string }) => r.id)]).toEqual([1, [a.id]]);
    const without = await (await get('/api/console/signatures?campaign=review-one&setAside=exclude')).json();
    expect([without.total, without.rows.map((r: { id: string }) => r.id)]).toEqual([1, [b.id]]);

    const totals = await (await get('/api/console/totals?campaign=review-one')).json();
    expect(totals.total).toBe(2);
    expect(totals.setAside).toEqual({ total: 1, byReason: [{ reason: 'duplicate', count: 1 }] });

    expect(await (await post('restore', 'review-one', { ids: [a.id, b.id] })).json()).toEqual({ changed: 1 });
    expect((await (await get('/api/console/totals?campaign=review-one')).json()).setAside).toBeUndefined();
    const entries = await auditOf('review-one');
    expect(entries[0]).toMatchObject({ action: 'signatures.restored', actor: 'ana@example.org', detail: { count: 1, ids: [a.id, b.id] } });
    expect(entries.find((e) => e.action === 'signatures.set-aside' && e.detail.count === 1)).toMatchObject({
      detail: { count: 1, reason: 'duplicate', note: 'same as row 2', ids: [a.id] },
    });
  });

  it('sets aside and restores all a filter matches, within the chosen campaign only', async () => {
    const records = await stored('review-bulk', ['Test Person 1', 'Test Person 2', 'Test Person 3', 'Real Signer']);
    const [other] = await stored('review-other', ['Test Person 4']);
    const set = await post('set-aside', 'review-bulk', { filter: { q: 'test person' }, reason: 'test', note: 'training day' });
    expect(await set.json()).toEqual({ changed: 3 });
    expect((await server.store.getSignature(other.id))?.setAside).toBeNull();
    expect((await server.store.getSignature(records[3].id))?.setAside).toBeNull();
    expect(await server.store.setAsideCounts('review-bulk')).toEqual([{ reason: 'test', count: 3 }]);
    const entry = (await auditOf('review-bulk'))[0];
    expect(entry).toMatchObject({ action: 'signatures.set-aside', detail: { count: 3, reason: 'test', note: 'training day', filter: { q: 'test person' } } });

    // An id of another campaign is not this campaign's to restore.
    expect(await (await post('restore', 'review-other', { ids: [records[0].id] })).json()).toEqual({ changed: 0 });
    expect(await (await post('restore', 'review-bulk', { filter: { q: 'person 2' } })).json()).toEqual({ changed: 1 });
    expect(await (await post('restore', 'review-bulk', { filter: {} })).json()).toEqual({ changed: 2 });
    expect(await server.store.setAsideCounts('review-bulk')).toEqual([]);
  });

  it('pages a filter through more signatures than one step changes', async () => {
    const names = Array.from({ length: 2100 }, (_, i) => `Bulk Signer ${i}`);
    await stored('review-many', names);
    expect(await (await post('set-aside', 'review-many', { filter: { setAside: 'exclude' }, reason: 'other' })).json()).toEqual({ changed: 2100 });
    expect((await (await get('/api/console/totals?campaign=review-many')).json()).setAside.total).toBe(2100);
    expect(await (await post('restore', 'review-many', { filter: { setAside: 'only' } })).json()).toEqual({ changed: 2100 });
  }, 60_000);

  it('refuses a change without the CSRF token, an unknown reason, too many ids, both ids and filter, or neither', async () => {
    const [a] = await stored('review-refuse', ['Refused Change']);
    expect((await post('set-aside', 'review-refuse', { ids: [a.id], reason: 'test' }, { 'x-csrf-token': 'wrong' })).status).toBe(403);
    const noSession = await fetch(`${server.url}/api/console/signatures/restore`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ids: [a.id] }) });
    expect(noSession.status).toBe(401);

    const unknown = await post('set-aside', 'review-refuse', { ids: [a.id], reason: 'boring' });
    expect(unknown.status).toBe(400);
    const message = (await unknown.json()).error.message as string;
    expect(message).toMatch(/^reason: /);
    for (const reason of ['duplicate', 'test', 'withdrawn', 'unreadable', 'other']) expect(message).toContain(reason);

    const many = Array.from({ length: 1001 }, () => randomUUID());
    const tooMany = await post('restore', 'review-refuse', { ids: many });
    expect(tooMany.status).toBe(400);
    expect((await tooMany.json()).error.message).toMatch(/^ids: .*1000/);
    const both = await post('set-aside', 'review-refuse', { ids: [a.id], filter: {}, reason: 'test' });
    expect([both.status, (await both.json()).error.message]).toEqual([400, 'Send either ids or a filter, not both.']);
    const neither = await post('restore', 'review-refuse', {});
    expect(neither.status).toBe(400);
    expect((await server.store.getSignature(a.id))?.setAside).toBeNull();
    expect((await auditOf('review-refuse')).filter((e) => e.action.startsWith('signatures.'))).toEqual([]);
  });
});

describe('exports leave set-aside signatures out', () => {
  function csv(body: Buffer): string[][] {
    return parse(body, { bom: true, record_delimiter: '\r\n' }) as string[][];
  }
  const download = async (file: string) => Buffer.from(await (await get(`/api/console/export/${file}?campaign=protect-defenders`)).arrayBuffer());

  it('the hand-in PDF, CSV and drawings skip them and say how many were set aside and why; the contacts skip tests and withdrawals', async () => {
    const names = ['Kept Signer', 'Duplicate Signer', 'Test Signer', 'Withdrawn Signer', 'Unreadable Signer'];
    const records = await stored('protect-defenders', names, { campaignVersion: 1 });
    const id = (name: string) => records[names.indexOf(name)].id;
    await post('set-aside', 'protect-defenders', { ids: [id('Duplicate Signer')], reason: 'duplicate' });
    await post('set-aside', 'protect-defenders', { ids: [id('Test Signer')], reason: 'test' });
    await post('set-aside', 'protect-defenders', { ids: [id('Withdrawn Signer')], reason: 'withdrawn' });
    await post('set-aside', 'protect-defenders', { ids: [id('Unreadable Signer')], reason: 'unreadable' });

    const [header, ...handin] = csv(await download('handin.csv'));
    expect(handin.map((row) => row[header.indexOf('Name')])).toEqual(['Kept Signer']);
    const [contactsHeader, ...contacts] = csv(await download('contacts.csv'));
    expect(contacts.map((row) => row[contactsHeader.indexOf('Name')]).sort()).toEqual(['Duplicate Signer', 'Kept Signer', 'Unreadable Signer']);

    const file = join(tmp, 'handin.pdf');
    writeFileSync(file, await download('handin.pdf'));
    const run = spawnSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
    if (run.error) throw new Error(`pdftotext is needed (poppler-utils): ${run.error.message}`);
    const text = run.stdout.replace(/\s+/g, ' ');
    expect(text).toContain('Kept Signer');
    for (const name of names.slice(1)) expect(text).not.toContain(name);
    expect(text).toContain('End of list: 1 signature in 1 part');
    expect(text).toMatch(/4 set aside \((1 duplicate, 1 test, 1 unreadable, 1 withdrawn)\), not listed\./);

    const zip = await download('signatures.zip');
    expect(zip.includes(Buffer.from(`${id('Kept Signer')}.svg`))).toBe(true);
    for (const name of names.slice(1)) expect(zip.includes(Buffer.from(`${id(name)}.svg`))).toBe(false);
  });
});
