/**
 * The Store contract (server/store/store.ts), as tests that every implementation must pass.
 * `storeContract(name, open)` registers them; tests/store/sqlite.test.ts and
 * tests/store/postgres.test.ts run them against SQLite and PostgreSQL. The cases are in
 * tests/store/contract/, by section: records (ingest, deletion), instances (several stores on
 * one database), people (enrollment codes, devices, coordinators, audit log), reads (totals,
 * search, duplicates, list), review (setting signatures aside before the hand-in), the hand-in package's reads, paper (paper counts) and rate-limits (the shared buckets); what they are built from is contract/fixtures.ts. The PostgreSQL
 * test databases are tests/store/postgres-schema.ts.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, it } from 'vitest';
import type { Store } from '../../server/store/store.ts';
import { T0 } from './contract/fixtures.ts';
import { handinContract } from './contract/handin.ts';
import { instancesContract } from './contract/instances.ts';
import { peopleContract } from './contract/people.ts';
import { readsContract } from './contract/reads.ts';
import { paperContract } from './contract/paper.ts';
import { rateLimitsContract } from './contract/rate-limits.ts';
import { ingestRecordsContract } from './contract/records.ts';
import { reviewContract } from './contract/review.ts';

/**
 * A contract test an implementation is known to fail, with the reason on record. Such a
 * test runs as `it.fails`, so it starts failing loudly the day the gap is closed.
 */
export type KnownGap =
  /** Search and duplicate flags fold only ASCII case (SQLite's lower() and LIKE). */
  | 'unicode-case-folding'
  /** A search query holding U+0000 is cut there (SQLite's LIKE reads C strings), so "\0" matches everything. */
  | 'nul-in-search';

export interface ContractOptions {
  /** Another store on the database of the latest `open()`, as a second server process would open it. */
  openSecond?: () => Promise<Store>;
  knownGaps?: KnownGap[];
}

/** What every section of the contract is given by `storeContract`. */
export interface ContractContext {
  /** The store of the current test (opened afresh before each). */
  store(): Store;
  /** Another store on the same database, closed after the test. */
  second(): Promise<Store>;
  /** `it`, or `it.fails` when this store has the known gap. */
  gapIt(gap: KnownGap, title: string, fn: () => Promise<void>): void;
  /** `it`, or `it.skip` when this store cannot open a second one. */
  itWithSecond: typeof it | typeof it.skip;
  /** Enroll a device through a fresh code; returns its id. */
  enrollDevice(s: Store, event: string, label: string | null, at?: string, tokenHash?: string): Promise<string>;
}

export function storeContract(name: string, open: () => Promise<Store>, cleanup?: () => Promise<void>, options: ContractOptions = {}): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    const others: Store[] = [];
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      for (const other of others.splice(0)) await other.close();
      await store.close();
    });
    if (cleanup) afterAll(cleanup);

    const gapIt = (gap: KnownGap, title: string, fn: () => Promise<void>) =>
      options.knownGaps?.includes(gap) ? it.fails(`${title} [known gap in ${name}: ${gap}]`, fn) : it(title, fn);
    const second = async (): Promise<Store> => {
      const other = await options.openSecond!();
      others.push(other);
      return other;
    };
    const itWithSecond = options.openSecond ? it : it.skip;

    /** Enroll a device through a fresh code; returns its id. */
    async function enrollDevice(s: Store, event: string, label: string | null, at = T0, tokenHash: string = randomUUID()): Promise<string> {
      const codeHash = randomUUID();
      await s.createEnrollmentCode({ codeHash, event, createdAt: at, expiresAt: '2099-01-01T00:00:00.000Z' });
      const id = randomUUID();
      const result = await s.redeemEnrollmentCode(codeHash, at, { id, tokenHash, label });
      if (!result.ok) throw new Error(`enrollment failed: ${result.reason}`);
      return id;
    }

    const t: ContractContext = { store: () => store, second, gapIt, itWithSecond, enrollDevice };
    ingestRecordsContract(t);
    instancesContract(t);
    peopleContract(t);
    readsContract(t);
    reviewContract(t);
    handinContract(t);
    paperContract(t);
    rateLimitsContract(t);
  });
}
