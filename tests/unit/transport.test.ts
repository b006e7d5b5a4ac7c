/**
 * The HTTP transport in a browser without AbortSignal.timeout (Safari before 16, older
 * Chromium and Firefox): batches are still sent, and a hung request still times out.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { httpTransport } from '../../src/sync/transport.ts';
import { PROTOCOL_VERSION, type BatchRequest } from '../../src/shared/protocol.ts';

const batch: BatchRequest = { protocol: PROTOCOL_VERSION, deviceId: 'tablet-1', records: [] };
const original = Object.getOwnPropertyDescriptor(AbortSignal, 'timeout')!;

describe('transport without AbortSignal.timeout', () => {
  beforeEach(() => {
    Reflect.deleteProperty(AbortSignal, 'timeout');
    expect(typeof AbortSignal.timeout).toBe('undefined');
  });
  afterEach(() => Object.defineProperty(AbortSignal, 'timeout', original));

  it('sends the batch and classifies the answer', async () => {
    let signal: AbortSignal | undefined;
    const transport = httpTransport({
      fetch: async (_url, init) => {
        signal = init?.signal ?? undefined;
        return new Response('{}', { status: 503 });
      },
    });
    expect(await transport.send(batch, 'token')).toMatchObject({ kind: 'retry', problem: 'server' });
    expect(signal?.aborted).toBe(false);
  });

  it('gives up on a request that hangs once the timeout has passed', async () => {
    const transport = httpTransport({
      timeoutMs: 50,
      fetch: (_url, init) =>
        new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason))),
    });
    const started = performance.now();
    const result = await transport.send(batch, 'token');
    expect(result).toMatchObject({ kind: 'retry', problem: 'network', reason: expect.stringMatching(/timed out/) });
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });
});
