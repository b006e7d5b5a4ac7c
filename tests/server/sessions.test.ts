/**
 * Issue #19, part C: each account sees and ends its own sessions, a password change ends the
 * others, and the session lifetime and idle timeout are enforced. In process (app.request),
 * on a real SQLite store, with the app's clock moved by the test.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../server/app.ts';
import { browserName } from '../../server/console/browser-name.ts';
import { SqliteStore } from '../../server/store/sqlite.ts';
import { addAccount, signIn, type SignedIn, type TestAccount } from '../helpers/accounts.ts';

const CHROME_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.7000.12 Safari/537.36';
const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';

const MINUTE = 60_000;

interface World {
  app: App;
  store: SqliteStore;
  clock: { at: number };
  /** A request from `address` (over TLS, as a browser behind HTTPS sends it) with these headers. */
  call(path: string, init?: RequestInit, address?: string): Promise<Response>;
  /** Sign in as `account` from `address` with the browser `userAgent`. */
  signInFrom(account: TestAccount, address: string, userAgent: string): Promise<SignedIn>;
}

let worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds) {
    w.app.close();
    await w.store.close();
  }
  worlds = [];
});

function world(options: { sessions?: { lifetimeMs?: number; idleMs?: number }; loginLimit?: { capacity: number; refillMs: number } } = {}): World {
  const store = new SqliteStore(':memory:');
  const clock = { at: Date.now() };
  const app = createApp({ store, log: () => {}, now: () => new Date(clock.at), ...options });
  const bindings = (address: string) => ({ incoming: { socket: { remoteAddress: address, encrypted: true } } }) as never;
  const call = async (path: string, init: RequestInit = {}, address = '10.0.0.1') => app.request(path, init, bindings(address));
  const w: World = {
    app,
    store,
    clock,
    call,
    signInFrom: (account, address, userAgent) => signIn((path, init) => call(path, { ...init, headers: { ...(init.headers as Record<string, string>), 'user-agent': userAgent } }, address), account),
  };
  worlds.push(w);
  return w;
}

/** A manager of one campaign: no two-factor needed, so the test's clock can move freely. */
const manager = (w: World, email?: string) => addAccount(w.store, { role: 'manager', campaigns: ['protect-defenders'], mayExportPersonalData: false, ...(email && { email }) });

type Listed = { id: string; browser: string; address: string; createdAt: string; lastSeenAt: string; current: boolean };
async function sessionsOf(w: World, s: SignedIn): Promise<Listed[]> {
  const res = await w.call('/api/console/sessions', { headers: s.headers });
  expect(res.status).toBe(200);
  return (await res.json()).sessions;
}
const totals = (w: World, s: SignedIn) => w.call('/api/console/totals', { headers: s.headers });
const end = (w: World, s: SignedIn, id: string) => w.call(`/api/console/sessions/${id}`, { method: 'DELETE', headers: s.headers });
const changePassword = (w: World, s: SignedIn, current: string, next: string) =>
  w.call('/api/console/password', { method: 'POST', headers: { ...s.headers, 'content-type': 'application/json' }, body: JSON.stringify({ current, new: next }) });

