/**
 * Rate-limit buckets in the database (schema version 9), so that every instance on it counts
 * the same attempts: N instances must not mean N times the limit. What is limited, and the
 * keys (hashes of the limiter's name and the client), are rate-limit.ts's.
 *
 * Each bucket is one number, `full_at`: the moment it is full again (the "theoretical arrival
 * time" of the generic cell rate algorithm). Taking an attempt pushes it `refillMs` later; an
 * attempt may be taken while `full_at` is at most (capacity − 1) × refillMs ahead of now. This
 * is exactly a token bucket that refills continuously, in integers, in one column, and a row
 * whose `full_at` has passed is a full bucket: it can be dropped (a missing row is full).
 *
 * Taking is one `INSERT … ON CONFLICT … DO UPDATE … WHERE … RETURNING` statement: on
 * PostgreSQL the conflicting row is locked and re-read, so parallel takes on every instance
 * never hand out more than the capacity; SQLite has one writer anyway. A refused take changes
 * nothing (its WHERE fails, so no row comes back); a second read then says how long to wait.
 */
import type { BucketLimit } from './store.ts';
import type { SqlExecutor } from './sql.ts';

/** Take one attempt from bucket `key`: 0 when taken, else the milliseconds until one is back (nothing taken). */
export async function takeAttempt(db: SqlExecutor, key: string, limit: BucketLimit, nowMs: number): Promise<number> {
  const { refillMs, tolerance, now } = integers(limit, nowMs);
  const taken = await db.get<{ full_at: number }>(
    `INSERT INTO rate_limit_buckets (key, full_at) VALUES (?, ?)
     ON CONFLICT (key) DO UPDATE
       SET full_at = (CASE WHEN rate_limit_buckets.full_at > ? THEN rate_limit_buckets.full_at ELSE ? END) + ?
       WHERE rate_limit_buckets.full_at - ? <= ?
     RETURNING full_at`,
    [key, now + refillMs, now, now, refillMs, now, tolerance],
  );
  if (taken) return 0;
  const row = await db.get<{ full_at: number }>('SELECT full_at FROM rate_limit_buckets WHERE key = ?', [key]);
  // Never 0 for a refusal, even if the bucket refilled between the two statements.
  return Math.max(1, Number(row?.full_at ?? now) - now - tolerance);
}

/** Give one attempt back to bucket `key` (a sign-in that proved right), never beyond a full bucket. */
export async function returnAttempt(db: SqlExecutor, key: string, limit: BucketLimit, nowMs: number): Promise<void> {
  const { refillMs, now } = integers(limit, nowMs);
  await db.run('UPDATE rate_limit_buckets SET full_at = CASE WHEN full_at - ? > ? THEN full_at - ? ELSE ? END WHERE key = ?', [refillMs, now, refillMs, now, key]);
}

/** Drop up to `max` buckets that are full by `nowMs` (they hold nothing a missing row does not say); how many went. */
export async function sweepAttempts(db: SqlExecutor, nowMs: number, max: number): Promise<number> {
  return db.run('DELETE FROM rate_limit_buckets WHERE key IN (SELECT key FROM rate_limit_buckets WHERE full_at <= ? ORDER BY full_at LIMIT ?)', [
    Math.floor(nowMs),
    Math.max(0, Math.trunc(max)),
  ]);
}

/** The limit and the clock in whole milliseconds, and how far ahead `full_at` may be for a take. */
function integers(limit: BucketLimit, nowMs: number): { refillMs: number; tolerance: number; now: number } {
  const refillMs = Math.max(1, Math.round(limit.refillMs));
  const capacity = Math.max(1, Math.floor(limit.capacity));
  return { refillMs, tolerance: (capacity - 1) * refillMs, now: Math.floor(nowMs) };
}
