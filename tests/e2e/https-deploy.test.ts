/**
 * The HTTPS deployment of deploy/, for real: Caddy on deploy/Caddyfile.local (`tls internal`)
 * in front of two Fieldsign processes sharing one PostgreSQL schema, each started with
 * --public-url and --trust-proxy loopback, as deploy/fieldsign.env.example says. Real
 * Chromium opens https://fieldsign.test:<port> (the name mapped to 127.0.0.1, Caddy's root
 * trusted by that browser's own certificate store; certificate checks are never turned off).
 */
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { addAccount, type TestAccount } from '../helpers/accounts.ts';
import { fillSignIn } from '../helpers/console-app.ts';
import { openStore } from '../../server/store/open.ts';
import { PROTOCOL_VERSION } from '../../src/shared/protocol.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { startApp, type AppProcess } from '../helpers/app-process.ts';
import { freePort, launchTrustingChromium, startCaddy, type CaddyProxy, type TrustingBrowser } from '../helpers/https-proxy.ts';
import { enroll, signOnce } from '../helpers/kiosk.ts';
import { screenshot } from '../helpers/kiosk-extra.ts';
import { pgTestSchema, type PgTestSchema } from '../store/postgres-schema.ts';

const EMAIL = 'lead@example.org';
const PASSWORD = 'a long enough passphrase, 2026';
/** The coordinator (an owner, with the two-factor sign-in owners must have), made in beforeAll. */
let account: TestAccount | undefined;
const TITLE = DEFAULT_CAMPAIGN.text.en!.title;

let pgSchema: PgTestSchema;
let instances: AppProcess[] = [];
let proxy: CaddyProxy;
let chromium: TrustingBrowser;
let consoleContext: BrowserContext;
let kioskContext: BrowserContext;
let coordinator: Page;
let kiosk: Page;
let enrollmentLink: string;

/** What one instance says it holds, asked directly (not through the proxy). */
async function signaturesAt(instance: AppProcess): Promise<number> {
  return ((await (await fetch(`${instance.url}/api/health`)).json()) as { signatures: number }).signatures;
}

/**
 * One request through the proxy from the client address `from` (another loopback address:
 * another client, as far as anyone can tell), trusting only Caddy's local root.
 */