describe('the sessions list', () => {
  it('shows only the account’s own live sessions, with the browser named, the address and which is this one', async () => {
    const w = world();
    const ana = await manager(w);
    const ben = await manager(w);
    const onLaptop = await w.signInFrom(ana, '192.0.2.10', CHROME_LINUX);
    const onDesktop = await w.signInFrom(ana, '198.51.100.7', FIREFOX_WINDOWS);
    await w.signInFrom(ben, '203.0.113.99', CHROME_LINUX);

    const res = await w.call('/api/console/sessions', { headers: onLaptop.headers });
    const text = await res.clone().text();
    const listed: Listed[] = (await res.json()).sessions;
    expect(listed).toHaveLength(2);
    expect(listed.map((s) => [s.browser, s.address, s.current]).sort()).toEqual([
      ['Chrome 156 on Linux', '192.0.2.10', true],
      ['Firefox 128 on Windows', '198.51.100.7', false],
    ]);
    // Never the raw header, never the cookie or its hash, never Ben's session.
    expect(text).not.toContain('Mozilla/5.0');
    expect(text).not.toContain(onLaptop.cookie.split('=')[1]);
    expect(text).not.toContain('203.0.113.99');
    expect((await sessionsOf(w, onDesktop)).find((s) => s.current)?.address).toBe('198.51.100.7');
  });

  it('ending another session makes its cookie 401 at once; another account’s session is a 404; ending this one signs out', async () => {
    const w = world();
    const ana = await manager(w);
    const ben = await manager(w);
    const first = await w.signInFrom(ana, '192.0.2.10', CHROME_LINUX);
    const second = await w.signInFrom(ana, '192.0.2.11', FIREFOX_WINDOWS);
    const bens = await w.signInFrom(ben, '192.0.2.12', CHROME_LINUX);
    const secondId = (await sessionsOf(w, second)).find((s) => s.current)!.id;
    const bensId = (await sessionsOf(w, bens)).find((s) => s.current)!.id;

    expect((await totals(w, second)).status).toBe(200);
    expect((await end(w, first, secondId)).status).toBe(204);
    expect((await totals(w, second)).status).toBe(401);
    expect((await end(w, first, secondId)).status).toBe(404);

    const refused = await end(w, first, bensId);
    expect(refused.status).toBe(404);
    expect((await totals(w, bens)).status).toBe(200);

    const firstId = (await sessionsOf(w, first)).find((s) => s.current)!.id;
    const own = await end(w, first, firstId);
    expect(own.status).toBe(204);
    expect(own.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect((await totals(w, first)).status).toBe(401);
    const audited = (await w.store.auditLog(50)).filter((e) => e.action === 'session.ended');
    expect(audited.map((e) => [e.actor, e.detail.current])).toEqual([
      [ana.email, true],
      [ana.email, false],
    ]);
  });

  it('marks a session used at most once a minute', async () => {
    const w = world();
    const ana = await manager(w);
    const s = await w.signInFrom(ana, '192.0.2.10', CHROME_LINUX);
    const [started] = await sessionsOf(w, s);
    w.clock.at += 30_000;
    expect((await sessionsOf(w, s))[0].lastSeenAt).toBe(started.createdAt);
    w.clock.at += 31_000;
    expect((await sessionsOf(w, s))[0].lastSeenAt).toBe(new Date(w.clock.at).toISOString());
  });
});

describe('changing the password', () => {
  it('ends the account’s other sessions, keeps this one, and the new password is the one that signs in', async () => {
    const w = world();
    const ana = await manager(w);
    const ben = await manager(w);
    const here = await w.signInFrom(ana, '192.0.2.10', CHROME_LINUX);
    const there = await w.signInFrom(ana, '192.0.2.11', FIREFOX_WINDOWS);
    const bens = await w.signInFrom(ben, '192.0.2.12', CHROME_LINUX);
    const next = 'a brand new passphrase 2027';

    const res = await changePassword(w, here, ana.password, next);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ otherSessionsEnded: 1 });
    expect((await totals(w, here)).status).toBe(200);
    expect((await totals(w, there)).status).toBe(401);
    expect((await totals(w, bens)).status).toBe(200);
    await expect(w.signInFrom(ana, '192.0.2.10', CHROME_LINUX)).rejects.toThrow(/HTTP 401/);
    await w.signInFrom({ ...ana, password: next }, '192.0.2.10', CHROME_LINUX);
    expect((await w.store.auditLog(50)).find((e) => e.action === 'password.changed')).toMatchObject({ actor: ana.email, detail: { otherSessionsEnded: 1 } });
  });

  it('refuses a short new password without counting an attempt, and a wrong current one as a sign-in would', async () => {
    const w = world({ loginLimit: { capacity: 2, refillMs: 3_600_000 } });
    const ana = await manager(w);
    const here = await w.signInFrom(ana, '192.0.2.10', CHROME_LINUX);
    const other = await w.signInFrom(ana, '192.0.2.11', CHROME_LINUX);

    const short = await changePassword(w, here, ana.password, 'too short');
    expect(short.status).toBe(400);
    expect((await short.json()).error.message).toBe('The password must be at least 12 characters long.');
    for (let i = 0; i < 2; i++) {
      const wrong = await changePassword(w, here, 'not the password at all', 'a brand new passphrase 2027');
      expect(wrong.status).toBe(403);
      expect((await wrong.json()).error.message).toMatch(/current password is wrong/);
    }
    // The account's attempts are spent: even the right password waits, and nothing changed.
    const limited = await changePassword(w, here, ana.password, 'a brand new passphrase 2027');
    expect(limited.status).toBe(429);
    expect((await totals(w, other)).status).toBe(200);
    await expect(w.signInFrom(ana, '192.0.2.12', CHROME_LINUX)).rejects.toThrow(/HTTP 429/);
  });
});

