/**
 * What the hand-in package (exports/handin-package.ts) reads from the store besides the
 * signatures: the organisation's signing key, kept once for every instance, and a campaign's
 * signatures counted by country, version, language and whether they match a published text.
 */
import type { HandinGroup, HandinKeyRecord } from './store.ts';
import type { SqlExecutor } from './sql.ts';

/** The one row of handin_keys: an organisation has one key. */
const KEY_ID = 'organisation';

/** The organisation's key, or undefined before the first package. */
export async function handinKey(db: SqlExecutor): Promise<HandinKeyRecord | undefined> {
  const row = await db.get<{ private_jwk: string; public_jwk: string; created_at: string }>('SELECT private_jwk, public_jwk, created_at FROM handin_keys WHERE id = ?', [KEY_ID]);
  return row && { privateJwk: JSON.parse(row.private_jwk), publicJwk: JSON.parse(row.public_jwk), createdAt: row.created_at };
}

/** Keep `key` unless one is kept already (another instance was first); the kept key either way. */
export async function keepHandinKey(db: SqlExecutor, key: HandinKeyRecord): Promise<HandinKeyRecord> {
  await db.run('INSERT INTO handin_keys (id, private_jwk, public_jwk, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING', [
    KEY_ID,
    JSON.stringify(key.privateJwk),
    JSON.stringify(key.publicJwk),
    key.createdAt,
  ]);
  return (await handinKey(db))!;
}

/** A campaign's signatures by country, version, language and text match (one scan of the campaign). */
export async function handinGroups(db: SqlExecutor, campaignId: string): Promise<HandinGroup[]> {
  // Only the signatures in the hand-in: those set aside in review are counted apart (handinFacts).
  const rows = await db.all<{ country: string | null; version: number; lang: string | null; unverified: number; count: number }>(
    `SELECT signer_country AS country, campaign_version AS version, lang, CASE WHEN version_problem IS NULL THEN 0 ELSE 1 END AS unverified, COUNT(*) AS count
     FROM signatures WHERE campaign_id = ? AND set_aside_reason IS NULL GROUP BY signer_country, campaign_version, lang, CASE WHEN version_problem IS NULL THEN 0 ELSE 1 END`,
    [campaignId],
  );
  return rows
    .map((r) => ({ country: r.country, version: Number(r.version), lang: r.lang, unverified: Number(r.unverified) === 1, count: Number(r.count) }))
    .sort((a, b) => (a.country ?? '\uffff').localeCompare(b.country ?? '\uffff') || a.version - b.version || (a.lang ?? '').localeCompare(b.lang ?? '') || Number(a.unverified) - Number(b.unverified));
}
