/**
 * The volunteer PIN, set at enrollment. Only a salted PBKDF2-SHA-256 hash is stored, and
 * wrong guesses lock the PIN prompt for a while, so a passer-by cannot open the volunteer
 * screen by trying PINs.
 */
import { fromBase64Url, toBase64Url } from '../shared/ink.ts';

/** A stored PIN: salt and hash, base64url. */
export interface PinHash {
  salt: string;
  hash: string;
  iterations: number;
}

const ITERATIONS = 150_000;
const GUARD_KEY = 'fieldsign-pin-guard';

/** True for 4 to 8 digits. */
export function isValidPin(pin: string): boolean {
  return /^\d{4,8}$/.test(pin);
}

/** Hash a new PIN with a fresh salt. */
export async function hashPin(pin: string): Promise<PinHash> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return { salt: toBase64Url(salt), hash: await derive(pin, salt, ITERATIONS), iterations: ITERATIONS };
}

/** Check a PIN against its stored hash. */
export async function verifyPin(pin: string, stored: PinHash): Promise<boolean> {
  const hash = await derive(pin, fromBase64Url(stored.salt), stored.iterations);
  // Constant-time enough for a local prompt; compare every character anyway.
  let diff = hash.length ^ stored.hash.length;
  for (let i = 0; i < Math.min(hash.length, stored.hash.length); i++) diff |= hash.charCodeAt(i) ^ stored.hash.charCodeAt(i);
  return diff === 0;
}

async function derive(pin: string, salt: Uint8Array, iterations: number): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(pin), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations }, key, 256);
  return toBase64Url(new Uint8Array(bits));
}

/** Lock-out after wrong PINs: 5 free tries, then 30 s doubling per further miss, at most 15 min. */
export class PinGuard {
  private misses = 0;
  private lockedUntil = 0;
  private readonly store?: Pick<Storage, 'getItem' | 'setItem'>;

  /** With `store` (localStorage), the lock-out survives a reload of the page. */
  constructor(store?: Pick<Storage, 'getItem' | 'setItem'>) {
    this.store = store;
    try {
      const saved = JSON.parse(store?.getItem(GUARD_KEY) ?? 'null') as { misses?: number; lockedUntil?: number } | null;
      this.misses = Number(saved?.misses) || 0;
      this.lockedUntil = Number(saved?.lockedUntil) || 0;
    } catch {
      // Unreadable: start afresh.
    }
  }

  /** Milliseconds left before the next try is allowed; 0 when allowed now. */
  waitMs(now = Date.now()): number {
    return Math.max(0, this.lockedUntil - now);
  }

  /** Record a wrong PIN. */
  miss(now = Date.now()): void {
    this.misses++;
    if (this.misses >= 5) this.lockedUntil = now + Math.min(15 * 60_000, 30_000 * 2 ** (this.misses - 5));
    this.save();
  }

  /** Record a right PIN. */
  reset(): void {
    this.misses = 0;
    this.lockedUntil = 0;
    this.save();
  }

  private save(): void {
    this.store?.setItem(GUARD_KEY, JSON.stringify({ misses: this.misses, lockedUntil: this.lockedUntil }));
  }
}
