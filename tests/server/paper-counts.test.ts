/**
 * Paper counts through the real HTTP app (a temporary SQLite file): what the console may
 * record and the message for what it may not, the audit of recording and removing, and the
 * figures apart from the tablets' in the dashboard totals and the public counter, live too.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, PublicCount, Totals } from '../../src/shared/api/dashboard.ts';
import type { PaperCount } from '../../src/shared/api/paper.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';
import { openSse } from '../helpers/sse.ts';
import { addAccount, signIn } from '../helpers/accounts.ts';

const PASSWORD = 'a long enough passphrase, 2026';
const CAMPAIGN = 'protect-defenders';
let server: TestServer;
let session: { cookie: string; csrf: string };

async function api<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T };
}

const GOOD = { event: 'Market day, Kisumu', collectedOn: '2026-11-28', sheets: 12, signatures: 230, countries: { KE: 200, UG: 10 }, countedBy: 'Wanjiru Kamau', note: 'Two sheets torn.' };

beforeAll(async () => {
  server = await startTestServer();
  const ana = await addAccount(server.store, { email: 'ana@example.org', name: 'Ana', password: PASSWORD });
  const { cookie, csrfToken } = await signIn(server.url, ana);
  session = { cookie, csrf: csrfToken };
});
afterAll(async () => {
  await server?.close();
});

/** Remove every paper count of the campaign, so that each test starts from none. */
async function clear() {
  for (const p of await server.store.paperCounts(CAMPAIGN)) await server.store.removePaperCount(p.id);
}

describe('recording a paper count', () => {
  it.each([
    ['negative', { signatures: -1 }, 'signatures: The number of signatures cannot be negative.'],
    ['not whole', { sheets: 2.5 }, 'sheets: The number of sheets must be a whole number.'],
    ['absurd', { signatures: 10_000_001 }, 'signatures: The number of signatures is over 10,000,000: check the figure.'],
    ['unknown country', { countries: { ZZ: 3 } }, 'countries: Unknown country code: use the two-letter codes of the country list (ISO 3166-1).'],
    ['breakdown over the total', { signatures: 100, countries: { KE: 90, UG: 20 } }, 'countries: The country breakdown adds up to more than the number of signatures.'],
    ['empty event', { event: '   ' }, 'event: Name the event.'],
    ['empty counter', { countedBy: '' }, 'countedBy: Name the person who counted them.'],
    ['bidi control', { event: 'Rally \u202eevil' }, 'event: The event contains a text-direction control (U+202A–U+202E or U+2066–U+2069), which can disguise what it shows. Please type it without one.'],
    ['future date', { collectedOn: '2999-01-01' }, 'collectedOn: The date collected is in the future.'],
    ['impossible date', { collectedOn: '2026-02-30' }, 'collectedOn: The date collected is not a real date.'],
  ])('refuses a %s figure with a message that says why, and records nothing', async (_, change, message) => {
    await clear();
    const res = await api<{ error: { message: string } } | Record<string, unknown>>('POST', `/api/console/paper-counts?campaign=${CAMPAIGN}`, { ...GOOD, ...change });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain(message.replace(/"/g, '\\"'));
    expect(await server.store.paperCounts(CAMPAIGN)).toEqual([]);
  });

  it('needs the CSRF token, and a campaign that exists', async () => {
    const noCsrf = await fetch(`${server.url}/api/console/paper-counts`, { method: 'POST', headers: { cookie: session.cookie, 'content-type': 'application/json' }, body: JSON.stringify(GOOD) });
    expect(noCsrf.status).toBe(403);
    expect((await api('POST', '/api/console/paper-counts?campaign=no-such', GOOD)).status).toBe(404);
  });

  it('records, lists and audits it with the coordinator as actor; removing is audited with the figures removed', async () => {
    await clear();
    const made = await api<PaperCount>('POST', `/api/console/paper-counts?campaign=${CAMPAIGN}`, GOOD);
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ ...GOOD, campaignId: CAMPAIGN, recordedBy: 'ana@example.org' });
    const list = await api<{ counts: PaperCount[] }>('GET', `/api/console/paper-counts?campaign=${CAMPAIGN}`);
    expect(list.body.counts).toEqual([made.body]);

    expect((await api('DELETE', `/api/console/paper-counts/${made.body.id}`)).status).toBe(204);
    expect((await api('DELETE', `/api/console/paper-counts/${made.body.id}`)).status).toBe(404);
    const audit = await api<{ entries: AuditEntry[] }>('GET', `/api/console/audit?campaign=${CAMPAIGN}`);
    const paper = audit.body.entries.filter((e) => e.action.startsWith('paper.'));
    expect(paper.map((e) => [e.action, e.actor, e.detail.signatures, e.detail.countries])).toEqual([
      ['paper.removed', 'ana@example.org', 230, { KE: 200, UG: 10 }],
      ['paper.recorded', 'ana@example.org', 230, { KE: 200, UG: 10 }],
    ]);
  });
});

describe('paper in the figures, always apart', () => {
  it('the dashboard totals carry paper beside the tablets’ total; the public count keeps `total` and adds `paper`', async () => {
    await clear();
    await api('POST', `/api/console/paper-counts?campaign=${CAMPAIGN}`, GOOD);
    await api('POST', `/api/console/paper-counts?campaign=${CAMPAIGN}`, { ...GOOD, event: 'Church hall', sheets: 3, signatures: 45, countries: null });
    const totals = (await api<Totals>('GET', `/api/console/totals?campaign=${CAMPAIGN}`)).body;
    expect(totals.total).toBe(0);
    expect(totals.byCountry).toEqual([]);
    expect(totals.paper).toEqual({
      total: 275,
      sheets: 15,
      entries: 2,
      byCountry: [
        { country: 'KE', count: 200 },
        { country: '', count: 65 },
        { country: 'UG', count: 10 },
      ],
    });
    const count = (await (await fetch(`${server.url}/api/public/count?campaign=${CAMPAIGN}`)).json()) as PublicCount;
    expect(count).toEqual({ total: 0, paper: 275 });
  });

  it('recording one updates an open dashboard and an open counter live', async () => {
    await clear();
    const dashboard = await openSse<Totals>(`${server.url}/api/console/events?campaign=${CAMPAIGN}`, { cookie: session.cookie });
    const counter = await openSse<PublicCount>(`${server.url}/api/public/events?campaign=${CAMPAIGN}`);
    try {
      expect((await dashboard.next()).paper?.total).toBe(0);
      expect(await counter.next()).toEqual({ total: 0 });
      await api('POST', `/api/console/paper-counts?campaign=${CAMPAIGN}`, GOOD);
      expect((await dashboard.next()).paper?.total).toBe(230);
      expect(await counter.next()).toEqual({ total: 0, paper: 230 });
    } finally {
      dashboard.close();
      counter.close();
    }
  });

  it('the hand-in PDF lists no paper signature and says how many were counted on paper, by country', async () => {
    await clear();
    await api('POST', `/api/console/paper-counts?campaign=${CAMPAIGN}`, GOOD);
    const res = await fetch(`${server.url}/api/console/export/handin.pdf?campaign=${CAMPAIGN}`, { headers: { cookie: session.cookie } });
    expect(res.status).toBe(200);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: Buffer.from(await res.arrayBuffer()) }).toString('utf8').replace(/\s+/g, ' ');
    expect(text).toContain('No signatures yet.');
    expect(text).toContain(
      'Also collected on paper and counted by hand (not listed above, not in the total): 230 signatures on 12 sheets, in 1 count; by country: Kenya (KE) 200, country not recorded 20, Uganda (UG) 10.',
    );
  });
});
