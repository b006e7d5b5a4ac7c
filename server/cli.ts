/**
 * Coordinator commands, run on the server machine against its database:
 *
 *   npm run cli -- code --event "Rally, Place de la République" [--ttl 24h]
 *   npm run cli -- devices [--stale-after 2h] [--token-lifetime 90d]
 *   npm run cli -- revoke <device-id>
 *   npm run cli -- import <transfer-file.json>
 *   npm run cli -- coordinator add --email ana@example.org --name "Ana"   (password asked, or read from stdin)
 *   npm run cli -- coordinator reset-two-factor --email ana@example.org   (a lost phone and lost recovery codes)
 *   npm run cli -- campaign import FILE | campaign export ID [--version N] [--out FILE] | campaign list
 *   npm run cli -- migrate
 *   npm run cli -- keygen --out DIR      (coordinator key pair for sealed campaigns; no database)
 *   npm run cli -- export --key fieldsign-private-key.json --out DIR   (open sealed signatures locally)
 *   npm run cli -- handin-key [--out FILE] | verify-handin FILE [--public-key FILE]   (cli-handin.ts)
 *   npm run cli -- backup --out FILE | restore FILE [--force]   (cli-backup.ts)
 *
 * Every command takes --db (or FIELDSIGN_DB), default data/fieldsign.db: an SQLite file or a
 * PostgreSQL URL (postgres://…).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MAX_DURATION_MS, loadCampaignFile, parseDuration } from './config.ts';
import { cliActor, createEnrollmentCode, revokeDevice, viewDevices, type DeviceView } from './devices.ts';
import { formatDuration } from '../src/shared/duration.ts';
import { hashPassword, passwordProblem } from './console/passwords.ts';
import { resetTwoFactor } from './console/two-factor.ts';
import type { Store } from './store/store.ts';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { describeChainCheck, importTransferFile } from './transfer-file.ts';
import { generateCoordinatorKeys, passphraseProblem, PRIVATE_KEY_FILE_NAME, PUBLIC_KEY_FILE_NAME, publicKeyFileOf } from './keys.ts';
import { describeDb, openStore, schemaVersion } from './store/open.ts';
import { EXPORT_FILES, exportSealed, readExportPassphrase } from './exports/sealed-export.ts';
import { DEFAULT_CAMPAIGN } from '../src/shared/default-campaign.ts';
import { campaignCommand } from './cli-campaign.ts';
import { handinKeyCommand, verifyHandinCommand } from './cli-handin.ts';
import { BACKUP_USAGE, backupCommand, restoreCommand } from './cli-backup.ts';
import './zod-locale.ts';

const USAGE = `Usage: npm run cli -- <command> [options]
  code --event NAME [--ttl 24h] [--campaigns ID,ID]
                                  make a one-time enrollment code for a tablet, for the
                                  campaigns it may show (default: the default campaign)
  campaign import FILE            create a campaign from a file, or publish its next version
                                  when the text changed (a bad file changes nothing)
  campaign export ID [--version N] [--out FILE]
                                  write a published version (default: the latest) as a file
  campaign list                   the campaigns, with status, latest version and totals
  devices [--stale-after 2h] [--token-lifetime 90d]
                                  list enrolled tablets with what each last reported; flag
                                  those silent longer than --stale-after (or
                                  FIELDSIGN_STALE_AFTER) that hold unsynced signatures
  revoke DEVICE_ID                revoke a tablet; its token stops working at once
  import FILE                     import a transfer file exported from a tablet
  coordinator add --email E --name N
                                  create a console owner who may export personal data (the
                                  first account; it sets up two-factor sign-in at its first
                                  sign-in, and invites the rest from the console's Team);
                                  the password is asked for, or read from standard input
                                  when it is not a terminal
  coordinator reset-two-factor --email E
                                  for someone who lost both their phone and their recovery
                                  codes: turn their two-factor sign-in off, void their
                                  recovery codes and end their sessions (audited). An account
                                  that must have it sets it up again at its next sign-in
  migrate                         create or update the database schema, and show its version
  keygen --out DIR                make the coordinator key pair for sealed campaigns; the
                                  passphrase is asked twice, or read from standard input
                                  (one or two lines) when it is not a terminal
  export --key KEYFILE --out DIR [--campaign FILE]
                                  open the sealed signatures with the coordinator's private
                                  key, on this machine, and write handin.csv, contacts.csv,
                                  handin.pdf, signatures.zip, duplicates.csv and integrity.txt
                                  to DIR (a new folder). The passphrase is read from
                                  FIELDSIGN_PASSPHRASE, or asked without echo on a terminal;
                                  never give it as an argument. --campaign (or FIELDSIGN_CAMPAIGN): the campaign
                                  document the server uses, for the PDF heading. Exits 1 if
                                  any signature fails to open or a tablet's chain is broken
                                  (what could be read is still written: see integrity.txt)
  handin-key [--out FILE]         the organisation's public key for hand-in packages (made on
                                  first use) and its fingerprint, to publish
  verify-handin FILE [--public-key FILE]
                                  check a hand-in package: its signature (with the published
                                  key when given), every file's SHA-256, and its counts;
                                  exits 1 on any failure. Needs no database
${BACKUP_USAGE}
Options: --db PATH or URL (or FIELDSIGN_DB; default data/fieldsign.db): an SQLite file,
         or a PostgreSQL URL such as postgres://user:pass@host:5432/fieldsign`;

/** A code lifetime: between 1 second and 30 days. */
function codeLifetime(text: string): number {
  const ms = parseDuration(text);
  if (ms <= 0 || ms > 30 * 86_400_000) throw new Error(`--ttl must look like 30m, 24h or 7d, at most 30 days (got "${text}")`);
  return ms;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      db: { type: 'string' },
      event: { type: 'string' },
      ttl: { type: 'string' },
      email: { type: 'string' },
      name: { type: 'string' },
      out: { type: 'string' },
      key: { type: 'string' },
      campaign: { type: 'string' },
      campaigns: { type: 'string' },
      version: { type: 'string' },
      'stale-after': { type: 'string' },
      'token-lifetime': { type: 'string' },
      'public-key': { type: 'string' },
      force: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    allowPositionals: true,
  });
  const [command, arg] = positionals;

  if (values.help || !command) {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  // Needs no database: best run on the coordinator's own machine, not the server.
  if (command === 'keygen') return keygen(values.out);
  if (command === 'verify-handin') return verifyHandinCommand(arg, values['public-key']);
  const db = values.db ?? process.env.FIELDSIGN_DB ?? 'data/fieldsign.db';
  // Before the store is opened: a backup does not migrate, and a restore checks its target first.
  if (command === 'backup') return backupCommand(db, values.out);
  if (command === 'restore') return restoreCommand(db, arg, values.force ?? false);
  const store = await openStore(db);
  try {
    switch (command) {
      case 'export': {
        if (!values.key) throw new Error('export needs --key, the private key file (fieldsign-private-key.json).');
        if (!values.out) throw new Error('export needs --out DIR, a new folder to write the opened signatures to.');
        const campaignFile = values.campaign ?? process.env.FIELDSIGN_CAMPAIGN;
        const { report } = await exportSealed({
          store,
          keyPath: values.key,
          passphrase: await readExportPassphrase(),
          out: values.out,
          campaign: campaignFile ? loadCampaignFile(campaignFile) : DEFAULT_CAMPAIGN,
          source: `database ${describeDb(db)}`,
          log: (line) => console.log(line),
        });
        if (report.ok) return 0;
        console.error(`${report.summary} The signatures that could be read were written; see ${join(values.out, EXPORT_FILES.integrity)}.`);
        return 1;
      }
      case 'handin-key':
        return await handinKeyCommand(store, values.out);
      case 'campaign':
        return await campaignCommand(store, positionals.slice(1), { out: values.out, version: values.version }, cliActor());
      case 'migrate': {
        // Opening the store applied any pending migration.
        console.log(`Database ${describeDb(db)}: schema version ${await schemaVersion(store)}, up to date.`);
        return 0;
      }
      case 'code': {
        const event = values.event?.trim();
        if (!event) throw new Error('code needs --event "name of the event", shown on the tablet and in the console.');
        if (event.length > 120) throw new Error('--event must be at most 120 characters.');
        if (/[\u0000-\u001f\u007f-\u009f]/.test(event)) throw new Error('--event contains control characters.');
        const campaigns = values.campaigns?.split(',').map((c) => c.trim()).filter(Boolean);
        for (const id of campaigns ?? []) {
          const campaign = await store.getCampaign(id);
          if (!campaign || campaign.status === 'draft') throw new Error(`"${id}" is not a published campaign (see "npm run cli -- campaign list").`);
        }
        const { code, expiresAt } = await createEnrollmentCode(store, event, codeLifetime(values.ttl ?? '24h'), cliActor(), new Date(), campaigns);
        console.log(`Enrollment code: ${code}`);
        console.log(`Event: ${event}`);
        if (campaigns) console.log(`Campaigns: ${campaigns.join(', ')}`);
        console.log(`Valid once, until ${expiresAt}. Type it on the tablet's enrollment screen.`);
        return 0;
      }
      case 'devices': {
        // The same settings as the server's, so the CLI flags the same tablets as the console.
        const staleAfterMs = durationSetting('--stale-after', values['stale-after'] ?? process.env.FIELDSIGN_STALE_AFTER ?? '2h', 1);
        const tokenLifetimeMs = durationSetting('--token-lifetime', values['token-lifetime'] ?? process.env.FIELDSIGN_TOKEN_LIFETIME ?? '90d', 0);
        const devices = viewDevices(await store.listDevices(), { now: new Date(), staleAfterMs, tokenLifetimeMs });
        if (devices.length === 0) console.log('No tablets enrolled yet.');
        const silent = devices.filter((d) => d.silent).length;
        if (silent > 0) console.log(`${silent} silent for over ${formatDuration(staleAfterMs)} while holding unsynced signatures: find them before their storage is evicted.\n`);
        for (const d of devices) console.log(describeDevice(d));
        return 0;
      }
      case 'revoke': {
        if (!arg) throw new Error('revoke needs the device id (see "npm run cli -- devices").');
        if (!(await revokeDevice(store, arg, cliActor()))) throw new Error(`No device with id ${arg}.`);
        console.log(`Revoked ${arg}. Its signatures stay on the tablet until it is enrolled again.`);
        return 0;
      }
      case 'import': {
        if (!arg) throw new Error('import needs the path of a transfer file.');
        let text: string;
        try {
          text = readFileSync(arg, 'utf8');
        } catch (error) {
          throw new Error(`Cannot read ${arg}: ${(error as Error).message}`);
        }
        const s = await importTransferFile(store, text, cliActor());
        console.log(`${s.records} records in the file: ${s.accepted} new, ${s.duplicate} already stored, ${s.conflict} conflicting, ${s.invalid.length} invalid.`);
        for (const bad of s.invalid) console.log(`  invalid ${bad.id}: ${bad.reason}`);
        if (s.conflict > 0) console.log('Conflicting copies were kept aside; the stored signatures were not changed.');
        for (const check of s.chains) console.log(describeChainCheck(check));
        return s.invalid.length > 0 || s.chains.some((c) => !c.verdict.ok) ? 1 : 0;
      }
      case 'coordinator': {
        if (arg === 'reset-two-factor') return await resetTwoFactorCommand(store, values.email);
        if (arg !== 'add') throw new Error('Use: coordinator add --email E --name N, or coordinator reset-two-factor --email E');
        const email = values.email?.trim().toLowerCase() ?? '';
        const name = values.name?.trim() ?? '';
        if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new Error('coordinator add needs --email with a valid address.');
        if (!name || name.length > 120) throw new Error('coordinator add needs --name (at most 120 characters).');
        const password = await readPassword();
        const problem = passwordProblem(password);
        if (problem) throw new Error(problem);
        // The first account of a server is its owner, with the personal-data permission (no one
        // else could grant it); owners invite the rest from the console (Team).
        const created = await store.createCoordinator({ id: randomUUID(), email, name, role: 'owner', mayExportPersonalData: true, passwordHash: await hashPassword(password), createdAt: new Date().toISOString() });
        if (!created) throw new Error(`A coordinator with the email ${email} already exists.`);
        await store.audit({ at: new Date().toISOString(), actor: cliActor(), action: 'create-coordinator', detail: { email } });
        console.log(`Owner ${email} created. Sign in at /console: the first sign-in sets up two-factor sign-in (an authenticator app).`);
        return 0;
      }
      default:
        throw new Error(`Unknown command "${command}".\n${USAGE}`);
    }
  } finally {
    await store.close();
  }
}

