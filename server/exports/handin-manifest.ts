/**
 * The hand-in package's manifest: what the package holds and why it can be trusted. It is
 * written last (handin-package.ts), as manifest.json in canonical JSON (the bytes that are
 * signed), manifest.txt (the same, for people), manifest.sig (the Ed25519 signature over
 * manifest.json, base64) and the organisation's public key. verify-handin (handin-verify.ts)
 * checks every file against it, and that its counts add up (`countProblems`).
 */
import * as z from 'zod/mini';
import { canonicalJson } from '../../src/shared/canonical-json.ts';
import { HandinProfileSchema } from '../../src/shared/api/handin.ts';

export const MANIFEST_FORMAT = 'fieldsign-handin/1';

/** The files that follow the content files, in this order. */
export const MANIFEST_FILES = { json: 'manifest.json', text: 'manifest.txt', signature: 'manifest.sig', publicKey: 'handin-public-key.json' } as const;

export { HandinProfileSchema, type HandinProfile } from '../../src/shared/api/handin.ts';

const Count = z.number().check(z.int(), z.nonnegative());
const FileSchema = z.object({ path: z.string(), bytes: Count, sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)) });

export const ManifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  campaign: z.string(),
  title: z.string(),
  profile: HandinProfileSchema,
  /** The paper profile's one language, when one was asked for. */
  lang: z.optional(z.string()),
  generatedAt: z.string(),
  /** Signatures in the hand-in (tablets; set-aside ones left out). */
  signatures: Count,
  /** By version, with the content hash of the text signed; `unverified`: those matching no published text. */
  versions: z.array(z.object({ version: Count, hash: z.nullable(z.string()), count: Count })),
  unverified: Count,
  languages: z.array(z.object({ lang: z.nullable(z.string()), count: Count })),
  /** By country; `folder` is its folder under countries/ in the per-country profile. */
  countries: z.array(z.object({ country: z.nullable(z.string()), folder: z.string(), count: Count })),
  sources: z.object({ tablet: Count, paper: Count }),
  paper: z.array(z.object({ id: z.string(), event: z.string(), collectedOn: z.string(), sheets: Count, signatures: Count, countries: z.nullable(z.record(z.string(), Count)) })),
  setAside: z.array(z.object({ reason: z.string(), count: Count })),
  chains: z.object({
    ok: z.boolean(),
    summary: z.string(),
    unchained: Count,
    devices: z.array(z.object({ device: z.string(), label: z.nullable(z.string()), records: Count, ok: z.boolean(), summary: z.string() })),
  }),
  files: z.array(FileSchema),
  key: z.object({ fingerprint: z.string(), file: z.string() }),
});
export type HandinManifest = z.infer<typeof ManifestSchema>;

/** manifest.json's bytes: canonical JSON, so that they are the same wherever they are remade. */
export function manifestBytes(manifest: HandinManifest): Buffer {
  return Buffer.from(canonicalJson(manifest), 'utf8');
}

const n = (count: number) => count.toLocaleString('en');

/** manifest.txt: the same facts, for people. */
export function manifestText(m: HandinManifest): string {
  const lines = [
    `Hand-in package: ${m.title} (campaign ${m.campaign})`,
    `Profile: ${m.profile}${m.lang ? ` (${m.lang})` : ''}`,
    `Generated at: ${m.generatedAt}`,
    `Signed with the organisation's key, fingerprint ${m.key.fingerprint} (${m.key.file})`,
    '',
    `Signatures in the hand-in: ${n(m.signatures)} (tablets ${n(m.sources.tablet)}; paper, counted by hand: ${n(m.sources.paper)})`,
    '',
    'By version:',
    ...m.versions.map((v) => `  version ${v.version}: ${n(v.count)}${v.hash ? ` (text SHA-256 ${v.hash})` : ' (text not recorded)'}`),
    ...(m.unverified ? [`  matching no published text: ${n(m.unverified)}`] : []),
    'By language:',
    ...m.languages.map((l) => `  ${l.lang ?? 'not recorded'}: ${n(l.count)}`),
    'By country:',
    ...m.countries.map((c) => `  ${c.country ?? 'none given'}: ${n(c.count)}`),
    'Paper counts:',
    ...(m.paper.length ? m.paper.map((p) => `  ${p.collectedOn} ${p.event}: ${n(p.signatures)} on ${n(p.sheets)} sheets`) : ['  none']),
    'Set aside (not in the hand-in):',
    ...(m.setAside.length ? m.setAside.map((s) => `  ${s.reason}: ${n(s.count)}`) : ['  none']),
    '',
    `Tablet chains: ${m.chains.summary}`,
    ...m.chains.devices.map((d) => `  ${d.summary}`),
    '',
    'Files:',
    ...m.files.map((f) => `  ${f.path}  ${n(f.bytes)} bytes  SHA-256 ${f.sha256}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** Where the manifest's counts do not add up (empty when they do). */
export function countProblems(m: HandinManifest): string[] {
  const problems: string[] = [];
  const sum = (xs: Array<{ count: number }>) => xs.reduce((t, x) => t + x.count, 0);
  const check = (what: string, total: number) => {
    if (total !== m.signatures) problems.push(`the counts ${what} add up to ${n(total)}, not the ${n(m.signatures)} signatures the manifest gives`);
  };
  check('by version', sum(m.versions) + m.unverified);
  check('by language', sum(m.languages));
  check('by country', sum(m.countries));
  check('by source (tablet)', m.sources.tablet);
  const paper = m.paper.reduce((t, p) => t + p.signatures, 0);
  if (paper !== m.sources.paper) problems.push(`the paper counts add up to ${n(paper)}, not the ${n(m.sources.paper)} paper signatures the manifest gives`);
  if (m.profile === 'per-country') {
    const paths = new Set(m.files.map((f) => f.path));
    for (const c of m.countries) {
      for (const file of ['handin.pdf', 'handin.csv']) {
        if (!paths.has(`countries/${c.folder}/${file}`)) problems.push(`the manifest counts ${n(c.count)} signatures for ${c.country ?? 'no country'} but lists no countries/${c.folder}/${file}`);
      }
    }
  }
  return problems;
}
