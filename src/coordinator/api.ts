/**
 * The console's client for /api/console/…: JSON in and out, the session cookie sent by the
 * browser, and the CSRF token echoed in X-CSRF-Token on every change. Every answer is parsed
 * with its schema from the API contract (src/shared/api/): one that does not fit is an
 * ApiError with a message, never a half-read object.
 */
import * as z from 'zod/mini';
import type { Campaign } from '../shared/campaign.ts';
import { SessionAnswerSchema, SessionInfoSchema, type Coordinator, type SessionInfo } from '../shared/api/session.ts';
import { AuditLogSchema, TotalsSchema, type AuditEntry, type Totals } from '../shared/api/dashboard.ts';
import { DeviceListSchema, EnrollmentCodeSchema, RevokedSchema, type Device, type DeviceList, type DeviceView, type EnrollmentCode } from '../shared/api/devices.ts';
import {
  ChangedSchema,
  RecordsPageSchema,
  SignaturePageSchema,
  type RecordRow,
  type RecordsPage,
  type SetAsideReason,
  type SignatureFilter,
  type SignaturePage,
  type SignatureRow,
  type VersionProblem,
} from '../shared/api/signatures.ts';
import {
  CampaignDetailSchema,
  CampaignListSchema,
  PublishedVersionSchema,
  type CampaignDetail,
  type CampaignList,
  type CampaignSummary,
} from '../shared/api/campaigns.ts';
import type { PublishedVersion } from '../shared/campaigns.ts';
import { ErrorResponseSchema, type ErrorResponse } from '../shared/protocol.ts';
import { RecoveryCodesSchema, TwoFactorSetupSchema, type TwoFactorSetup } from '../shared/api/two-factor.ts';
import { HandinKeySchema } from '../shared/api/handin.ts';
import { PaperCountListSchema, PaperCountSchema, type NewPaperCount } from '../shared/api/paper.ts';
import { AccountSessionListSchema, PasswordChangedSchema, type AccountSessionView } from '../shared/api/account.ts';

export type {
  AccountSessionView,
  AuditEntry,
  Campaign,
  CampaignDetail,
  CampaignList,
  CampaignSummary,
  Coordinator,
  Device,
  DeviceList,
  DeviceView,
  EnrollmentCode,
  PublishedVersion,
  RecordRow,
  RecordsPage,
  SessionInfo,
  SetAsideReason,
  SignatureFilter,
  SignaturePage,
  SignatureRow,
  Totals,
  TwoFactorSetup,
  VersionProblem,
};

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
  /** `only`: only those set aside from the hand-in; `exclude`: only those in it. */
  setAside?: 'only' | 'exclude';
}

/** The signatures a review action concerns: some by id, or every one the page's filter matches. */
export type ReviewTargets = { ids: string[] } | { filter: SignatureFilter };

/** The filter of a signatures query, as a bulk action sends it. */
export function filterOf(query: Omit<SignatureQuery, 'offset' | 'limit' | 'before' | 'after'>): SignatureFilter {
  return {
    ...(query.q && { q: query.q }),
    ...(query.duplicatesOnly && { duplicates: true }),
    ...(query.problemsOnly && { problems: true }),
    ...(query.version !== undefined && { version: query.version }),
    ...(query.lang && { lang: query.lang }),
    ...(query.setAside && { setAside: query.setAside }),
  };
}

type ErrorCode = ErrorResponse['error']['code'];

/** An error answer from the server, with its message for people, and the field at fault when it names one. */
export class ApiError extends Error {
  readonly status: number;
  readonly field?: string;
  /** The contract's error code, when the server sent one (`second_factor_required`). */
  readonly code?: ErrorCode;
  constructor(status: number, message: string, field?: string, code?: ErrorCode) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.field = field;
    this.code = code;
  }
}

/** Where the export files are served. */
export const EXPORTS = {
  handinCsv: '/api/console/export/handin.csv',
  contactsCsv: '/api/console/export/contacts.csv',
  signaturesZip: '/api/console/export/signatures.zip',
  handinPdf: '/api/console/export/handin.pdf',
  handinPackage: '/api/console/export/handin-package.zip',
  paperSheetsPdf: '/api/console/export/paper-sheets.pdf',
} as const;

/** The whole audit log as CSV (owners only). */
export const AUDIT_CSV = '/api/console/audit.csv';

