/**
 * Reading signatures for the console: totals from the counters, pages by seq, search through
 * the search index, duplicate flags from their column. Every query is an index lookup or a
 * bounded range, so each costs the same at a thousand signatures or a million.
 */
import { matchingKey } from '../../src/shared/signer-keys.ts';
import { setAsideCounts } from './set-aside-rows.ts';
import type { CountDimension, ListOptions, SignaturePage, SignatureSearch, StoredSignature, Totals } from './store.ts';
import { placeholders, unstorable, type SearchJoin, type SqlDatabase, type SqlExecutor, type SqlValue } from './sql.ts';
import { SIGNATURE_COLUMNS, toStored, type SignatureRow } from './signature-rows.ts';

/**
 * The dashboard's figures for one campaign, or for all together. Read from the counters the
 * ingest transaction keeps, in one snapshot, so they add up even while batches arrive.
 */
export async function totals(db: SqlDatabase, campaignId?: string): Promise<Totals> {
  return db.transaction('read', async (tx) => {
    const scope = campaignId === undefined ? '' : 'AND campaign_id = ?';
    const scoped = campaignId === undefined ? [] : [campaignId];
    const counts = (dimension: string) =>
      tx.all<{ key: string; count: number }>(
        `SELECT key, SUM(count) AS count FROM signature_counts WHERE dimension = ? ${scope} GROUP BY key HAVING SUM(count) > 0
         ORDER BY ${dimension === 'hour' ? 'key' : 'SUM(count) DESC, key'}`,
        [dimension, ...scoped],
      );
    const devices = await tx.all<{ key: string; label: string | null; count: number }>(
      `SELECT c.key, d.label, SUM(c.count) AS count FROM signature_counts c LEFT JOIN devices d ON d.id = c.key
       WHERE c.dimension = 'device' ${scope.replace('campaign_id', 'c.campaign_id')} GROUP BY c.key, d.label HAVING SUM(c.count) > 0 ORDER BY SUM(c.count) DESC, c.key`,
      scoped,
    );
    const byReason = await setAsideCounts(tx, campaignId);
    return {
      total: await count(tx, campaignId),
      byEvent: (await counts('event')).map((r) => ({ event: r.key, count: Number(r.count) })),
      byDevice: devices.map((r) => ({ deviceId: r.key, label: r.label ?? null, count: Number(r.count) })),
      byCountry: (await counts('country')).map((r) => ({ country: r.key, count: Number(r.count) })),
      hourly: (await counts('hour')).map((r) => ({ hour: r.key, count: Number(r.count) })),
      // Within `total`; sent once anything is set aside (older consoles do without it).
      ...(byReason.length > 0 && { setAside: { total: byReason.reduce((n, r) => n + r.count, 0), byReason } }),
    };
  });
}

/** Stored signatures (or possible duplicates) of one campaign, or of all, from the counters. */
export async function count(db: SqlExecutor, campaignId?: string, dimension: 'total' | 'duplicates' = 'total'): Promise<number> {
  const row =
    campaignId === undefined
      ? await db.get<{ count: number | null }>("SELECT SUM(count) AS count FROM signature_counts WHERE dimension = ? AND key = ''", [dimension])
      : await db.get<{ count: number | null }>("SELECT count FROM signature_counts WHERE campaign_id = ? AND dimension = ? AND key = ''", [campaignId, dimension]);
  return Number(row?.count ?? 0);
}

/** One campaign's counters of a dimension ('version' keys are "<version> <lang>", 'problem' keys a VersionProblem). */
export async function countsBy(db: SqlExecutor, campaignId: string, dimension: CountDimension): Promise<Array<{ key: string; count: number }>> {
  const rows = await db.all<{ key: string; count: number }>('SELECT key, count FROM signature_counts WHERE campaign_id = ? AND dimension = ? AND count > 0 ORDER BY key', [
    campaignId,
    dimension,
  ]);
  return rows.map((r) => ({ key: r.key, count: Number(r.count) }));
}

/** A search counts its matches up to this many, then says "more" (counting them all would read them all). */
export const SEARCH_COUNT_CAP = 10_000;

