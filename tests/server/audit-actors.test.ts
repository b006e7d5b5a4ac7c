/**
 * Every enrollment code, enrollment, revocation and transfer-file import is in the audit log
 * with who or what did it, whichever way it was done: the CLI on the server machine (as the
 * README runs it), the console, or a tablet.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../server/store/store.ts';
import { ROOT } from '../helpers/app-process.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';
import { makeRecord } from '../helpers/records.ts';
import { addAccount, signIn } from '../helpers/accounts.ts';

const CLI_ACTOR = `cli (${userInfo().username})`;
let server: TestServer;
let dir: string;
let cookie = '';
let csrf = '';

/** The CLI against the test server's database, as the README runs it. */
const cli = (...args: string[]) => execFileSync('npm', ['run', '--silent', 'cli', '--', ...args, '--db', server.dbPath], { cwd: ROOT, encoding: 'utf8' });
/** The CLI's exit status, for commands that are meant to fail. */
const cliStatus = (...args: string[]) => spawnSync('npm', ['run', '--silent', 'cli', '--', ...args, '--db', server.dbPath], { cwd: ROOT, encoding: 'utf8' }).status;
const entries = async (action: string): Promise<AuditEntry[]> => (await server.store.auditLog(500)).filter((e) => e.action === action).reverse();
const enroll = (code: string, label?: string) =>
  fetch(`${server.url}/api/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ protocol: 1, code, label }) });
const consoleCall = (method: string, path: string, body?: unknown) =>
  fetch(`${server.url}${path}`, {
    method,
    headers: { cookie, 'x-csrf-token': csrf, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

beforeAll(async () => {
  server = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), 'fieldsign-audit-'));
  const ana = await addAccount(server.store, { email: 'ana@example.org', name: 'Ana', password: 'a long enough passphrase' });
  ({ cookie, csrfToken: csrf } = await signIn(server.url, ana));
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('audit: who made codes, enrolled, revoked and imported', () => {
  it('a code made with the CLI, the tablet that used it and a CLI revocation are audited with their actors', async () => {
    const code = /Enrollment code: (\S+)/.exec(cli('code', '--event', 'CLI rally', '--ttl', '2h'))![1];
    const [made] = await entries('create-enrollment-code');
    expect(made).toMatchObject({ actor: CLI_ACTOR, detail: { event: 'CLI rally' } });
    expect(Date.parse(String(made.detail.expiresAt)) - Date.parse(made.at)).toBe(2 * 3_600_000);
    // The code itself is never written to the log.
    expect(JSON.stringify(await server.store.auditLog(500))).not.toContain(code.replace('-', ''));

    const res = await enroll(code, 'Stall tablet');
    expect(res.status).toBe(201);
    const { deviceId } = await res.json();
    expect(await entries('enroll-device')).toEqual([
      expect.objectContaining({ actor: `tablet:${deviceId}`, detail: { deviceId, event: 'CLI rally', label: 'Stall tablet' } }),
    ]);
    // A refused enrollment (the code is spent) enrolls nothing and logs no enrollment.
    expect((await enroll(code)).status).toBe(403);
    expect(await entries('enroll-device')).toHaveLength(1);

    expect(cli('revoke', deviceId)).toContain(`Revoked ${deviceId}`);
    expect(await entries('revoke-device')).toEqual([expect.objectContaining({ actor: CLI_ACTOR, detail: { deviceId } })]);
  });

  it('a code made and a tablet revoked in the console carry the coordinator as actor', async () => {
    const made = await consoleCall('POST', '/api/console/codes', { event: 'Console rally', hours: 1 });
    expect(made.status).toBe(201);
    const { code } = await made.json();
    expect((await entries('create-enrollment-code')).at(-1)).toMatchObject({ actor: 'ana@example.org', detail: { event: 'Console rally' } });
    const { deviceId } = await (await enroll(code)).json();
    expect((await consoleCall('POST', `/api/console/devices/${deviceId}/revoke`)).status).toBe(200);
    const revocations = (await entries('revoke-device')).filter((e) => e.detail.deviceId === deviceId);
    // Once, not twice: the route no longer audits beside the function that does.
    expect(revocations).toEqual([expect.objectContaining({ actor: 'ana@example.org' })]);
  });

  it('a transfer file imported with the CLI is audited with its figures', async () => {
    const { deviceId } = await server.enroll('Import rally');
    const records = [makeRecord({ deviceId }), makeRecord({ deviceId }), makeRecord({ deviceId, email: 'not-an-email' })];
    const path = join(dir, 'transfer.json');
    writeFileSync(path, JSON.stringify({ format: 'fieldsign-transfer', version: 1, deviceId, exportedAt: new Date().toISOString(), records }));
    expect(cliStatus('import', path)).toBe(1); // one record is invalid
    expect(cliStatus('import', path)).toBe(1); // the two valid ones are found already stored
    const imports = await entries('import-transfer-file');
    expect(imports.map((e) => [e.actor, e.detail])).toEqual([
      [CLI_ACTOR, { deviceId, records: 3, accepted: 2, duplicate: 0, conflict: 0, invalid: 1, chainsIntact: true }],
      [CLI_ACTOR, { deviceId, records: 3, accepted: 0, duplicate: 2, conflict: 0, invalid: 1, chainsIntact: true }],
    ]);
    // A file that is not a transfer file stores nothing and logs no import.
    writeFileSync(path, '{"format":"something else"}');
    expect(cliStatus('import', path)).toBe(2);
    expect(await entries('import-transfer-file')).toHaveLength(2);
  });
});
