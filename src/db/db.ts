/**
 * The tablet's database (IndexedDB through Dexie). Every signature lands here first, in the
 * outbox, before anything touches the network. Every `version()` ever shipped stays listed
 * here so that an update mid-rally upgrades a database full of unsynced records in place.
 */
import Dexie, { type Table } from 'dexie';
import * as z from 'zod/mini';
import { CampaignSchema, type Campaign } from '../shared/campaign.ts';
import type { SignatureRecord } from '../shared/protocol.ts';

/**
 * Where a record is in its life on the tablet. `erased` (quick delete) and `wiped` (exported
 * from a revoked tablet) rows keep no record: only the id, so that a late acknowledgement
 * cannot bring them back, and they are never sent.
 */
export type OutboxState = 'pending' | 'synced' | 'quarantined' | 'erased' | 'wiped';

/** One captured signature on the tablet. */
export interface OutboxRow {
  /** Local insertion order. Sync order follows it, never the device clock. */
  seq?: number;
  /** The record's UUID, made once at capture. */
  id: string;
  state: OutboxState;
  /** The full record while pending or quarantined; removed once the server has acknowledged it. */
  record?: SignatureRecord;
  /** Size of the record as JSON, for byte-bounded batches. */
  bytes: number;
  /** Local day of capture (YYYY-MM-DD), kept after sync for the counts. */
  day: string;
  attempts: number;
  /** Why the server refused it, when quarantined. */
  reason?: string;
  syncedAt?: number;
  /** With a retention time set: when the synced record's data is to be dropped. */
  purgeAt?: number;
  /** When the pending record was last written to a transfer file (S18). */
  exportedAt?: number;
  /** When the record's data was erased (quick delete) or wiped (revoked tablet, after export). */
  clearedAt?: number;
}

/**
 * One entry of the tablet's hash chain log (see src/shared/chain.ts): which record took which
 * place in the chain of the device id it was captured under. It holds no personal data, so
 * it outlives the record's data (S19, quick delete) and can be handed to the coordinator.
 */
export interface ChainRow {
  device: string;
  seq: number;
  id: string;
  link: string;
  /** The record's data was erased on the tablet before it reached the server (quick delete). */
  erased?: boolean;
}

/**
 * One published version of a campaign exactly as the tablet received it (src/shared/campaigns.ts),
 * kept for good: what signers were shown. `hash` is null when the tablet cannot be sure of it
 * (a copy cached before version 4, or a hash that did not match the content received).
 */
export interface VersionRow {
  campaignId: string;
  version: number;
  hash: string | null;
  content: Campaign;
  /** When the tablet first stored it (ms, tablet clock). */
  receivedAt: number;
}

/**
 * A campaign this tablet was told about. `allowed` false: no longer in the server's list for
 * this tablet; the row stays so that its sealing key is never forgotten (S22).
 */
export interface CampaignRow {
  id: string;
  allowed: boolean;
  status: 'open' | 'closed';
  /** Its current version (a VersionRow). */
  version: number;
  /** Its place in the server's list, for a stable order on the volunteer screen. */
  position: number;
  /** The newest sealing key seen in any version of it: kept even when a later version lacks one (S22). */
  sealing?: Campaign['sealing'];
}

/** Small key/value facts about this tablet (device id, last sync). */
export interface MetaRow {
  key: string;
  value: unknown;
}

export class FieldsignDB extends Dexie {
  outbox!: Table<OutboxRow, number>;
  meta!: Table<MetaRow, string>;
  chain!: Table<ChainRow, [string, number]>;
  versions!: Table<VersionRow, [string, number]>;
  campaigns!: Table<CampaignRow, string>;

  constructor(name = 'fieldsign') {
    // Chrome's default durability is "relaxed": a write acknowledged just before a crash or
    // power loss can vanish. A signature must survive that, so every transaction is strict.
    super(name, { chromeTransactionDurability: 'strict' });
    this.version(1).stores({
      outbox: '++seq, &id, [state+seq]',
      meta: 'key',
    });
    // v2: count "synced today" by index, and find records past their retention time by
    // index; rows from v1 all have `day`, but fill it if not.
    this.version(2)
      .stores({ outbox: '++seq, &id, [state+seq], [state+day], purgeAt' })
      .upgrade((tx) =>
        tx
          .table<OutboxRow, number>('outbox')
          .toCollection()
          .modify((row) => {
            row.day ??= '0000-00-00';
            row.attempts ??= 0;
          }),
      );
    // v3: the per-device hash chain log, written with each record (tamper evidence).
    this.version(3).stores({ chain: '[device+seq], &id' });
    // v4: many campaigns (issue 15). Every version received is kept, and the campaigns this
    // tablet may show with their status. The one campaign cached in meta until now becomes
    // their first version and campaign; its hash is left out: that copy may carry a sealing
    // key kept from an earlier copy (S22), so it may not be the text the server published.
    this.version(4)
      .stores({ versions: '[campaignId+version]', campaigns: 'id' })
      .upgrade(async (tx) => {
        // An invalid cached copy was never shown (campaign-cache ignored it): it is not carried over.
        const parsed = z.safeParse(CampaignSchema, (await tx.table<MetaRow, string>('meta').get('campaign'))?.value);
        if (parsed.success) {
          const cached = parsed.data;
          await tx.table<VersionRow>('versions').put({ campaignId: cached.id, version: cached.version, hash: null, content: cached, receivedAt: Date.now() });
          await tx.table<CampaignRow>('campaigns').put({
            id: cached.id, allowed: true, status: 'open', version: cached.version, position: 0, ...(cached.sealing && { sealing: cached.sealing }),
          });
          await tx.table<MetaRow, string>('meta').put({ key: 'defaultCampaignId', value: cached.id });
        }
        await tx.table<MetaRow, string>('meta').delete('campaign');
      });
  }
}
