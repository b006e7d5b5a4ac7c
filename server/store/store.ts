/**
 * The server's storage contract: one implementation (sql-store.ts) on SQLite or PostgreSQL.
 * It stores each signature id at most once, never overwrites a stored signature, and keeps
 * only hashes of enrollment codes and device tokens.
 */
import type { SignatureRecord } from '../../src/shared/protocol.ts';
import type { CampaignRecord, VersionRecord } from './campaign-rows.ts';
import type { AuditEntry, Totals } from '../../src/shared/api/dashboard.ts';
import type { Device, DeviceReport } from '../../src/shared/api/devices.ts';
import type { SetAside, SetAsideReason } from '../../src/shared/api/signatures.ts';
import type { Role } from '../../src/shared/api/session.ts';

export type { SetAside, SetAsideReason } from '../../src/shared/api/signatures.ts';
/** What a set-aside records: why, a note, when, and who (a coordinator's email). */
export type SetAsideChange = SetAside;
import type { PaperCount } from '../../src/shared/api/paper.ts';

export type { CampaignRecord, VersionRecord } from './campaign-rows.ts';
import type { AccountChangeOutcome, AccountUpdate, InvitationFailure, InvitationRecord, NewInvitation, TeamMember } from './team-rows.ts';
export type { AccountChangeOutcome, AccountUpdate, InvitationFailure, InvitationRecord, NewInvitation, TeamMember } from './team-rows.ts';

/** Outcome of storing one record. */
export type IngestOutcome = 'accepted' | 'duplicate' | 'conflict';

/** A record ready to store, with the hash of its canonical content. */
export interface IngestItem {
  record: SignatureRecord;
  hash: string;
  /** The tablet's clock looked wrong when this record arrived. Flagged, never refused. */
  clockSuspect: boolean;
}

/** Where a batch came from. */
export type IngestSource = 'sync' | 'import';

/** A signature as the server holds it. */
export interface StoredSignature {
  seq: number;
  id: string;
  deviceId: string;
  campaignId: string;
  capturedAt: string;
  /** The server's own clock at ingestion: the time that counts. */
  receivedAt: string;
  clockSuspect: boolean;
  source: IngestSource;
  record: SignatureRecord;
  /** Null when it matches a published version (S26); else why not. Kept and counted either way. */
  versionProblem: 'unknown-campaign' | 'unknown-version' | 'hash-mismatch' | null;
  /** Set aside from the hand-in by a coordinator (kept, counted apart), or null. */
  setAside: SetAside | null;
}

/**
 * An enrolled tablet, and what it last said about itself (S21: its batch report, `at` the
 * server's clock): the console's wire types (src/shared/api/devices.ts), derived from the
 * protocol's BatchReportSchema, so the store, the console and the protocol cannot drift.
 */
export type { Device, DeviceReport } from '../../src/shared/api/devices.ts';

export type { Role } from '../../src/shared/api/session.ts';
import type { TotpSecrets } from './two-factor-rows.ts';
export type { TotpSecrets };

/** A coordinator account (the console), with what it may do (console/access.ts). */
export interface Coordinator {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** The campaigns a manager or viewer has (an owner has every campaign: empty). */
  campaigns: string[];
  /** Granted by an owner: may download names, emails and signatures (of its campaigns). */
  mayExportPersonalData: boolean;
  /** Whether two-factor sign-in is set up. */
  twoFactorOn: boolean;
  /** When an owner disabled it; a disabled account cannot sign in, and its sessions are gone. */
  disabledAt?: string;
}

export interface NewCoordinator {
  id: string;
  email: string;
  name: string;
  role: Role;
  passwordHash: string;
  createdAt: string;
  campaigns?: string[];
  mayExportPersonalData?: boolean;
  /** A confirmed TOTP secret (base32): made so by tests and by an accepted invitation's setup. */
  totpSecret?: string;
}

