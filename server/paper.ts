/**
 * Paper counts, as the console records and removes them: each one audited with the
 * coordinator as actor (a removal with the figures it removed), and the sums that the
 * dashboard, the public counter and the hand-in show apart from the tablets' signatures.
 * Knows nothing of HTTP (console/paper-routes.ts is the route).
 */
import { randomUUID } from 'node:crypto';
import { paperTotals, type NewPaperCount, type PaperCount, type PaperTotals } from '../src/shared/api/paper.ts';
import type { Store, Totals } from './store/store.ts';

/** Record a paper count for `campaignId` by `actor`; returns it as stored. */
export async function recordPaperCount(store: Store, campaignId: string, request: NewPaperCount, actor: string, now: Date): Promise<PaperCount> {
  const countries = request.countries && Object.keys(request.countries).length > 0 ? request.countries : null;
  const count: PaperCount = {
    id: randomUUID(),
    campaignId,
    event: request.event,
    collectedOn: request.collectedOn,
    sheets: request.sheets,
    signatures: request.signatures,
    countries,
    countedBy: request.countedBy,
    note: request.note || null,
    recordedAt: now.toISOString(),
    recordedBy: actor,
  };
  await store.addPaperCount(count);
  await store.audit({ at: count.recordedAt, actor, action: 'paper.recorded', detail: figuresOf(count), campaignId });
  return count;
}

/** Remove a paper count; what it said (audited with its figures), or undefined when there is none. */
export async function removePaperCount(store: Store, id: string, actor: string, now: Date, mayRemove?: (campaignId: string) => boolean): Promise<PaperCount | undefined> {
  const removed = await store.removePaperCount(id, mayRemove);
  if (removed) await store.audit({ at: now.toISOString(), actor, action: 'paper.removed', detail: figuresOf(removed), campaignId: removed.campaignId });
  return removed;
}

/** A campaign's paper counts summed. */
export async function campaignPaperTotals(store: Store, campaignId: string): Promise<PaperTotals> {
  return paperTotals(await store.paperCounts(campaignId));
}

/** The dashboard's figures with the paper counts beside them (never added into `total`). */
export async function totalsWithPaper(store: Store, campaignId: string): Promise<Totals> {
  const [totals, paper] = await Promise.all([store.totals(campaignId), campaignPaperTotals(store, campaignId)]);
  return { ...totals, paper };
}

/** The public counter's figure: the tablets' total, and the paper count apart. */
export async function publicCountWithPaper(store: Store, campaignId: string): Promise<{ total: number; paper?: number }> {
  const [total, paper] = await Promise.all([store.count(campaignId), campaignPaperTotals(store, campaignId)]);
  // Counter pages opened before paper counts existed parse { total } strictly: they keep
  // working until a campaign has paper at all (and reloading the page mends them).
  return paper.total > 0 ? { total, paper: paper.total } : { total };
}

/** What the audit log keeps of a paper count: every figure, so a removal can be undone by hand. */
function figuresOf(p: PaperCount): Record<string, unknown> {
  return { id: p.id, event: p.event, collectedOn: p.collectedOn, sheets: p.sheets, signatures: p.signatures, countries: p.countries, countedBy: p.countedBy, note: p.note };
}
