/**
 * Rate limits on anything that can be guessed (enrollment codes, device tokens, console
 * passwords): token buckets that refill continuously, per limiter and client. The buckets live
 * in the database (store/rate-limit-rows.ts), so every instance on it counts the same
 * attempts: several instances behind one address must not multiply the limit.
 *
 * A bucket's key is a hash of the limiter's name and the client (an address, an email), never
 * the client itself. It keeps a casual reader of the database from learning who tried what; it
 * is not a secret (the IPv4 addresses can all be tried), which is why rows go as soon as they
 * say nothing (a full bucket), swept a few hundred at a time as limits are taken.
 * The middleware that applies the limits is in middleware.ts; sign-in's are console/sign-in.ts.
 */
import { createHash } from 'node:crypto';
import { HttpError } from './http-reply.ts';
import type { BucketLimit, Store } from './store/store.ts';

/** Attempts allowed in a burst (`capacity`), and the milliseconds for one to come back (`refillMs`). */
export type RateLimitOptions = BucketLimit;

/** Every this many takes in a process, the full buckets are swept, at most SWEEP_MAX rows at once. */
const SWEEP_EVERY = 100;
const SWEEP_MAX = 500;

/** One limit over the store's shared buckets: a name (its buckets' own namespace) and its capacity and refill. */
export class RateLimiter {
  private readonly store: Store;
  /** Keeps this limiter's buckets apart from every other's. */
  readonly name: string;
  readonly limit: RateLimitOptions;
  private readonly now: () => Date;
  private readonly afterTake: () => Promise<void>;

  constructor(store: Store, name: string, limit: RateLimitOptions, now: () => Date, afterTake: () => Promise<void> = async () => {}) {
    this.store = store;
    this.name = name;
    this.limit = limit;
    this.now = now;
    this.afterTake = afterTake;
    if (!(limit.capacity >= 1 && limit.refillMs >= 1)) throw new Error(`The ${name} rate limit needs a capacity and a refill time of at least 1.`);
  }

  /** Take one attempt of `client`: 0 when taken, else the milliseconds until one is back (nothing taken). */
  async take(client: string): Promise<number> {
    const wait = await this.store.takeAttempt(this.key(client), this.limit, this.now().getTime());
    await this.afterTake();
    return wait;
  }

  /** Give back the attempt `client` took, when it turned out not to count (a right password). */
  async giveBack(client: string): Promise<void> {
    await this.store.returnAttempt(this.key(client), this.limit, this.now().getTime());
  }

  private key(client: string): string {
    return createHash('sha256').update(`${this.name}\n${client}`).digest('base64url');
  }
}

/**
 * The named limiters of one app, over one store. They share the sweeping: every SWEEP_EVERY
 * takes, whichever limiter took, the buckets that are full again are dropped (errors are only
 * logged: a row left behind costs nothing but its space).
 */
export function createRateLimiters<Name extends string>(
  store: Store,
  now: () => Date,
  limits: Record<Name, RateLimitOptions>,
  log: (message: string, error?: unknown) => void,
): Record<Name, RateLimiter> {
  let takes = 0;
  const afterTake = async () => {
    if (++takes % SWEEP_EVERY !== 0) return;
    await store.sweepAttempts(now().getTime(), SWEEP_MAX).catch((error) => log('Could not sweep the rate-limit buckets', error));
  };
  const entries = (Object.entries(limits) as Array<[Name, RateLimitOptions]>).map(([name, limit]) => [name, new RateLimiter(store, name, limit, now, afterTake)]);
  return Object.fromEntries(entries) as Record<Name, RateLimiter>;
}

/** The 429 for a client that must wait `waitMs`, with a Retry-After in whole seconds. */
export function rateLimited(waitMs: number): HttpError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new HttpError(429, 'rate_limited', `Too many attempts. Try again in ${seconds} s.`, undefined, seconds);
}

/** Take one attempt of `client` from `limiter`, or refuse with 429 (and a Retry-After) when none is left. */
export async function takeAttempt(limiter: RateLimiter, client: string): Promise<void> {
  const wait = await limiter.take(client);
  if (wait > 0) throw rateLimited(wait);
}