/** What a sign-in checks an account against: its password hash, and its TOTP secret when two-factor is on. */
export interface SignInAccount extends Coordinator {
  passwordHash: string;
  totpSecret?: string;
}

/** A new session's row. */
export interface NewSession {
  idHash: string;
  /** What the account's sessions list shows and ends it by; never the cookie's value. */
  publicId: string;
  coordinatorId: string;
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
  address: string;
  userAgent: string;
  /** Signed in with a second factor. */
  secondFactor: boolean;
}

/** A live console session. */
export interface Session {
  publicId: string;
  coordinator: Coordinator;
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
  lastSeenAt: string;
  secondFactor: boolean;
  /** The owners' setting: two-factor sign-in is required of everyone. */
  twoFactorForAll: boolean;
}

/** One of an account's own sessions, as its sessions list is made from (console/account.ts). */
export interface AccountSession {
  idHash: string;
  publicId: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  address: string;
  /** The browser's User-Agent as sent (cut to 300 characters); shown only as a browser's name. */
  userAgent: string;
}

/** Who did what, when (an audit log entry); the dashboard's figures: as the console receives them. */
export type { AuditEntry, Totals } from '../../src/shared/api/dashboard.ts';

/**
 * Where a signature deleted on a data-subject request sat in its tablet's hash chain (S20,
 * S23), as its tombstone keeps it: no personal data, only what lets the chain check tell a
 * legitimate deletion from a record that went missing.
 */
export interface DeletedChainPlace {
  /** The deleted signature's id (the tombstone's). */
  id: string;
  /** The chain (`chain.device`), its place in it and its link, as the deleted record carried them. */
  device: string;
  seq: number;
  link: string;
  deletedAt: string;
}

/** Which stored signatures `list` pages through (arrival order). */
export interface ListOptions {
  afterSeq?: number;
  /** At most this many (default 1000; negative: no limit). */
  limit?: number;
  campaignId?: string;
  version?: number;
  /** null: the records that name no language (release 0.1.0's). */
  lang?: string | null;
  /** false: only those matching a published version (S26); true: only those that do not. */
  problems?: boolean;
  /** false: only signatures in the hand-in; true: only those set aside; undefined: all. */
  setAside?: boolean;
  /** Only the signers of this country (as counted: signer-rows.ts); null: those with none. */
  country?: string | null;
  /** Only those this tablet sent (the hand-in package checks one tablet's chain at a time). */
  deviceId?: string;
}

/** The organisation's hand-in signing key (exports/handin-key.ts), as JWKs. */
export interface HandinKeyRecord {
  privateJwk: JsonWebKey;
  publicJwk: JsonWebKey;
  createdAt: string;
}

/** Signatures of one country, version and language, matching a published text or not (`unverified`). */
export interface HandinGroup {
  country: string | null;
  version: number;
  lang: string | null;
  unverified: boolean;
  count: number;
}

/** What the console's signatures page asks for. */
export interface SignatureSearch {
  q?: string;
  /** Rows to skip; old clients page this way (deep offsets cost more than cursors). */
  offset?: number;
  limit?: number;
  /** Only signatures older than this seq (the next page). */
  before?: number;
  /** Only signatures newer than this seq (the previous page). */
  after?: number;
  /** Only possible duplicates. */
  duplicatesOnly?: boolean;
  /** Only this campaign's signatures (duplicates are judged within one campaign). */
  campaignId?: string;
  /** Only those signed under this version, in this language. */
  version?: number;
  lang?: string;
  /** Only those that match no published version (S26). */
  problemsOnly?: boolean;
  /** true: only signatures set aside from the hand-in; false: only those in it. */
  setAside?: boolean;
  /** Skip counting the matches (`total` is then 0): a bulk action paging through ids needs none. */
  skipTotal?: boolean;
}

export interface SignaturePage {
  /** Matches in all (a search counts up to a cap: see `totalCapped`). */
  total: number;
  rows: StoredSignature[];
  /** A search found more than `total` matches and stopped counting. */
  totalCapped?: boolean;
}

