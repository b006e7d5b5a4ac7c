/**
 * Possible duplicate signers among opened signatures, by the same keys the server computes
 * at ingestion for plain ones (signer-keys.ts, Store.duplicateIds): the same email, or the
 * same name and country. Sealed signatures can only be compared once opened, so the console
 * and the CLI export run this over what they opened. Flagged for a person to look at, never dropped:
 * two people may share a name, a family may share an email.
 */
import type { Signer } from './protocol.ts';
import { matchingKey, signerKeys } from './signer-keys.ts';

export interface DuplicateGroup {
  /** What the signatures share. */
  reason: 'email' | 'name-country';
  /** The shared value, normalised (an email; or "name · country code"). */
  key: string;
  /** The signatures' ids, in the order they were added. */
  ids: string[];
}

/** The folding the keys use (see signer-keys.ts): "  Zoë  Smith" and "zoë smith" match. */
export const normaliseText = matchingKey;

/** Collects signers one by one, then lists the groups sharing an email or a name and country. */
export function createDuplicateFinder() {
  const byEmail = new Map<string, string[]>();
  const byNameCountry = new Map<string, string[]>();
  const push = (map: Map<string, string[]>, key: string, id: string) => {
    const ids = map.get(key);
    if (ids) ids.push(id);
    else map.set(key, [id]);
  };
  return {
    add(id: string, signer: Pick<Signer, 'name' | 'email' | 'country'>): void {
      const keys = signerKeys(signer);
      if (keys.email) push(byEmail, keys.email, id);
      if (keys.nameCountry) push(byNameCountry, keys.nameCountry, id);
    },
    /** Every group of two or more: by email first, then by name and country. */
    groups(): DuplicateGroup[] {
      const groups: DuplicateGroup[] = [];
      for (const [key, ids] of byEmail) if (ids.length > 1) groups.push({ reason: 'email', key, ids });
      for (const [key, ids] of byNameCountry) if (ids.length > 1) groups.push({ reason: 'name-country', key, ids });
      return groups;
    },
  };
}
