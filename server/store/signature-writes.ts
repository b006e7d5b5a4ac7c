/**
 * Storing and deleting signatures, in one write transaction each, with everything that must
 * change with them: the counters, the duplicate flags, the search index and the tombstones.
 */
import { chainPlaceOf, type IngestItem, type IngestOutcome, type IngestSource } from './store.ts';
import { chunks, placeholders, type SqlDatabase, type SqlExecutor } from './sql.ts';
import { counterKeys, keysOf, lowerDuplicateFlagsSql, parseRecord, raiseDuplicateFlagsSql, searchInsertSql, type VersionProblem } from './signature-rows.ts';

/** Rows per multi-row INSERT: 15 values each stays well under both databases' parameter limits. */
const ROWS_PER_INSERT = 500;

/**
 * Store a batch (see Store.ingest). Under the write lock nothing else writes signatures, so
 * what this transaction reads of stored ids and tombstones stays true until it commits.
 */
export async function ingestBatch(db: SqlDatabase, items: IngestItem[], receivedAt: string, source: IngestSource): Promise<IngestOutcome[]> {
  if (items.length === 0) return [];
  return db.transaction('write', async (tx) => {
    const ids = [...new Set(items.map((i) => i.record.id))];
    const stored = new Map<string, string>();
    const tombstoned = new Set<string>();
    for (const part of chunks(ids, ROWS_PER_INSERT)) {
      for (const r of await tx.all<{ id: string; content_hash: string }>(`SELECT id, content_hash FROM signatures WHERE id IN (${placeholders(part.length)})`, part)) {
        stored.set(r.id, r.content_hash);
      }
      for (const r of await tx.all<{ id: string }>(`SELECT id FROM deleted_signatures WHERE id IN (${placeholders(part.length)})`, part)) tombstoned.add(r.id);
    }
    const outcomes: IngestOutcome[] = [];
    const fresh: IngestItem[] = [];
    const conflicts: IngestItem[] = [];
    for (const item of items) {
      const id = item.record.id;
      const hash = stored.get(id);
      if (hash === undefined && !tombstoned.has(id)) {
        outcomes.push('accepted');
        fresh.push(item);
        stored.set(id, item.hash);
      } else if (hash === item.hash || (hash === undefined && tombstoned.has(id))) {
        outcomes.push('duplicate');
      } else {
        outcomes.push('conflict');
        conflicts.push(item);
      }
    }
    await insertSignatures(tx, db, fresh, receivedAt, source);
    // One copy per distinct content (schema version 10): a resend of a copy already set aside adds nothing.
    for (const part of chunks(conflicts, ROWS_PER_INSERT)) {
      await tx.run(
        `INSERT INTO conflicts (id, received_at, content_hash, record) VALUES ${part.map(() => '(?, ?, ?, ?)').join(', ')}
         ON CONFLICT (id, content_hash) DO NOTHING`,
        part.flatMap((c) => [c.record.id, receivedAt, c.hash, JSON.stringify(c.record)]),
      );
    }
    await faultPause(db);
    return outcomes;
  });
}

