/**
 * Paper counts (schema.ts, version 7), the same on both databases: one row per count a
 * coordinator recorded, its country breakdown as JSON. Kept apart from the signatures and
 * their counters, so that paper never mixes into the tablets' figures.
 */
import type { PaperCount } from '../../src/shared/api/paper.ts';
import type { SqlExecutor } from './sql.ts';

interface PaperRow {
  id: string;
  campaign_id: string;
  event: string;
  collected_on: string;
  sheets: number;
  signatures: number;
  countries: string | null;
  counted_by: string;
  note: string | null;
  recorded_at: string;
  recorded_by: string;
}

const COLUMNS = 'id, campaign_id, event, collected_on, sheets, signatures, countries, counted_by, note, recorded_at, recorded_by';

/** Store one paper count. */
export async function addPaperCount(db: SqlExecutor, p: PaperCount): Promise<void> {
  await db.run(`INSERT INTO paper_counts (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    p.id,
    p.campaignId,
    p.event,
    p.collectedOn,
    p.sheets,
    p.signatures,
    p.countries === null ? null : JSON.stringify(p.countries),
    p.countedBy,
    p.note,
    p.recordedAt,
    p.recordedBy,
  ]);
}

/** Remove one paper count, returning what it said; undefined when there is none with that id (of a campaign `mayRemove` allows). */
export async function removePaperCount(db: SqlExecutor, id: string, mayRemove: (campaignId: string) => boolean): Promise<PaperCount | undefined> {
  const row = await db.get<PaperRow>(`SELECT ${COLUMNS} FROM paper_counts WHERE id = ?`, [id]);
  if (!row || !mayRemove(row.campaign_id)) return undefined;
  await db.run('DELETE FROM paper_counts WHERE id = ?', [id]);
  return fromRow(row);
}

/** A campaign's paper counts, the latest collected first (then the latest recorded). */
export async function paperCounts(db: SqlExecutor, campaignId: string): Promise<PaperCount[]> {
  const rows = await db.all<PaperRow>(`SELECT ${COLUMNS} FROM paper_counts WHERE campaign_id = ? ORDER BY collected_on DESC, recorded_at DESC, id`, [campaignId]);
  return rows.map(fromRow);
}

function fromRow(r: PaperRow): PaperCount {
  return {
    id: r.id,
    campaignId: r.campaign_id,
    event: r.event,
    collectedOn: r.collected_on,
    sheets: Number(r.sheets),
    signatures: Number(r.signatures),
    countries: r.countries === null ? null : (JSON.parse(r.countries) as Record<string, number>),
    countedBy: r.counted_by,
    note: r.note,
    recordedAt: r.recorded_at,
    recordedBy: r.recorded_by,
  };
}
