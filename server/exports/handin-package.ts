/**
 * One hand-in package: a zip with what an organisation hands in, and a signed manifest of it
 * (handin-manifest.ts), streamed in one pass in the export worker like the other exports.
 *
 *   informal     handin.pdf and handin.csv (the same files as the separate downloads);
 *   per-country  countries/<CC>/handin.pdf and handin.csv per country (countries/unknown/
 *                for signers who gave none): the EU citizens' initiative wants statements
 *                split by member state;
 *   paper        the blank collection sheets, for one language or each of the campaign's.
 *
 * Then manifest.json, manifest.txt, manifest.sig and the public key. Each file streams into
 * the zip (zip-stream.ts), hashed as it passes; only the manifest is built in memory. The
 * tablets' chains are checked first, one tablet at a time (handin-chains.ts).
 */
import type { Writable } from 'node:stream';
import { campaignText, LANGUAGES, type Campaign, type Language } from '../../src/shared/campaign.ts';
import type { HandinGroup, Store } from '../store/store.ts';
import { campaignChains } from './handin-chains.ts';
import { writeCsv } from './csv.ts';
import { handinFacts } from './handin-facts.ts';
import { campaignPaperTotals } from '../paper.ts';
import { fingerprintOf, organisationKey, publicKeyText, signBytes } from './handin-key.ts';
import { MANIFEST_FILES, MANIFEST_FORMAT, manifestBytes, manifestText, type HandinManifest, type HandinProfile } from './handin-manifest.ts';
import { writePaperSheets } from './paper-sheets.ts';
import { campaignSections, writePdf } from './pdf.ts';
import { allSignatures, type ExportCampaign } from './stream.ts';
import { ZipStream } from './zip-stream.ts';

export interface HandinOptions {
  profile: HandinProfile;
  /** The paper profile's language; every language of the campaign when absent. */
  lang?: Language;
  now?: Date;
  /** Tests only: a lower ZIP64 threshold (zip-writer.ts). */
  zip64Above?: number;
}

/** A country's folder under countries/: its ISO code, `unknown` for none, else a safe form of what was given. */
export function countryFolder(country: string | null): string {
  if (!country) return 'unknown';
  return /^[A-Z]{2}$/.test(country) ? country : `other-${country.replace(/[^A-Za-z0-9]/g, '_')}`;
}

/**
 * The package of `campaign` to `out`, which it ends; resolves with the signers' rows of its
 * hand-in lists (CSV), which the PDFs repeat (none for blank paper sheets).
 */
export async function writeHandinPackage(store: Store, campaign: ExportCampaign, out: Writable, options: HandinOptions): Promise<number> {
  const now = options.now ?? new Date();
  const key = await organisationKey(store, now);
  const content: Campaign | undefined = campaign.content;
  const title = content ? campaignText(content, content.defaultLanguage).title : campaign.id;
  const chains = await campaignChains(store, campaign.id);
  const groups = await store.handinGroups(campaign.id);
  const facts = await handinFacts(store, campaign.id);
  const zip = new ZipStream(out, { zip64Above: options.zip64Above });
  const meta = { campaignId: campaign.id, title };
  let rows = 0;
  try {
    if (options.profile === 'informal') {
      await zip.file('handin.pdf', async (sink) => writePdf(await campaignSections(store, campaign), sink, { ...meta, setAside: facts.setAside, paper: await campaignPaperTotals(store, campaign.id) }), now);
      await zip.file('handin.csv', async (sink) => {
        rows += await writeCsv(allSignatures(store, { campaignId: campaign.id, setAside: false }, campaign.versionHashes), sink, 'handin');
      }, now);
    } else if (options.profile === 'per-country') {
      for (const country of countriesOf(groups)) {
        const folder = `countries/${countryFolder(country)}`;
        await zip.file(`${folder}/handin.pdf`, async (sink) => writePdf(await campaignSections(store, campaign, { country, groups }), sink, meta), now);
        const signers = allSignatures(store, { campaignId: campaign.id, country, setAside: false }, campaign.versionHashes);
        await zip.file(`${folder}/handin.csv`, async (sink) => {
          rows += await writeCsv(signers, sink, 'handin');
        }, now);
      }
    } else {
      if (!content) throw new Error(`Campaign ${campaign.id} has no published text: there are no sheets to print.`);
      const langs = options.lang ? [options.lang] : content.languages.filter((l) => (LANGUAGES as readonly string[]).includes(l));
      for (const lang of langs) await zip.file(`paper-sheets-${lang}.pdf`, (sink) => writePaperSheets(content, lang, sink), now);
    }

    const manifest = buildManifest({ campaign, title, options, now, groups, facts, chains, files: [...zip.files], fingerprint: fingerprintOf(key.publicJwk) });
    const json = manifestBytes(manifest);
    await zip.bytes(MANIFEST_FILES.json, json, now);
    await zip.bytes(MANIFEST_FILES.text, manifestText(manifest), now);
    await zip.bytes(MANIFEST_FILES.signature, `${await signBytes(key.privateJwk, json)}\n`, now);
    await zip.bytes(MANIFEST_FILES.publicKey, publicKeyText(key.publicJwk), now);
    await zip.finish();
  } catch (error) {
    zip.dispose();
    throw error;
  }
  return rows;
}

