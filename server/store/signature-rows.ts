/**
 * How a signature becomes rows, and rows become a signature, the same on both databases:
 * the keys and searchable text computed once at ingestion (src/shared/signer-keys.ts), the
 * counters a batch adds, and the SQL that keeps the duplicate flags true.
 */
import type { SignatureRecord } from '../../src/shared/protocol.ts';
import { searchableText, signerKeys } from '../../src/shared/signer-keys.ts';
import type { SetAsideReason } from '../../src/shared/api/signatures.ts';
import type { StoredSignature } from './store.ts';
import type { Dialect } from './sql.ts';

/** The columns a StoredSignature is read from. */
export const SIGNATURE_COLUMNS =
  'seq, id, device_id, campaign_id, captured_at, received_at, clock_suspect, source, record, version_problem, set_aside_reason, set_aside_note, set_aside_at, set_aside_by';

export type SignatureRow = {
  seq: number;
  id: string;
  device_id: string;
  campaign_id: string;
  captured_at: string;
  received_at: string;
  clock_suspect: number | boolean;
  source: string;
  record: unknown;
  version_problem: string | null;
  set_aside_reason: string | null;
  set_aside_note: string | null;
  set_aside_at: string | null;
  set_aside_by: string | null;
};

/** SQLite returns JSON columns as text, PostgreSQL's `json` already parsed. */
export function parseRecord(value: unknown): SignatureRecord {
  return (typeof value === 'string' ? JSON.parse(value) : value) as SignatureRecord;
}

export function toStored(r: SignatureRow): StoredSignature {
  return {
    seq: Number(r.seq),
    id: r.id,
    deviceId: r.device_id,
    campaignId: r.campaign_id,
    capturedAt: r.captured_at,
    receivedAt: r.received_at,
    clockSuspect: r.clock_suspect === true || Number(r.clock_suspect) === 1,
    source: r.source === 'import' ? 'import' : 'sync',
    record: parseRecord(r.record),
    versionProblem: (r.version_problem as StoredSignature['versionProblem']) ?? null,
    setAside: r.set_aside_reason
      ? { reason: r.set_aside_reason as SetAsideReason, note: r.set_aside_note ?? null, at: r.set_aside_at ?? '', by: r.set_aside_by ?? '' }
      : null,
  };
}

export interface RecordKeys {
  email: string | null;
  nameCountry: string | null;
  /** The country as counted: the signer's, or the one a sealed record carries in clear. */
  country: string | null;
  search: string;
}

/**
 * The keys of a stored record. A sealed record has no signer in clear: only its id is
 * searchable and it is never flagged here (the console's finder judges it once opened).
 */
export function keysOf(record: SignatureRecord): RecordKeys {
  const signer = record.payload.kind === 'plain' ? record.payload.signer : undefined;
  const keys = signer ? signerKeys(signer) : { email: null, nameCountry: null };
  return { ...keys, country: signer?.country ?? record.country ?? null, search: searchableText(record.id, signer) };
}

/** Insert `rows` searchable texts at once (each a seq and a text). */
export function searchInsertSql(dialect: Dialect, rows = 1): string {
  return `INSERT INTO signature_search (${dialect.searchSeq}, text) VALUES ${Array.from({ length: rows }, () => '(?, ?)').join(', ')}`;
}

/** A signature (as `signatures`) that another of its campaign shares a key with. */
const SHARES_A_KEY = `(email_key IS NOT NULL AND EXISTS (SELECT 1 FROM signatures b WHERE b.email_key = signatures.email_key AND b.campaign_id = signatures.campaign_id AND b.seq <> signatures.seq))
      OR (name_key IS NOT NULL AND EXISTS (SELECT 1 FROM signatures b WHERE b.name_key = signatures.name_key AND b.campaign_id = signatures.campaign_id AND b.seq <> signatures.seq))`;

/**
 * Set each signature's flag (chosen by `where`, over `signatures`) to whether another stored
 * signature of the same campaign shares its email key or its name-and-country key. Duplicates
 * are judged within one campaign only: signing two petitions is not signing twice.
 */
export function refreshDuplicateFlagsSql(where: string): string {
  return `UPDATE signatures SET possible_duplicate = CASE WHEN ${SHARES_A_KEY} THEN 1 ELSE 0 END WHERE ${where}`;
}

/**
 * Flag the not-yet-flagged signatures with these keys (`column` IN the list) that another
 * signature of their campaign now shares: what a new batch can change, written only where it
 * changes (an arrival never lowers a flag). Returns each flagged row's campaign, for its count.
 */
export function raiseDuplicateFlagsSql(column: 'email_key' | 'name_key', keys: number): string {
  return `UPDATE signatures SET possible_duplicate = 1
    WHERE possible_duplicate = 0 AND ${column} IS NOT NULL AND ${column} IN (${Array.from({ length: keys }, () => '?').join(', ')})
      AND EXISTS (SELECT 1 FROM signatures b WHERE b.${column} = signatures.${column} AND b.campaign_id = signatures.campaign_id AND b.seq <> signatures.seq)
    RETURNING campaign_id`;
}

/** After a deletion: lower the flags of the signatures with this key that no longer share any key. Returns their campaigns. */
export function lowerDuplicateFlagsSql(column: 'email_key' | 'name_key'): string {
  return `UPDATE signatures SET possible_duplicate = 0 WHERE possible_duplicate = 1 AND ${column} = ? AND NOT (${SHARES_A_KEY}) RETURNING campaign_id`;
}

/** Why a stored signature does not match a published version (S26): kept and counted all the same. */
export type VersionProblem = 'unknown-campaign' | 'unknown-version' | 'hash-mismatch';

/** The counter keys one stored signature adds to (or, deleted, takes from), within its campaign. */
export function counterKeys(row: {
  deviceId: string;
  event: string | undefined;
  country: string | null;
  receivedAt: string;
  version: number;
  lang: string | undefined | null;
  problem: VersionProblem | null;
  /** Why it was set aside from the hand-in, if it was. */
  setAside?: string | null;
}): Array<[string, string]> {
  const keys: Array<[string, string]> = [
    ['total', ''],
    ['device', row.deviceId],
    ['event', row.event ?? '(imported or unknown)'],
    ['country', row.country ?? ''],
    ['hour', `${row.receivedAt.slice(0, 13)}:00:00Z`],
    ['version', `${row.version} ${row.lang ?? ''}`],
  ];
  if (row.problem) keys.push(['problem', row.problem], ['problem-version', `${row.version} ${row.lang ?? ''}`]);
  if (row.setAside) keys.push(...setAsideCounterKeys({ ...row, reason: row.setAside }));
  return keys;
}

/**
 * The counters a set-aside signature adds to: by reason; and, so the hand-in's sections need
 * no scan, per "<version> <lang>" when it matches its version, or once among the signatures
 * that match no published text when it does not (the sections list those apart).
 */
export function setAsideCounterKeys(row: { reason: string; version: number; lang: string | undefined | null; problem: string | null }): Array<[string, string]> {
  return [['set-aside', row.reason], row.problem ? ['set-aside-problem', ''] : ['set-aside-version', `${row.version} ${row.lang ?? ''}`]];
}
