/**
 * Every tablet's chain verdict for the hand-in package's manifest, one tablet at a time. The
 * chain check (chain-check.ts) keeps ~300 bytes per record it is given until it finishes;
 * fed a whole campaign at once, a million signatures would hold ~300 MB. Fed one tablet's
 * records at a time (ListOptions.deviceId, index campaign/device/seq), it holds only the
 * largest tablet's, so the package stays in flat memory however many tablets there are.
 */
import { createChainCheck, type DeviceChainVerdict } from '../../src/shared/chain-check.ts';
import { overallSummary } from '../../src/shared/chain-summary.ts';
import type { Store } from '../store/store.ts';
import { deletionsOnRequest, reportedHeads } from '../console/sealed-records.ts';
import type { HandinManifest } from './handin-manifest.ts';
import { allSignatures } from './stream.ts';

/** The manifest's `chains`: each tablet that sent signatures to the campaign, checked on its own. */
export async function campaignChains(store: Store, campaignId: string): Promise<HandinManifest['chains']> {
  // Read before the signatures, as the other chain checks do: a later head would make the
  // records stored after this pass look missing.
  const devices = await store.listDevices();
  const heads = reportedHeads(devices);
  const names = new Map(devices.map((d) => [d.id, d.label]));
  const places = (await deletionsOnRequest(store)).places;
  const senders = (await store.totals(campaignId)).byDevice.map((d) => d.deviceId).sort();
  const verdicts: DeviceChainVerdict[] = [];
  let unchained = 0;
  for (const deviceId of senders) {
    const check = createChainCheck();
    for await (const row of allSignatures(store, { campaignId, deviceId })) await check.add(row.record);
    // A tablet speaks only for its own chain (S23): its head, and the tombstones in it.
    const report = await check.finish(
      heads.filter((h) => h.device === deviceId),
      names,
      places.filter((p) => p.device === deviceId),
    );
    verdicts.push(...report.devices);
    unchained += report.unchained;
  }
  return {
    ok: verdicts.every((d) => d.ok),
    summary: overallSummary(verdicts, unchained),
    unchained,
    devices: verdicts.map((d) => ({ device: d.device, label: d.label ?? null, records: d.records, ok: d.ok, summary: d.summary })),
  };
}
