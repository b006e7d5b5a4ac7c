/**
 * F8: a body's nesting depth is limited before it is parsed. A 7.8 KB gzip of four million
 * `[` then `]` inflates under the 8 MB cap; JSON.parse would then build four million arrays
 * (a second of blocked event loop, ~250 MB per request). It must be refused 400 without
 * JSON.parse ever seeing it, while every honest body still parses.
 */
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_LIMITS } from '../../server/app.ts';
import { readJsonBody } from '../../server/http-body.ts';
import { HttpError } from '../../server/http-reply.ts';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../../server/json-depth.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { batchOf, makeRecord } from '../helpers/records.ts';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const bytes = (text: string) => new TextEncoder().encode(text);

function jsonRequest(body: Uint8Array<ArrayBuffer> | string, gzip = false): Request {
  return new Request('http://fieldsign.test/api/v1/batches', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(gzip && { 'content-encoding': 'gzip' }) },
    body: gzip ? new Uint8Array(gzipSync(body)) : body,
  });
}

async function refusal(request: Request): Promise<HttpError> {
  const error = await readJsonBody(request, DEFAULT_LIMITS).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(HttpError);
  return error as HttpError;
}

afterEach(() => vi.restoreAllMocks());

describe('JSON nesting limit (F8, S17)', () => {
  it('refuses the 7.8 KB gzip of four million nested arrays with a 400 that names the limit, before JSON.parse sees it', async () => {
    const bomb = bytes(nested(4_000_000));
    expect(gzipSync(bomb).byteLength).toBeLessThan(10_000);
    const parse = vi.spyOn(JSON, 'parse');
    const error = await refusal(jsonRequest(bomb, true));
    expect({ status: error.status, code: error.code }).toEqual({ status: 400, code: 'invalid_json' });
    expect(error.message).toBe(`The body nests arrays or objects more than ${MAX_JSON_DEPTH} levels deep.`);
    expect(parse).not.toHaveBeenCalled();
  });

  it('refuses one level over the limit and reads exactly the limit', async () => {
    expect((await refusal(jsonRequest(nested(MAX_JSON_DEPTH + 1)))).code).toBe('invalid_json');
    const deepest = '{"a":'.repeat(MAX_JSON_DEPTH - 1) + '[]' + '}'.repeat(MAX_JSON_DEPTH - 1);
    expect(JSON.stringify(await readJsonBody(jsonRequest(deepest), DEFAULT_LIMITS))).toBe(deepest);
  });

  it('does not count brackets inside strings, escaped quotes and backslashes included', async () => {
    const text = JSON.stringify({ name: `${'['.repeat(1000)}\\"{{{{\\\\`, more: ['\\', '"[', '{'.repeat(500)] });
    expect(nestsDeeperThan(bytes(text), 2)).toBe(false);
    expect(await readJsonBody(jsonRequest(text), DEFAULT_LIMITS)).toEqual(JSON.parse(text));
    // An escaped backslash ends its escape: the quote after it closes the string, so the brackets after it count.
    expect(nestsDeeperThan(bytes(`["\\\\", ${nested(3)}]`), 3)).toBe(true);
  });

  it('reads the deepest honest bodies: a batch of full records, gzipped, and a campaign draft', async () => {
    const batch = batchOf([makeRecord(), makeRecord({ name: 'Zoë [the {first}]' })]);
    expect(await readJsonBody(jsonRequest(bytes(JSON.stringify(batch)), true), DEFAULT_LIMITS)).toEqual(batch);
    const draft = { campaign: DEFAULT_CAMPAIGN, note: '[{' };
    expect(await readJsonBody(jsonRequest(JSON.stringify(draft)), DEFAULT_LIMITS)).toEqual(draft);
  });
});
