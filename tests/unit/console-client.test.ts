/**
 * The console's client (src/coordinator/api.ts) parses every answer with the contract: an
 * answer that does not fit is an ApiError with a message the console shows, never an object
 * half read, and an error answer gives the server's message and the field at fault.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, consoleApi, publicApi } from '../../src/coordinator/api.ts';

const TOTALS = { total: 2, byEvent: [{ event: 'Rally', count: 2 }], byDevice: [{ deviceId: 'd1', label: null, count: 2 }], byCountry: [], hourly: [] };

/** Answer every fetch with `status` and `body` (JSON). */
function answer(status: number, body: unknown): void {
  vi.stubGlobal('fetch', async () => new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the console client', () => {
  it('returns an answer that fits its schema', async () => {
    answer(200, TOTALS);
    expect(await consoleApi('csrf', 'c1').totals()).toEqual(TOTALS);
  });

  it('refuses an answer with a field renamed, with a message that says where', async () => {
    const { byEvent, ...rest } = TOTALS;
    answer(200, { ...rest, byEvents: byEvent });
    const failure = await consoleApi('csrf', 'c1').totals().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).message).toMatch(/^The server's answer to GET \/api\/console\/totals is not what this console expects \(byEvent: .+\)\. Reload the page/);
  });

  it('refuses an answer that is not JSON at all', async () => {
    vi.stubGlobal('fetch', async () => new Response('<html>proxy error</html>', { status: 200 }));
    await expect(consoleApi('csrf', 'c1').devices()).rejects.toBeInstanceOf(ApiError);
  });

  it('gives the server’s message and the field at fault for an error answer', async () => {
    answer(400, { error: { code: 'bad_request', message: 'goal: Too big.', issues: [{ path: 'goal', message: 'Too big.' }] } });
    const failure = (await consoleApi('csrf', 'c1').settings('c1', { goal: 10 }).catch((error: unknown) => error)) as ApiError;
    expect([failure.status, failure.message, failure.field]).toEqual([400, 'goal: Too big.', 'goal']);
  });

  it('reads "am I signed in?" either way', async () => {
    answer(200, { coordinator: null });
    expect(await publicApi.session()).toBeUndefined();
    const ana = { email: 'ana@example.org', name: 'Ana', role: 'manager', campaigns: ['clean-water'], mayExportPersonalData: false, twoFactor: 'off' };
    answer(200, { coordinator: ana, csrfToken: 'token' });
    expect(await publicApi.session()).toEqual({ coordinator: ana, csrfToken: 'token' });
  });

  it('takes 204 as done', async () => {
    answer(204, undefined);
    await expect(consoleApi('csrf', 'c1').logout()).resolves.toBeUndefined();
  });
});
