import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';

describe('server configuration', () => {
  it('has defaults that run everything on one origin with an embedded SQLite file', () => {
    expect(loadConfig([], {})).toEqual({ port: 8080, host: '127.0.0.1', db: 'data/fieldsign.db', staticDir: 'dist', tabletRetentionMs: 0, sealCountryInClear: false,
      staleAfterMs: 2 * 3_600_000, tokenLifetimeMs: 90 * 86_400_000 });
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