/**
 * The counters a campaign's figures are read from: per "<version> <lang>" ('version'; and of
 * those, the ones matching no published text, 'problem-version', or set aside,
 * 'set-aside-version'), per version problem, per set-aside reason, and the set-aside
 * signatures that match no published text ('set-aside-problem', key '').
 */
export type CountDimension = 'version' | 'problem' | 'problem-version' | 'set-aside' | 'set-aside-version' | 'set-aside-problem';

/** A rate limit: attempts in a burst, and the milliseconds for one to come back (rate-limit.ts). */
export interface BucketLimit {
  capacity: number;
  refillMs: number;
}

/** Why a code could not be redeemed. */
export type RedeemFailure = 'unknown' | 'expired' | 'used';

export interface Store {
  /**
   * Store a batch in one transaction, in order. A new id is `accepted`; an id already stored
   * with the same hash is a `duplicate` (nothing written); with a different hash it is a
   * `conflict` (the stored copy is kept, the other copy is set aside for review).
   */
  ingest(items: IngestItem[], receivedAt: string, source: IngestSource): Promise<IngestOutcome[]>;
  /** Number of stored signatures, of one campaign or of all. */
  count(campaignId?: string): Promise<number>;
  /** Stored signatures in arrival order, after `afterSeq`, of one campaign or of all. */
  list(options?: ListOptions): Promise<StoredSignature[]>;
  /** Number of conflicting copies set aside. */
  conflictCount(): Promise<number>;

  /** Save a new one-time enrollment code (its hash only). */
  createEnrollmentCode(code: { codeHash: string; event: string; createdAt: string; expiresAt: string; campaigns?: string[] | null }): Promise<void>;
  /**
   * Atomically use a code and create the device it enrolls. A code works once, before it
   * expires; on failure nothing is written.
   */
  redeemEnrollmentCode(
    codeHash: string,
    now: string,
    device: { id: string; tokenHash: string; label: string | null },
  ): Promise<{ ok: true; device: Device } | { ok: false; reason: RedeemFailure }>;
  /** The device holding the token with this hash, revoked or not. */
  deviceByTokenHash(tokenHash: string): Promise<Device | undefined>;
  /** Record that a device made contact. */
  touchDevice(id: string, at: string): Promise<void>;
  /** Revoke a device: its token stops working at once. Returns false if there is no such device. */
  revokeDevice(id: string, at: string): Promise<boolean>;
  listDevices(): Promise<Device[]>;
  /**
   * Save what a tablet reported about itself, in one step, and return the report it replaced
   * (null: none yet, or no such device). Running totals never go back: see {@link mergeReport}.
   */
  reportDevice(id: string, report: DeviceReport): Promise<DeviceReport | null>;

