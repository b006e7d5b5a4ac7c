/**
 * The one rule for "is this the same signer?", and for what a search matches. The server
 * computes these keys once, at ingestion, into indexed columns; the console's finder for
 * opened sealed signatures (duplicates.ts) uses the same functions, so every place that judges
 * duplicates gives the same verdict.
 *
 * Two signatures are possible duplicates when they share an email key, or a name key and a
 * country. A name alone is not enough: two people may share a common name, and without a
 * country there is nothing to tell them apart. Flagged for a person to look at, never dropped.
 */

/** Format characters (zero-width spaces and joiners, bidirectional controls, soft hyphens, BOM). */
const INVISIBLE = /\p{Cf}/gu;

/**
 * How a careful reader compares two written names: compatibility forms folded (NFKC: full-width
 * letters, ligatures), invisible characters dropped, case folded beyond ASCII (ß = ss, final
 * sigma = sigma), white space collapsed and trimmed, and the result in NFC so that a decomposed
 * "zoë" equals a composed one. Accents stay: "Jose" and "José" may be different people.
 * Scripts without case are compared as written.
 */
export function matchingKey(text: string): string {
  return text
    .normalize('NFKC')
    .replace(INVISIBLE, '')
    .toUpperCase()
    .toLowerCase()
    .replace(/ς/gu, 'σ')
    .normalize('NFC')
    .replace(/\s+/gu, ' ')
    .trim();
}

export interface SignerKeys {
  /** The email, folded; null when none was given. */
  email: string | null;
  /** Name and country together, folded; null without a name or without a country. */
  nameCountry: string | null;
}

/** The keys two signatures of one person share (see the module comment). */
export function signerKeys(signer: { name?: string; email?: string; country?: string }): SignerKeys {
  const email = signer.email ? matchingKey(signer.email) : '';
  const name = signer.name ? matchingKey(signer.name) : '';
  const country = signer.country?.trim().toUpperCase() ?? '';
  return { email: email || null, nameCountry: name && country ? `${name} · ${country}` : null };
}

/**
 * What a search over a signature looks in: its name, email and id, folded like the keys, one per
 * line (a query never holds a line break, so it cannot match across two fields).
 */
export function searchableText(id: string, signer?: { name?: string; email?: string }): string {
  return [signer?.name ? matchingKey(signer.name) : '', signer?.email ? matchingKey(signer.email) : '', id.toLowerCase()].join('\n');
}
