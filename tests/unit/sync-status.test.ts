/**
 * What the volunteer is told about sync: the last sync (the last answered batch, kept across
 * reloads), what "Sync now" did, and one message per cause of trouble.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FieldsignDB } from '../../src/db/db.ts';
import { enqueue } from '../../src/db/outbox.ts';
import { SyncEngine, type SyncProblem } from '../../src/sync/engine.ts';
import type { Transport } from '../../src/sync/transport.ts';
import { describeSync } from '../../src/kiosk/VolunteerScreen.tsx';
import { i18nFor } from '../../src/kiosk/i18n/index.ts';
import { MemoryServer } from '../helpers/memory-server.ts';
import { makeRecord } from '../helpers/records.ts';

let db: FieldsignDB;
let server: MemoryServer;
let engines: SyncEngine[] = [];
/** The tablet as the memory server enrolled it (device-test, a real token). */
const credentials = () => server.credentials();

beforeEach(() => {
  db = new FieldsignDB(`status-${crypto.randomUUID()}`);
  server = new MemoryServer();
});
afterEach(async () => {
  engines.forEach((e) => e.stop());
  engines = [];
  vi.unstubAllGlobals();
  await db.delete();
  await server.close();
});

function engine(transport: Transport = server) {
  const e = new SyncEngine({ db, transport, credentials, baseBackoffMs: 60_000, withLock: (fn) => fn() });
  engines.push(e);
  return e;
}

const capture = async (n: number) => {
  for (let i = 0; i < n; i++) await enqueue(db, makeRecord());
};

describe('the last sync', () => {
  it('is the time of the last answered batch, a report-only one included, and survives a reload', async () => {
    const e = engine();
    await e.refresh();
    expect(e.current.lastSyncAt).toBeUndefined();
    const before = Date.now();
    await capture(2);
    await e.syncNow();
    const first = e.current.lastSyncAt!;
    expect(first).toBeGreaterThanOrEqual(before);

    // Nothing pending: the volunteer's Sync now still asks the server, and that answer counts.
    await new Promise((r) => setTimeout(r, 5));
    const requests = server.requests.length;
    await e.syncNow({ contact: true });
    expect(server.requests.length).toBe(requests + 1);
    expect(server.requests.at(-1)!.records).toEqual([]);
    expect(e.current.lastSyncAt).toBeGreaterThan(first);

    // A reload: a new engine on the same database knows the last sync before any contact.
    const reloaded = engine();
    await reloaded.refresh();
    expect(reloaded.current.lastSyncAt).toBe(e.current.lastSyncAt);
  });

  it('does not move when the server could not be reached', async () => {
    const e = engine();
    await capture(1);
    await e.syncNow();
    const at = e.current.lastSyncAt;
    server.plan('drop-request');
    await e.syncNow({ contact: true });
    expect(e.current.lastSyncAt).toBe(at);
  });
});

describe('"Sync now" says what it did', () => {
  const t = i18nFor('en').t;

  it('sent some, sent none because all are on the server, or could not', async () => {
    const e = engine();
    await capture(3);
    const sent = await e.syncNow({ contact: true });
    expect(sent).toMatchObject({ sent: 3, refused: 0, contacted: true });
    expect(describeSync(sent, 0, t)).toBe('Sent 3 signatures.');

    const nothing = await e.syncNow({ contact: true });
    expect(nothing).toEqual({ sent: 0, refused: 0, contacted: true });
    expect(describeSync(nothing, 0, t)).toBe('Nothing to send: all signatures are on the server.');
    expect(describeSync(nothing, 2, t)).toBe('Nothing to send. 2 signatures need attention: see below.');

    await capture(1);
    server.plan('server-error');
    const failed = await e.syncNow({ contact: true });
    expect(failed).toEqual({ sent: 0, refused: 0, contacted: false, problem: 'server' });
    expect(describeSync(failed, 0, t)).toBe('Nothing was sent: The server is busy or has a problem.');
  });

  it('tells of a refused signature, and of a stop part-way', () => {
    expect(describeSync({ sent: 2, refused: 1, contacted: true }, 1, t)).toBe('Sent 2 signatures. 1 was refused and is kept on this tablet: see below.');
    expect(describeSync({ sent: 200, refused: 0, contacted: true, problem: 'offline' }, 0, t)).toBe('Sent 200 signatures. The rest was not sent: No network connection.');
  });

  it('with nothing pending and no network, says so instead of nothing', async () => {
    vi.stubGlobal('navigator', { onLine: false });
    const e = engine();
    const outcome = await e.syncNow({ contact: true });
    expect(outcome).toEqual({ sent: 0, refused: 0, contacted: false, problem: 'offline' });
    expect(server.requests).toHaveLength(0);
  });
});

describe('one cause, one message', () => {
  it('an outage the browser reported stays "offline" until the browser says it is back, even if requests then fail otherwise', async () => {
    const events = new EventTarget();
    vi.stubGlobal('addEventListener', events.addEventListener.bind(events));
    vi.stubGlobal('removeEventListener', events.removeEventListener.bind(events));
    const browser = { onLine: false };
    vi.stubGlobal('navigator', browser);
    // The tablet's network is down whatever navigator.onLine says: every request fails.
    const down: Transport = { send: async () => ({ kind: 'retry', problem: browser.onLine ? 'network' : 'offline', reason: 'failed to fetch' }) };
    const e = engine(down);
    await capture(1);
    const problems: Array<SyncProblem | undefined> = [];
    const attempt = async () => problems.push((await e.syncNow()).problem);

    await attempt();
    // The browser flips back to "online" without an online event (a flaky radio, or
    // Chromium under test): the failure that follows is still the same outage.
    browser.onLine = true;
    await attempt();
    await attempt();
    expect(problems).toEqual(['offline', 'offline', 'offline']);
    expect(e.current.problem).toBe('offline');

    // The browser says the network is back: a failure now is the server's.
    e.start();
    events.dispatchEvent(new Event('online'));
    await vi.waitFor(() => expect(e.current.problem).toBe('network'));
  });
});