  /** Create a coordinator; false when the email is taken. */
  createCoordinator(coordinator: NewCoordinator): Promise<boolean>;
  /** The account with this email, disabled or not, with what a sign-in checks. */
  coordinatorByEmail(email: string): Promise<SignInAccount | undefined>;
  /**
   * Accept TOTP time step `step` for the account: true once per step, and only for a step
   * later than the last one accepted, so a code seen over a shoulder cannot be used again.
   */
  acceptTotpStep(coordinatorId: string, step: number): Promise<boolean>;
  /** Use one of the account's recovery codes (by its hash): true once, false when unknown or used. */
  useRecoveryCode(coordinatorId: string, codeHash: string, at: string): Promise<boolean>;
  createSession(session: NewSession): Promise<void>;
  /**
   * The unexpired session with this id hash, of an account that is not disabled; with
   * `seenAfter`, only if it was last used after that (not idle too long).
   */
  sessionByIdHash(idHash: string, now: string, seenAfter?: string): Promise<Session | undefined>;
  deleteSession(idHash: string): Promise<void>;
  // ---- #19 A: two-factor (two-factor-rows.ts) ----
  /** The account's confirmed TOTP secret (two-factor is on) and the one being set up, if any. */
  totpSecrets(coordinatorId: string): Promise<TotpSecrets>;
  /** Keep `secret` as the one being set up (null: none), replacing an earlier one. */
  setPendingTotp(coordinatorId: string, secret: string | null): Promise<void>;
  /** Turn two-factor on with the pending secret if it is still `pending`, with these recovery code hashes (the old ones void). */
  confirmTotp(coordinatorId: string, pending: string, recoveryCodeHashes: string[]): Promise<boolean>;
  /** New recovery codes (hashes) for an account with two-factor on, the old ones void; false when it is off. */
  replaceRecoveryCodes(coordinatorId: string, recoveryCodeHashes: string[]): Promise<boolean>;
  /** Turn two-factor off: no secret, none pending, no recovery codes. */
  turnOffTotp(coordinatorId: string): Promise<void>;
  /** How many of the account's recovery codes are unused. */
  unusedRecoveryCodes(coordinatorId: string): Promise<number>;
  /** End the account's sessions, but the one of `keepIdHash` when given; answers how many ended. */
  endSessionsOf(coordinatorId: string, keepIdHash?: string): Promise<number>;
  /** Mark the session as signed in with a second factor. */
  markSecondFactor(idHash: string): Promise<void>;
  // ---- #19 B: the team (team-rows.ts) ----
  /** Every account, oldest first, with its latest sign-in. */
  teamMembers(): Promise<TeamMember[]>;
  /** The account with this id, disabled or not. */
  coordinatorById(id: string): Promise<Coordinator | undefined>;
  /** Save an invitation (its token's hash only). */
  createInvitation(invitation: NewInvitation): Promise<void>;
  /** The invitations not used, revoked nor expired at `now`, newest first. */
  pendingInvitations(now: string): Promise<InvitationRecord[]>;
  /** Revoke a pending invitation: what it was, or undefined when there is none pending with this id. */
  revokeInvitation(id: string, at: string): Promise<InvitationRecord | undefined>;
  /** The invitation behind a token's hash while it still lets someone in, or why it does not. */
  invitationByTokenHash(tokenHash: string, now: string): Promise<{ ok: true; invitation: InvitationRecord } | { ok: false; reason: InvitationFailure }>;
  /**
   * Use an invitation and make its account, atomically: once, unexpired, not revoked, and
   * only while its email has no account ('taken'); on failure nothing is written.
   */
  redeemInvitation(
    tokenHash: string,
    now: string,
    account: Pick<NewCoordinator, 'id' | 'name' | 'passwordHash'>,
  ): Promise<{ ok: true; invitation: InvitationRecord; coordinator: Coordinator } | { ok: false; reason: InvitationFailure | 'taken' }>;
  /** Change an account's role, campaigns and permission; never the last enabled owner's role. Applies to its open sessions at once. */
  changeAccount(id: string, update: AccountUpdate): Promise<AccountChangeOutcome>;
  /** Disable an account and end its sessions in one transaction (never the last enabled owner), or enable it (null). */
  setAccountDisabled(id: string, disabledAt: string | null): Promise<AccountChangeOutcome>;
  /** Every console setting (key → value). */
  consoleSettings(): Promise<Record<string, string>>;
  setConsoleSetting(key: string, value: string): Promise<void>;
  // ---- #19 C: sessions and the audit log (session-rows.ts) ----
  /** Mark the session used at `at`, unless it was already marked at or after `notBefore`. */
  touchSession(idHash: string, at: string, notBefore: string): Promise<void>;
  /** The account's sessions unexpired at `now` and used after `seenAfter`, the latest used first. */
  accountSessions(coordinatorId: string, now: string, seenAfter: string): Promise<AccountSession[]>;
  /** End the account's session with this public id; false when it has none such. */
  endAccountSession(coordinatorId: string, publicId: string): Promise<boolean>;
  /** End every session of the account but one; answers how many ended. */
  endOtherSessions(coordinatorId: string, keepIdHash: string): Promise<number>;
  /** Store the account's new password hash; false when there is no such account. */
  setPasswordHash(coordinatorId: string, passwordHash: string): Promise<boolean>;
  /** At most `limit` audit entries after `afterSeq`, oldest first (the whole log, a page at a time). */
  auditPage(afterSeq: number, limit: number): Promise<AuditEntry[]>;
  audit(entry: Omit<AuditEntry, 'seq'>): Promise<void>;
  /** Newest first; of one campaign when `campaignId` is given. */
  auditLog(limit?: number, campaignId?: string): Promise<AuditEntry[]>;