/**
 * A page of signatures, newest first. `before` / `after` are seq cursors (the console's next
 * and previous pages: index ranges, however deep); `offset` still works, for old clients.
 * A search's total is exact up to SEARCH_COUNT_CAP and `totalCapped` beyond.
 */
export async function searchSignatures(db: SqlDatabase, options: SignatureSearch): Promise<SignaturePage> {
  const { q = '', offset = 0, limit = 50, before, after, duplicatesOnly = false, campaignId, version, lang, problemsOnly = false, setAside, skipTotal = false } = options;
  if (unstorable(q)) return { total: 0, rows: [] };
  const folded = matchingKey(q);
  const search: SearchJoin | undefined = !folded ? undefined : db.dialect.name === 'sqlite' && [...folded].length < 3 ? await shortMatches(db, folded) : db.dialect.searchJoin(folded);
  const seq = search?.seq ?? 'signatures.seq';
  const join = search?.join ?? '';
  const where: string[] = search ? [search.where] : [];
  const params: SqlValue[] = search ? [...search.params] : [];
  if (campaignId !== undefined) {
    where.push('signatures.campaign_id = ?');
    params.push(campaignId);
  }
  if (version !== undefined) {
    where.push('signatures.campaign_version = ?');
    params.push(version);
  }
  if (lang !== undefined) {
    where.push('signatures.lang = ?');
    params.push(lang);
  }
  if (duplicatesOnly) where.push('signatures.possible_duplicate = 1');
  if (problemsOnly) where.push('signatures.version_problem IS NOT NULL');
  if (setAside !== undefined) where.push(`signatures.set_aside_reason IS ${setAside ? 'NOT ' : ''}NULL`);
  const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  return db.transaction('read', async (tx) => {
    let total: number;
    let totalCapped = false;
    const plainFilter = !search && !problemsOnly && version === undefined && lang === undefined;
    if (skipTotal) total = 0;
    else if (!filter) total = await count(tx);
    else if (plainFilter && !duplicatesOnly && setAside !== undefined) {
      // From the counters: every signature, and those set aside.
      const apart = (await setAsideCounts(tx, campaignId)).reduce((n, r) => n + r.count, 0);
      total = setAside ? apart : (await count(tx, campaignId)) - apart;
    } else if (plainFilter && setAside !== undefined) total = Number((await tx.get<{ n: number }>(`SELECT COUNT(*) AS n FROM signatures ${filter}`, params))!.n);
    else if (plainFilter && !duplicatesOnly) total = await count(tx, campaignId);
    else if (plainFilter) total = await count(tx, campaignId, 'duplicates');
    else if (!search) total = Number((await tx.get<{ n: number }>(`SELECT COUNT(*) AS n FROM signatures ${filter}`, params))!.n);
    else {
      total = Number((await tx.get<{ n: number }>(`SELECT COUNT(*) AS n FROM (SELECT ${seq} FROM signatures ${join} ${filter} LIMIT ${SEARCH_COUNT_CAP + 1}) AS m`, params))!.n);
      totalCapped = total > SEARCH_COUNT_CAP;
      if (totalCapped) total = SEARCH_COUNT_CAP;
    }
    const page = [...where];
    const pageParams = [...params];
    if (before !== undefined) {
      page.push(`${seq} < ?`);
      pageParams.push(before);
    }
    if (after !== undefined) {
      page.push(`${seq} > ?`);
      pageParams.push(after);
    }
    const pageFilter = page.length > 0 ? `WHERE ${page.join(' AND ')}` : '';
    const cursor = before !== undefined || after !== undefined;
    // Going back (`after`), the nearest newer rows are the oldest of them: read ascending, then turn.
    const order = after !== undefined ? 'ASC' : 'DESC';
    const columns = SIGNATURE_COLUMNS.split(', ').map((c) => `signatures.${c}`).join(', ');
    const rows = await tx.all<SignatureRow>(
      `SELECT ${columns} FROM signatures ${join} ${pageFilter} ORDER BY ${seq} ${order} LIMIT ?${cursor ? '' : ' OFFSET ?'}`,
      cursor ? [...pageParams, Math.max(0, Math.trunc(limit))] : [...pageParams, Math.max(0, Math.trunc(limit)), Math.max(0, Math.trunc(offset))],
    );
    if (order === 'ASC') rows.reverse();
    return { total, rows: rows.map(toStored), ...(totalCapped && { totalCapped }) };
  });
}

