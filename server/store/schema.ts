/**
 * The schema, and how a database at any earlier version upgrades at startup. Versions 1 to 4
 * are release 0.1.0's, one list per database (release-migrations.ts); from version 5 on, each
 * change is written once for both, with only the column types that truly differ.
 *
 * Version 5 (one store design, many campaigns): signer keys computed at ingestion
 * (signer-keys.ts) into indexed columns, a stored possible-duplicate flag, counters per
 * campaign kept by the ingest transaction, an indexed search (SQLite FTS5 with trigrams;
 * PostgreSQL pg_trgm), and campaigns with immutable published versions.
 */
import { POSTGRES_RELEASE_MIGRATIONS, SQLITE_RELEASE_MIGRATIONS } from './release-migrations.ts';
import type { SqlDatabase, SqlExecutor } from './sql.ts';
import { EXTENSION_LOCK } from './postgres-database.ts';
import { keysOf, parseRecord, refreshDuplicateFlagsSql, searchInsertSql } from './signature-rows.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { contentHash } from '../../src/shared/campaigns.ts';

interface Migration {
  sqlite: string;
  postgres: string;
  /** Work SQL alone cannot do (the keys are computed in JavaScript), in the same transaction. */
  after?: (tx: SqlExecutor, db: SqlDatabase) => Promise<void>;
}

const V5_COMMON = `
  ALTER TABLE signatures ADD COLUMN email_key TEXT;
  ALTER TABLE signatures ADD COLUMN name_key TEXT;
  ALTER TABLE signatures ADD COLUMN possible_duplicate INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE signatures ADD COLUMN campaign_version INTEGER;
  ALTER TABLE signatures ADD COLUMN lang TEXT;
  ALTER TABLE signatures ADD COLUMN version_problem TEXT;
  CREATE INDEX signatures_email_key ON signatures (email_key, campaign_id) WHERE email_key IS NOT NULL;
  CREATE INDEX signatures_name_key ON signatures (name_key, campaign_id) WHERE name_key IS NOT NULL;
  CREATE INDEX signatures_duplicates ON signatures (campaign_id, seq) WHERE possible_duplicate = 1;
  CREATE INDEX signatures_campaign ON signatures (campaign_id, seq);
  CREATE INDEX signatures_campaign_version ON signatures (campaign_id, campaign_version, lang, seq);
  CREATE INDEX signatures_version_problem ON signatures (campaign_id, seq) WHERE version_problem IS NOT NULL;
  CREATE INDEX conflicts_id_hash ON conflicts (id, content_hash);
  ALTER TABLE enrollment_codes ADD COLUMN campaigns TEXT;
  ALTER TABLE devices ADD COLUMN campaigns TEXT;
  ALTER TABLE audit_log ADD COLUMN campaign_id TEXT;
  CREATE INDEX audit_campaign ON audit_log (campaign_id, seq);`;

/** Campaigns and their published versions; `ord` keeps the order they were created in. */
const CAMPAIGN_TABLES = (t: { text: string; serial: string }) => `
  CREATE TABLE campaigns (
    id ${t.text} PRIMARY KEY,
    status TEXT NOT NULL,
    goal INTEGER,
    starts_at ${t.text},
    ends_at ${t.text},
    created_at ${t.text} NOT NULL,
    closed_at ${t.text},
    draft TEXT,
    ord ${t.serial}
  );
  CREATE TABLE campaign_versions (
    campaign_id ${t.text} NOT NULL REFERENCES campaigns (id),
    version INTEGER NOT NULL,
    content TEXT,
    content_hash TEXT,
    published_at ${t.text} NOT NULL,
    PRIMARY KEY (campaign_id, version)
  );
  CREATE TABLE signature_counts (
    campaign_id ${t.text} NOT NULL,
    dimension TEXT NOT NULL,
    key ${t.text} NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, dimension, key)
  );`;

/**
 * A published version can never change: the database itself refuses. The one exception is a
 * version an upgrade found only in signatures, whose text was not recorded (content NULL): the
 * campaign file being served fills it in once, when its id and version match (campaigns.ts).
 */
