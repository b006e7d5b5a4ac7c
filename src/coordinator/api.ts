/**
 * The console's client for /api/console/…: JSON in and out, the session cookie sent by the
 * browser, and the CSRF token echoed in X-CSRF-Token on every change.
 */
import type { AuditEntry, Device, Totals } from '../../server/store/store.ts';
import type { DeviceView } from '../../server/devices.ts';
import type { RecordRow, RecordsPage } from '../../server/console/sealed-records.ts';

export type { AuditEntry, Device, DeviceView, RecordRow, RecordsPage, Totals };

/** The Devices list: each tablet as the server sees it now, and the silence threshold it used. */
export interface DeviceList {
  devices: DeviceView[];
  /** Silent longer than this while holding unsynced signatures: flagged (`--stale-after`). */
  staleAfterMs: number;
}

export interface Coordinator {
  email: string;
  name: string;
}

export interface SessionInfo {
  coordinator: Coordinator;
  csrfToken: string;
}

export interface EnrollmentCode {
  code: string;
  expiresAt: string;
  event: string;
  link: string;
  qrSvg: string;
}

export interface SignatureRow {
  /** Arrival order on the server: the cursor for the next and previous pages. */
  seq: number;
  id: string;
  name: string | null;
  email: string | null;
  country: string | null;
  optIn: boolean | null;
  typed: boolean;
  lang: string | null;
  deviceId: string;
  capturedAt: string;
  receivedAt: string;
  clockSuspect: boolean;
  possibleDuplicate: boolean;
}

/** A page of the signatures list: `before` / `after` are the seq of the row the page continues from. */
export interface SignatureQuery {
  q: string;
  offset: number;
  limit: number;
  before?: number;
  after?: number;
  duplicatesOnly?: boolean;
}

export interface SignaturePage {
  total: number;
  /** A search found more than `total` (10,000) matches and stopped counting. */
  totalCapped?: boolean;
  offset: number;
  rows: SignatureRow[];
}

/** An error answer from the server, with its message for people. */
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

/** Where the export files are served. */
export const EXPORTS = {
  handinCsv: '/api/console/export/handin.csv',
  contactsCsv: '/api/console/export/contacts.csv',
  signaturesZip: '/api/console/export/signatures.zip',
  handinPdf: '/api/console/export/handin.pdf',
} as const;

export const signatureSvgUrl = (id: string) => `/api/console/signatures/${encodeURIComponent(id)}/svg`;

async function request<T>(method: string, path: string, csrfToken?: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (csrfToken && method !== 'GET') headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'The server cannot be reached. Check the connection and try again.');
  }
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
  if (!res.ok) {
    const fallback = res.status === 401 ? 'Please sign in to the console.' : `The server answered ${res.status}.`;
    throw new ApiError(res.status, data?.error?.message ?? fallback);
  }
  return data as T;
}

/** Calls that need no session. */
export const publicApi = {
  login: (email: string, password: string) => request<SessionInfo>('POST', '/api/console/login', undefined, { email, password }),
  /** The current session, or undefined when there is none (answered 200 either way). */
  async session(): Promise<SessionInfo | undefined> {
    const answer = await request<SessionInfo | { coordinator: null }>('GET', '/api/console/session');
    return answer.coordinator ? (answer as SessionInfo) : undefined;
  },
  /** Whether the campaign is sealed, and for which key (the campaign the tablets get). */
  campaignSealing: () => request<{ sealing?: { keyId: string } }>('GET', '/api/v1/campaign').then((c) => c.sealing ?? null),
};

/** The console's calls for a signed-in coordinator. */
export function consoleApi(csrfToken: string) {
  return {
    logout: () => request<void>('POST', '/api/console/logout', csrfToken),
    totals: () => request<Totals>('GET', '/api/console/totals'),
    devices: () => request<DeviceList>('GET', '/api/console/devices'),
    revoke: (id: string) => request<{ revoked: string }>('POST', `/api/console/devices/${encodeURIComponent(id)}/revoke`, csrfToken),
    createCode: (event: string, hours: number) => request<EnrollmentCode>('POST', '/api/console/codes', csrfToken, { event, hours }),
    signatures: (query: SignatureQuery) => {
      const params = new URLSearchParams({ q: query.q, offset: String(query.offset), limit: String(query.limit) });
      if (query.before !== undefined) params.set('before', String(query.before));
      if (query.after !== undefined) params.set('after', String(query.after));
      if (query.duplicatesOnly) params.set('duplicates', '1');
      return request<SignaturePage>('GET', `/api/console/signatures?${params}`);
    },
    deleteSignature: (id: string) => request<void>('DELETE', `/api/console/signatures/${encodeURIComponent(id)}`, csrfToken),
    audit: () => request<{ entries: AuditEntry[] }>('GET', '/api/console/audit').then((r) => r.entries),
    /** Stored records as they are (sealed ones still sealed), after arrival seq `after`. */
    records: (after: number, limit: number) => request<RecordsPage>('GET', `/api/console/records?${new URLSearchParams({ after: String(after), limit: String(limit) })}`),
  };
}

export type ConsoleApi = ReturnType<typeof consoleApi>;
