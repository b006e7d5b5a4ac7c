/**
 * Deleted means gone from the disk: after a signature is deleted on a data-subject request,
 * its signer's name, email and strokes are in none of the SQLite files (.db, -wal, -shm),
 * searched byte by byte, in every form the store could have written them.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordHash } from '../../server/ingest.ts';
import { SqliteStore } from '../../server/store/sqlite.ts';
import type { SignatureRecord } from '../../src/shared/protocol.ts';
import { matchingKey } from '../../src/shared/signer-keys.ts';
import { makeRecord, withSigner } from '../helpers/records.ts';


const dir = mkdtempSync(join(tmpdir(), 'fieldsign-secure-delete-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every form of a signer's data the files could hold: as typed, folded for keys and search, JSON-escaped. */
function traces(record: SignatureRecord): string[] {
  if (record.payload.kind !== 'plain') throw new Error('plain records only');
  const { name, email } = record.payload.signer;
  const ink = record.payload.ink!.data;
  return [name, email!, matchingKey(name), matchingKey(email!), JSON.stringify(name).slice(1, -1), ink.slice(0, 48), ink.slice(-48), record.id];
}

/** Which of `needles` occur in the raw bytes of the database's files. */
function foundIn(path: string, needles: string[]): string[] {
  const files = [path, `${path}-wal`, `${path}-shm`].filter((f) => existsSync(f)).map((f) => readFileSync(f));
  return needles.filter((needle) => files.some((bytes) => bytes.includes(Buffer.from(needle, 'utf8'))));
}

describe('secure deletion (SQLite)', () => {
  it("a deleted signer's name, email and strokes are in none of the .db, -wal or -shm files", async () => {
    const path = join(dir, 'store.db');
    const store = new SqliteStore(path);
    const kept = Array.from({ length: 30 }, (_, i) => makeRecord({ name: `Kept Signer ${i}`, email: `kept${i}@example.org` }));
    const erased = withSigner(makeRecord({ name: 'Ëvá Q. Forgetme-Zhang 张伟', email: 'Eva.Forgetme@Example.org' }), { country: 'CN' });
    const twin = withSigner(makeRecord({ name: 'eva q. forgetme-zhang 张伟', email: 'other@example.org' }), { country: 'CN' });
    try {
      const items = [...kept.slice(0, 15), erased, twin, ...kept.slice(15)].map((record) => ({ record, hash: recordHash(record), clockSuspect: false }));
      await store.ingest(items, '2026-11-24T10:00:00.000Z', 'sync');
      // A conflicting copy of the same id is set aside too: it must go as well.
      const altered = withSigner(erased, { name: 'Ëvá Q. Forgetme-Zhang 张伟 (again)' });
      expect(await store.ingest([{ record: altered, hash: recordHash(altered), clockSuspect: false }], '2026-11-24T10:05:00.000Z', 'sync')).toEqual(['conflict']);
      // The search and the flags have seen the signer: it is in the files now.
      expect((await store.searchSignatures({ q: 'forgetme' })).total).toBe(2);
      expect(foundIn(path, traces(erased)).length).toBeGreaterThan(0);

      expect(await store.deleteSignature(erased.id, '2026-11-24T11:00:00.000Z')).toBe(true);
      const left = traces(erased).filter((t) => t !== erased.id); // the tombstone keeps the id, on purpose (S20)
      expect(foundIn(path, left)).toEqual([]);
      // Nothing else was lost: the other signers are still there, on disk and in the store.
      expect(foundIn(path, ['Kept Signer 29', 'kept0@example.org'])).toEqual(['Kept Signer 29', 'kept0@example.org']);
      expect(await store.count()).toBe(31);
      expect((await store.searchSignatures({ q: 'forgetme' })).rows.map((r) => r.id)).toEqual([twin.id]);
      expect(await store.conflictCount()).toBe(0);
    } finally {
      await store.close();
    }
    // And still after the last connection closed.
    expect(foundIn(path, traces(erased).filter((t) => t !== erased.id))).toEqual([]);
  });
});
