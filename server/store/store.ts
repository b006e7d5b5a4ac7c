/**
 * The server's storage contract. Every implementation (SQLite now, PostgreSQL later) must
 * store each signature id at most once, never overwrite a stored signature, and keep only
 * hashes of enrollment codes and device tokens.
 */
import type { SignatureRecord } from '../../src/shared/protocol.ts';

/** Outcome of storing one record. */
export type IngestOutcome = 'accepted' | 'duplicate' | 'conflict';

/** A record ready to store, with the hash of its canonical content. */
export interface IngestItem {
  record: SignatureRecord;
  hash: string;
  /** The tablet's clock looked wrong when this record arrived. Flagged, never refused. */
  clockSuspect: boolean;
}

/** Where a batch came from. */
export type IngestSource = 'sync' | 'import';

/** A signature as the server holds it. */
export interface StoredSignature {
  seq: number;
  id: string;
  deviceId: string;
  campaignId: string;
  capturedAt: string;
  /** The server's own clock at ingestion: the time that counts. */
  receivedAt: string;
  clockSuspect: boolean;
  source: IngestSource;
  record: SignatureRecord;
}

/** An enrolled tablet. */
export interface Device {
  id: string;
  event: string;
  label: string | null;
  enrolledAt: string;
  revokedAt: string | null;
  lastSeenAt: string | null;
}

/** Why a code could not be redeemed. */
export type RedeemFailure = 'unknown' | 'expired' | 'used';

export interface Store {
  /**
   * Store a batch in one transaction, in order. A new id is `accepted`; an id already stored
   * with the same hash is a `duplicate` (nothing written); with a different hash it is a
   * `conflict` (the stored copy is kept, the other copy is set aside for review).
   */
  ingest(items: IngestItem[], receivedAt: string, source: IngestSource): Promise<IngestOutcome[]>;
  /** Number of stored signatures. */
  count(): Promise<number>;
  /** Stored signatures in arrival order, after `afterSeq`. */
  list(options?: { afterSeq?: number; limit?: number }): Promise<StoredSignature[]>;
  /** Number of conflicting copies set aside. */
  conflictCount(): Promise<number>;

  /** Save a new one-time enrollment code (its hash only). */
  createEnrollmentCode(code: { codeHash: string; event: string; createdAt: string; expiresAt: string }): Promise<void>;
  /**
   * Atomically use a code and create the device it enrolls. A code works once, before it
   * expires; on failure nothing is written.
   */
  redeemEnrollmentCode(
    codeHash: string,
    now: string,
    device: { id: string; tokenHash: string; label: string | null },
  ): Promise<{ ok: true; device: Device } | { ok: false; reason: RedeemFailure }>;
  /** The device holding the token with this hash, revoked or not. */
  deviceByTokenHash(tokenHash: string): Promise<Device | undefined>;
  /** Record that a device made contact. */
  touchDevice(id: string, at: string): Promise<void>;
  /** Revoke a device: its token stops working at once. Returns false if there is no such device. */
  revokeDevice(id: string, at: string): Promise<boolean>;
  listDevices(): Promise<Device[]>;

  close(): Promise<void>;
}
