/**
 * Coordinator passwords: scrypt (memory-hard, in node:crypto), a fresh salt per password,
 * parameters stored with the hash so they can be raised later.
 *
 * Checking a password runs scrypt on libuv's thread pool (4 threads), which file reads, gzip
 * and DNS share: 300 wrong sign-ins at once once held every thread, and a tablet's gzipped
 * batch and the console's pages waited 9.8 s behind them. So at most PASSWORD_CHECKS.running
 * checks run at once in a process; a few more wait, each briefly, and beyond that a check is
 * refused at once (PasswordChecksBusy), to be tried again. Tablets never check a password.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));

const PARAMS = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;

/** At least 12 characters: a passphrase, not a PIN. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < 12) return 'The password must be at least 12 characters long.';
  if (password.length > 200) return 'The password must be at most 200 characters long.';
  return undefined;
}

/** Hash as `scrypt$N$r$p$salt$hash` (base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, { ...PARAMS, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Password checks at once in this process, how many may wait for one, and how long each may wait. */
export const PASSWORD_CHECKS = { running: 2, waiting: 16, waitMs: 2_000 } as const;

/** A password check refused because the server is busy with others (not a wrong password). */
export class PasswordChecksBusy extends Error {
  constructor() {
    super('The server is busy checking other sign-ins.');
  }
}

/** A bounded number of tasks at once, a bounded queue, a bounded wait; beyond: PasswordChecksBusy. */
export class BoundedSlots {
  private running = 0;
  private readonly queue: Array<{ start: () => void; timer: ReturnType<typeof setTimeout> }> = [];

  private readonly limits: { running: number; waiting: number; waitMs: number };

  constructor(limits: { running: number; waiting: number; waitMs: number }) {
    this.limits = limits;
  }

  /** Whether a task run now would be refused at once (every slot taken, the queue full). */
  get full(): boolean {
    return this.running >= this.limits.running && this.queue.length >= this.limits.waiting;
  }

  /** Run `task` in a slot, once one is free. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limits.running) await this.waitForSlot();
    else this.running++;
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter, so `running` never drops below the queue's need.
      const next = this.queue.shift();
      if (next) {
        clearTimeout(next.timer);
        next.start();
      } else this.running--;
    }
  }

  private waitForSlot(): Promise<void> {
    if (this.queue.length >= this.limits.waiting) return Promise.reject(new PasswordChecksBusy());
    return new Promise((resolve, reject) => {
      const waiter = {
        start: resolve,
        timer: setTimeout(() => {
          this.queue.splice(this.queue.indexOf(waiter), 1);
          reject(new PasswordChecksBusy());
        }, this.limits.waitMs),
      };
      waiter.timer.unref?.();
      this.queue.push(waiter);
    });
  }
}

const checks = new BoundedSlots(PASSWORD_CHECKS);

/** Whether a password check asked for now would be refused as busy (so nothing else need be done for it). */
export function passwordChecksFull(): boolean {
  return checks.full;
}

/**
 * Check a password against a stored hash, in constant time, in one of this process's bounded
 * password-check slots; rejects with PasswordChecksBusy when none is free soon enough.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  return checks.run(() => checkHash(password, stored));
}

async function checkHash(password: string, stored: string): Promise<boolean> {
  const [scheme, N, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, { N: Number(N), r: Number(r), p: Number(p), maxmem: 64 * 1024 * 1024 });
  return timingSafeEqual(key, expected);
}

/** A hash to check against when the email is unknown, so timing does not reveal accounts. */
export const DUMMY_HASH = `scrypt$${PARAMS.N}$8$1$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(32).toString('base64url')}`;