/** coordinator reset-two-factor: for a lost phone (two-factor.ts: resetTwoFactor). */
async function resetTwoFactorCommand(store: Store, email: string | undefined): Promise<number> {
  if (!email?.trim()) throw new Error('coordinator reset-two-factor needs --email, the account\'s address.');
  if (!(await resetTwoFactor(store, email, cliActor(), new Date()))) throw new Error(`No coordinator with the email ${email.trim().toLowerCase()}.`);
  console.log(`Two-factor sign-in of ${email.trim().toLowerCase()} is off, its recovery codes void and its sessions ended. If the account needs two-factor, its next sign-in sets it up again.`);
  return 0;
}

/** A duration option: `min` ms or more (0 allowed when min is 0), at most 100 years, else an error naming it. */
function durationSetting(name: string, text: string, min: number): number {
  const ms = parseDuration(text);
  if (ms < min) throw new Error(`${name} must look like 30m, 2h or 90d${min === 0 ? ' (or 0)' : ''} (got "${text}")`);
  if (ms > MAX_DURATION_MS) throw new Error(`${name} must be at most 36500d (100 years) (got "${text}")`);
  return ms;
}

/** One tablet, in a few lines: who, state, last contact, what it last reported, its token. */
function describeDevice(d: DeviceView): string {
  const state = d.revokedAt ? `revoked ${d.revokedAt}` : 'active';
  const lines = [`${d.id}  ${d.label ?? '(no label)'}  event "${d.event}"  ${state}  last contact ${d.lastSeenAt ?? 'never'}`];
  if (d.silent) lines.push(`  SILENT for ${formatDuration(d.silent.forMs)} with ${d.silent.unsynced} unsynced signature${d.silent.unsynced === 1 ? '' : 's'}`);
  const r = d.lastReport;
  if (r) {
    const mb = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : `${(n / 1e6).toFixed(1)} MB`);
    const storage = r.storage ? `storage ${mb(r.storage.usage)} of ${mb(r.storage.quota)}` : 'storage unknown';
    const persisted = r.persisted === undefined ? 'persistence unknown' : r.persisted ? 'persistent' : 'NOT persistent';
    lines.push(`  pending ${r.pending}, quarantined ${r.quarantined}, erased ${r.erased ?? 0}; ${storage}, ${persisted}`);
    lines.push(`  app ${r.appVersion ?? 'unknown'}, last sync ${r.lastSyncAt ?? 'unknown'} (tablet clock), reported ${r.at}`);
  } else {
    lines.push('  no report yet');
  }
  lines.push(`  token ${d.tokenExpiresAt ? `${Date.parse(d.tokenExpiresAt) <= Date.now() ? 'expired' : 'expires'} ${d.tokenExpiresAt}` : 'never expires'}`);
  return lines.join('\n');
}