function requestFrom(from: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: proxy.port,
        servername: proxy.domain,
        ca: proxy.rootCertificate,
        localAddress: from,
        method,
        path,
        headers: { host: `${proxy.domain}:${proxy.port}`, 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const bogusEnrollment = { protocol: PROTOCOL_VERSION, code: 'AAAAA-AAAAA', label: 'Probe' };

beforeAll(async () => {
  pgSchema = await pgTestSchema('https');
  const store = await openStore(pgSchema.url);
  try {
    account = await addAccount(store, { email: EMAIL, password: PASSWORD, name: 'Lead Coordinator' });
  } finally {
    await store.close();
  }
  const port = await freePort();
  const publicUrl = `https://fieldsign.test:${port}`;
  for (let i = 0; i < 2; i++) instances.push(await startApp(pgSchema.url, ['--public-url', publicUrl, '--trust-proxy', 'loopback']));
  proxy = await startCaddy(
    instances.map((instance) => new URL(instance.url).host.replace('localhost', '127.0.0.1')),
    port,
  );
  expect(proxy.publicUrl).toBe(publicUrl);
  chromium = await launchTrustingChromium(proxy);
  consoleContext = await chromium.browser.newContext({ viewport: { width: 1280, height: 900 } });
  coordinator = await consoleContext.newPage();
}, 120_000);

afterAll(async () => {
  await chromium?.close();
  await proxy?.stop();
  for (const instance of instances) await instance.stop();
  await pgSchema?.drop();
}, 60_000);

describe('Fieldsign over HTTPS behind Caddy, two instances on PostgreSQL', () => {
  it('serves the console over a certificate the browser verifies, and a coordinator signs in', async () => {
    const response = await coordinator.goto(`${proxy.publicUrl}/console`);
    expect(response!.status()).toBe(200);
    const security = await response!.securityDetails();
    expect(security?.issuer).toMatch(/Caddy Local Authority/);
    expect(security?.protocol).toBe('TLS 1.3');
    expect(await coordinator.evaluate(() => window.isSecureContext && location.protocol)).toBe('https:');
    await fillSignIn(coordinator, account!);
    await expect.poll(() => coordinator.getByRole('heading', { level: 1 }).first().textContent(), { timeout: 20_000 }).toBe('Dashboard');
    await expect.poll(() => coordinator.locator('.live').textContent(), { timeout: 15_000 }).toBe('Live');
  }, 60_000);

  it('makes an enrollment code whose link and QR code carry the public address', async () => {
    await coordinator.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Devices', exact: true }).click();
    await coordinator.getByLabel('Event name').fill('HTTPS rally');
    await coordinator.getByRole('button', { name: 'Create code' }).click();
    const codeText = coordinator.getByTestId('enrollment-code');
    await codeText.waitFor({ timeout: 15_000 });
    const code = (await codeText.textContent())!;
    enrollmentLink = (await coordinator.getByRole('link', { name: /enroll=/ }).getAttribute('href'))!;
    expect(enrollmentLink).toBe(`${proxy.publicUrl}/?enroll=${code}`);
    const qr = coordinator.getByRole('img', { name: `QR code of the enrollment link for code ${code}` });
    await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
  }, 60_000);

  it('counts rate limits per real client, behind the proxy and across both instances', async () => {
    // Another client (127.0.0.2) guesses enrollment codes until it is refused.
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await requestFrom('127.0.0.2', 'POST', '/api/v1/enroll', bogusEnrollment)).status);
    expect(statuses.slice(0, 10).every((s) => s !== 429 && s < 500)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    // Each instance refuses that client, whichever one the proxy picks: the buckets are shared.
    for (const instance of instances) {
      const direct = await fetch(`${instance.url}/api/v1/enroll`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '127.0.0.2' },
        body: JSON.stringify(bogusEnrollment),
      });
      expect(direct.status).toBe(429);
    }
    // A header the client sends itself is not believed: Caddy replaces it, so no one
    // escapes the limit by claiming another address.
    const spoofed = await requestFrom('127.0.0.2', 'POST', '/api/v1/enroll', bogusEnrollment);
    expect(spoofed.status).toBe(429);
  }, 60_000);

  it('enrolls a tablet from the QR link; the service worker takes control and the kiosk reloads offline', async () => {
    // This browser is 127.0.0.1, a client of its own: the guesser above does not lock it out.
    kioskContext = await chromium.browser.newContext({ viewport: { width: 1100, height: 900 } });
    kiosk = await kioskContext.newPage();
    await kiosk.goto(enrollmentLink);
    await kiosk.getByRole('heading', { name: 'Enroll this tablet' }).waitFor({ timeout: 20_000 });
    await enroll(kiosk, new URL(enrollmentLink).searchParams.get('enroll')!, 'HTTPS tablet');
    await expect.poll(() => kiosk.getByRole('heading', { level: 1 }).textContent(), { timeout: 20_000 }).toBe(TITLE);
    // `ready` resolves once a worker is active; it may still be 'activating' for a moment on a busy machine.
    await expect.poll(() => kiosk.evaluate(() => navigator.serviceWorker.ready.then((registration) => registration.active?.state)), { timeout: 15_000 }).toBe('activated');

    await kioskContext.setOffline(true);
    await kiosk.reload();
    await expect.poll(() => kiosk.getByRole('heading', { level: 1 }).textContent()).toBe(TITLE);
    expect(await kiosk.evaluate(() => !!navigator.serviceWorker.controller && !navigator.onLine && location.protocol)).toBe('https:');
    await signOnce(kiosk, { name: 'Amina Diallo', email: 'amina@example.org', country: 'SN' }, 1);
    await expect.poll(() => kiosk.getByText('1 waiting to sync').count()).toBe(1);
    await screenshot(kiosk, 'https-kiosk.png');
  }, 90_000);

  it('syncs through the proxy: both instances hold the signature and the dashboard follows live', async () => {
    await coordinator.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Dashboard', exact: true }).click();
    await kioskContext.setOffline(false);
    await expect.poll(() => kiosk.getByText('0 waiting to sync').count(), { timeout: 30_000 }).toBe(1);
    for (const instance of instances) expect(await signaturesAt(instance)).toBe(1);
    await expect.poll(() => coordinator.getByTestId('total').textContent(), { timeout: 20_000 }).toBe('1');
  }, 90_000);

  it('keeps working when one instance stops: the next signature syncs through the other, live', async () => {
    await instances[0].stop();
    await signOnce(kiosk, { name: 'José Álvarez', email: 'jose@example.org', country: 'MX' }, 2);
    await expect.poll(() => kiosk.getByText('0 waiting to sync').count(), { timeout: 30_000 }).toBe(1);
    expect(await signaturesAt(instances[1])).toBe(2);
    await expect.poll(() => coordinator.getByTestId('total').textContent(), { timeout: 30_000 }).toBe('2');
    await screenshot(coordinator, 'https-dashboard.png');
  }, 90_000);
});