/** Rows of the search index read per step of a short search (each step a few milliseconds). */
const SHORT_SCAN_STEP = 20_000;

/**
 * On SQLite, a query of one or two characters has no trigram to look up, and node:sqlite
 * would hold the event loop for the whole scan. Scan the (short) searchable texts a range at
 * a time, yielding between ranges, newest first, until the count cap, and hand the matches
 * on as a list of seqs.
 */
async function shortMatches(db: SqlDatabase, folded: string): Promise<SearchJoin> {
  const top = Number((await db.get<{ m: number | null }>('SELECT MAX(rowid) AS m FROM signature_search'))?.m ?? 0);
  const found: number[] = [];
  for (let high = top; high > 0 && found.length <= SEARCH_COUNT_CAP; high -= SHORT_SCAN_STEP) {
    const rows = await db.all<{ seq: number }>('SELECT rowid AS seq FROM signature_search WHERE rowid > ? AND rowid <= ? AND instr(text, ?) > 0 ORDER BY rowid DESC', [
      high - SHORT_SCAN_STEP,
      high,
      folded,
    ]);
    for (const r of rows) found.push(Number(r.seq));
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { join: 'JOIN json_each(?) AS short_match ON short_match.value = signatures.seq', where: '1 = 1', params: [JSON.stringify(found)], seq: 'signatures.seq' };
}

export async function duplicateIds(db: SqlExecutor, ids: string[]): Promise<Set<string>> {
  const wanted = ids.filter((id) => !unstorable(id));
  if (wanted.length === 0) return new Set();
  const rows = await db.all<{ id: string }>(`SELECT id FROM signatures WHERE possible_duplicate = 1 AND id IN (${placeholders(wanted.length)})`, wanted);
  return new Set(rows.map((r) => r.id));
}

/** A page of stored signatures in arrival order, after `afterSeq`: of one campaign (and version and language), or of all. */
export async function list(db: SqlExecutor, options: ListOptions = {}): Promise<StoredSignature[]> {
  const { afterSeq = 0, limit = 1000, campaignId, version, lang, problems, setAside, country, deviceId } = options;
  const where = ['seq > ?'];
  const params: SqlValue[] = [afterSeq];
  if (campaignId !== undefined) {
    where.push('campaign_id = ?');
    params.push(campaignId);
  }
  if (version !== undefined) {
    where.push('campaign_version = ?');
    params.push(version);
  }
  if (lang !== undefined) {
    where.push(lang === null ? 'lang IS NULL' : 'lang = ?');
    if (lang !== null) params.push(lang);
  }
  if (problems !== undefined) where.push(problems ? 'version_problem IS NOT NULL' : 'version_problem IS NULL');
  if (setAside !== undefined) where.push(setAside ? 'set_aside_reason IS NOT NULL' : 'set_aside_reason IS NULL');
  if (country !== undefined) {
    where.push(country === null ? 'signer_country IS NULL' : 'signer_country = ?');
    if (country !== null) params.push(country);
  }
  if (deviceId !== undefined) {
    where.push('device_id = ?');
    params.push(deviceId);
  }
  const sql = `SELECT ${SIGNATURE_COLUMNS} FROM signatures WHERE ${where.join(' AND ')} ORDER BY seq`;
  const rows = limit < 0 ? await db.all<SignatureRow>(sql, params) : await db.all<SignatureRow>(`${sql} LIMIT ?`, [...params, Math.trunc(limit)]);
  return rows.map(toStored);
}

export async function getSignature(db: SqlExecutor, id: string): Promise<StoredSignature | undefined> {
  if (unstorable(id)) return undefined;
  const row = await db.get<SignatureRow>(`SELECT ${SIGNATURE_COLUMNS} FROM signatures WHERE id = ?`, [id]);
  return row && toStored(row);
}
