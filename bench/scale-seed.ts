/**
 * Seeding for bench/scale.ts: N realistic signatures stored through `store.ingest` in
 * batches of 1,000, as fast as the store takes them. Names in several scripts (Latin with
 * accents, Cyrillic, Greek, Arabic, Devanagari, Chinese), about 5 % of signers signing twice
 * with the same email, a dozen countries, 12 tablets, arrivals spread over three weeks of
 * rally hours, and real handwriting (a pool of drawings, as drawing ink is slow). One signer
 * in 10,007 is called Quisenberry: the selective search.
 *
 * The first and the last `probe` signatures are timed apart: the ingest rate into an empty
 * store, and with (nearly) N already stored.
 */
import { encodeInk } from '../src/shared/ink.ts';
import type { SignatureRecord } from '../src/shared/protocol.ts';
import { recordHash } from '../server/ingest.ts';
import { importCampaign } from '../server/campaigns.ts';
import type { Campaign } from '../src/shared/campaign.ts';
import { DEFAULT_CAMPAIGN } from '../src/shared/default-campaign.ts';
import type { Store } from '../server/store/store.ts';
import { prng, realisticInk } from '../tests/helpers/records.ts';

export const BATCH = 1000;
export const RARE_NAME = 'Quisenberry';
const RARE_EVERY = 10_007;
const DUPLICATE_SHARE = 0.05;

const FIRST = ['Amina', 'Jonas', 'María José', 'Wei', 'Olusegun', 'Zoë', 'Priya', 'Mateus', 'Fatima', 'Sven', 'Ngozi', 'Élodie', 'Жанна', 'Дмитрий', 'أمينة', 'محمد', 'Κώστας', 'Ελένη', 'प्रिया', 'राहुल', '伟', '秀英', 'Chloé', 'Łukasz'];
const LAST = ['Okafor', 'Müller', 'García Pérez', 'Chen', 'Adeyemi', 'Brontë', 'Sharma', 'Silva', 'El Amrani', 'Lindqvist', 'Eze', 'Dubois', 'Иванова', 'Смирнов', 'حداد', 'الحسيني', 'Παπαδόπουλος', 'Γεωργίου', 'शर्मा', 'वर्मा', '王', '李', 'Nowak', "O'Brien"];
const COUNTRIES = ['FR', 'DE', 'NG', 'BR', 'IN', 'KE', 'EG', 'GB', 'MX', 'SE', 'GR', 'UA', 'CN', 'PL'];
const LANGS = ['en', 'fr', 'es', 'ar'] as const;
const DEVICES = Array.from({ length: 12 }, (_, i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`);

/** A small integer hash, so a signer's name and email follow from their index. */
function mix(i: number, salt: number): number {
  let h = Math.imul(i ^ salt, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}

function nameOf(i: number): string {
  const last = i % RARE_EVERY === RARE_EVERY - 1 ? RARE_NAME : LAST[mix(i, 2) % LAST.length];
  return `${FIRST[mix(i, 1) % FIRST.length]} ${last}`;
}

const emailOf = (i: number) => `signer.${mix(i, 3).toString(36)}.${i}@example.org`;

export interface Seeded {
  n: number;
  seconds: number;
  probe: number;
  /** Signatures per second into an empty store, and with N − probe already stored. */
  emptyRate: number;
  fullRate: number;
  /** Signers called RARE_NAME. */
  rare: number;
}

/** The campaigns in the store: the default one and two others, each published as version 1. */
const CAMPAIGNS: Campaign[] = ['protect-defenders', 'clean-water', 'land-rights'].map((id) => ({ ...DEFAULT_CAMPAIGN, id }));
export const CAMPAIGN_COUNT = CAMPAIGNS.length;

/** Store `n` signatures, spread over three campaigns; `log` gets a progress line now and then. */
export async function seed(store: Store, n: number, log: (line: string) => void): Promise<Seeded> {
  for (const campaign of CAMPAIGNS) await importCampaign(store, campaign, 'bench');
  const inks = Array.from({ length: 64 }, (_, i) => encodeInk(realisticInk(i + 1)));
  const rand = prng(14);
  const probe = Math.max(BATCH, Math.min(20_000, Math.floor(n / 10 / BATCH) * BATCH));
  const batches = Math.ceil(n / BATCH);
  const day0 = Date.UTC(2026, 10, 1, 9);
  let rare = 0;
  let emptyMs = 0;
  let fullMs = 0;
  const started = performance.now();
  for (let b = 0; b < batches; b++) {
    const from = b * BATCH;
    const to = Math.min(n, from + BATCH);
    // Three weeks of rallies, 09:00–18:00; each batch from one of the tablets.
    const receivedAt = day0 + Math.floor((b / batches) * 21) * 86_400_000 + (b % 10) * 3_600_000 + (b % 60) * 1000;
    const deviceId = DEVICES[b % DEVICES.length];
    const items = [];
    for (let i = from; i < to; i++) {
      // A signer signing again: the same name and email as someone earlier.
      const who = i > 0 && rand() < DUPLICATE_SHARE ? Math.floor(rand() * i) : i;
      const name = nameOf(who);
      if (name.endsWith(RARE_NAME) && i % CAMPAIGNS.length === 0) rare++; // in the default campaign, the one searched
      const record: SignatureRecord = {
        id: crypto.randomUUID(),
        v: 1,
        deviceId,
        // Three petitions at once: the console and the exports read one of them (the default).
        campaignId: CAMPAIGNS[i % CAMPAIGNS.length].id,
        campaignVersion: 1,
        capturedAt: new Date(receivedAt - 60_000 - Math.floor(rand() * 3_600_000)).toISOString(),
        lang: LANGS[i % LANGS.length],
        payload: {
          kind: 'plain',
          signer: { name, email: emailOf(who), country: COUNTRIES[mix(who, 4) % COUNTRIES.length], optIn: mix(who, 5) % 4 === 0 },
          ink: inks[i % inks.length],
        },
      };
      items.push({ record, hash: recordHash(record), clockSuspect: false });
    }
    const t0 = performance.now();
    await store.ingest(items, new Date(receivedAt).toISOString(), 'sync');
    const ms = performance.now() - t0;
    if (to <= probe) emptyMs += ms;
    if (from >= n - probe) fullMs += ms;
    if (b % 100 === 99) log(`  seeded ${to.toLocaleString('en')} of ${n.toLocaleString('en')}…`);
  }
  return { n, seconds: (performance.now() - started) / 1000, probe, emptyRate: probe / (emptyMs / 1000), fullRate: probe / (fullMs / 1000), rare };
}
