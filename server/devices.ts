/**
 * Device enrollment and authentication. A coordinator makes a one-time code that expires;
 * a tablet trades it for a random device token. The server keeps only SHA-256 hashes of
 * codes and tokens, so a copy of its database lets no one enroll or sync.
 */
import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import * as z from 'zod/mini';
import {
  ENROLLMENT_CODE_ALPHABET,
  EnrollRequestSchema,
  MIN_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  normalizeEnrollmentCode,
  toFieldIssues,
  type EnrollResponse,
} from '../src/shared/protocol.ts';
import { HttpError } from './http-body.ts';
import type { Device, Store } from './store/store.ts';

/** Hex SHA-256 of a secret. */
export function sha256(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Make and store a new enrollment code for `event`; returns it formatted as XXXXX-XXXXX. */
export async function createEnrollmentCode(store: Store, event: string, ttlMs: number, now = new Date()): Promise<{ code: string; expiresAt: string }> {
  let raw = '';
  for (let i = 0; i < 10; i++) raw += ENROLLMENT_CODE_ALPHABET[randomInt(ENROLLMENT_CODE_ALPHABET.length)];
  const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
  await store.createEnrollmentCode({ codeHash: sha256(raw), event, createdAt: now.toISOString(), expiresAt });
  return { code: `${raw.slice(0, 5)}-${raw.slice(5)}`, expiresAt };
}

const REFUSALS = {
  unknown: 'This enrollment code is not valid. Check it, or ask the coordinator for a new one.',
  expired: 'This enrollment code has expired. Ask the coordinator for a new one.',
  used: 'This enrollment code was already used. Each code enrolls one tablet; ask for a new one.',
} as const;

/** Handle POST /api/v1/enroll: redeem a code, create the device, return its token once. */
export async function enroll(store: Store, body: unknown, now = new Date(), retentionMs = 0): Promise<{ status: number; body: EnrollResponse }> {
  const parsed = z.safeParse(EnrollRequestSchema, body);
  if (!parsed.success) {
    throw new HttpError(400, 'bad_request', parsed.error.issues[0]?.message ?? 'Invalid enrollment request.', toFieldIssues(parsed.error));
  }
  const { protocol, code, label } = parsed.data;
  if (protocol < MIN_PROTOCOL_VERSION || protocol > PROTOCOL_VERSION) {
    throw new HttpError(400, 'incompatible_protocol', 'This app and the server speak different versions. Please update the app.');
  }
  const token = randomBytes(32).toString('base64url');
  const result = await store.redeemEnrollmentCode(sha256(normalizeEnrollmentCode(code)), now.toISOString(), {
    id: randomUUID(),
    tokenHash: sha256(token),
    label: label || null,
  });
  if (!result.ok) throw new HttpError(403, 'enrollment_refused', REFUSALS[result.reason]);
  return { status: 201, body: { deviceId: result.device.id, token, event: result.device.event, retentionMs } };
}

/**
 * The device behind the request's bearer token, or an HttpError: 401 when the token is
 * missing or unknown, 401 `device_revoked` when the device was revoked.
 */
export async function authenticate(store: Store, req: IncomingMessage): Promise<Device> {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(header);
  if (!match) throw new HttpError(401, 'unauthorized', 'This tablet is not enrolled. Enroll it with a code from the coordinator.');
  const device = await store.deviceByTokenHash(sha256(match[1]));
  if (!device) throw new HttpError(401, 'unauthorized', 'This tablet’s token is not recognised. Enroll it again with a new code.');
  if (device.revokedAt) {
    throw new HttpError(401, 'device_revoked', 'This tablet was revoked by a coordinator. Its signatures are kept on it: enroll it again with a new code to send them.');
  }
  return device;
}