describe('session lifetime and idle timeout', () => {
  it('ends a session left unused longer than the idle timeout; use keeps it going', async () => {
    const w = world({ sessions: { idleMs: 60 * MINUTE } });
    const ana = await manager(w);
    const s = await w.signInFrom(ana, '192.0.2.10', CHROME_LINUX);
    w.clock.at += 59 * MINUTE;
    expect((await totals(w, s)).status).toBe(200);
    w.clock.at += 59 * MINUTE;
    expect((await totals(w, s)).status).toBe(200);
    w.clock.at += 61 * MINUTE;
    expect((await totals(w, s)).status).toBe(401);
    expect((await w.call('/api/console/session', { headers: s.headers })).status).toBe(200);
    expect((await (await w.call('/api/console/session', { headers: s.headers })).json()).coordinator).toBeNull();
  });

  it('ends a session at its lifetime however busy, and the cookie says so', async () => {
    const w = world({ sessions: { lifetimeMs: 2 * 60 * MINUTE, idleMs: 60 * MINUTE } });
    const ana = await manager(w);
    const login = await w.call(
      '/api/console/login',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: ana.email, password: ana.password }) },
    );
    expect(login.headers.get('set-cookie')).toMatch(/Max-Age=7200(;|$)/);
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    for (let elapsed = 30; elapsed < 120; elapsed += 30) {
      w.clock.at += 30 * MINUTE;
      expect((await w.call('/api/console/totals', { headers: { cookie } })).status, `after ${elapsed} min`).toBe(200);
    }
    w.clock.at += 30 * MINUTE;
    expect((await w.call('/api/console/totals', { headers: { cookie } })).status).toBe(401);
  });

  it('defaults to 10 hours and 60 minutes', async () => {
    const w = world();
    const ana = await manager(w);
    const s = await w.signInFrom(ana, '192.0.2.10', CHROME_LINUX);
    w.clock.at += 61 * MINUTE;
    expect((await totals(w, s)).status).toBe(401);
    const login = await w.call('/api/console/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: ana.email, password: ana.password }) });
    expect(login.headers.get('set-cookie')).toMatch(/Max-Age=36000(;|$)/);
  });
});

describe('browser names', () => {
  it('names the common browsers and systems from their User-Agent', () => {
    expect(browserName(CHROME_LINUX)).toBe('Chrome 156 on Linux');
    expect(browserName(FIREFOX_WINDOWS)).toBe('Firefox 128 on Windows');
    expect(browserName('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.2849.68')).toBe('Edge 130 on Windows');
    expect(browserName('Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1')).toBe('Safari 17 on iOS');
    expect(browserName('Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15')).toBe('Safari 17 on macOS');
    expect(browserName('Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36')).toBe('Samsung Internet 25 on Android');
    expect(browserName('Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36')).toBe('Chrome 126 on ChromeOS');
    expect(browserName('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36 OPR/114.0.0.0')).toBe('Opera 114 on Windows');
    expect(browserName('')).toBe('Unknown browser');
    expect(browserName('curl/8.5.0')).toBe('Unknown browser');
  });

  it('never passes on what a client wrote, only its own words and a number', () => {
    const hostile = '<script>alert(1)</script> Chrome/99999999 (Linux) =HYPERLINK("x") Firefox/<img>';
    const name = browserName(hostile);
    expect(name).toMatch(/^(Unknown browser|(Edge|Opera|Samsung Internet|Firefox|Chrome|Safari) \d{1,4})( on (iOS|Android|Windows|ChromeOS|macOS|Linux))?$/);
    expect(name).not.toMatch(/[<>="]/);
  });
});