const SQLITE_IMMUTABLE = `
  CREATE TRIGGER campaign_versions_immutable BEFORE UPDATE ON campaign_versions
    WHEN OLD.content IS NOT NULL OR NEW.campaign_id <> OLD.campaign_id OR NEW.version <> OLD.version OR NEW.published_at <> OLD.published_at
    BEGIN SELECT RAISE(ABORT, 'A published campaign version cannot be changed.'); END;
  CREATE TRIGGER campaign_versions_kept BEFORE DELETE ON campaign_versions
    BEGIN SELECT RAISE(ABORT, 'A published campaign version cannot be deleted.'); END;`;

const POSTGRES_IMMUTABLE = `
  CREATE FUNCTION campaign_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'A published campaign version cannot be deleted.'; END IF;
    IF OLD.content IS NOT NULL OR NEW.campaign_id <> OLD.campaign_id OR NEW.version <> OLD.version OR NEW.published_at <> OLD.published_at THEN
      RAISE EXCEPTION 'A published campaign version cannot be changed.';
    END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER campaign_versions_immutable BEFORE UPDATE OR DELETE ON campaign_versions
    FOR EACH ROW EXECUTE FUNCTION campaign_versions_immutable()`;

const SET_ASIDE = `
  ALTER TABLE signatures ADD COLUMN set_aside_reason TEXT;
  ALTER TABLE signatures ADD COLUMN set_aside_note TEXT;
  ALTER TABLE signatures ADD COLUMN set_aside_at TEXT;
  ALTER TABLE signatures ADD COLUMN set_aside_by TEXT;
  CREATE INDEX signatures_set_aside ON signatures (campaign_id, seq) WHERE set_aside_reason IS NOT NULL;`;
/**
 * The organisation's hand-in key (handin-key.ts), and signatures by campaign and country, and
 * by campaign and tablet, in arrival order (the per-country files; one tablet's chain at a time).
 */
const HANDIN_PACKAGE = `
  CREATE TABLE handin_keys (
    id TEXT PRIMARY KEY,
    private_jwk TEXT NOT NULL,
    public_jwk TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX signatures_campaign_country ON signatures (campaign_id, signer_country, seq);
  CREATE INDEX signatures_campaign_device ON signatures (campaign_id, device_id, seq);`;
/**
 * Version 7 (paper counts): signatures counted by hand from
 * paper, per event, apart from the tablets' signatures and their counters.
 */
const PAPER_COUNTS = (text: string) => `
  CREATE TABLE paper_counts (
    id ${text} PRIMARY KEY,
    campaign_id ${text} NOT NULL,
    event TEXT NOT NULL,
    collected_on TEXT NOT NULL,
    sheets BIGINT NOT NULL,
    signatures BIGINT NOT NULL,
    countries TEXT,
    counted_by TEXT NOT NULL,
    note TEXT,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL
  );
  CREATE INDEX paper_counts_campaign ON paper_counts (campaign_id, collected_on)`;
/**
 * Version 9 (rate limits every instance shares, rate-limit-rows.ts): one row per limiter and
 * client, its key a hash (never the address or email itself); `full_at` (ms since the epoch)
 * is when the bucket is full again, so a row past it says nothing and may be swept.
 */
const RATE_LIMIT_BUCKETS = `
  CREATE TABLE rate_limit_buckets (
    key TEXT PRIMARY KEY,
    full_at BIGINT NOT NULL
  );
  CREATE INDEX rate_limit_buckets_full_at ON rate_limit_buckets (full_at)`;

/**
 * Version 10 (F15): one conflicting copy per distinct content. Every resend of a conflicting
 * record used to add a full copy, without limit; now a copy the table holds is not written
 * again (ON CONFLICT DO NOTHING in signature-writes.ts). The copies stored twice before are
 * folded into their first, and the unique index replaces the plain one on the same columns.
 */
const ONE_CONFLICT_PER_CONTENT = `
  DELETE FROM conflicts WHERE seq NOT IN (SELECT MIN(seq) FROM conflicts GROUP BY id, content_hash);
  DROP INDEX IF EXISTS conflicts_id_hash;
  CREATE UNIQUE INDEX conflicts_id_content ON conflicts (id, content_hash)`;

