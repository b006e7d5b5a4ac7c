/**
 * What a draft changes against a published version, field by field, in words a coordinator
 * reads before publishing: "French · Demand 2", the text before and after. A pure function
 * of two campaign documents; the version number and id are not content and never differ.
 */
import { SIGNER_FIELDS, type Campaign, type CampaignText, type Language } from '../shared/campaign.ts';

/** One changed field: what it was (absent: newly added) and what it becomes (absent: removed). */
export interface FieldChange {
  /** Stable key, e.g. `text.fr.demands.1`. */
  path: string;
  label: string;
  before?: string;
  after?: string;
}

export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', fr: 'French', es: 'Spanish', ar: 'Arabic' };
export const FIELD_NAMES: Record<(typeof SIGNER_FIELDS)[number], string> = { name: 'Name', email: 'Email', country: 'Country', postcode: 'Postcode', phone: 'Phone' };

/** The words of one language, in the order the kiosk shows them; lists are numbered from 1. */
const TEXT_PARTS: Array<{ key: keyof CampaignText; label: string; list?: string }> = [
  { key: 'title', label: 'Title' },
  { key: 'intro', label: 'Introduction', list: 'Introduction paragraph' },
  { key: 'call', label: 'Call to sign' },
  { key: 'demands', label: 'Demands', list: 'Demand' },
  { key: 'closing', label: 'Closing' },
  { key: 'optIn', label: 'Opt-in wording' },
  { key: 'attestation', label: 'Attestation wording' },
];

const fieldRule = (rule: { shown: boolean; required: boolean }) => (!rule.shown ? 'hidden' : rule.required ? 'shown, required' : 'shown, optional');
const timing = (c: Campaign) => (c.kiosk ? `${c.kiosk.idleSeconds} s idle, then a ${c.kiosk.countdownSeconds} s countdown` : 'the default (90 s idle, 15 s countdown)');
const languageList = (langs: readonly Language[]) => langs.map((l) => LANGUAGE_NAMES[l]).join(', ');

/** Every field `after` changes against `before`, in the order of the editor. */
export function campaignDiff(before: Campaign, after: Campaign): FieldChange[] {
  const changes: FieldChange[] = [];
  const compare = (path: string, label: string, a: string | undefined, b: string | undefined) => {
    if (a !== b) changes.push({ path, label, ...(a !== undefined && { before: a }), ...(b !== undefined && { after: b }) });
  };
  compare('languages', 'Languages offered', languageList(before.languages), languageList(after.languages));
  compare('defaultLanguage', 'Default language', LANGUAGE_NAMES[before.defaultLanguage], LANGUAGE_NAMES[after.defaultLanguage]);

  const languages = [...new Set([...after.languages, ...before.languages, ...(Object.keys(after.text) as Language[])])];
  for (const lang of languages) {
    const a = before.text[lang];
    const b = after.text[lang];
    for (const part of TEXT_PARTS) {
      const path = `text.${lang}.${part.key}`;
      const label = `${LANGUAGE_NAMES[lang]} · ${part.label}`;
      const va = a?.[part.key];
      const vb = b?.[part.key];
      if (part.list) {
        const la = (va as string[] | undefined) ?? [];
        const lb = (vb as string[] | undefined) ?? [];
        for (let i = 0; i < Math.max(la.length, lb.length); i++) compare(`${path}.${i}`, `${LANGUAGE_NAMES[lang]} · ${part.list} ${i + 1}`, la[i], lb[i]);
      } else {
        compare(path, label, va as string | undefined, vb as string | undefined);
      }
    }
  }

  for (const field of SIGNER_FIELDS) compare(`fields.${field}`, `Field: ${FIELD_NAMES[field]}`, fieldRule(before.fields[field]), fieldRule(after.fields[field]));
  compare('theme.color', 'Theme colour', before.theme.color.toLowerCase(), after.theme.color.toLowerCase());
  compare('kiosk', 'Walk-away timing', timing(before), timing(after));
  compare('logo', 'Logo', before.logo && 'a logo', after.logo && (after.logo === before.logo ? 'a logo' : 'a new logo'));
  compare('sealing', 'Sealing key', before.sealing?.keyId, after.sealing?.keyId);
  compare('consentVersion', 'Consent wording version', String(before.consentVersion), String(after.consentVersion));
  return changes;
}

/** A field's path as the server names it (`text.fr.demands.1`), in words ("French · Demand 2"). */
export function fieldLabel(path: string): string {
  const [head, lang, key, index] = path.split('.');
  if (head === 'text' && lang in LANGUAGE_NAMES) {
    const part = TEXT_PARTS.find((p) => p.key === key);
    const name = LANGUAGE_NAMES[lang as Language];
    if (!part) return `${name} text`;
    return index !== undefined && part.list ? `${name} · ${part.list} ${Number(index) + 1}` : `${name} · ${part.label}`;
  }
  if (head === 'fields') return lang ? `Field: ${FIELD_NAMES[lang as keyof typeof FIELD_NAMES] ?? lang}` : 'Fields';
  const names: Record<string, string> = { languages: 'Languages offered', defaultLanguage: 'Default language', theme: 'Theme colour', kiosk: 'Walk-away timing', logo: 'Logo', id: 'Campaign id' };
  return names[head] ?? path;
}

/**
 * The draft with its consent version bumped when its opt-in or attestation wording differs
 * from the published version's in any language (every signature records the consent version
 * it agreed to, so a new wording needs a new number), and the published one's otherwise.
 */
export function withConsentVersion(draft: Campaign, published: Campaign | undefined): Campaign {
  if (!published) return draft;
  const changed = campaignDiff(published, draft).some((c) => /^text\.\w+\.(optIn|attestation)$/.test(c.path));
  const next = changed ? published.consentVersion + 1 : published.consentVersion;
  return next === draft.consentVersion ? draft : { ...draft, consentVersion: next };
}
