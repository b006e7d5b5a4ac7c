/**
 * Enrollment codes and tablets in the database (schema.ts), the same on both: a code is
 * redeemed once, in a write transaction, so two instances redeeming it at once cannot both
 * enroll; a tablet's report is read and merged in one too, so each increase counts once.
 */
import type { Device, DeviceReport, RedeemFailure } from './store.ts';
import { mergeReport } from './store.ts';
import type { SqlDatabase, SqlExecutor } from './sql.ts';

/** The columns a Device is read from. */
export const DEVICE_COLUMNS = 'id, event, label, enrolled_at, revoked_at, last_seen_at, last_report, campaigns';

/** A row of `devices`, as both databases return it. */
export type DeviceRow = {
  id: string;
  event: string;
  label: string | null;
  enrolled_at: string;
  revoked_at: string | null;
  last_seen_at: string | null;
  last_report: unknown;
  campaigns: string | null;
};

/** A `devices` row as a Device. */
export function toDevice(r: DeviceRow): Device {
  return {
    id: r.id,
    event: r.event,
    label: r.label,
    enrolledAt: r.enrolled_at,
    revokedAt: r.revoked_at,
    lastSeenAt: r.last_seen_at,
    lastReport: r.last_report == null ? null : ((typeof r.last_report === 'string' ? JSON.parse(r.last_report) : r.last_report) as DeviceReport),
    campaigns: r.campaigns === null ? null : (JSON.parse(r.campaigns) as string[]),
  };
}

/** Store a new enrollment code (its hash only) with its event and, if any, its campaigns. */
export async function createEnrollmentCode(db: SqlExecutor, code: { codeHash: string; event: string; createdAt: string; expiresAt: string; campaigns?: string[] | null }): Promise<void> {
  await db.run('INSERT INTO enrollment_codes (code_hash, event, created_at, expires_at, campaigns) VALUES (?, ?, ?, ?, ?)', [
    code.codeHash,
    code.event,
    code.createdAt,
    code.expiresAt,
    code.campaigns ? JSON.stringify(code.campaigns) : null,
  ]);
}

/** Use the code once and enroll `device` under its event and campaigns, or say why not. */
export async function redeemEnrollmentCode(
  db: SqlDatabase,
  codeHash: string,
  now: string,
  device: { id: string; tokenHash: string; label: string | null },
): Promise<{ ok: true; device: Device } | { ok: false; reason: RedeemFailure }> {
  // A write transaction: a second instance redeeming the same code waits, then reads it used.
  return db.transaction('write', async (tx) => {
    const code = await tx.get<{ event: string; expires_at: string; used_at: string | null; campaigns: string | null }>(
      'SELECT event, expires_at, used_at, campaigns FROM enrollment_codes WHERE code_hash = ?',
      [codeHash],
    );
    const reason: RedeemFailure | undefined = !code ? 'unknown' : code.used_at ? 'used' : code.expires_at <= now ? 'expired' : undefined;
    if (reason || !code) return { ok: false as const, reason: reason ?? 'unknown' };
    await tx.run('UPDATE enrollment_codes SET used_at = ?, device_id = ? WHERE code_hash = ?', [now, device.id, codeHash]);
    await tx.run('INSERT INTO devices (id, token_hash, event, label, enrolled_at, campaigns) VALUES (?, ?, ?, ?, ?, ?)', [
      device.id,
      device.tokenHash,
      code.event,
      device.label,
      now,
      code.campaigns,
    ]);
    const campaigns = code.campaigns === null ? null : (JSON.parse(code.campaigns) as string[]);
    return { ok: true as const, device: { id: device.id, event: code.event, label: device.label, enrolledAt: now, revokedAt: null, lastSeenAt: null, lastReport: null, campaigns } };
  });
}

/** The tablet holding the token with this hash, revoked or not. */
export async function deviceByTokenHash(db: SqlExecutor, tokenHash: string): Promise<Device | undefined> {
  const row = await db.get<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE token_hash = ?`, [tokenHash]);
  return row && toDevice(row);
}

/** Note when the tablet was last heard from. */
export async function touchDevice(db: SqlExecutor, id: string, at: string): Promise<void> {
  await db.run('UPDATE devices SET last_seen_at = ? WHERE id = ?', [at, id]);
}

/** Revoke the tablet (the first revocation's time is kept); whether it exists. */
export async function revokeDevice(db: SqlExecutor, id: string, at: string): Promise<boolean> {
  return (await db.run('UPDATE devices SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?', [at, id])) === 1;
}

/** Every tablet, in enrollment order. */
export async function listDevices(db: SqlDatabase): Promise<Device[]> {
  // rowid on SQLite, an identity column on PostgreSQL: both are the insertion order.
  const order = db.dialect.name === 'sqlite' ? 'rowid' : 'seq';
  return (await db.all<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM devices ORDER BY enrolled_at, ${order}`)).map(toDevice);
}

/** Merge `report` into the tablet's last one; answers the previous report (null: none, or no such tablet). */
export async function reportDevice(db: SqlDatabase, id: string, report: DeviceReport): Promise<DeviceReport | null> {
  // Read and write in one write transaction, so two instances see each increase once.
  return db.transaction('write', async (tx) => {
    const row = await tx.get<{ last_report: unknown }>('SELECT last_report FROM devices WHERE id = ?', [id]);
    if (!row) return null;
    const previous = row.last_report == null ? null : ((typeof row.last_report === 'string' ? JSON.parse(row.last_report) : row.last_report) as DeviceReport);
    await tx.run('UPDATE devices SET last_report = ? WHERE id = ?', [JSON.stringify(mergeReport(previous, report)), id]);
    return previous;
  });
}
