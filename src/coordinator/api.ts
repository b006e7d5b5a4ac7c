/**
 * The console's client for /api/console/…: JSON in and out, the session cookie sent by the
 * browser, and the CSRF token echoed in X-CSRF-Token on every change.
 */
import type { AuditEntry, Device, Totals } from '../../server/store/store.ts';
import type { DeviceView } from '../../server/devices.ts';
import type { RecordRow, RecordsPage } from '../../server/console/sealed-records.ts';
import type { Campaign } from '../shared/campaign.ts';
import type { CampaignDetail, CampaignSummary, PublishedVersion } from '../shared/campaigns.ts';

export type { AuditEntry, Campaign, CampaignDetail, CampaignSummary, Device, DeviceView, PublishedVersion, RecordRow, RecordsPage, Totals };

/** The Campaigns list, and the campaign a request means when it names none. */
export interface CampaignList {
  campaigns: CampaignSummary[];
  defaultCampaignId: string;
}

/** Why a signature matches no published version (S26); see the Signatures badges. */
export type VersionProblem = 'unknown-campaign' | 'unknown-version' | 'hash-mismatch';

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
  /** The campaigns the enrolled tablet may show. */
  campaigns: string[];
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
  campaignVersion: number;
  versionProblem: VersionProblem | null;
  /** Captured after the campaign was closed (it still counts: a tablet may have been offline). */
  capturedAfterClose: boolean;
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
  /** Only those matching no published version. */
  problemsOnly?: boolean;
  version?: number;
  lang?: string;
}

export interface SignaturePage {
  total: number;
  /** A search found more than `total` (10,000) matches and stopped counting. */
  totalCapped?: boolean;
  offset: number;
  rows: SignatureRow[];
}

/** An error answer from the server, with its message for people, and the field at fault when it names one. */
export class ApiError extends Error {
  readonly status: number;
  readonly field?: string;
  constructor(status: number, message: string, field?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.field = field;
  }
}

/** Where the export files are served. */
export const EXPORTS = {
  handinCsv: '/api/console/export/handin.csv',
  contactsCsv: '/api/console/export/contacts.csv',
  signaturesZip: '/api/console/export/signatures.zip',
  handinPdf: '/api/console/export/handin.pdf',
} as const;

/** `path` scoped to one campaign (`?campaign=`, or `&campaign=` after other parameters). */
export function scoped(path: string, campaignId: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}campaign=${encodeURIComponent(campaignId)}`;
}

const campaignPath = (id: string, rest = '') => `/api/console/campaigns/${encodeURIComponent(id)}${rest}`;

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
  const data = (await res.json().catch(() => null)) as { error?: { message?: string; issues?: Array<{ path?: string }> } } | null;
  if (!res.ok) {
    const fallback = res.status === 401 ? 'Please sign in to the console.' : `The server answered ${res.status}.`;
    throw new ApiError(res.status, data?.error?.message ?? fallback, data?.error?.issues?.[0]?.path || undefined);
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
};

/**
 * The console's calls for a signed-in coordinator. Those about signatures (totals, list,
 * audit, records, sealing) concern `campaignId`: a new campaign gives a new api object, so
 * every section that loads with it loads again.
 */
export function consoleApi(csrfToken: string, campaignId: string) {
  const get = <T>(path: string) => request<T>('GET', path);
  const send = <T>(method: string, path: string, body?: unknown) => request<T>(method, path, csrfToken, body);
  return {
    campaignId,
    logout: () => send<void>('POST', '/api/console/logout'),
    totals: () => get<Totals>(scoped('/api/console/totals', campaignId)),
    devices: () => get<DeviceList>('/api/console/devices'),
    revoke: (id: string) => send<{ revoked: string }>('POST', `/api/console/devices/${encodeURIComponent(id)}/revoke`),
    createCode: (event: string, hours: number, campaigns: string[]) => send<EnrollmentCode>('POST', '/api/console/codes', { event, hours, campaigns }),
    signatures: (query: SignatureQuery) => {
      const params = new URLSearchParams({ q: query.q, offset: String(query.offset), limit: String(query.limit) });
      if (query.before !== undefined) params.set('before', String(query.before));
      if (query.after !== undefined) params.set('after', String(query.after));
      if (query.duplicatesOnly) params.set('duplicates', '1');
      if (query.problemsOnly) params.set('problems', '1');
      if (query.version !== undefined) params.set('version', String(query.version));
      if (query.lang) params.set('lang', query.lang);
      return get<SignaturePage>(scoped(`/api/console/signatures?${params}`, campaignId));
    },
    deleteSignature: (id: string) => send<void>('DELETE', `/api/console/signatures/${encodeURIComponent(id)}`),
    /**
     * The audit log, newest first: everything (`all`), or this campaign's entries with those
     * about no campaign in particular (sign-ins, codes, tablets). Two reads, so that a busy
     * other campaign does not push this one's entries out of the latest 500.
     */
    async audit(all = false): Promise<AuditEntry[]> {
      const everything = (await get<{ entries: AuditEntry[] }>('/api/console/audit')).entries;
      if (all) return everything;
      const own = (await get<{ entries: AuditEntry[] }>(scoped('/api/console/audit', campaignId))).entries;
      const bySeq = new Map([...own, ...everything.filter((e) => !e.campaignId)].map((e) => [e.seq, e]));
      return [...bySeq.values()].sort((a, b) => b.seq - a.seq).slice(0, 500);
    },
    /** Stored records as they are (sealed ones still sealed), after arrival seq `after`. */
    records: (after: number, limit: number) => get<RecordsPage>(scoped(`/api/console/records?${new URLSearchParams({ after: String(after), limit: String(limit) })}`, campaignId)),
    /** Whether this campaign's current version is sealed, and for which key. */
    async campaignSealing(): Promise<{ keyId: string } | null> {
      const latest = (await get<CampaignDetail>(campaignPath(campaignId))).latestVersion;
      if (!latest) return null;
      return (await get<PublishedVersion>(campaignPath(campaignId, `/versions/${latest.version}`))).content?.sealing ?? null;
    },

    campaigns: () => get<CampaignList>('/api/console/campaigns'),
    campaign: (id: string) => get<CampaignDetail>(campaignPath(id)),
    createCampaign: (id: string, from: string | undefined) => send<CampaignDetail>('POST', '/api/console/campaigns', from === undefined ? { id } : { id, from }),
    saveDraft: (id: string, content: Campaign) => send<CampaignDetail>('PUT', campaignPath(id, '/draft'), { content }),
    publish: (id: string) => send<CampaignDetail>('POST', campaignPath(id, '/publish')),
    setOpen: (id: string, open: boolean) => send<CampaignDetail>('POST', campaignPath(id, open ? '/reopen' : '/close')),
    settings: (id: string, settings: { goal?: number | null; startsAt?: string | null; endsAt?: string | null }) =>
      send<CampaignDetail>('PATCH', campaignPath(id), settings),
    version: (id: string, version: number) => get<PublishedVersion>(campaignPath(id, `/versions/${version}`)),
    /** The campaign's own audit entries (to find what a new campaign was copied from). */
    campaignAudit: (id: string) => get<{ entries: AuditEntry[] }>(scoped('/api/console/audit', id)).then((r) => r.entries),
  };
}

export type ConsoleApi = ReturnType<typeof consoleApi>;
