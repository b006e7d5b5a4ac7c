/**
 * Raw HTTP for hostile requests: `node:http` with a fresh connection each (`agent: false`),
 * so raw paths, any method, any header and streamed bodies can be sent, and one refused
 * request can never poison the connection of the next. Used by the hostile-input corpus
 * (tests/server/hostile-*.test.ts).
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string | number>;
  body?: string | Uint8Array;
}

export interface RawResponse {
  /** 0 when the connection failed before any answer. */
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The socket error when no answer came. */
  error?: string;
}

/** One request to the server at `baseUrl` on a fresh connection; resolves with status 0 if the socket fails first. */
export function sendRaw(baseUrl: string, req: RawRequest): Promise<RawResponse> {
  const u = new URL(baseUrl);
  const headers: Record<string, string | number> = { ...req.headers };
  // node:http sends no length for a DELETE/OPTIONS body unless told, which desyncs the connection.
  const named = Object.keys(headers).map((k) => k.toLowerCase());
  if (req.body !== undefined && !named.includes('content-length') && !named.includes('transfer-encoding')) {
    headers['content-length'] = Buffer.byteLength(req.body);
  }
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: RawResponse) => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    const r = httpRequest(
      { host: u.hostname, port: u.port, method: req.method ?? 'POST', path: req.path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (e) => done({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), error: e.message }));
      },
    );
    r.on('error', (e: NodeJS.ErrnoException) => done({ status: 0, headers: {}, text: '', error: e.code ?? e.message }));
    r.end(req.body);
  });
}

/**
 * POST to `path` of the server at `baseUrl`: send headers, then stream `chunk` repeatedly (at
 * most `total` bytes) until the server answers. With `declaredLength` a Content-Length is
 * sent, otherwise the body is chunked.
 */
export function sendStreamingRaw(baseUrl: string, path: string, headers: Record<string, string | number>, total: number, declaredLength?: number): Promise<RawResponse> {
  const u = new URL(baseUrl);
  const { hostname: host, port } = u;
  return new Promise((resolve) => {
    let answered = false;
    let settled = false;
    const done = (r: RawResponse) => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    const allHeaders = { ...headers, ...(declaredLength !== undefined ? { 'content-length': declaredLength } : { 'transfer-encoding': 'chunked' }) };
    const r = httpRequest({ host, port, method: 'POST', path, headers: allHeaders, agent: false }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        done({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
        r.destroy();
      });
      res.on('error', () => done({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    r.on('error', (e: NodeJS.ErrnoException) => {
      if (!answered) done({ status: 0, headers: {}, text: '', error: e.code ?? e.message });
    });
    const chunk = Buffer.alloc(64 * 1024, 0x20); // spaces: valid JSON whitespace
    let sent = 0;
    const pump = () => {
      while (!answered && !r.destroyed && sent < total) {
        sent += chunk.length;
        if (!r.write(chunk)) {
          r.once('drain', pump);
          return;
        }
      }
      // With a declared length, never finish the body: the server must refuse on the header alone.
      if (!answered && !r.destroyed && declaredLength === undefined) r.end();
    };
    r.write('{"pad":"');
    pump();
  });
}
