/**
 * The CLI's backup commands (server/cli.ts), on the database --db / FIELDSIGN_DB names;
 * store/backup.ts does the work on either store:
 *
 *   backup --out FILE         an online backup (SQLite) or pg_dump of the schema (PostgreSQL), 0600
 *   restore FILE [--force]    check FILE, put it back, bring it up to date; --force to replace data
 */
import { backupStore, restoreStore } from './store/backup.ts';
import { describeDb } from './store/open.ts';

export const BACKUP_USAGE = `  backup --out FILE               back the database up to FILE (a new file, readable by you
                                  only: it holds signers' data), while the server runs
  restore FILE [--force]          check FILE and restore it into the database, then bring it
                                  up to date; refuses a database that holds data unless --force
                                  (stop the server first)`;

/** `backup --out FILE`: what was written, and that it is private. */
export async function backupCommand(db: string, out: string | undefined): Promise<number> {
  if (!out) throw new Error('backup needs --out FILE, a new file to write the backup to.');
  const summary = await backupStore(db, out);
  const size = summary.bytes >= 1e6 ? `${(summary.bytes / 1e6).toFixed(1)} MB` : `${Math.ceil(summary.bytes / 1e3)} kB`;
  console.log(`Backed up ${describeDb(db)} (${summary.detail}) to ${summary.file}: ${size}, readable by you only.`);
  console.log('It holds signers\u2019 names, emails and signatures: keep it as safe as the database, off this machine too.');
  return 0;
}

/** `restore FILE [--force]`: what the database holds now. */
export async function restoreCommand(db: string, file: string | undefined, force: boolean): Promise<number> {
  if (!file) throw new Error('restore needs the backup file: restore FILE [--force]');
  const s = await restoreStore(db, file, { force });
  if (s.replaced.length > 0) console.log(`Replaced what ${describeDb(db)} held (${s.replaced.join(', ')}).`);
  const upgraded = s.schemaVersion > s.backupVersion ? `, brought up from schema version ${s.backupVersion} to ${s.schemaVersion}` : `, schema version ${s.schemaVersion}`;
  console.log(`Restored ${file} into ${describeDb(db)}: ${s.signatures} signatures${upgraded}.`);
  return 0;
}
