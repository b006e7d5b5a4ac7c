import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';

describe('server configuration', () => {
  it('has defaults that run everything on one origin with an embedded SQLite file', () => {
    expect(loadConfig([], {})).toEqual({ port: 8080, host: '127.0.0.1', db: 'data/fieldsign.db', staticDir: 'dist', tabletRetentionMs: 0 });
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
  });
});
