/**
 * The stored records as they are, for the console to open sealed signatures in the
 * browser with the coordinator's key (GET /api/console/records?after=SEQ&limit=N): the
 * server cannot read them, so it hands over the ciphertext, page by page in arrival order,
 * with what the chain check needs (the chain head each tablet last reported, and the chain
 * places of signatures deleted on request) and the tablets' names. The CLI export reads the
 * same things from the store directly.
 */
import * as z from 'zod/mini';
import type { Campaign } from '../../src/shared/campaign.ts';
import type { ReportedHead } from '../../src/shared/chain-check.ts';
import type { DeletionsOnRequest } from '../../src/shared/open-signatures.ts';
import { ChainHeadSchema, type SignatureRecord } from '../../src/shared/protocol.ts';
import type { Device, Store } from '../store/store.ts';

/** Records per page unless asked otherwise, and at most (a sealed record is ~3–5 KB of JSON). */
export const RECORDS_PAGE = { default: 200, max: 1000 } as const;

/** One stored record, as the console receives it. */
export interface RecordRow {
  seq: number;
  id: string;
  deviceId: string;
  receivedAt: string;
  record: SignatureRecord;
}

export interface RecordsPage {
  records: RecordRow[];
  /** The `after` of the next page, or null when this was the last. */
  next: number | null;
  /** The chain head each tablet last reported, with its count of signatures erased by quick delete (see chain-check.ts). */
  heads: ReportedHead[];
  /** Tablets' names by device id, for the verdicts. */
  tablets: Array<{ id: string; label: string | null }>;
  /** The campaign's sealing key id, or null for an unsealed campaign. */
  sealingKeyId: string | null;
  /**
   * On the first page: signatures deleted on a data-subject request (how many, from the audit
   * log) and the chain places their tombstones kept, so the chain check counts those gaps as
   * deleted, not missing (S20).
   */
  deletedOnRequest?: DeletionsOnRequest;
}

/** The chain heads the tablets reported, from each device's last report (stored as JSON). */
export function reportedHeads(devices: Device[]): ReportedHead[] {
  const heads: ReportedHead[] = [];
  for (const device of devices) {
    const report = device.lastReport as { chain?: unknown; erased?: unknown } | null;
    const parsed = z.safeParse(ChainHeadSchema, report?.chain);
    // A tablet reports the head of its own chain only (older databases may hold others).
    if (!parsed.success || parsed.data.device !== device.id) continue;
    const erased = report?.erased;
    heads.push({ ...parsed.data, ...(Number.isSafeInteger(erased) && (erased as number) > 0 && { erased: erased as number }) });
  }
  return heads;
}

/**
 * The signatures deleted on request: how many (the audit log, every entry of it) and the chain
 * places their tombstones kept (no personal data: device, seq, link and the id).
 */
export async function deletionsOnRequest(store: Store): Promise<DeletionsOnRequest> {
  const entries = await store.auditLog(Number.MAX_SAFE_INTEGER);
  const places = await store.deletedChainPlaces();
  return {
    count: entries.filter((e) => e.action === 'delete-signature').length,
    places: places.map(({ id, device, seq, link }) => ({ id, device, seq, link })),
  };
}

/** One page of a campaign's stored records after `afterSeq`. */
export async function recordsPage(store: Store, campaign: { id: string; content?: Campaign }, afterSeq: number, limit: number): Promise<RecordsPage> {
  const rows = await store.list({ afterSeq, limit, campaignId: campaign.id });
  const devices = await store.listDevices();
  return {
    records: rows.map(({ seq, id, deviceId, receivedAt, record }) => ({ seq, id, deviceId, receivedAt, record })),
    next: rows.length === limit ? rows[rows.length - 1].seq : null,
    heads: reportedHeads(devices),
    tablets: devices.map((d) => ({ id: d.id, label: d.label })),
    sealingKeyId: campaign.content?.sealing?.keyId ?? null,
    ...(afterSeq === 0 && { deletedOnRequest: await deletionsOnRequest(store) }),
  };
}
