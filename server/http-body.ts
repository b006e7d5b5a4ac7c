/**
 * Reading a JSON request body safely: a byte limit enforced while streaming (and again
 * after gzip decompression, so a gzip bomb stops at the limit), strict UTF-8, and errors
 * that carry the HTTP status and code to answer with.
 */
import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { ErrorResponse, FieldIssue } from '../src/shared/protocol.ts';

const gunzipAsync = promisify(gunzip);

type ErrorCode = ErrorResponse['error']['code'];

/** A request the server refuses, with the status and JSON error to send. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly issues?: FieldIssue[];
  /** Seconds for a Retry-After header (429). */
  readonly retryAfterS?: number;
  constructor(status: number, code: ErrorCode, message: string, issues?: FieldIssue[], retryAfterS?: number) {
    super(message);
    this.status = status;
    this.code = code;
    this.issues = issues;
    this.retryAfterS = retryAfterS;
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
export async function readJsonBody(req: IncomingMessage, limits: BodyLimits): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError(415, 'unsupported_media_type', 'Send the batch as application/json.');
  }
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') {
    throw new HttpError(415, 'unsupported_media_type', `Content-Encoding "${encoding.slice(0, 40)}" is not supported; use gzip or none.`);
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    throw tooLarge(limits.maxBytes);
  }

  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limits.maxBytes) throw tooLarge(limits.maxBytes);
    chunks.push(chunk);
  }
  let raw = Buffer.concat(chunks, size);
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

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'payload_too_large', `The body is larger than ${limit} bytes. Send fewer records per batch.`);
}