  // ---- Campaigns (campaign-rows.ts) ----
  listCampaigns(): Promise<CampaignRecord[]>;
  getCampaign(id: string): Promise<CampaignRecord | undefined>;
  /** False when the id is taken. */
  createCampaign(campaign: { id: string; status: CampaignRecord['status']; draft: CampaignRecord['draft']; createdAt: string }): Promise<boolean>;
  updateCampaign(id: string, change: Partial<Pick<CampaignRecord, 'status' | 'goal' | 'startsAt' | 'endsAt' | 'closedAt' | 'draft'>>): Promise<boolean>;
  campaignVersions(campaignId: string): Promise<VersionRecord[]>;
  campaignVersion(campaignId: string, version: number): Promise<VersionRecord | undefined>;
  /**
   * Publish a version, in one transaction: false when that number is already published (then
   * nothing changes). The campaign's draft is cleared and a draft campaign opens.
   */
  publishCampaignVersion(version: { campaignId: string; version: number; content: NonNullable<VersionRecord['content']>; hash: string; publishedAt: string }): Promise<boolean>;
  /** Fill in the text of a version an upgrade found without one; false when it has one. */
  recordCampaignVersionText(campaignId: string, version: number, content: NonNullable<VersionRecord['content']>, hash: string): Promise<boolean>;
  /** A campaign's signatures per version and language ("<version> <lang>"), or per version problem. */
  campaignCounts(campaignId: string, dimension: CountDimension): Promise<Array<{ key: string; count: number }>>;

  /**
   * Set signatures aside from the hand-in, in one transaction with their counters. Those
   * already set aside keep their first reason. Returns the ids newly set aside.
   */
  setAside(ids: string[], change: SetAsideChange): Promise<string[]>;
  /** Put set-aside signatures back into the hand-in. Returns the ids restored. */
  restoreSetAside(ids: string[]): Promise<string[]>;
  /** A campaign's set-aside signatures by reason (from the counters). */
  setAsideCounts(campaignId: string): Promise<Array<{ reason: SetAsideReason; count: number }>>;

  /** A campaign's signatures by country, version, language and text match (the hand-in package's per-country split). */
  handinGroups(campaignId: string): Promise<HandinGroup[]>;
  /** The organisation's hand-in key, or undefined before one was made. */
  handinKey(): Promise<HandinKeyRecord | undefined>;
  /** Keep `key` unless a key is kept already; returns the kept one (every instance signs with the same key). */
  keepHandinKey(key: HandinKeyRecord): Promise<HandinKeyRecord>;

