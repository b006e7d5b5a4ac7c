/**
 * Review before the hand-in: setting signatures aside (with a reason) and restoring them. A
 * set-aside signature keeps its row; only its set_aside_* columns change, and the counters
 * that the dashboard and the hand-in's sections read change with them, in the same write
 * transaction, so that neither ever needs to scan.
 */
import type { SetAsideReason } from '../../src/shared/api/signatures.ts';
import { chunks, placeholders, unstorable, type SqlDatabase, type SqlExecutor } from './sql.ts';
import { setAsideCounterKeys } from './signature-rows.ts';
import { addToCounters } from './signature-writes.ts';

/** Ids per statement: well under both databases' parameter limits. */
const IDS_PER_STATEMENT = 500;

export interface SetAsideChange {
  reason: SetAsideReason;
  note: string | null;
  at: string;
  /** Who set them aside (a coordinator's email). */
  by: string;
}

type Counted = { id: string; campaign_id: string; campaign_version: number; lang: string | null; version_problem: string | null; set_aside_reason: string | null };
const COUNTED_COLUMNS = 'id, campaign_id, campaign_version, lang, version_problem, set_aside_reason';

/** Add `sign` (+1 or −1) to the set-aside counters of each row, under its own reason. */
async function count(tx: SqlExecutor, rows: Counted[], sign: 1 | -1, reason?: string): Promise<void> {
  const deltas = new Map<string, number>();
  for (const r of rows) {
    const keys = setAsideCounterKeys({ reason: reason ?? r.set_aside_reason!, version: Number(r.campaign_version), lang: r.lang, problem: r.version_problem });
    for (const [dimension, key] of keys) {
      const k = JSON.stringify([r.campaign_id, dimension, key]);
      deltas.set(k, (deltas.get(k) ?? 0) + sign);
    }
  }
  await addToCounters(tx, deltas);
}

/**
 * Set aside those of `ids` that are not already (a second set-aside keeps the first reason:
 * restore first to change it). Returns the ids newly set aside.
 */
export async function setAside(db: SqlDatabase, ids: string[], change: SetAsideChange): Promise<string[]> {
  const wanted = [...new Set(ids.filter((id) => !unstorable(id)))];
  if (wanted.length === 0) return [];
  return db.transaction('write', async (tx) => {
    const changed: string[] = [];
    for (const part of chunks(wanted, IDS_PER_STATEMENT)) {
      const rows = await tx.all<Counted>(
        `UPDATE signatures SET set_aside_reason = ?, set_aside_note = ?, set_aside_at = ?, set_aside_by = ?
         WHERE set_aside_reason IS NULL AND id IN (${placeholders(part.length)}) RETURNING ${COUNTED_COLUMNS}`,
        [change.reason, change.note, change.at, change.by, ...part],
      );
      await count(tx, rows, 1);
      changed.push(...rows.map((r) => r.id));
    }
    return changed;
  });
}

/** Put those of `ids` that are set aside back into the hand-in. Returns the ids restored. */
export async function restoreSetAside(db: SqlDatabase, ids: string[]): Promise<string[]> {
  const wanted = [...new Set(ids.filter((id) => !unstorable(id)))];
  if (wanted.length === 0) return [];
  return db.transaction('write', async (tx) => {
    const changed: string[] = [];
    for (const part of chunks(wanted, IDS_PER_STATEMENT)) {
      // RETURNING gives the new (cleared) values; the reason to count down is read first, under the write lock.
      const rows = await tx.all<Counted>(`SELECT ${COUNTED_COLUMNS} FROM signatures WHERE set_aside_reason IS NOT NULL AND id IN (${placeholders(part.length)})`, part);
      if (rows.length === 0) continue;
      const found = rows.map((r) => r.id);
      await tx.run(
        `UPDATE signatures SET set_aside_reason = NULL, set_aside_note = NULL, set_aside_at = NULL, set_aside_by = NULL WHERE id IN (${placeholders(found.length)})`,
        found,
      );
      await count(tx, rows, -1);
      changed.push(...found);
    }
    return changed;
  });
}

/** A campaign's set-aside signatures by reason (from the counters), most first. */
export async function setAsideCounts(db: SqlExecutor, campaignId?: string): Promise<Array<{ reason: SetAsideReason; count: number }>> {
  const scope = campaignId === undefined ? '' : 'AND campaign_id = ?';
  const rows = await db.all<{ key: string; count: number }>(
    `SELECT key, SUM(count) AS count FROM signature_counts WHERE dimension = 'set-aside' ${scope} GROUP BY key HAVING SUM(count) > 0 ORDER BY SUM(count) DESC, key`,
    campaignId === undefined ? [] : [campaignId],
  );
  return rows.map((r) => ({ reason: r.key as SetAsideReason, count: Number(r.count) }));
}