/** `path` scoped to one campaign (`?campaign=`, or `&campaign=` after other parameters). */
export function scoped(path: string, campaignId: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}campaign=${encodeURIComponent(campaignId)}`;
}

const campaignPath = (id: string, rest = '') => `/api/console/campaigns/${encodeURIComponent(id)}${rest}`;

export const signatureSvgUrl = (id: string) => `/api/console/signatures/${encodeURIComponent(id)}/svg`;

/** No body to parse (204). */
const NO_CONTENT = null;

/**
 * Send a request and parse its answer with `schema` (NO_CONTENT for 204). An error answer is
 * read as the contract's ErrorResponse; an answer that fits neither is an ApiError too.
 */
export async function request<S extends z.ZodMiniType | null>(
  schema: S,
  method: string,
  path: string,
  csrfToken?: string,
  body?: unknown,
): Promise<S extends z.ZodMiniType ? z.infer<S> : void> {
  type Answer = S extends z.ZodMiniType ? z.infer<S> : void;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (csrfToken && method !== 'GET') headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'The server cannot be reached. Check the connection and try again.');
  }
  if (res.status === 204) return undefined as Answer;
  const data: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const error = z.safeParse(ErrorResponseSchema, data).data?.error;
    const fallback = res.status === 401 ? 'Please sign in to the console.' : `The server answered ${res.status}.`;
    throw new ApiError(res.status, error?.message ?? fallback, error?.issues?.[0]?.path || undefined, error?.code);
  }
  if (schema === null) return undefined as Answer;
  const parsed = z.safeParse(schema, data);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const where = issue ? ` (${issue.path.join('.') || 'the answer'}: ${issue.message})` : '';
    throw new ApiError(res.status, `The server's answer to ${method} ${path.split('?')[0]} is not what this console expects${where}. Reload the page; if it stays, the server and the console are of different versions.`);
  }
  return parsed.data as Answer;
}

/** Calls that need no session. */
export const publicApi = {
  /** `code`: the authenticator's, or a recovery code, once the server asked for it (second_factor_required). */
  login: (email: string, password: string, code?: string) => request(SessionInfoSchema, 'POST', '/api/console/login', undefined, code === undefined ? { email, password } : { email, password, code }),
  /** The current session, or undefined when there is none (answered 200 either way). */
  async session(): Promise<SessionInfo | undefined> {
    const answer = await request(SessionAnswerSchema, 'GET', '/api/console/session');
    return answer.coordinator ? answer : undefined;
  },
};

/**
 * The console's calls for a signed-in coordinator. Those about signatures (totals, list,
 * audit, records, sealing) concern `campaignId`: a new campaign gives a new api object, so
 * every section that loads with it loads again.
 */
