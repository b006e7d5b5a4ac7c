/**
 * The server paired with the client in memory: a Transport that is the real one
 * (httpTransport, src/sync/transport.ts) sending into the real app's `request()` (no socket)
 * on a real in-memory SQLite store, so the tests run the real token check, batch route,
 * ingestion, device report and the transport's own classification of the answer. Hooks let a
 * test decide what happens to each message: deliver it, drop it before the server sees it
 * (the tablet is offline), lose the answer after the server committed, or have the server fail.
 *
 * The tablet is enrolled for real (a code, POST /api/v1/enroll, its token), under the device
 * id the tests' records carry ('device-test'): the store's redemption is told to use that id
 * instead of a random one, the only thing this helper bends.
 */
import { SqliteStore } from '../../server/store/sqlite.ts';
import { createApp, type App } from '../../server/app.ts';
import { createEnrollmentCode } from '../../server/devices.ts';
import { PROTOCOL_VERSION, type BatchRequest, type EnrollResponse } from '../../src/shared/protocol.ts';
import { httpTransport, type SendResult, type Transport } from '../../src/sync/transport.ts';

/** What to do with the next request. */
export type Fate = 'deliver' | 'drop-request' | 'drop-response' | 'server-error';

/** The device id of the tests' records (tests/helpers/records.ts). */
export const MEMORY_DEVICE_ID = 'device-test';

export class MemoryServer implements Transport {
  readonly store = new SqliteStore(':memory:');
  /** Every batch the client tried to send, in order. */
  readonly requests: BatchRequest[] = [];
  private fates: Fate[] = [];
  private readonly app: App;
  private readonly enrolled: Promise<{ deviceId: string; token: string }>;

  constructor() {
    const redeem = this.store.redeemEnrollmentCode.bind(this.store);
    this.store.redeemEnrollmentCode = (codeHash, now, device) => redeem(codeHash, now, { ...device, id: MEMORY_DEVICE_ID });
    this.app = createApp({ store: this.store, log: () => {} });
    this.enrolled = this.enroll();
  }

  /** The tablet's credentials, as enrollment gave them: what a test's engine should send with. */
  credentials(): Promise<{ deviceId: string; token: string }> {
    return this.enrolled;
  }

  /**
   * Close the app and its store, once the enrollment started at construction is over: a test
   * that never sends would otherwise close the store under it (an unhandled rejection).
   */
  async close(): Promise<void> {
    await this.enrolled.catch(() => undefined);
    this.app.close();
    await this.store.close();
  }

  /** Queue the fates of the next requests; unqueued requests are delivered. */
  plan(...fates: Fate[]): void {
    this.fates.push(...fates);
  }

  async send(batch: BatchRequest, token: string): Promise<SendResult> {
    await this.enrolled;
    // Recorded as the network would carry it.
    this.requests.push(JSON.parse(JSON.stringify(batch)));
    const fate = this.fates.shift() ?? 'deliver';
    const transport = httpTransport({ fetch: (input, init) => this.deliver(fate, input, init) });
    return fate === 'drop-request' ? whileOffline(() => transport.send(batch, token)) : transport.send(batch, token);
  }

  /** The network between the tablet and the app, under `fate`. */
  private async deliver(fate: Fate, input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    if (fate === 'drop-request') throw new TypeError('Failed to fetch');
    if (fate === 'server-error') return new Response('Service Unavailable', { status: 503 });
    const res = await this.app.request(input instanceof Request ? input : String(input), init);
    if (fate === 'drop-response') {
      await res.arrayBuffer(); // the server committed and answered; the answer is lost on the way
      throw new TypeError('connection reset');
    }
    return res;
  }

  private async enroll(): Promise<{ deviceId: string; token: string }> {
    const { code } = await createEnrollmentCode(this.store, 'Memory rally', 3_600_000, 'test');
    const res = await this.app.request('/api/v1/enroll', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ protocol: PROTOCOL_VERSION, code }),
    });
    if (res.status !== 201) throw new Error(`enrollment failed: ${res.status} ${await res.text()}`);
    const { deviceId, token } = (await res.json()) as EnrollResponse;
    return { deviceId, token };
  }
}

/** Run `send` as a browser that knows it is offline: navigator.onLine is false meanwhile. */
async function whileOffline<T>(send: () => Promise<T>): Promise<T> {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  Object.defineProperty(globalThis, 'navigator', { value: { onLine: false }, configurable: true, writable: true });
  try {
    return await send();
  } finally {
    if (saved) Object.defineProperty(globalThis, 'navigator', saved);
    else delete (globalThis as { navigator?: unknown }).navigator;
  }
}
