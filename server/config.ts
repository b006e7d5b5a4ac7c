/**
 * Server configuration: command-line flags first, then environment variables, then
 * defaults. Parsed once at startup with zod; a bad value stops the server with a message
 * that names the setting.
 */
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { CampaignSchema, type Campaign } from '../src/shared/campaign.ts';
import { parseTrustedProxies } from './client-address.ts';

/**
 * The longest duration any setting takes: 100 years (36500d). Longer ones would pass as
 * numbers but overflow a date (`new Date(at + ms).toISOString()` throws), failing every
 * enrollment or batch at run time instead of at startup.
 */
export const MAX_DURATION_MS = 36_500 * 86_400_000;

/** A duration setting in ms: at least `min`, at most 100 years; each refusal names the setting. */
function durationMs(setting: string, min: number, tooShort: string, tooLong = '') {
  const long = `${setting} must be at most 36500d (100 years)${tooLong}`;
  return z.int(long).check(z.gte(min, `${setting} must be ${tooShort}`), z.lte(MAX_DURATION_MS, long));
}

/** A count setting: a whole number from `min` to `max` (1,000,000); each refusal names the setting. */
function count(setting: string, min: number, max = 1_000_000) {
  const message = `${setting} must be a whole number from ${min} to ${max}`;
  return z.int(message).check(z.gte(min, message), z.lte(max, message));
}

export const ConfigSchema = z.object({
  port: z.int('PORT / --port must be a whole number').check(z.gte(0, 'PORT / --port must be 0–65535'), z.lte(65535, 'PORT / --port must be 0–65535')),
  host: z.string().check(z.minLength(1, 'HOST / --host must not be empty')),
  db: z.string().check(z.minLength(1, 'FIELDSIGN_DB / --db must not be empty')),
  staticDir: z.string(),
  /** A campaign document (JSON) to serve instead of the built-in default. */
  campaignFile: z.optional(z.string()),
  /** The coordinator's public key file (`npm run cli -- keygen`): seal every signature for it. */
  sealKeyFile: z.optional(z.string()),
  /** With sealing: keep the signer's country in clear for the dashboard. */
  sealCountryInClear: z.boolean(),
  /** How long tablets keep a signer's data after it synced. */
  tabletRetentionMs: durationMs('TABLET_RETENTION / --tablet-retention', 0, '0 or a duration like 24h'),
  /** A tablet silent this long while holding unsynced signatures is flagged in the console. */
  staleAfterMs: durationMs('FIELDSIGN_STALE_AFTER / --stale-after', 1, 'a duration like 30m or 2h'),
  /** Device tokens stop working this long after enrollment; 0: never. */
  tokenLifetimeMs: durationMs(
    'FIELDSIGN_TOKEN_LIFETIME / --token-lifetime',
    0,
    '0 (never expires) or a duration like 90d',
    '; use 0 for a token that never expires',
  ),
  /** Public counter streams open at once, in all (0: counters poll instead). */
  publicStreams: count('FIELDSIGN_PUBLIC_STREAMS / --public-streams', 0),
  /** Public counter streams open at once from one client address. */
  publicStreamsPerAddress: count('FIELDSIGN_PUBLIC_STREAMS_PER_ADDRESS / --public-streams-per-address', 1),
  /** The origin tablets and coordinators use (https://sign.example.org); undefined: each request's own. */
  publicUrl: z.optional(z.string()),
  /** The proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (client-address.ts); '': none. */
  trustProxy: z.string(),
  /** A console session ends this many hours after sign-in, however busy (at most 30 days). */
  sessionHours: count('FIELDSIGN_SESSION_HOURS / --session-hours', 1, 720),
  /** A console session left unused this many minutes ends (at most 30 days). */
  sessionIdleMinutes: count('FIELDSIGN_SESSION_IDLE_MINUTES / --session-idle-minutes', 1, 43_200),
});
export type Config = z.infer<typeof ConfigSchema>;

export const USAGE = `Usage: npm start -- [--port 8080] [--host 127.0.0.1] [--db data/fieldsign.db] [--static dist]
  --port    PORT           TCP port (default 8080; 0 picks a free one)
  --host    HOST           address to listen on (default 127.0.0.1)
  --db      FIELDSIGN_DB   SQLite file, created on first run (default data/fieldsign.db),
                           or a PostgreSQL URL: postgres://user:pass@host:5432/db
                           (add ?options=-c%20search_path%3Dmyschema for another schema)
  --static  FIELDSIGN_STATIC  built PWA to serve (default dist)
  --campaign  FIELDSIGN_CAMPAIGN  campaign document (JSON) to serve; default: the defenders petition
  --tablet-retention  TABLET_RETENTION  keep synced signer data on tablets this long:
                      0 (default: delete at once), or e.g. 30m, 24h, 7d
  --seal-key  FIELDSIGN_SEAL_KEY  coordinator public key file (from "npm run cli -- keygen"):
                      tablets encrypt every signer's details and signature for it
  --seal-country  FIELDSIGN_SEAL_COUNTRY=1  with --seal-key, keep the signer's country in
                      clear beside the sealed data, for the dashboard's per-country figures
  --stale-after  FIELDSIGN_STALE_AFTER  flag a tablet in the console when it holds unsynced
                      signatures and has been silent longer than this (default 2h)
  --token-lifetime  FIELDSIGN_TOKEN_LIFETIME  a tablet's token stops working this long after
                      enrollment and it must be enrolled again (default 90d; 0: never)
  --public-streams  FIELDSIGN_PUBLIC_STREAMS  live public counters open at once, in all
                      (default 1000; beyond it 503, and the counter page polls instead)
  --public-streams-per-address  FIELDSIGN_PUBLIC_STREAMS_PER_ADDRESS  live public counters
                      open at once from one client address (default 10; beyond it 429)
  --public-url  FIELDSIGN_PUBLIC_URL  the address tablets and coordinators use, e.g.
                      https://sign.example.org: enrollment links and QR codes, and the
                      console's cross-site check, follow it (default: each request's own)
  --trust-proxy  FIELDSIGN_TRUST_PROXY  the reverse proxies whose X-Forwarded-For and
                      X-Forwarded-Proto are believed: addresses, CIDR ranges, "loopback",
                      comma-separated (default: none; README, Deploy)
  --session-hours  FIELDSIGN_SESSION_HOURS  a console session ends this many hours after
                      sign-in (default 10, at most 720)
  --session-idle-minutes  FIELDSIGN_SESSION_IDLE_MINUTES  a console session unused this
                      many minutes ends (default 60, at most 43200)`;

