import { describe, expect, it } from 'vitest';
import { MAX_DURATION_MS, loadConfig } from '../../server/config.ts';

describe('server configuration', () => {
  it('has defaults that run everything on one origin with an embedded SQLite file', () => {
    expect(loadConfig([], {})).toEqual({ port: 8080, host: '127.0.0.1', db: 'data/fieldsign.db', staticDir: 'dist', tabletRetentionMs: 0, sealCountryInClear: false,
      staleAfterMs: 2 * 3_600_000, tokenLifetimeMs: 90 * 86_400_000, publicStreams: 1000, publicStreamsPerAddress: 10, publicUrl: undefined, trustProxy: '', sessionHours: 10, sessionIdleMinutes: 60 });
  });

  it('caps the public counter streams, in all and per address, from flags or environment', () => {
    const env = { FIELDSIGN_PUBLIC_STREAMS: '200', FIELDSIGN_PUBLIC_STREAMS_PER_ADDRESS: '4' };
    expect(loadConfig([], env)).toMatchObject({ publicStreams: 200, publicStreamsPerAddress: 4 });
    expect(loadConfig(['--public-streams', '0', '--public-streams-per-address', '2'], env)).toMatchObject({ publicStreams: 0, publicStreamsPerAddress: 2 });
    expect(() => loadConfig(['--public-streams', 'many'], {})).toThrow(/FIELDSIGN_PUBLIC_STREAMS \/ --public-streams must be a whole number from 0/);
    expect(() => loadConfig(['--public-streams-per-address', '0'], {})).toThrow(/--public-streams-per-address must be a whole number from 1/);
    expect(() => loadConfig(['--help'], {})).toThrow(/--public-streams {2}FIELDSIGN_PUBLIC_STREAMS/);
  });

  it('takes flags before environment variables', () => {
    const env = { PORT: '9000', FIELDSIGN_DB: '/tmp/env.db', TABLET_RETENTION: '24h' };
    expect(loadConfig([], env)).toMatchObject({ port: 9000, db: '/tmp/env.db', tabletRetentionMs: 86_400_000 });
    expect(loadConfig(['--port', '9100', '--db', '/tmp/flag.db', '--tablet-retention', '30m'], env)).toMatchObject({
      port: 9100,
      db: '/tmp/flag.db',
      tabletRetentionMs: 1_800_000,
    });
  });

  it('takes the public URL and the trusted proxies, by flag or environment, and refuses bad ones by name', () => {
    expect(loadConfig([], {})).toMatchObject({ publicUrl: undefined, trustProxy: '' });
    expect(loadConfig(['--public-url', 'https://Sign.Example.org/', '--trust-proxy', 'loopback,10.0.0.0/8'], {})).toMatchObject({ publicUrl: 'https://sign.example.org', trustProxy: 'loopback,10.0.0.0/8' });
    expect(loadConfig([], { FIELDSIGN_PUBLIC_URL: 'https://sign.example.org:8443', FIELDSIGN_TRUST_PROXY: '192.0.2.1' })).toMatchObject({ publicUrl: 'https://sign.example.org:8443', trustProxy: '192.0.2.1' });
    for (const bad of ['sign.example.org', 'ftp://sign.example.org', 'https://sign.example.org/console', 'https://sign.example.org/?x=1']) {
      expect(() => loadConfig(['--public-url', bad], {})).toThrow(/--public-url must be an http:\/\/ or https:\/\/ address with no path/);
    }
    expect(() => loadConfig(['--trust-proxy', 'caddy.internal'], {})).toThrow(/--trust-proxy: "caddy.internal" is not an IP address/);
  });

  it('stops with a message naming the bad setting', () => {
    expect(() => loadConfig(['--port', 'eighty'], {})).toThrow(/PORT \/ --port must be a whole number/);
    expect(() => loadConfig([], { PORT: '70000' })).toThrow(/PORT \/ --port must be 0–65535/);
    expect(() => loadConfig(['--db', ''], {})).toThrow(/FIELDSIGN_DB \/ --db must not be empty/);
    expect(() => loadConfig(['--tablet-retention', 'forever'], {})).toThrow(/TABLET_RETENTION/);
    expect(() => loadConfig(['--colour', 'red'], {})).toThrow(/colour/);
    expect(() => loadConfig(['--stale-after', 'soon'], {})).toThrow(/FIELDSIGN_STALE_AFTER \/ --stale-after must be a duration/);
    expect(() => loadConfig([], { FIELDSIGN_STALE_AFTER: '0' })).toThrow(/FIELDSIGN_STALE_AFTER/);
    expect(() => loadConfig(['--token-lifetime', 'a year'], {})).toThrow(/FIELDSIGN_TOKEN_LIFETIME \/ --token-lifetime must be 0 \(never expires\)/);
  });

  it('sets when a silent tablet is flagged and how long device tokens last, by flag or environment', () => {
    const env = { FIELDSIGN_STALE_AFTER: '45m', FIELDSIGN_TOKEN_LIFETIME: '30d' };
    expect(loadConfig([], env)).toMatchObject({ staleAfterMs: 45 * 60_000, tokenLifetimeMs: 30 * 86_400_000 });
    expect(loadConfig(['--stale-after', '2s', '--token-lifetime', '0'], env)).toMatchObject({ staleAfterMs: 2_000, tokenLifetimeMs: 0 });
    expect(() => loadConfig(['--help'], {})).toThrow(/--stale-after {2}FIELDSIGN_STALE_AFTER[\s\S]*--token-lifetime {2}FIELDSIGN_TOKEN_LIFETIME/);
  });
});

