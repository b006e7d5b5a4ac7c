/**
 * What the hand-in sheets list, section by section: the signers of one version in one
 * language, headed by the exact text they read; and, apart, the signatures that match no
 * published text. The PDF (exports/pdf.ts) draws them; the CLI's sealed export builds its own
 * sections from the records it opened.
 */
import { campaignText, type Campaign, type CampaignText, type Language } from '../../src/shared/campaign.ts';
import type { RowSource } from '../../src/shared/signer-rows.ts';
import type { HandinGroup, Store } from '../store/store.ts';
import { allSignatures, type ExportCampaign } from './stream.ts';

/** The heading of a section whose text this server does not hold. */
export const NOT_RECORDED = (version: number) => `Version ${version}: text not recorded`;
export const UNVERIFIED = 'Signatures that match no published text';
export const UNVERIFIED_DETAIL =
  'These signers named a version this server never published, or the text their tablet showed differs from the version it names ' +
  '(another content hash). They are kept and counted, but no petition text is printed over them: check them in the console first.';
export const NOT_RECORDED_DETAIL =
  'This server does not hold the text these signers were shown: they signed under this version before the server kept ' +
  'the text of every version. No text is printed here, so that no one is listed under words they may not have seen.';

/**
 * One section of the sheets: the signers of one version in one language, headed by the exact
 * text they read. `content` is null when that version's text was never recorded (a database
 * upgraded from release 0.1.0): the section then says so instead of printing a text those
 * signers may not have seen.
 */
export interface PdfSection {
  version: number;
  /** The language they read it in; null when the record names none (0.1.0 tablets). */
  lang: Language | null;
  content: Campaign | null;
  hash: string | null;
  count: number;
  rows: () => AsyncIterable<RowSource>;
  /** The signatures that match no published text (S26): listed apart, under no petition text. */
  unverified?: true;
}

/** One country's share of a campaign (the hand-in package's per-country split): its signatures by version and language. */
export interface CountrySplit {
  country: string | null;
  groups: HandinGroup[];
}

/**
 * The sections of a campaign's hand-in: one per version and language that has signatures,
 * in version order, from the counters (no scan), each read from the store on its own; then,
 * apart, the signatures that match no published text (an unknown version, another content
 * hash): printing them under a version's text would say they saw it. With `split`, the same
 * for one country's signers only, counted by `split.groups` (Store.handinGroups). Signatures a
 * coordinator set aside are in none of them (the PDF's closing line counts them, by reason).
 */
export async function campaignSections(store: Store, campaign: ExportCampaign, split?: CountrySplit): Promise<PdfSection[]> {
  const versions = new Map((await store.campaignVersions(campaign.id)).map((v) => [v.version, v]));
  const { groups, unverified } = split ? countryGroups(split) : await counterGroups(store, campaign.id);
  const country = split ? { country: split.country } : {};
  const sections: PdfSection[] = groups
    .sort((a, b) => a.version - b.version || (a.lang ?? '').localeCompare(b.lang ?? ''))
    .map(({ version, lang, count }) => {
      const published = versions.get(version);
      return {
        version,
        lang,
        content: published?.content ?? null,
        hash: published?.hash ?? null,
        count,
        rows: () => allSignatures(store, { campaignId: campaign.id, version, lang, problems: false, setAside: false, ...country }, campaign.versionHashes),
      };
    })
    .filter((s) => s.count > 0);
  if (unverified > 0) {
    sections.push({ version: 0, lang: null, content: null, hash: null, count: unverified, unverified: true, rows: () => allSignatures(store, { campaignId: campaign.id, problems: true, setAside: false, ...country }) });
  }
  return sections;
}

type Groups = { groups: Array<{ version: number; lang: Language | null; count: number }>; unverified: number };

/** A campaign's signatures by version and language that match their text, and those that do not, from the counters. */
async function counterGroups(store: Store, campaignId: string): Promise<Groups> {
  const unverified = new Map((await store.campaignCounts(campaignId, 'problem-version')).map((c) => [c.key, c.count]));
  // Set aside from the hand-in by a coordinator: counted apart (the closing line), never listed.
  const setAside = new Map((await store.campaignCounts(campaignId, 'set-aside-version')).map((c) => [c.key, c.count]));
  const setAsideUnverified = (await store.campaignCounts(campaignId, 'set-aside-problem')).reduce((n, c) => n + c.count, 0);
  const groups = (await store.campaignCounts(campaignId, 'version')).map(({ key, count }) => {
    const [version, lang] = key.split(' ');
    return { version: Number(version), lang: (lang || null) as Language | null, count: count - (unverified.get(key) ?? 0) - (setAside.get(key) ?? 0) };
  });
  return { groups, unverified: [...unverified.values()].reduce((n, c) => n + c, 0) - setAsideUnverified };
}

/** The same for one country, from its groups. */
function countryGroups(split: CountrySplit): Groups {
  const mine = split.groups.filter((g) => g.country === split.country);
  return {
    groups: mine.filter((g) => !g.unverified).map((g) => ({ version: g.version, lang: g.lang as Language | null, count: g.count })),
    unverified: mine.filter((g) => g.unverified).reduce((n, g) => n + g.count, 0),
  };
}

/** A section's text in its language (the version's default language when it names none). */
export function sectionText(section: PdfSection): { text: CampaignText; lang: string } | undefined {
  if (!section.content) return undefined;
  const lang = section.lang && section.content.text[section.lang] ? section.lang : section.content.defaultLanguage;
  return { text: campaignText(section.content, lang), lang };
}

const LANGUAGE_NAMES: Record<string, string> = { en: 'English', fr: 'French', es: 'Spanish', ar: 'Arabic' };

/** `n signature(s)`, with the count in English digits. */
export function signatures(n: number): string {
  return `${n.toLocaleString('en')} signature${n === 1 ? '' : 's'}`;
}

/** Which version and language a section lists, in words. */
export function sectionLine(s: PdfSection, campaignId: string): string {
  return s.unverified
    ? `Campaign ${campaignId} · signatures matching no published text · ${signatures(s.count)}`
    : `Campaign ${campaignId} · version ${s.version} · ${s.lang ? (LANGUAGE_NAMES[s.lang] ?? s.lang) : 'language not recorded'} · ` +
        `${signatures(s.count)}${s.hash ? ` · text SHA-256 ${s.hash}` : ''}`;
}

/** The closing line's account of what was set aside: "3 set aside (2 duplicate, 1 test), not listed." */
export function setAsideLine(counts: ReadonlyArray<{ reason: string; count: number }>): string | undefined {
  const total = counts.reduce((n, c) => n + c.count, 0);
  if (total === 0) return undefined;
  return `${total.toLocaleString('en')} set aside (${counts.map((c) => `${c.count.toLocaleString('en')} ${c.reason}`).join(', ')}), not listed.`;
}