/**
 * Version 11 (a team, not one shared password: console/access.ts): each account's role,
 * its campaigns (an owner has them all and needs no rows), the permission to export personal
 * data, two-factor sign-in (the TOTP secret, the last time step accepted so that no code
 * works twice, recovery codes as hashes), one-time invitations (their token's hash only),
 * the owners' settings, and sessions that say where and when they were used. Accounts from
 * before are owners without the personal-data permission; their sessions end (everyone
 * signs in again, under the new checks).
 */
const ACCOUNTS = (text: string) => `
  ALTER TABLE coordinators ADD COLUMN role TEXT NOT NULL DEFAULT 'owner';
  ALTER TABLE coordinators ADD COLUMN may_export_personal INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE coordinators ADD COLUMN disabled_at TEXT;
  ALTER TABLE coordinators ADD COLUMN totp_secret TEXT;
  ALTER TABLE coordinators ADD COLUMN totp_pending TEXT;
  ALTER TABLE coordinators ADD COLUMN totp_last_step BIGINT;
  CREATE TABLE coordinator_campaigns (
    coordinator_id ${text} NOT NULL REFERENCES coordinators (id),
    campaign_id ${text} NOT NULL,
    PRIMARY KEY (coordinator_id, campaign_id)
  );
  CREATE TABLE recovery_codes (
    coordinator_id ${text} NOT NULL REFERENCES coordinators (id),
    code_hash ${text} NOT NULL,
    used_at TEXT,
    PRIMARY KEY (coordinator_id, code_hash)
  );
  CREATE TABLE invitations (
    id ${text} PRIMARY KEY,
    token_hash ${text} NOT NULL UNIQUE,
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    campaigns TEXT NOT NULL,
    may_export_personal INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    revoked_at TEXT
  );
  CREATE TABLE console_settings (
    key ${text} PRIMARY KEY,
    value TEXT NOT NULL
  );
  DELETE FROM sessions;
  ALTER TABLE sessions ADD COLUMN public_id TEXT;
  ALTER TABLE sessions ADD COLUMN last_seen_at TEXT;
  ALTER TABLE sessions ADD COLUMN address TEXT;
  ALTER TABLE sessions ADD COLUMN user_agent TEXT;
  ALTER TABLE sessions ADD COLUMN second_factor INTEGER NOT NULL DEFAULT 0;
  CREATE UNIQUE INDEX sessions_public_id ON sessions (public_id);
  CREATE INDEX sessions_coordinator ON sessions (coordinator_id)`;

/** The audit log is append-only: the database itself refuses to change or delete an entry. */
const SQLITE_APPEND_ONLY = [
  `CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'The audit log is append-only.'); END;`,
  `CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'The audit log is append-only.'); END;`,
];
const POSTGRES_APPEND_ONLY = `
  CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    RAISE EXCEPTION 'The audit log is append-only.';
  END $$;
  CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`;