  /** The dashboard's figures, of one campaign or of all together. */
  totals(campaignId?: string): Promise<Totals>;
  /** Newest first; `q` matches name, email or id (folded like the signer keys). */
  searchSignatures(options: SignatureSearch): Promise<SignaturePage>;
  getSignature(id: string): Promise<StoredSignature | undefined>;
  /**
   * Which of `ids` are possible duplicate signers: another stored signature shares its email
   * key or its name-and-country key (src/shared/signer-keys.ts). Flagged, never dropped.
   */
  duplicateIds(ids: string[]): Promise<Set<string>>;
  /**
   * Delete a signature on a data-subject request. A tombstone keeps its id, so a tablet or
   * a transfer file sending it again is answered `duplicate` and nothing comes back, and its
   * place in its device's chain, so the chain check counts the gap as deleted, not missing.
   */
  deleteSignature(id: string, at: string): Promise<boolean>;
  /**
   * The chain places the tombstones kept, ordered by device and seq. `deleteSignature` keeps
   * the deleted record's `chain` (device, seq, link) in the same transaction; a record without
   * a chain, and a tombstone from before the store kept places, has none and is not listed.
   */
  deletedChainPlaces(): Promise<DeletedChainPlace[]>;

  // ---- Paper counts (paper-rows.ts): signatures counted by hand, never mixed into the tablets' ----
  /** Record one paper count (its id is new). */
  addPaperCount(p: PaperCount): Promise<void>;
  /** Remove a paper count; what it said, or undefined when there is none with that id (of a campaign `mayRemove` allows; default any). */
  removePaperCount(id: string, mayRemove?: (campaignId: string) => boolean): Promise<PaperCount | undefined>;
  /** A campaign's paper counts, the latest collected first. */
  paperCounts(campaignId: string): Promise<PaperCount[]>;

  // ---- Rate limits (rate-limit-rows.ts): buckets shared by every instance on the database ----
  /** Take one attempt from bucket `key`, atomically: 0 when taken, else milliseconds until one is back (nothing taken). */
  takeAttempt(key: string, limit: BucketLimit, nowMs: number): Promise<number>;
  /** Give one attempt back to bucket `key`, never beyond its capacity. */
  returnAttempt(key: string, limit: BucketLimit, nowMs: number): Promise<void>;
  /** Drop up to `max` buckets that are full by `nowMs` (a missing bucket is a full one); answers how many went. */
  sweepAttempts(nowMs: number, max: number): Promise<number>;

  /**
   * Call `listener` after anything the dashboards show has changed: signatures stored or
   * deleted, paper counts recorded or removed, devices enrolled, revoked or reporting. On PostgreSQL this includes changes made
   * by other server instances on the same database. Returns the unsubscribe function.
   */
  onChange(listener: () => void): () => void;

  close(): Promise<void>;
}

/** A set of change listeners, each called in turn; one that throws is logged, never fatal. */
export class ChangeListeners {
  private readonly listeners = new Set<() => void>();
  add(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (error) {
        console.error(`A change listener failed: ${(error as Error).message}`);
      }
    }
  }
}

/**
 * The chain place of a stored record (its JSON, parsed), or null when it carries none. The
 * record was validated at ingestion; this only refuses to write a malformed place.
 */
export function chainPlaceOf(record: unknown): { device: string; seq: number; link: string } | null {
  const chain = (record as { chain?: { device?: unknown; seq?: unknown; link?: unknown } } | null)?.chain;
  if (!chain || typeof chain.device !== 'string' || !Number.isSafeInteger(chain.seq) || typeof chain.link !== 'string') return null;
  return { device: chain.device, seq: chain.seq as number, link: chain.link };
}

/**
 * The report to keep when `next` arrives after `previous`. Counts are the tablet's latest
 * snapshot; `erased` is a running total and `lastSyncAt` a moment that only moves forward, so
 * a late or retried report never lowers them (and an increase is seen exactly once).
 */
export function mergeReport(previous: DeviceReport | null, next: DeviceReport): DeviceReport {
  const merged = { ...next };
  if (previous?.erased !== undefined) merged.erased = Math.max(previous.erased, next.erased ?? 0);
  if (previous?.lastSyncAt !== undefined && !(next.lastSyncAt && Date.parse(next.lastSyncAt) > Date.parse(previous.lastSyncAt))) {
    merged.lastSyncAt = previous.lastSyncAt;
  }
  return merged;
}
