/**
 * Device enrollment and authentication. A coordinator makes a one-time code that expires;
 * a tablet trades it for a random device token. The server keeps only SHA-256 hashes of
 * codes and tokens, so a copy of its database lets no one enroll or sync. Knows nothing of
 * HTTP: each function returns a typed outcome, and the routes (routes/tablet.ts) answer it.
 */
import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import * as z from 'zod/mini';
import {
  ENROLLMENT_CODE_ALPHABET,
  EnrollRequestSchema,
  normalizeEnrollmentCode,
  protocolMismatch,
  type BatchReport,
  type EnrollResponse,
  type IncompatibleReason,
} from '../src/shared/protocol.ts';
import type { Device, Store } from './store/store.ts';

/** A tablet silent this long while holding unsynced signatures is flagged in the console (`--stale-after`). */
export const DEFAULT_STALE_AFTER_MS = 2 * 3_600_000;
/** A device token works this long after enrollment (`--token-lifetime`; 0: forever). */
export const DEFAULT_TOKEN_LIFETIME_MS = 90 * 86_400_000;

/** Hex SHA-256 of a secret. */
export function sha256(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * Who did something, as the audit log names them: a coordinator's email (the console),
 * `cli (user)` (a command on the server machine, see {@link cliActor}), `tablet:<id>`.
 */
export type Actor = string;

/** The audit actor of a CLI command: the operating-system user who ran it. */
export function cliActor(): Actor {
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): the environment's name will do.
  }
  return `cli (${user})`;
}

/**
 * Make and store a new enrollment code for `event`, audited under `actor` whichever way it
 * was asked for (console or CLI); returns it formatted as XXXXX-XXXXX.
 */
export async function createEnrollmentCode(
  store: Store,
  event: string,
  ttlMs: number,
  actor: Actor,
  now = new Date(),
  /** The campaigns the tablet may show; omitted: the default one. */
  campaigns?: string[],
): Promise<{ code: string; expiresAt: string }> {
  let raw = '';
  for (let i = 0; i < 10; i++) raw += ENROLLMENT_CODE_ALPHABET[randomInt(ENROLLMENT_CODE_ALPHABET.length)];
  const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
  await store.createEnrollmentCode({ codeHash: sha256(raw), event, createdAt: now.toISOString(), expiresAt, campaigns: campaigns ?? null });
  await store.audit({ at: now.toISOString(), actor, action: 'create-enrollment-code', detail: { event, expiresAt, ...(campaigns && { campaigns }) } });
  return { code: `${raw.slice(0, 5)}-${raw.slice(5)}`, expiresAt };
}

/** Revoke a tablet (its token stops working at once), audited under `actor`; false when there is no such device. */
export async function revokeDevice(store: Store, deviceId: string, actor: Actor, now = new Date()): Promise<boolean> {
  if (!(await store.revokeDevice(deviceId, now.toISOString()))) return false;
  await store.audit({ at: now.toISOString(), actor, action: 'revoke-device', detail: { deviceId } });
  return true;
}

/** Why an enrollment code was not taken: never seen, past its expiry, or already used by another tablet. */
export type CodeRefusal = 'unknown' | 'expired' | 'used';

/** What became of an enrollment request. */
export type EnrollOutcome =
  /** The device exists; `response` holds its token, shown this once. */
  | { kind: 'enrolled'; response: EnrollResponse }
  /** S2, S28: the app speaks a protocol this server does not. */
  | { kind: 'incompatible'; reason: IncompatibleReason }
  /** S13: the code cannot be redeemed. */
  | { kind: 'refused'; reason: CodeRefusal };

/**
 * Redeem a code (the body of POST /api/v1/enroll, as EnrollRequestSchema parsed it), create
 * the device, return its token once.
 */
export async function enroll(
  store: Store,
  { protocol, code, label }: z.output<typeof EnrollRequestSchema>,
  now = new Date(),
  retentionMs = 0,
  tokenLifetimeMs = DEFAULT_TOKEN_LIFETIME_MS,
): Promise<EnrollOutcome> {
  const mismatch = protocolMismatch(protocol);
  if (mismatch) return { kind: 'incompatible', reason: mismatch };
  const token = randomBytes(32).toString('base64url');
  const result = await store.redeemEnrollmentCode(sha256(normalizeEnrollmentCode(code)), now.toISOString(), {
    id: randomUUID(),
    tokenHash: sha256(token),
    label: label || null,
  });
  if (!result.ok) return { kind: 'refused', reason: result.reason };
  const { device } = result;
  await store.audit({
    at: now.toISOString(),
    actor: `tablet:${device.id}`,
    action: 'enroll-device',
    detail: { deviceId: device.id, event: device.event, ...(device.label && { label: device.label }) },
  });
  const expiresAt = tokenExpiresAt(device.enrolledAt, tokenLifetimeMs);
  return { kind: 'enrolled', response: { deviceId: device.id, token, event: device.event, retentionMs, ...(expiresAt && { tokenExpiresAt: expiresAt }) } };
}

/** S25: when a token issued at `enrolledAt` stops working; undefined when tokens never expire (lifetime 0). */
export function tokenExpiresAt(enrolledAt: string, lifetimeMs: number): string | undefined {
  const at = Date.parse(enrolledAt) + lifetimeMs;
  return lifetimeMs > 0 && Number.isFinite(at) ? new Date(at).toISOString() : undefined;
}