export const MIGRATIONS: readonly Migration[] = [
  ...SQLITE_RELEASE_MIGRATIONS.map((sqlite, i) => ({ sqlite, postgres: POSTGRES_RELEASE_MIGRATIONS[i] })),
  {
    sqlite: `${V5_COMMON}
      ALTER TABLE signatures ADD COLUMN signer_country TEXT;
      ${CAMPAIGN_TABLES({ text: 'TEXT', serial: 'INTEGER' })}
      CREATE VIRTUAL TABLE signature_search USING fts5(text, tokenize = 'trigram');
      INSERT INTO signature_search (signature_search, rank) VALUES ('secure-delete', 1);`,
    // PostgreSQL 0.1.0 kept lower-cased name and email columns; the keys replace them.
    postgres: `
      DROP INDEX IF EXISTS conflicts_id;
      ALTER TABLE signatures DROP COLUMN signer_name_lc, DROP COLUMN signer_email_lc;
      ${V5_COMMON}
      ${CAMPAIGN_TABLES({ text: 'text COLLATE "C"', serial: 'bigint GENERATED ALWAYS AS IDENTITY' })}
      CREATE TABLE signature_search (seq bigint PRIMARY KEY, text text NOT NULL);`,
    after: async (tx, db) => {
      if (db.dialect.name === 'postgres') {
        await trigramIndex(tx);
        await tx.run(POSTGRES_IMMUTABLE);
      } else {
        for (const statement of SQLITE_IMMUTABLE.split('END;').map((s) => s.trim()).filter(Boolean)) await tx.run(`${statement} END;`);
      }
      await backfillKeys(tx, db);
      await backfillCampaigns(tx);
    },
  },
  // Version 6 (review before the hand-in): a signature set aside from the hand-in keeps its row;
  // why, by whom and when sit beside it. Nothing is set aside yet, so no counter needs filling.
  { sqlite: SET_ASIDE, postgres: SET_ASIDE },
  // Version 7 (paper counts): signatures counted by hand, apart from the tablets'.
  { sqlite: PAPER_COUNTS('TEXT'), postgres: PAPER_COUNTS('text COLLATE "C"') },
  // Version 8 (the hand-in package, exports/handin-package.ts): the organisation's signing key,
  // one for every instance on the database, and the per-country reads of a campaign's signatures.
  { sqlite: HANDIN_PACKAGE, postgres: HANDIN_PACKAGE },
  // Version 9 (rate limits in the database): attempts counted once for every instance.
  { sqlite: RATE_LIMIT_BUCKETS, postgres: RATE_LIMIT_BUCKETS },
  // Version 10: one conflicting copy kept per distinct content.
  { sqlite: ONE_CONFLICT_PER_CONTENT, postgres: ONE_CONFLICT_PER_CONTENT },
  // Version 11: roles per campaign, two-factor sign-in, invitations, sessions; an append-only audit log.
  {
    sqlite: ACCOUNTS('TEXT'),
    postgres: ACCOUNTS('text COLLATE "C"'),
    after: async (tx, db) => {
      if (db.dialect.name === 'postgres') await tx.run(POSTGRES_APPEND_ONLY);
      else for (const trigger of SQLITE_APPEND_ONLY) await tx.run(trigger);
    },
  },
];

/** The latest schema version this server knows. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Apply every migration newer than the database's recorded version, each in one transaction
 * that first reads the version (so two processes starting at once cannot both apply one). A
 * newer schema (another instance already upgraded) is used as it is.
 */
export async function migrate(db: SqlDatabase): Promise<void> {
  // Up to date (the usual start, and every export worker): no write lock is taken at all.
  const current = await schemaVersionOf(db).catch(() => 0);
  if (current >= MIGRATIONS.length) return;
  for (;;) {
    const done = await db.transaction('migrate', async (tx) => {
      await tx.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
      const row = await tx.get<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
      const current = Number(row?.v ?? 0);
      if (current >= MIGRATIONS.length) {
        if (current > MIGRATIONS.length) console.warn(`Note: the database schema is at version ${current}, newer than this server's ${MIGRATIONS.length}.`);
        return true;
      }
      const migration = MIGRATIONS[current];
      for (const statement of splitStatements(migration[db.dialect.name])) await tx.run(statement);
      await migration.after?.(tx, db);
      await tx.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [current + 1, new Date().toISOString()]);
      return false;
    });
    if (done) return;
  }
}

/** The schema version (latest applied migration) of a database. */
export async function schemaVersionOf(db: SqlDatabase): Promise<number> {
  const row = await db.get<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
  return Number(row?.v ?? 0);
}

