/**
 * Time-based one-time codes (TOTP, RFC 6238) through otpauth: SHA-1, 6 digits, 30-second
 * steps, what every authenticator app reads from an otpauth:// QR code. A code is accepted
 * one step early or late (a phone's clock drifts), and each step once per account (the store
 * keeps the last step accepted). Recovery codes are random, shown once, kept as hashes.
 */
import { randomBytes } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import { sha256 } from '../devices.ts';

const PERIOD_S = 30;
const DIGITS = 6;

function totpOf(secret: string, label = '', issuer = 'Fieldsign'): OTPAuth.TOTP {
  return new OTPAuth.TOTP({ issuer, label, algorithm: 'SHA1', digits: DIGITS, period: PERIOD_S, secret: OTPAuth.Secret.fromBase32(secret) });
}

/** A new secret, in base32 (160 bits, as RFC 4226 recommends). */
export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

/** The otpauth:// address an authenticator app reads from the QR code. */
export function totpUri(secret: string, email: string, issuer: string): string {
  return totpOf(secret, email, issuer).toString();
}

/** Whether `code` looks like an authenticator's code (6 digits, spaces allowed) rather than a recovery code. */
export function isTotpCode(code: string): boolean {
  return /^\d{6}$/.test(code.replace(/\s/g, ''));
}

/** The time step `code` is valid for at `now` (one step either side), or undefined. */
export function totpStep(secret: string, code: string, now: Date): number | undefined {
  const token = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(token)) return undefined;
  const delta = totpOf(secret).validate({ token, timestamp: now.getTime(), window: 1 });
  return delta === null ? undefined : Math.floor(now.getTime() / 1000 / PERIOD_S) + delta;
}

/** The code for `now`: for tests, and nowhere in the server's answers. */
export function totpCode(secret: string, now = new Date()): string {
  return totpOf(secret).generate({ timestamp: now.getTime() });
}

/** How a recovery code is stored: its hash, whatever case and dashes it is typed with. */
export function recoveryCodeHash(code: string): string {
  return sha256(code.toLowerCase().replace(/[^a-z0-9]/g, ''));
}

/** `count` new recovery codes, `xxxxx-xxxxx` (50 bits each), to show once. */
export function newRecoveryCodes(count = 10): string[] {
  return Array.from({ length: count }, () => {
    const text = randomBytes(8).readBigUInt64BE().toString(36).padStart(13, '0').slice(-10);
    return `${text.slice(0, 5)}-${text.slice(5)}`;
  });
}