/** The outcome of a token check: the device, or why there is none to speak for. */
export type TokenCheck =
  | { ok: true; device: Device }
  /** No bearer token of the right form: the tablet was never enrolled. */
  | { ok: false; refusal: 'not_enrolled' }
  /** A token no device has (S12). */
  | { ok: false; refusal: 'unknown_token' }
  /** The device was revoked by a coordinator. */
  | { ok: false; refusal: 'revoked' }
  /** S25: the token outlived the token lifetime, on `expiresAt`. */
  | { ok: false; refusal: 'expired'; expiresAt: string };

/** The device behind an `Authorization` header value (`Bearer <token>`), or why there is none. */
export async function authenticate(store: Store, authorization: string | null | undefined, now = new Date(), tokenLifetimeMs = DEFAULT_TOKEN_LIFETIME_MS): Promise<TokenCheck> {
  const match = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(authorization ?? '');
  if (!match) return { ok: false, refusal: 'not_enrolled' };
  const device = await store.deviceByTokenHash(sha256(match[1]));
  if (!device) return { ok: false, refusal: 'unknown_token' };
  if (device.revokedAt) return { ok: false, refusal: 'revoked' };
  const expiresAt = tokenExpiresAt(device.enrolledAt, tokenLifetimeMs);
  if (expiresAt && now.getTime() >= Date.parse(expiresAt)) return { ok: false, refusal: 'expired', expiresAt };
  return { ok: true, device };
}

/**
 * Most signatures one report may add to a tablet's erase total (F15). A quick delete erases
 * what the tablet holds unsynced, which even a day offline at a large rally keeps in the low
 * thousands; a larger jump is no tablet's real count, and taken at its word (up to 2^53 − 1)
 * it would hide every later real erasure, since only an increase is audited.
 */
export const MAX_ERASED_PER_REPORT = 10_000;

/**
 * S21: save what a tablet said about itself with a batch the server accepted. The erase total
 * only ever grows, so an increase is written to the audit log exactly once, whatever the retries.
 * An implausible increase (over {@link MAX_ERASED_PER_REPORT}) is not kept: the previous total
 * stays, so later real erasures are still audited, and the claim itself is audited once per report.
 * The batch envelope does not check the report (its records are judged whatever the report
 * says): one that breaks the schema reaches here as undefined, and the previous report stays.
 * A chain head is kept only for the token's own device (S23): no tablet speaks for another's chain.
 */
export async function recordReport(store: Store, device: Device, report: BatchReport | undefined, now: Date): Promise<void> {
  if (!report) return;
  const chain = report.chain?.device === device.id ? report.chain : undefined;
  const at = now.toISOString();
  const claimed = report.erased;
  const plausible = claimed === undefined || claimed - (device.lastReport?.erased ?? 0) <= MAX_ERASED_PER_REPORT;
  const previous = await store.reportDevice(device.id, { ...report, chain, at, erased: plausible ? claimed : undefined });
  if (!plausible) {
    await store.audit({
      at,
      actor: `tablet:${device.id}`,
      action: 'tablet-erased-implausible',
      detail: { deviceId: device.id, ...(device.label && { label: device.label }), claimed, kept: previous?.erased ?? 0 },
    });
    return;
  }
  const { erased } = report;
  const newlyErased = (erased ?? 0) - (previous?.erased ?? 0);
  if (newlyErased > 0) {
    await store.audit({
      at,
      actor: `tablet:${device.id}`,
      action: 'tablet-erased',
      detail: { deviceId: device.id, ...(device.label && { label: device.label }), erased: newlyErased, total: erased },
    });
  }
}

/** A device as the console and the CLI show it. */
export interface DeviceView extends Device {
  /** When its token stops working; null when tokens never expire. */
  tokenExpiresAt: string | null;
  /**
   * Set when the tablet holds unsynced (pending or quarantined) signatures and the server has
   * not heard from it for longer than the threshold: someone should go and find it before
   * its browser evicts them.
   */
  silent: { forMs: number; unsynced: number } | null;
}

/** The settings a {@link DeviceView} depends on. */
export interface DeviceViewOptions {
  now: Date;
  staleAfterMs: number;
  tokenLifetimeMs: number;
}

/** What the console shows about `device`: token expiry, and whether it went quiet holding signatures. */
export function viewDevice(device: Device, { now, staleAfterMs, tokenLifetimeMs }: DeviceViewOptions): DeviceView {
  const unsynced = device.lastReport ? device.lastReport.pending + device.lastReport.quarantined : 0;
  const quietMs = device.lastSeenAt ? now.getTime() - Date.parse(device.lastSeenAt) : 0;
  const silent = !device.revokedAt && unsynced > 0 && quietMs > staleAfterMs ? { forMs: quietMs, unsynced } : null;
  return { ...device, tokenExpiresAt: tokenExpiresAt(device.enrolledAt, tokenLifetimeMs) ?? null, silent };
}

/** Every device as viewed now: silent ones first, longest silent first; the others keep their order. */
export function viewDevices(devices: Device[], options: DeviceViewOptions): DeviceView[] {
  const views = devices.map((d) => viewDevice(d, options));
  return [...views.filter((d) => d.silent).sort((a, b) => b.silent!.forMs - a.silent!.forMs), ...views.filter((d) => !d.silent)];
}
