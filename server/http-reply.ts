/**
 * What the server answers with: JSON bodies (never cached), and the one error shape of the
 * API, `{ error: { code, message, issues? } }`. Routes and middleware throw {@link HttpError};
 * the app's error handler (app.ts) turns it into that answer.
 */
import type { ErrorResponse, FieldIssue } from '../src/shared/protocol.ts';

type ErrorCode = ErrorResponse['error']['code'];
type ErrorExtra = Omit<ErrorResponse['error'], 'code' | 'message' | 'issues'>;

/** A request the server refuses, with the status and JSON error to send. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly issues?: FieldIssue[];
  /** Seconds for a Retry-After header (429, 503). */
  readonly retryAfterS?: number;
  /** More fields of the error body (`supported`, `reason` of an incompatible protocol). */
  readonly extra?: ErrorExtra;
  constructor(status: number, code: ErrorCode, message: string, issues?: FieldIssue[], retryAfterS?: number, extra?: ErrorExtra) {
    super(message);
    this.status = status;
    this.code = code;
    this.issues = issues;
    this.retryAfterS = retryAfterS;
    this.extra = extra;
  }
}

/** A JSON answer, with its length and `cache-control: no-store` (API answers are never cached). */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const text = JSON.stringify(body);
  return new Response(text, {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
      'cache-control': 'no-store',
      ...headers,
    },
  });
}

/** The JSON answer for `error`. A 413 also closes the connection: the rest of a refused body is not read. */
export function errorReply(error: HttpError): Response {
  const { status, code, message, issues, extra } = error;
  const headers: Record<string, string> = {};
  if (error.retryAfterS) headers['retry-after'] = String(error.retryAfterS);
  if (status === 413) headers.connection = 'close';
  return json(status, { error: { code, message, ...(issues && { issues }), ...extra } } satisfies ErrorResponse, headers);
}

/** The answer to a fault of the server's own: nothing was stored (a batch is one transaction). */
export const INTERNAL_ERROR = new HttpError(500, 'internal', 'The server could not handle this request. Nothing was stored; try again.');
