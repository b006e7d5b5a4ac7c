/**
 * The shape of one HTTP endpoint as data: what it takes (path parameters, query, body) and
 * what it answers, per status. The endpoint list (endpoints.ts) is written in it; the OpenAPI
 * document (server/openapi.ts) and the conformance test (tests/server/contract.test.ts) read it.
 * Runs anywhere: it imports only zod.
 */
import type * as z from 'zod/mini';

/** Who may call it: anyone, an enrolled tablet (bearer device token), a signed-in coordinator (cookie + CSRF token). */
export type Auth = 'public' | 'device' | 'session';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A body that is not one JSON value: a file to download, or a stream of server-sent events. */
export interface MediaBody {
  /** The Content-Type it is sent with. */
  media: string;
  /** For an event stream: the JSON of each event's `data:` line. */
  events?: z.ZodMiniType;
  description: string;
}

/** An answer's body: JSON described by a schema, a file or stream, or nothing (204, 304). */
export type ResponseBody = z.ZodMiniType | MediaBody | null;

/** One route of the server, as its clients see it. */
export interface Endpoint {
  method: Method;
  /** Hono style: `/api/console/campaigns/:id`. */
  path: string;
  summary: string;
  auth: Auth;
  request: {
    params?: z.ZodMiniObject;
    /** Every query parameter is a string on the wire; the schema says which are known. */
    query?: z.ZodMiniObject;
    body?: z.ZodMiniType;
  };
  responses: Record<number, ResponseBody>;
}

/** A file download of type `media`. */
export function file(media: string, description: string): MediaBody {
  return { media, description };
}

/** A stream of server-sent events, each `data:` line one JSON value of `events`. */
export function eventStream(events: z.ZodMiniType, description: string): MediaBody {
  return { media: 'text/event-stream', events, description };
}

/** Whether a response body is a file or stream rather than one JSON value. */
export function isMedia(body: ResponseBody): body is MediaBody {
  return body !== null && 'media' in body && typeof body.media === 'string';
}