/** The countries with signatures, ISO codes in order, those with none last. */
function countriesOf(groups: HandinGroup[]): Array<string | null> {
  const countries = [...new Set(groups.map((g) => g.country))];
  return [...countries.filter((c) => c !== null).sort(), ...(countries.includes(null) ? [null] : [])];
}

/** Sum the groups' counts by `keyOf`, in first-seen order. */
function tally<K>(groups: HandinGroup[], keyOf: (g: HandinGroup) => K): Map<K, number> {
  const counts = new Map<K, number>();
  for (const g of groups) counts.set(keyOf(g), (counts.get(keyOf(g)) ?? 0) + g.count);
  return counts;
}

interface ManifestInput {
  campaign: ExportCampaign;
  title: string;
  options: HandinOptions;
  now: Date;
  groups: HandinGroup[];
  facts: Awaited<ReturnType<typeof handinFacts>>;
  chains: HandinManifest['chains'];
  files: HandinManifest['files'];
  fingerprint: string;
}

/** The manifest: counts, chain verdicts and files. */
function buildManifest({ campaign, title, options, now, groups, facts, chains, files, fingerprint }: ManifestInput): HandinManifest {
  const signatures = groups.reduce((t, g) => t + g.count, 0);
  const verified = groups.filter((g) => !g.unverified);
  const versions = [...tally(verified, (g) => g.version)].sort(([a], [b]) => a - b);
  return {
    format: MANIFEST_FORMAT,
    campaign: campaign.id,
    title,
    profile: options.profile,
    ...(options.profile === 'paper' && options.lang && { lang: options.lang }),
    generatedAt: now.toISOString(),
    signatures,
    versions: versions.map(([version, count]) => ({ version, hash: campaign.versionHashes?.get(version) ?? null, count })),
    unverified: signatures - verified.reduce((t, g) => t + g.count, 0),
    languages: [...tally(groups, (g) => g.lang)].sort(([a], [b]) => (a ?? '\uffff').localeCompare(b ?? '\uffff')).map(([lang, count]) => ({ lang, count })),
    countries: countriesOf(groups).map((country) => ({ country, folder: countryFolder(country), count: tally(groups, (g) => g.country).get(country)! })),
    sources: { tablet: signatures, paper: facts.paper.reduce((t, p) => t + p.signatures, 0) },
    paper: facts.paper.map(({ id, event, collectedOn, sheets, signatures: count, countries }) => ({ id, event, collectedOn, sheets, signatures: count, countries })),
    setAside: facts.setAside,
    chains,
    files,
    key: { fingerprint, file: MANIFEST_FILES.publicKey },
  };
}