/**
 * --public-url as an origin ("https://sign.example.org"), or an Error saying what is wrong.
 * Only an origin: links are built as `${publicUrl}/?enroll=…`, and the Origin header that
 * the console's check compares it with never has a path.
 */
export function parsePublicUrl(text: string): string {
  const problem = `FIELDSIGN_PUBLIC_URL / --public-url must be an http:// or https:// address with no path, like https://sign.example.org (got "${text}")`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(problem);
  }
  if (!/^https?:$/.test(url.protocol) || url.pathname !== '/' || url.search || url.hash || url.username || url.password) throw new Error(problem);
  return url.origin;
}

/** "0", "90s", "30m", "24h", "7d" → milliseconds; -1 when unreadable. */
export function parseDuration(text: string): number {
  if (text.trim() === '0') return 0;
  const match = /^(\d+)\s*([smhd])$/.exec(text.trim());
  if (!match) return -1;
  return Number(match[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
}

/** "25" → 25; NaN for anything but digits (so "1e3" or "10 " is refused, not misread). */
function wholeNumber(text: string): number {
  return /^\d{1,7}$/.test(text) ? Number(text) : Number.NaN;
}

/** Parse flags and environment into a Config, or throw an Error whose message says what is wrong. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): Config {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      db: { type: 'string' },
      static: { type: 'string' },
      'tablet-retention': { type: 'string' },
      'stale-after': { type: 'string' },
      'token-lifetime': { type: 'string' },
      campaign: { type: 'string' },
      'seal-key': { type: 'string' },
      'seal-country': { type: 'boolean' },
      'public-streams': { type: 'string' },
      'public-streams-per-address': { type: 'string' },
      'public-url': { type: 'string' },
      'trust-proxy': { type: 'string' },
      'session-hours': { type: 'string' },
      'session-idle-minutes': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) throw new Error(USAGE);
  const portText = values.port ?? env.PORT ?? '8080';
  const publicUrlText = values['public-url'] ?? env.FIELDSIGN_PUBLIC_URL;
  const trustProxy = values['trust-proxy'] ?? env.FIELDSIGN_TRUST_PROXY ?? '';
  let publicUrl: string | undefined;
  try {
    publicUrl = publicUrlText ? parsePublicUrl(publicUrlText) : undefined;
    parseTrustedProxies(trustProxy);
  } catch (error) {
    throw new Error(`Invalid configuration: ${(error as Error).message}\n${USAGE}`);
  }
  const raw = {
    port: /^\d+$/.test(portText) ? Number(portText) : Number.NaN,
    host: values.host ?? env.HOST ?? '127.0.0.1',
    db: values.db ?? env.FIELDSIGN_DB ?? 'data/fieldsign.db',
    staticDir: values.static ?? env.FIELDSIGN_STATIC ?? 'dist',
    campaignFile: values.campaign ?? env.FIELDSIGN_CAMPAIGN,
    sealKeyFile: values['seal-key'] ?? env.FIELDSIGN_SEAL_KEY,
    sealCountryInClear: values['seal-country'] ?? env.FIELDSIGN_SEAL_COUNTRY === '1',
    tabletRetentionMs: parseDuration(values['tablet-retention'] ?? env.TABLET_RETENTION ?? '0'),
    staleAfterMs: parseDuration(values['stale-after'] ?? env.FIELDSIGN_STALE_AFTER ?? '2h'),
    tokenLifetimeMs: parseDuration(values['token-lifetime'] ?? env.FIELDSIGN_TOKEN_LIFETIME ?? '90d'),
    publicStreams: wholeNumber(values['public-streams'] ?? env.FIELDSIGN_PUBLIC_STREAMS ?? '1000'),
    publicStreamsPerAddress: wholeNumber(values['public-streams-per-address'] ?? env.FIELDSIGN_PUBLIC_STREAMS_PER_ADDRESS ?? '10'),
    publicUrl,
    trustProxy,
    sessionHours: wholeNumber(values['session-hours'] ?? env.FIELDSIGN_SESSION_HOURS ?? '10'),
    sessionIdleMinutes: wholeNumber(values['session-idle-minutes'] ?? env.FIELDSIGN_SESSION_IDLE_MINUTES ?? '60'),
  };
  const parsed = z.safeParse(ConfigSchema, raw);
  if (!parsed.success) {
    const messages = new Set(parsed.error.issues.map((i) => i.message));
    throw new Error(`Invalid configuration: ${[...messages].join('; ')} (got port "${portText}")\n${USAGE}`);
  }
  return parsed.data;
}

/** Read and validate a campaign document; the error message names the file and the bad field. */
export function loadCampaignFile(path: string): Campaign {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read the campaign file ${path}: ${(error as Error).message}`);
  }
  const parsed = z.safeParse(CampaignSchema, json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`The campaign file ${path} is not valid: ${issues}`);
  }
  return parsed.data;
}
