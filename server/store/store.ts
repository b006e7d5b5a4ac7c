/**
 * The server's storage contract. Every implementation (SQLite now, PostgreSQL later) must
 * store each signature id at most once and never overwrite a stored signature.
 */
import type { SignatureRecord } from '../../src/shared/protocol.ts';

/** Outcome of storing one record. */
export type IngestOutcome = 'accepted' | 'duplicate' | 'conflict';

/** A record ready to store, with the hash of its canonical JSON. */
export interface IngestItem {
  record: SignatureRecord;
  hash: string;
}

/** A signature as the server holds it. */
export interface StoredSignature {
  seq: number;
  id: string;
  deviceId: string;
  campaignId: string;
  capturedAt: string;
  /** The server's own clock at ingestion: the time that counts. */
  receivedAt: string;
  record: SignatureRecord;
}

export interface Store {
  /**
   * Store a batch in one transaction, in order. A new id is `accepted`; an id already stored
   * with the same hash is a `duplicate` (nothing written); with a different hash it is a
   * `conflict` (the stored copy is kept, the other copy is set aside for review).
   */
  ingest(items: IngestItem[], receivedAt: string): Promise<IngestOutcome[]>;
  /** Number of stored signatures. */
  count(): Promise<number>;
  /** Stored signatures in arrival order, after `afterSeq`. */
  list(options?: { afterSeq?: number; limit?: number }): Promise<StoredSignature[]>;
  close(): Promise<void>;
}
