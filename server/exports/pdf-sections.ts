/**
 * What the hand-in sheets list, section by section: the signers of one version in one
 * language, headed by the exact text they read; and, apart, the signatures that match no
 * published text. The PDF (exports/pdf.ts) draws them; the CLI's sealed export builds its own
 * sections from the records it opened.
 */
import { campaignText, type Campaign, type CampaignText, type Language } from '../../src/shared/campaign.ts';
import type { RowSource } from '../../src/shared/signer-rows.ts';
import type { Store } from '../store/store.ts';
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

/**
 * The sections of a campaign's hand-in: one per version and language that has signatures,
 * in version order, from the counters (no scan), each read from the store on its own; then,
 * apart, the signatures that match no published text (an unknown version, another content
 * hash): printing them under a version's text would say they saw it. Signatures a coordinator
 * set aside are in none of them (the PDF's closing line counts them, by reason).
 */
export async function campaignSections(store: Store, campaign: ExportCampaign): Promise<PdfSection[]> {
  const versions = new Map((await store.campaignVersions(campaign.id)).map((v) => [v.version, v]));
  const groups = (await store.campaignCounts(campaign.id, 'version'))
    .map(({ key, count }) => {
      const [version, lang] = key.split(' ');
      return { version: Number(version), lang: (lang || null) as Language | null, count };
    })
    .sort((a, b) => a.version - b.version || (a.lang ?? '').localeCompare(b.lang ?? ''));
  const unverified = new Map((await store.campaignCounts(campaign.id, 'problem-version')).map((c) => [c.key, c.count]));
  // Set aside from the hand-in by a coordinator: counted apart (the closing line), never listed.
  const setAside = new Map((await store.campaignCounts(campaign.id, 'set-aside-version')).map((c) => [c.key, c.count]));
  const setAsideUnverified = (await store.campaignCounts(campaign.id, 'set-aside-problem')).reduce((n, c) => n + c.count, 0);
  const sections: PdfSection[] = groups
    .map(({ version, lang, count }) => {
      const published = versions.get(version);
      return {
        version,
        lang,
        content: published?.content ?? null,
        hash: published?.hash ?? null,
        count: count - (unverified.get(`${version} ${lang ?? ''}`) ?? 0) - (setAside.get(`${version} ${lang ?? ''}`) ?? 0),
        rows: () => allSignatures(store, { campaignId: campaign.id, version, lang, problems: false, setAside: false }, campaign.versionHashes),
      };
    })
    .filter((s) => s.count > 0);
  const apart = [...unverified.values()].reduce((n, c) => n + c, 0) - setAsideUnverified;
  if (apart > 0) {
    sections.push({
      version: 0,
      lang: null,
      content: null,
      hash: null,
      count: apart,
      unverified: true,
      rows: () => allSignatures(store, { campaignId: campaign.id, problems: true, setAside: false }),
    });
  }
  return sections;
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