async function insertSignatures(tx: SqlExecutor, db: SqlDatabase, fresh: IngestItem[], receivedAt: string, source: IngestSource): Promise<void> {
  if (fresh.length === 0) return;
  const keys = fresh.map((i) => keysOf(i.record));
  const problems = await versionProblems(tx, fresh);
  const seqOf = new Map<string, number>();
  for (const [start, part] of chunks(fresh, ROWS_PER_INSERT).map((p, n) => [n * ROWS_PER_INSERT, p] as const)) {
    const rows = await tx.all<{ seq: number; id: string }>(
      `INSERT INTO signatures (id, device_id, campaign_id, captured_at, received_at, content_hash, record, clock_suspect, source,
                               email_key, name_key, signer_country, campaign_version, lang, version_problem)
       VALUES ${part.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')} RETURNING seq, id`,
      part.flatMap(({ record, hash, clockSuspect }, i) => {
        const k = keys[start + i];
        return [
          record.id, record.deviceId, record.campaignId, record.capturedAt, receivedAt, hash, JSON.stringify(record), clockSuspect ? 1 : 0, source,
          k.email, k.nameCountry, k.country, record.campaignVersion, record.lang ?? null, problems[start + i],
        ];
      }),
    );
    for (const r of rows) seqOf.set(r.id, Number(r.seq));
  }
  const texts = fresh.map((item, i) => [seqOf.get(item.record.id)!, keys[i].search] as const);
  for (const part of chunks(texts, ROWS_PER_INSERT)) await tx.run(searchInsertSql(db.dialect, part.length), part.flat());

  // Flag the new signatures and the stored ones they match (index lookups on the keys).
  const emails = [...new Set(keys.map((k) => k.email).filter((k) => k !== null))];
  const names = [...new Set(keys.map((k) => k.nameCountry).filter((k) => k !== null))];
  const added = new Map<string, number>();
  const count = (campaignId: string, dimension: string, key: string, n = 1) => {
    const k = JSON.stringify([campaignId, dimension, key]);
    added.set(k, (added.get(k) ?? 0) + n);
  };
  for (const [column, values] of [['email_key', emails], ['name_key', names]] as const) {
    for (const part of chunks(values, ROWS_PER_INSERT)) {
      for (const flagged of await tx.all<{ campaign_id: string }>(raiseDuplicateFlagsSql(column, part.length), part)) count(flagged.campaign_id, 'duplicates', '');
    }
  }

  const deviceIds = [...new Set(fresh.map((i) => i.record.deviceId))];
  const events = new Map<string, string>();
  for (const part of chunks(deviceIds, ROWS_PER_INSERT)) {
    for (const d of await tx.all<{ id: string; event: string }>(`SELECT id, event FROM devices WHERE id IN (${placeholders(part.length)})`, part)) events.set(d.id, d.event);
  }
  fresh.forEach(({ record }, i) => {
    const counted = { deviceId: record.deviceId, event: events.get(record.deviceId), country: keys[i].country, receivedAt, version: record.campaignVersion, lang: record.lang, problem: problems[i] };
    for (const [dimension, key] of counterKeys(counted)) count(record.campaignId, dimension, key);
  });
  await addToCounters(tx, added);
}

/**
 * S26: each new signature against the published versions. A record naming a campaign or
 * version this server never published, or carrying another content hash than the version's,
 * is stored all the same (a tablet may have been offline across a publish; a record of an
 * unknown version is evidence) and flagged for the coordinator. A record without a hash (a
 * 0.1.0 tablet), or of a version whose text was never recorded, cannot be compared: not flagged.
 */
async function versionProblems(tx: SqlExecutor, fresh: IngestItem[]): Promise<Array<VersionProblem | null>> {
  const campaignIds = [...new Set(fresh.map((i) => i.record.campaignId))];
  const known = new Set<string>();
  const hashes = new Map<string, string | null>();
  for (const part of chunks(campaignIds, ROWS_PER_INSERT)) {
    for (const c of await tx.all<{ id: string }>(`SELECT id FROM campaigns WHERE id IN (${placeholders(part.length)})`, part)) known.add(c.id);
    for (const v of await tx.all<{ campaign_id: string; version: number; content_hash: string | null }>(
      `SELECT campaign_id, version, content_hash FROM campaign_versions WHERE campaign_id IN (${placeholders(part.length)})`,
      part,
    )) {
      hashes.set(`${v.campaign_id} ${Number(v.version)}`, v.content_hash);
    }
  }
  return fresh.map(({ record }) => {
    if (!known.has(record.campaignId)) return 'unknown-campaign';
    const key = `${record.campaignId} ${record.campaignVersion}`;
    if (!hashes.has(key)) return 'unknown-version';
    const hash = hashes.get(key);
    return record.campaignHash && hash && record.campaignHash !== hash ? 'hash-mismatch' : null;
  });
}

