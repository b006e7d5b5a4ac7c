/**
 * A tablet that loses its connection in the middle of an upload is no fault of the server's
 * (F14): it is logged once, in one short line that says what happened, never as a 500 with
 * a stack trace, and nothing is stored.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';

const lines: Array<{ message: string; error?: unknown }> = [];
let server: TestServer;
let device: { deviceId: string; token: string };

beforeAll(async () => {
  server = await startTestServer({ log: (message: string, error?: unknown) => lines.push({ message, error }) });
  device = await server.enroll();
});
afterAll(async () => {
  await server?.close();
});

/** Start a batch upload that promises `declared` bytes, send a few, and hang up. */
function abortedUpload(declared: number): Promise<void> {
  const { port } = new URL(server.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(
        `POST /api/v1/batches HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${device.token}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n{"protocol":1,"deviceId":"`,
      );
      setTimeout(() => socket.destroy(), 100);
    });
    socket.on('close', () => resolve());
    socket.on('error', () => undefined);
  });
}

describe('an upload cut off by the client (F14)', () => {
  it('is logged once, briefly, as an aborted upload, and stores nothing', async () => {
    lines.length = 0;
    await abortedUpload(50_000);
    await expect.poll(() => lines.length, { timeout: 5000 }).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(lines).toHaveLength(1);
    expect(lines[0].message).toMatch(/left before the upload ended/);
    expect(lines[0].message).not.toMatch(/failed/);
    expect(lines[0].error).toBeUndefined();
    expect(lines[0].message.split('\n')).toHaveLength(1);
    expect(await server.store.count()).toBe(0);
  });
});
