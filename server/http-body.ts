/**
 * Reading a JSON request body safely: a byte limit enforced while streaming (and again
 * after gzip decompression, so a gzip bomb stops at the limit), a nesting-depth limit checked
 * before parsing (json-depth.ts), strict UTF-8, and errors
 * that carry the HTTP status and code to answer with. Reads a web Request, so it works the
 * same behind a socket and in `app.request()`.
 */
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { HttpError } from './http-reply.ts';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth.ts';

const gunzipAsync = promisify(gunzip);

/** The client hung up before its body ended. Logged in one line by the error handler; nothing was stored. */
export class UploadAborted extends Error {
  readonly received: number;
  readonly declared: number;
  constructor(received: number, declared: number) {
    super(`the client left before the upload ended (${received.toLocaleString('en')}${Number.isFinite(declared) ? ` of ${declared.toLocaleString('en')}` : ''} bytes received)`);
    this.received = received;
    this.declared = declared;
  }
}

/** Limits for {@link readJsonBody}. */
export interface BodyLimits {
  /** Most bytes accepted on the wire. */
  maxBytes: number;
  /** Most bytes accepted after decompression. */
  maxInflatedBytes: number;
}

/** Read, decompress, decode and parse a JSON body, or throw HttpError. */
export async function readJsonBody(request: Request, limits: BodyLimits): Promise<unknown> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError(415, 'unsupported_media_type', 'Send the batch as application/json.');
  }
  const encoding = (request.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') {
    throw new HttpError(415, 'unsupported_media_type', `Content-Encoding "${encoding.slice(0, 40)}" is not supported; use gzip or none.`);
  }
  const declared = Number(request.headers.get('content-length') ?? undefined);
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    throw tooLarge(limits.maxBytes);
  }

  let raw = await readLimited(request, limits.maxBytes);
  if (encoding === 'gzip') {
    try {
      raw = await gunzipAsync(raw, { maxOutputLength: limits.maxInflatedBytes });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
        throw tooLarge(limits.maxInflatedBytes);
      }
      throw new HttpError(400, 'bad_request', 'The gzip body is corrupt.');
    }
  }

  if (nestsDeeperThan(raw, MAX_JSON_DEPTH)) {
    throw new HttpError(400, 'invalid_json', `The body nests arrays or objects more than ${MAX_JSON_DEPTH} levels deep.`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new HttpError(400, 'bad_request', 'The body is not valid UTF-8.');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'The body is not valid JSON.');
  }
}

/** The body's bytes, counted as they stream in: reading stops at the first byte over `maxBytes`. */
async function readLimited(request: Request, maxBytes: number): Promise<Buffer> {
  if (!request.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    let chunk: Awaited<ReturnType<typeof reader.read>>;
    try {
      chunk = await reader.read();
    } catch {
      // The client went away mid-body (a tablet losing the network does): its fault, not ours.
      throw new UploadAborted(size, Number(request.headers.get('content-length') ?? Number.NaN));
    }
    const { done, value } = chunk;
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      void reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'payload_too_large', `The body is larger than ${limit} bytes. Send fewer records per batch.`);
}