/** Add each `[campaign, dimension, key]` (as JSON) → n to the counters, creating them as needed. */
export async function addToCounters(tx: SqlExecutor, deltas: Map<string, number>): Promise<void> {
  const entries = [...deltas].map(([k, n]) => [...(JSON.parse(k) as [string, string, string]), n] as const);
  for (const part of chunks(entries, ROWS_PER_INSERT)) {
    await tx.run(
      `INSERT INTO signature_counts (campaign_id, dimension, key, count) VALUES ${part.map(() => '(?, ?, ?, ?)').join(', ')}
       ON CONFLICT (campaign_id, dimension, key) DO UPDATE SET count = signature_counts.count + excluded.count`,
      part.flat(),
    );
  }
}

/** Delete a signature on a data-subject request (see Store.deleteSignature). */
export async function deleteSignature(db: SqlDatabase, id: string, at: string): Promise<boolean> {
  const deleted = await db.transaction('write', async (tx) => {
    const row = await tx.get<{
      seq: number;
      device_id: string;
      campaign_id: string;
      campaign_version: number;
      lang: string | null;
      version_problem: VersionProblem | null;
      received_at: string;
      record: unknown;
      email_key: string | null;
      name_key: string | null;
      signer_country: string | null;
      possible_duplicate: number;
      set_aside_reason: string | null;
    }>(
      'DELETE FROM signatures WHERE id = ? RETURNING seq, device_id, campaign_id, campaign_version, lang, version_problem, received_at, record, email_key, name_key, signer_country, possible_duplicate, set_aside_reason',
      [id],
    );
    await tx.run('DELETE FROM conflicts WHERE id = ?', [id]);
    if (!row) return false;
    await tx.run(`DELETE FROM signature_search WHERE ${db.dialect.searchSeq} = ?`, [row.seq]);
    const place = chainPlaceOf(parseRecord(row.record));
    await tx.run('INSERT INTO deleted_signatures (id, deleted_at, chain_device, chain_seq, chain_link) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING', [
      id,
      at,
      place?.device ?? null,
      place?.seq ?? null,
      place?.link ?? null,
    ]);
    const taken = new Map<string, number>();
    const take = (campaignId: string, dimension: string, key: string) => {
      const k = JSON.stringify([campaignId, dimension, key]);
      taken.set(k, (taken.get(k) ?? 0) - 1);
    };
    if (Number(row.possible_duplicate) === 1) take(row.campaign_id, 'duplicates', '');
    for (const [column, value] of [['email_key', row.email_key], ['name_key', row.name_key]] as const) {
      if (value === null) continue;
      for (const lowered of await tx.all<{ campaign_id: string }>(lowerDuplicateFlagsSql(column), [value])) take(lowered.campaign_id, 'duplicates', '');
    }
    const device = await tx.get<{ event: string }>('SELECT event FROM devices WHERE id = ?', [row.device_id]);
    const counted = {
      deviceId: row.device_id,
      event: device?.event,
      country: row.signer_country,
      receivedAt: row.received_at,
      version: Number(row.campaign_version),
      lang: row.lang,
      problem: row.version_problem,
      setAside: row.set_aside_reason,
    };
    for (const [dimension, key] of counterKeys(counted)) take(row.campaign_id, dimension, key);
    await addToCounters(tx, taken);
    return true;
  });
  if (deleted) await db.forgetDeleted();
  return deleted;
}

/**
 * Fault injection for the crash tests only: with FIELDSIGN_FAULT_PAUSE_MS set, every batch
 * holds its transaction open up to that long before COMMIT, so a SIGKILL can land mid-batch.
 * On SQLite the thread itself waits (as in a slow fsync), which the test can see in
 * /proc/<pid>/wchan and aim at.
 */
const FAULT_PAUSE_MS = Number(process.env.FIELDSIGN_FAULT_PAUSE_MS ?? 0);
async function faultPause(db: SqlDatabase): Promise<void> {
  if (FAULT_PAUSE_MS <= 0) return;
  const ms = FAULT_PAUSE_MS * Math.random();
  if (db.dialect.name === 'sqlite') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  else await new Promise((resolve) => setTimeout(resolve, ms));
}