describe('console sessions: lifetime and idle timeout', () => {
  it('default to 10 hours and 60 minutes, set by flag or environment, the flag first', () => {
    expect(loadConfig([], {})).toMatchObject({ sessionHours: 10, sessionIdleMinutes: 60 });
    const env = { FIELDSIGN_SESSION_HOURS: '8', FIELDSIGN_SESSION_IDLE_MINUTES: '15' };
    expect(loadConfig([], env)).toMatchObject({ sessionHours: 8, sessionIdleMinutes: 15 });
    expect(loadConfig(['--session-hours', '12', '--session-idle-minutes', '30'], env)).toMatchObject({ sessionHours: 12, sessionIdleMinutes: 30 });
    expect(() => loadConfig(['--help'], {})).toThrow(/--session-hours {2}FIELDSIGN_SESSION_HOURS[\s\S]*--session-idle-minutes {2}FIELDSIGN_SESSION_IDLE_MINUTES/);
  });

  it('refuses what is no whole number in range, naming the setting', () => {
    for (const bad of ['0', '721', '1.5', '10h', '']) {
      expect(() => loadConfig(['--session-hours', bad], {}), bad).toThrow(/FIELDSIGN_SESSION_HOURS \/ --session-hours must be a whole number from 1 to 720/);
    }
    expect(() => loadConfig([], { FIELDSIGN_SESSION_IDLE_MINUTES: '0' })).toThrow(/FIELDSIGN_SESSION_IDLE_MINUTES \/ --session-idle-minutes must be a whole number from 1 to 43200/);
    expect(() => loadConfig(['--session-idle-minutes', '43201'], {})).toThrow(/--session-idle-minutes must be a whole number from 1 to 43200/);
  });
});