/** Statements of a migration, one by one (none of ours holds a `;` inside a literal). */
function splitStatements(sql: string): string[] {
  return sql
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * pg_trgm (shipped with PostgreSQL) gives LIKE '%…%' an index. Extensions belong to the whole
 * database: created once, in `public` so that every schema's index can name its operator class.
 */
async function trigramIndex(tx: SqlExecutor): Promise<void> {
  await tx.run('SELECT pg_advisory_xact_lock(?::int)', [EXTENSION_LOCK]);
  await tx.run('CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public');
  const row = await tx.get<{ schema: string }>(
    "SELECT n.nspname AS schema FROM pg_opclass c JOIN pg_namespace n ON n.oid = c.opcnamespace WHERE c.opcname = 'gin_trgm_ops' LIMIT 1",
  );
  await tx.run(`CREATE INDEX signature_search_text ON signature_search USING gin (text "${row!.schema}".gin_trgm_ops)`);
}

/** Keys, search texts, duplicate flags and counters for the signatures stored before version 5. */
async function backfillKeys(tx: SqlExecutor, db: SqlDatabase): Promise<void> {
  let after = 0;
  for (;;) {
    const rows = await tx.all<{ seq: number; id: string; record: unknown }>('SELECT seq, id, record FROM signatures WHERE seq > ? ORDER BY seq LIMIT 500', [after]);
    if (rows.length === 0) break;
    for (const row of rows) {
      const record = parseRecord(row.record);
      const keys = keysOf(record);
      await tx.run('UPDATE signatures SET email_key = ?, name_key = ?, signer_country = ?, campaign_version = ?, lang = ? WHERE seq = ?', [
        keys.email,
        keys.nameCountry,
        keys.country,
        record.campaignVersion,
        record.lang ?? null,
        row.seq,
      ]);
      await tx.run(searchInsertSql(db.dialect), [row.seq, keys.search]);
    }
    after = rows[rows.length - 1].seq;
  }
  await tx.run(refreshDuplicateFlagsSql('1 = 1'));
  for (const [dimension, key, from] of COUNTED) {
    await tx.run(
      `INSERT INTO signature_counts (campaign_id, dimension, key, count)
       SELECT s.campaign_id, '${dimension}', ${key}, COUNT(*) FROM ${from} GROUP BY s.campaign_id, ${key === "''" ? '2' : key} HAVING COUNT(*) > 0`,
    );
  }
}

/** What the counters count, as SQL over `signatures s` (the same keys as counterKeys() in signature-rows.ts). */
const COUNTED: Array<[string, string, string]> = [
  ['total', "''", 'signatures s'],
  ['device', 's.device_id', 'signatures s'],
  ['event', "COALESCE(d.event, '(imported or unknown)')", 'signatures s LEFT JOIN devices d ON d.id = s.device_id'],
  ['country', "COALESCE(s.signer_country, '')", 'signatures s'],
  ['hour', "substr(s.received_at, 1, 13) || ':00:00Z'", 'signatures s'],
  ['version', "CAST(s.campaign_version AS TEXT) || ' ' || COALESCE(s.lang, '')", 'signatures s'],
  ['duplicates', "''", 'signatures s WHERE s.possible_duplicate = 1'],
];
// Release 0.1.0's signatures have no version problem: their versions are the ones backfillCampaigns() records.

/**
 * Release 0.1.0 had one campaign per server and no record of its text beyond the file being
 * served. Each campaign and version found in the signatures becomes a campaign with that
 * version, its text "not recorded" (content NULL) until the server fills it in at startup from
 * the campaign file it serves, if that file's id and version match (server/campaigns.ts). A
 * database with no signatures starts with the defenders campaign published and open.
 */
async function backfillCampaigns(tx: SqlExecutor): Promise<void> {
  const now = new Date().toISOString();
  const seen = await tx.all<{ campaign_id: string; campaign_version: number; first: string }>(
    'SELECT campaign_id, campaign_version, MIN(received_at) AS first FROM signatures GROUP BY campaign_id, campaign_version ORDER BY campaign_id, campaign_version',
  );
  for (const id of [...new Set(seen.map((s) => s.campaign_id))]) {
    await tx.run("INSERT INTO campaigns (id, status, created_at) VALUES (?, 'open', ?)", [id, now]);
  }
  for (const s of seen) {
    await tx.run('INSERT INTO campaign_versions (campaign_id, version, content, content_hash, published_at) VALUES (?, ?, NULL, NULL, ?)', [s.campaign_id, Number(s.campaign_version), s.first]);
  }
  if (seen.length === 0) {
    await tx.run("INSERT INTO campaigns (id, status, created_at) VALUES (?, 'open', ?)", [DEFAULT_CAMPAIGN.id, now]);
    await tx.run('INSERT INTO campaign_versions (campaign_id, version, content, content_hash, published_at) VALUES (?, ?, ?, ?, ?)', [
      DEFAULT_CAMPAIGN.id,
      DEFAULT_CAMPAIGN.version,
      JSON.stringify(DEFAULT_CAMPAIGN),
      await contentHash(DEFAULT_CAMPAIGN),
      now,
    ]);
  }
}
