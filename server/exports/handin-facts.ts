/**
 * What the hand-in package says besides the tablets' signatures: the signatures set aside
 * (by reason) and the paper counts recorded by hand. One function, so that the package and
 * its manifest read them in one place.
 */
import type { Store } from '../store/store.ts';

/** One paper count as the manifest lists it (the fields of a PaperCount it needs). */
export interface PaperFact {
  id: string;
  event: string;
  collectedOn: string;
  sheets: number;
  signatures: number;
  countries: Record<string, number> | null;
}

export interface HandinFacts {
  /** Signatures set aside and left out of the hand-in, by reason. */
  setAside: Array<{ reason: string; count: number }>;
  /** Paper signatures counted by hand. */
  paper: PaperFact[];
}

/** The set-aside counts and the paper counts of a campaign. */
export async function handinFacts(store: Store, campaignId: string): Promise<HandinFacts> {
  const paper = (await store.paperCounts(campaignId)).map(({ id, event, collectedOn, sheets, signatures, countries }) => ({ id, event, collectedOn, sheets, signatures, countries }));
  return { setAside: await store.setAsideCounts(campaignId), paper };
}