describe('duration settings are capped at 100 years', () => {
  it('refuses a token lifetime, stale threshold or tablet retention over 36500d at startup, naming the setting', () => {
    // 99999999d passed the old checks, then every enrollment, batch and devices list threw a RangeError.
    expect(() => loadConfig(['--token-lifetime', '99999999d'], {})).toThrow(/FIELDSIGN_TOKEN_LIFETIME \/ --token-lifetime must be at most 36500d \(100 years\)/);
    expect(() => loadConfig([], { FIELDSIGN_TOKEN_LIFETIME: '36501d' })).toThrow(/--token-lifetime must be at most 36500d/);
    expect(() => loadConfig(['--stale-after', '876001h'], {})).toThrow(/FIELDSIGN_STALE_AFTER \/ --stale-after must be at most 36500d/);
    expect(() => loadConfig([], { TABLET_RETENTION: '99999999d' })).toThrow(/TABLET_RETENTION \/ --tablet-retention must be at most 36500d/);
    // Beyond the safe integers, or beyond any number: still the same plain message, said once.
    for (const huge of [`${'9'.repeat(30)}d`, `${'9'.repeat(400)}s`]) {
      let message = '';
      try {
        loadConfig(['--token-lifetime', huge], {});
      } catch (error) {
        message = (error as Error).message.split('\n')[0];
      }
      expect(message).toMatch(/^Invalid configuration: FIELDSIGN_TOKEN_LIFETIME \/ --token-lifetime must be at most 36500d \(100 years\); use 0 for a token that never expires \(/);
    }
  });

  it('takes exactly 100 years, and a server with it enrolls tablets and takes their batches', async () => {
    expect(MAX_DURATION_MS).toBe(36_500 * 86_400_000);
    const config = loadConfig(['--token-lifetime', '36500d', '--stale-after', '36500d', '--tablet-retention', '876000h'], {});
    expect(config).toMatchObject({ tokenLifetimeMs: MAX_DURATION_MS, staleAfterMs: MAX_DURATION_MS, tabletRetentionMs: MAX_DURATION_MS });
    const { startTestServer } = await import('../helpers/http-server.ts');
    const { batchOf, makeRecord } = await import('../helpers/records.ts');
    const server = await startTestServer({ tokenLifetimeMs: config.tokenLifetimeMs, staleAfterMs: config.staleAfterMs, tabletRetentionMs: config.tabletRetentionMs });
    try {
      const tablet = await server.enroll('Rally');
      const res = await fetch(`${server.url}/api/v1/batches`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tablet.token}` },
        body: JSON.stringify(batchOf([makeRecord({ deviceId: tablet.deviceId })], tablet.deviceId)),
      });
      expect(res.status).toBe(200);
      const [device] = await server.store.listDevices();
      const { viewDevice } = await import('../../server/devices.ts');
      const view = viewDevice(device, { now: new Date(), staleAfterMs: config.staleAfterMs, tokenLifetimeMs: config.tokenLifetimeMs });
      expect(Date.parse(view.tokenExpiresAt!) - Date.parse(device.enrolledAt)).toBe(MAX_DURATION_MS);
    } finally {
      await server.close();
    }
  });
});

describe('the campaign a server serves', () => {
  it('is the defenders petition by default, with an ETag for cheap revalidation', async () => {
    const { startTestServer } = await import('../helpers/http-server.ts');
    const { DEFAULT_CAMPAIGN } = await import('../../src/shared/default-campaign.ts');
    const server = await startTestServer();
    try {
      const res = await fetch(`${server.url}/api/v1/campaign`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(DEFAULT_CAMPAIGN);
      const etag = res.headers.get('etag')!;
      const again = await fetch(`${server.url}/api/v1/campaign`, { headers: { 'if-none-match': etag } });
      expect(again.status).toBe(304);
    } finally {
      await server.close();
    }
  });

  it('goes compressed to a client that takes br or gzip, with Vary and an ETag per coding', async () => {
    const { startTestServer } = await import('../helpers/http-server.ts');
    const { brotliDecompressSync, gunzipSync } = await import('node:zlib');
    const { request } = await import('node:http');
    const server = await startTestServer();
    /** The answer's status, headers and bytes as sent (fetch would decompress them). */
    const rawBody = (headers: Record<string, string>) =>
      new Promise<{ status?: number; headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
        const req = request(`${server.url}/api/v1/campaign`, { headers }, (res) => {
          const parts: Buffer[] = [];
          const done = () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts) });
          res.on('data', (d: Buffer) => parts.push(d)).on('end', done);
        });
        req.on('error', reject).end();
      });
    try {
      const plain = await rawBody({});
      const text = plain.body.toString();
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.headers.vary).toBe('Accept-Encoding');
      const br = await rawBody({ 'accept-encoding': 'gzip, br' });
      const gzip = await rawBody({ 'accept-encoding': 'gzip' });
      expect([br.headers['content-encoding'], gzip.headers['content-encoding']]).toEqual(['br', 'gzip']);
      expect(brotliDecompressSync(br.body).toString()).toBe(text);
      expect(gunzipSync(gzip.body).toString()).toBe(text);
      expect(br.body.length).toBeLessThan(text.length / 2);
      expect(new Set([plain.headers.etag, br.headers.etag, gzip.headers.etag]).size).toBe(3);
      const again = await rawBody({ 'accept-encoding': 'gzip, br', 'if-none-match': String(br.headers.etag) });
      expect(again.status).toBe(304);
    } finally {
      await server.close();
    }
  });

  it('the example campaign the README points at is complete and valid, in every language it offers', async () => {
    const { loadCampaignFile } = await import('../../server/config.ts');
    const { ROOT } = await import('../helpers/app-process.ts');
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const path = join(ROOT, 'docs/examples/campaign-water.json');
    const campaign = loadCampaignFile(path);
    expect(campaign.id).toBe('clean-water');
    for (const lang of campaign.languages) expect(campaign.text[lang]?.demands.length, lang).toBeGreaterThan(0);
    // No placeholder left for a newcomer to trip over.
    expect(readFileSync(path, 'utf8')).not.toMatch(/…|\.\.\.|TODO/);
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('docs/examples/campaign-water.json');
  });

  it('can be replaced by a campaign file, validated at startup with a message naming the field', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { loadCampaignFile } = await import('../../server/config.ts');
    const { DEFAULT_CAMPAIGN } = await import('../../src/shared/default-campaign.ts');
    const { startTestServer } = await import('../helpers/http-server.ts');
    const dir = mkdtempSync(join(tmpdir(), 'campaign-'));
    const good = join(dir, 'good.json');
    const custom = { ...DEFAULT_CAMPAIGN, id: 'clean-water', version: 3, languages: ['fr'], defaultLanguage: 'fr' };
    writeFileSync(good, JSON.stringify(custom));
    const campaign = loadCampaignFile(good);
    expect(campaign.id).toBe('clean-water');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...custom, theme: { color: 'blue' } }));
    expect(() => loadCampaignFile(bad)).toThrow(/bad\.json is not valid: theme\.color: Use a colour/);
    expect(() => loadCampaignFile(join(dir, 'missing.json'))).toThrow(/Cannot read the campaign file/);
    const server = await startTestServer({ campaign });
    try {
      expect((await (await fetch(`${server.url}/api/v1/campaign`)).json()).id).toBe('clean-water');
    } finally {
      await server.close();
    }
  });
});
