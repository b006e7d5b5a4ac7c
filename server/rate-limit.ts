/**
 * Token-bucket rate limiting, in memory, keyed by client address. Used for anything that
 * can be guessed (enrollment codes, device tokens, console passwords). Buckets refill
 * continuously. The middleware that applies them is in middleware.ts.
 */
import { HttpError } from './http-reply.ts';

/** Options for {@link RateLimiter}. */
export interface RateLimitOptions {
  /** Attempts allowed in a burst. */
  capacity: number;
  /** Milliseconds for one attempt to come back. */
  refillMs: number;
  /** Forget keys idle this long (bounds memory). Default 1 hour. */
  idleMs?: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly opts: Required<RateLimitOptions>;

  constructor(options: RateLimitOptions) {
    this.opts = { idleMs: 3_600_000, ...options };
  }

  /** Milliseconds until `key` may try again; 0 when it may try now. Does not consume. */
  waitFor(key: string, now = Date.now()): number {
    const bucket = this.refill(key, now);
    return bucket.tokens >= 1 ? 0 : Math.ceil((1 - bucket.tokens) * this.opts.refillMs);
  }

  /** Use one attempt of `key`. */
  consume(key: string, now = Date.now()): void {
    const bucket = this.refill(key, now);
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    this.buckets.set(key, bucket);
    if (this.buckets.size > 10_000) this.sweep(now);
  }

  private refill(key: string, now: number): { tokens: number; at: number } {
    const bucket = this.buckets.get(key) ?? { tokens: this.opts.capacity, at: now };
    bucket.tokens = Math.min(this.opts.capacity, bucket.tokens + (now - bucket.at) / this.opts.refillMs);
    bucket.at = now;
    return bucket;
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) if (now - bucket.at > this.opts.idleMs) this.buckets.delete(key);
  }
}

/** Refuse with 429, and a Retry-After in whole seconds, when `limiter` has no attempt left for `key`. */
export function checkLimit(limiter: RateLimiter, key: string): void {
  const wait = limiter.waitFor(key);
  if (wait > 0) {
    const seconds = Math.ceil(wait / 1000);
    throw new HttpError(429, 'rate_limited', `Too many attempts. Try again in ${seconds} s.`, undefined, seconds);
  }
}
