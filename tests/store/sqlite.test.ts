/** The Store contract against the SQLite store (a new database file per test). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../server/store/sqlite.ts';
import { storeContract } from './contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'fieldsign-store-'));
let n = 0;
let latest = '';

storeContract(
  'SQLite',
  async () => {
    latest = join(dir, `store-${++n}.db`);
    return new SqliteStore(latest);
  },
  async () => rmSync(dir, { recursive: true, force: true }),
  {
    openSecond: async () => new SqliteStore(latest),
  },
);