/** keygen: write the public key file and the passphrase-protected private key file to `out`. */
async function keygen(out: string | undefined): Promise<number> {
  if (!out) throw new Error('keygen needs --out DIR, the folder to write the two key files to.');
  const publicPath = join(out, PUBLIC_KEY_FILE_NAME);
  const privatePath = join(out, PRIVATE_KEY_FILE_NAME);
  for (const path of [privatePath, publicPath]) {
    if (existsSync(path)) throw new Error(`${path} already exists. Move it away first: signatures sealed for a key can only be opened with that key.`);
  }
  const passphrase = await readPassword('Passphrase');
  const problem = passphraseProblem(passphrase);
  if (problem) throw new Error(problem);
  const keys = await generateCoordinatorKeys(passphrase);
  mkdirSync(out, { recursive: true, mode: 0o700 });
  writeFileSync(privatePath, JSON.stringify(keys.privateKeyFile, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  writeFileSync(publicPath, JSON.stringify(publicKeyFileOf(keys), null, 2) + '\n', { flag: 'wx' });
  console.log(`Key id:      ${keys.keyId}`);
  console.log(`Public key:  ${publicPath}  (paste into the campaign; tablets seal signatures for it)`);
  console.log(`Private key: ${privatePath}  (secret, readable by you only; never upload it)`);
  console.log('WARNING: sealed signatures can be opened ONLY with this private key file AND its passphrase.');
  console.log('Lose either and every signature sealed for this key is lost for good: there is no recovery.');
  console.log('Keep a copy of the private key file somewhere safe (it is encrypted), the passphrase apart from it,');
  console.log('and do not leave the private key file on the server.');
  return 0;
}

/**
 * The password (or passphrase): typed twice at a hidden prompt on a terminal. Otherwise read
 * from stdin: the first line, and when a second line is given it must be the same.
 */
async function readPassword(what = 'Password'): Promise<string> {
  if (!process.stdin.isTTY) {
    let text = '';
    for await (const chunk of process.stdin) text += chunk;
    const [first, second = ''] = text.split(/\r?\n/);
    if (second !== '' && second !== first) throw new Error(`The two ${what.toLowerCase()}s are not the same.`);
    return first;
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const ask = (q: string) =>
    new Promise<string>((resolve) => {
      const write = (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput;
      (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
        if (s.startsWith(q)) write.call(rl, s);
      };
      rl.question(q, (answer) => {
        (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = write;
        process.stdout.write('\n');
        resolve(answer);
      });
    });
  const first = await ask(`${what} (at least 12 characters): `);
  const second = await ask(`${what} again: `);
  rl.close();
  if (first !== second) throw new Error(`The two ${what.toLowerCase()}s are not the same.`);
  return first;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error((error as Error).message);
    process.exit(2);
  },
);
