/**
 * Review before the hand-in: a coordinator sets signatures aside (with a reason and a note)
 * or restores them, listed by id or as every signature the signatures page's filter matches.
 * Knows nothing of HTTP (the routes are review-routes.ts). A filter is followed a page of
 * ids at a time, in seq order from the newest, so a million matches never sit in memory.
 */
import type { SetAsideReason, SignatureFilter } from '../../src/shared/api/signatures.ts';
import type { SignatureSearch, Store } from '../store/store.ts';

/** Ids read and changed per step of a change by filter. */
export const REVIEW_PAGE = 1000;
/** At most this many ids are named in the audit entry of a change by ids. */
export const AUDITED_IDS = 100;

/** Which signatures: by id (of the campaign; others are ignored), or all that match a filter. */
export type ReviewTargets = { ids: string[]; filter?: undefined } | { filter: SignatureFilter; ids?: undefined };

export class ReviewError extends Error {}

/** The targets of a request that names both or neither, refused. */
export function targetsOf(request: { ids?: string[]; filter?: SignatureFilter }): ReviewTargets {
  if (request.ids && request.filter) throw new ReviewError('Send either ids or a filter, not both.');
  if (request.ids) return { ids: request.ids };
  if (request.filter) return { filter: request.filter };
  throw new ReviewError('Send the ids of the signatures, or the filter that matches them.');
}

/** The store's search for a filter, within one campaign. */
function searchOf(filter: SignatureFilter, campaignId: string): SignatureSearch {
  return {
    q: filter.q,
    duplicatesOnly: filter.duplicates,
    problemsOnly: filter.problems,
    version: filter.version,
    lang: filter.lang,
    campaignId,
  };
}

/**
 * The campaign's ids among `targets` that are (`setAside` true) or are not set aside, a page
 * at a time. Each page is read after the previous one was changed; the seq cursor moves past
 * it, so a change that takes rows out of the filter loses none and repeats none.
 */
async function* pagesOf(store: Store, campaignId: string, targets: ReviewTargets, setAside: boolean): AsyncGenerator<string[]> {
  if (targets.ids) {
    const ids: string[] = [];
    for (const id of new Set(targets.ids)) {
      const found = await store.getSignature(id);
      if (found && found.campaignId === campaignId && !!found.setAside === setAside) ids.push(id);
    }
    if (ids.length > 0) yield ids;
    return;
  }
  const { filter } = targets;
  // A filter for the other state matches nothing this change could make.
  if (filter.setAside !== undefined && (filter.setAside === 'only') !== setAside) return;
  const search = { ...searchOf(filter, campaignId), setAside, skipTotal: true, limit: REVIEW_PAGE };
  let before: number | undefined;
  for (;;) {
    const { rows } = await store.searchSignatures({ ...search, before });
    if (rows.length > 0) yield rows.map((r) => r.id);
    if (rows.length < REVIEW_PAGE) return;
    before = rows[rows.length - 1].seq;
  }
}

/** What the audit log keeps of the targets: the filter, or the ids (the first hundred, and how many in all). */
export function auditedTargets(targets: ReviewTargets): Record<string, unknown> {
  if (targets.filter) return { filter: targets.filter };
  return { ids: targets.ids.slice(0, AUDITED_IDS), ...(targets.ids.length > AUDITED_IDS && { idsSent: targets.ids.length }) };
}

/** Set the targets aside from the hand-in; returns how many were newly set aside. */
export async function setAside(
  store: Store,
  campaignId: string,
  targets: ReviewTargets,
  change: { reason: SetAsideReason; note: string | null; at: string; by: string },
): Promise<number> {
  let changed = 0;
  for await (const ids of pagesOf(store, campaignId, targets, false)) changed += (await store.setAside(ids, change)).length;
  return changed;
}

/** Put the targets back into the hand-in; returns how many were restored. */
export async function restore(store: Store, campaignId: string, targets: ReviewTargets): Promise<number> {
  let changed = 0;
  for await (const ids of pagesOf(store, campaignId, targets, true)) changed += (await store.restoreSetAside(ids)).length;
  return changed;
}
