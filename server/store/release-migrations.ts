/**
 * The schema as release 0.1.0 shipped it, one list per database (versions 1 to 4). Shipped
 * migrations are never edited: a database at any of these versions upgrades from where it is.
 * Later versions are written once for both databases, in schema.ts.
 */

export const SQLITE_RELEASE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE signatures (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     device_id TEXT NOT NULL,
     campaign_id TEXT NOT NULL,
     captured_at TEXT NOT NULL,
     received_at TEXT NOT NULL,
     content_hash TEXT NOT NULL,
     record TEXT NOT NULL
   );
   CREATE TABLE conflicts (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL,
     received_at TEXT NOT NULL,
     content_hash TEXT NOT NULL,
     record TEXT NOT NULL
   );`,
  `ALTER TABLE signatures ADD COLUMN clock_suspect INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE signatures ADD COLUMN source TEXT NOT NULL DEFAULT 'sync';
   CREATE TABLE devices (
     id TEXT PRIMARY KEY,
     token_hash TEXT NOT NULL UNIQUE,
     event TEXT NOT NULL,
     label TEXT,
     enrolled_at TEXT NOT NULL,
     revoked_at TEXT,
     last_seen_at TEXT
   );
   CREATE TABLE enrollment_codes (
     code_hash TEXT PRIMARY KEY,
     event TEXT NOT NULL,
     created_at TEXT NOT NULL,
     expires_at TEXT NOT NULL,
     used_at TEXT,
     device_id TEXT
   );`,
  `ALTER TABLE devices ADD COLUMN last_report TEXT;
   CREATE TABLE coordinators (
     id TEXT PRIMARY KEY,
     email TEXT NOT NULL UNIQUE,
     name TEXT NOT NULL,
     password_hash TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE sessions (
     id_hash TEXT PRIMARY KEY,
     coordinator_id TEXT NOT NULL REFERENCES coordinators(id),
     csrf_token TEXT NOT NULL,
     created_at TEXT NOT NULL,
     expires_at TEXT NOT NULL
   );
   CREATE TABLE audit_log (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     at TEXT NOT NULL,
     actor TEXT NOT NULL,
     action TEXT NOT NULL,
     detail TEXT NOT NULL
   );
   CREATE TABLE deleted_signatures (
     id TEXT PRIMARY KEY,
     deleted_at TEXT NOT NULL
   );
   CREATE INDEX signatures_received ON signatures (received_at);
   CREATE INDEX signatures_device ON signatures (device_id);`,
  // A tombstone keeps the deleted record's place in its device's chain (S20); null for a
  // record without a chain and for tombstones made before this version.
  `ALTER TABLE deleted_signatures ADD COLUMN chain_device TEXT;
   ALTER TABLE deleted_signatures ADD COLUMN chain_seq INTEGER;
   ALTER TABLE deleted_signatures ADD COLUMN chain_link TEXT;`,
];

export const POSTGRES_RELEASE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE signatures (
     seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     id text NOT NULL UNIQUE,
     device_id text NOT NULL,
     campaign_id text NOT NULL,
     captured_at text COLLATE "C" NOT NULL,
     received_at text COLLATE "C" NOT NULL,
     content_hash text NOT NULL,
     record json NOT NULL,
     -- Extracted from the record at ingestion, for search, totals and duplicate flags.
     signer_name_lc text,
     signer_email_lc text,
     signer_country text
   );
   CREATE TABLE conflicts (
     seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     id text NOT NULL,
     received_at text COLLATE "C" NOT NULL,
     content_hash text NOT NULL,
     record json NOT NULL
   );
   CREATE INDEX conflicts_id ON conflicts (id);`,
  `ALTER TABLE signatures ADD COLUMN clock_suspect boolean NOT NULL DEFAULT false;
   ALTER TABLE signatures ADD COLUMN source text NOT NULL DEFAULT 'sync';
   CREATE TABLE devices (
     id text PRIMARY KEY,
     token_hash text NOT NULL UNIQUE,
     event text NOT NULL,
     label text,
     enrolled_at text COLLATE "C" NOT NULL,
     revoked_at text COLLATE "C",
     last_seen_at text COLLATE "C",
     -- Insertion order, to list devices enrolled at the same instant in a stable order.
     seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE
   );
   CREATE TABLE enrollment_codes (
     code_hash text PRIMARY KEY,
     event text NOT NULL,
     created_at text COLLATE "C" NOT NULL,
     expires_at text COLLATE "C" NOT NULL,
     used_at text COLLATE "C",
     device_id text
   );`,
  `ALTER TABLE devices ADD COLUMN last_report json;
   CREATE TABLE coordinators (
     id text PRIMARY KEY,
     email text NOT NULL UNIQUE,
     name text NOT NULL,
     password_hash text NOT NULL,
     created_at text COLLATE "C" NOT NULL
   );
   CREATE TABLE sessions (
     id_hash text PRIMARY KEY,
     coordinator_id text NOT NULL REFERENCES coordinators(id),
     csrf_token text NOT NULL,
     created_at text COLLATE "C" NOT NULL,
     expires_at text COLLATE "C" NOT NULL
   );
   CREATE INDEX sessions_expires ON sessions (expires_at);
   CREATE TABLE audit_log (
     seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     at text COLLATE "C" NOT NULL,
     actor text NOT NULL,
     action text NOT NULL,
     detail json NOT NULL
   );
   CREATE TABLE deleted_signatures (
     id text PRIMARY KEY,
     deleted_at text COLLATE "C" NOT NULL
   );
   CREATE INDEX signatures_received ON signatures (received_at);
   CREATE INDEX signatures_device ON signatures (device_id);
   CREATE INDEX signatures_email_key ON signatures (btrim(signer_email_lc));
   CREATE INDEX signatures_name_key ON signatures (btrim(signer_name_lc), signer_country);`,
  // A tombstone keeps the deleted record's place in its device's chain (S20); null for a
  // record without a chain and for tombstones made before this version.
  `ALTER TABLE deleted_signatures ADD COLUMN chain_device text COLLATE "C";
   ALTER TABLE deleted_signatures ADD COLUMN chain_seq bigint;
   ALTER TABLE deleted_signatures ADD COLUMN chain_link text;`,
];