export function consoleApi(csrfToken: string, campaignId: string) {
  const get = <S extends z.ZodMiniType>(schema: S, path: string) => request(schema, 'GET', path);
  const send = <S extends z.ZodMiniType | null>(schema: S, method: string, path: string, body?: unknown) => request(schema, method, path, csrfToken, body);
  const entries = async (path: string): Promise<AuditEntry[]> => (await get(AuditLogSchema, path)).entries;
  /** The campaign's latest published version (null before the first publication). */
  const publishedVersion = async () => {
    const latest = (await get(CampaignDetailSchema, campaignPath(campaignId))).latestVersion;
    if (!latest) return null;
    return get(PublishedVersionSchema, campaignPath(campaignId, `/versions/${latest.version}`));
  };
  return {
    campaignId,
    logout: () => send(NO_CONTENT, 'POST', '/api/console/logout'),
    totals: () => get(TotalsSchema, scoped('/api/console/totals', campaignId)),
    devices: () => get(DeviceListSchema, '/api/console/devices'),
    revoke: (id: string) => send(RevokedSchema, 'POST', `/api/console/devices/${encodeURIComponent(id)}/revoke`),
    createCode: (event: string, hours: number, campaigns: string[]) => send(EnrollmentCodeSchema, 'POST', '/api/console/codes', { event, hours, campaigns }),
    signatures: (query: SignatureQuery) => {
      const params = new URLSearchParams({ q: query.q, offset: String(query.offset), limit: String(query.limit) });
      if (query.before !== undefined) params.set('before', String(query.before));
      if (query.after !== undefined) params.set('after', String(query.after));
      if (query.duplicatesOnly) params.set('duplicates', '1');
      if (query.problemsOnly) params.set('problems', '1');
      if (query.version !== undefined) params.set('version', String(query.version));
      if (query.lang) params.set('lang', query.lang);
      if (query.setAside) params.set('setAside', query.setAside);
      return get(SignaturePageSchema, scoped(`/api/console/signatures?${params}`, campaignId));
    },
    /** Set signatures aside from the hand-in; answers how many were newly set aside. */
    setAside: async (targets: ReviewTargets, reason: SetAsideReason, note: string) =>
      (await send(ChangedSchema, 'POST', scoped('/api/console/signatures/set-aside', campaignId), { ...targets, reason, note: note.trim() || null })).changed,
    /** Put set-aside signatures back into the hand-in; answers how many were restored. */
    restore: async (targets: ReviewTargets) => (await send(ChangedSchema, 'POST', scoped('/api/console/signatures/restore', campaignId), targets)).changed,
    deleteSignature: (id: string) => send(NO_CONTENT, 'DELETE', `/api/console/signatures/${encodeURIComponent(id)}`),
    paperCounts: async () => (await get(PaperCountListSchema, scoped('/api/console/paper-counts', campaignId))).counts,
    recordPaperCount: (count: NewPaperCount) => send(PaperCountSchema, 'POST', scoped('/api/console/paper-counts', campaignId), count),
    removePaperCount: (id: string) => send(NO_CONTENT, 'DELETE', `/api/console/paper-counts/${encodeURIComponent(id)}`),
    /**
     * The audit log, newest first: everything (`all`), or this campaign's entries with those
     * about no campaign in particular (sign-ins, codes, tablets). Two reads, so that a busy
     * other campaign does not push this one's entries out of the latest 500. The whole log
     * is an owner's: anyone else reads this campaign's entries only.
     */
    async audit(all = false, isOwner = true): Promise<AuditEntry[]> {
      if (!isOwner) return entries(scoped('/api/console/audit', campaignId));
      const everything = await entries('/api/console/audit');
      if (all) return everything;
      const own = await entries(scoped('/api/console/audit', campaignId));
      const bySeq = new Map([...own, ...everything.filter((e) => !e.campaignId)].map((e) => [e.seq, e]));
      return [...bySeq.values()].sort((a, b) => b.seq - a.seq).slice(0, 500);
    },
    /** Stored records as they are (sealed ones still sealed), after arrival seq `after`. */
    records: (after: number, limit: number) =>
      get(RecordsPageSchema, scoped(`/api/console/records?${new URLSearchParams({ after: String(after), limit: String(limit) })}`, campaignId)),
    /** Whether this campaign's current version is sealed, and for which key. */
    async campaignSealing(): Promise<{ keyId: string } | null> {
      return (await publishedVersion())?.content?.sealing ?? null;
    },
    publishedVersion,

    /** The organisation's public key for hand-in packages, with its fingerprint. */
    handinKey: () => get(HandinKeySchema, '/api/console/handin-key'),

    campaigns: () => get(CampaignListSchema, '/api/console/campaigns'),
    campaign: (id: string) => get(CampaignDetailSchema, campaignPath(id)),
    createCampaign: (id: string, from: string | undefined) => send(CampaignDetailSchema, 'POST', '/api/console/campaigns', from === undefined ? { id } : { id, from }),
    saveDraft: (id: string, content: Campaign) => send(CampaignDetailSchema, 'PUT', campaignPath(id, '/draft'), { content }),
    publish: (id: string) => send(CampaignDetailSchema, 'POST', campaignPath(id, '/publish')),
    setOpen: (id: string, open: boolean) => send(CampaignDetailSchema, 'POST', campaignPath(id, open ? '/reopen' : '/close')),
    settings: (id: string, settings: { goal?: number | null; startsAt?: string | null; endsAt?: string | null }) =>
      send(CampaignDetailSchema, 'PATCH', campaignPath(id), settings),
    version: (id: string, version: number) => get(PublishedVersionSchema, campaignPath(id, `/versions/${version}`)),
    /** The campaign's own audit entries (to find what a new campaign was copied from). */
    campaignAudit: (id: string) => entries(scoped('/api/console/audit', id)),

    // ---- #19 A: two-factor sign-in ----
    /** A new secret to scan; not in use until `confirmTwoFactor`. */
    setUpTwoFactor: () => send(TwoFactorSetupSchema, 'POST', '/api/console/two-factor/setup'),
    /** Turn it on with a code of the new secret: the recovery codes, to show once. */
    confirmTwoFactor: async (code: string) => (await send(RecoveryCodesSchema, 'POST', '/api/console/two-factor/confirm', { code })).recoveryCodes,
    /** New recovery codes for a current code; the old ones stop working. */
    newRecoveryCodes: async (code: string) => (await send(RecoveryCodesSchema, 'POST', '/api/console/two-factor/recovery-codes', { code })).recoveryCodes,
    turnOffTwoFactor: (code: string) => send(NO_CONTENT, 'POST', '/api/console/two-factor/off', { code }),
    // ---- #19 C: your account ----
    /** The account's own live sessions, the latest used first. */
    accountSessions: async () => (await get(AccountSessionListSchema, '/api/console/sessions')).sessions,
    /** End one of the account's sessions (this one: signed out). */
    endSession: (id: string) => send(NO_CONTENT, 'DELETE', `/api/console/sessions/${encodeURIComponent(id)}`),
    /** Change the password; answers how many other sessions ended. */
    changePassword: async (current: string, next: string) => (await send(PasswordChangedSchema, 'POST', '/api/console/password', { current, new: next })).otherSessionsEnded,
  };
}

export type ConsoleApi = ReturnType<typeof consoleApi>;
