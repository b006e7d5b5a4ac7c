/**
 * Paper counts: signatures volunteers collected on paper beside the tablets, counted by hand
 * and recorded by a coordinator per event. They are never mixed into the tablets' figures:
 * the dashboard, the counter and the hand-in show them apart, labelled as paper. Runs
 * anywhere (the server re-parses every request with these schemas; the console's form uses
 * the same messages).
 */
import * as z from 'zod/mini';
import { isCountryCode } from '../countries.ts';
import { labelCheck } from '../text-checks.ts';

/** More signatures or sheets than this on one entry is a typing slip, not a count. */
export const MAX_PAPER_FIGURE = 10_000_000;

/** A short name (an event, who counted): trimmed, not empty, visible, no control or bidi control characters (text-checks.ts). */
const name = (what: string) =>
  z.string().check(
    z.trim(),
    z.minLength(1, `Name the ${what}.`),
    z.maxLength(120, `The ${what} is longer than 120 characters.`),
    labelCheck(`The ${what}`),
  );

/** A whole number of things counted by hand: 0 to 10,000,000. */
const figure = (what: string) =>
  z.number(`The number of ${what} must be a number.`).check(
    z.refine((n) => Number.isInteger(n), `The number of ${what} must be a whole number.`),
    z.refine((n) => n >= 0, `The number of ${what} cannot be negative.`),
    z.refine((n) => n <= MAX_PAPER_FIGURE, `The number of ${what} is over 10,000,000: check the figure.`),
  );

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Today's date somewhere on Earth: UTC's, a day on (the coordinator may be ahead of UTC). */
const latestDay = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

/** A calendar day, YYYY-MM-DD, that exists and is not in the future. */
const day = z.string().check(
  z.regex(DAY, 'Give the date collected as YYYY-MM-DD.'),
  z.refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'The date collected is not a real date.'),
  z.refine((s) => s <= latestDay(), 'The date collected is in the future.'),
);

/** Signatures per country (ISO 3166-1 alpha-2, as the kiosk's list): part of the total, or all of it. */
const countries = z.record(z.string(), figure('signatures in a country')).check(
  z.refine((byCountry) => Object.keys(byCountry).every(isCountryCode), {
    message: 'Unknown country code: use the two-letter codes of the country list (ISO 3166-1).',
  }),
);

/** What a coordinator sends to record one paper count (POST /api/console/paper-counts). */
export const NewPaperCountSchema = z
  .object({
    event: name('event'),
    collectedOn: day,
    sheets: figure('sheets'),
    signatures: figure('signatures'),
    /** Signatures per country when known; the rest are "country not recorded". Null or absent: none known. */
    countries: z.optional(z.nullable(countries)),
    countedBy: name('person who counted them'),
    note: z.optional(z.nullable(z.string().check(z.trim(), z.maxLength(500, 'The note is longer than 500 characters.')))),
  })
  .check(
    z.refine((p) => sumOf(p.countries) <= p.signatures, {
      message: 'The country breakdown adds up to more than the number of signatures.',
      path: ['countries'],
    }),
  );
export type NewPaperCount = z.infer<typeof NewPaperCountSchema>;

/** One paper count as the store keeps it and the console lists it. */
export const PaperCountSchema = z.strictObject({
  id: z.string(),
  campaignId: z.string(),
  event: z.string(),
  /** The day the signatures were collected (YYYY-MM-DD). */
  collectedOn: z.string(),
  sheets: z.int().check(z.gte(0)),
  signatures: z.int().check(z.gte(0)),
  /** Signatures per country, when known (may cover only part of `signatures`); null: none known. */
  countries: z.nullable(z.record(z.string(), z.int().check(z.gte(0)))),
  countedBy: z.string(),
  note: z.nullable(z.string()),
  recordedAt: z.string(),
  /** The coordinator who recorded it (email). */
  recordedBy: z.string(),
});
export type PaperCount = z.infer<typeof PaperCountSchema>;

/** GET /api/console/paper-counts: a campaign's paper counts, newest collected first. */
export const PaperCountListSchema = z.strictObject({ counts: z.array(PaperCountSchema) });

export const PaperCountIdParams = z.object({ id: z.string().check(z.regex(/^[\w-]{1,64}$/)) });

/** A campaign's paper counts summed: the dashboard's paper card and the hand-in summary. */
export const PaperTotalsSchema = z.strictObject({
  total: z.int().check(z.gte(0)),
  sheets: z.int().check(z.gte(0)),
  /** How many paper counts were recorded. */
  entries: z.int().check(z.gte(0)),
  /** Per country where recorded; '' for the signatures whose country was not recorded. */
  byCountry: z.array(z.strictObject({ country: z.string(), count: z.int().check(z.gte(0)) })),
});
export type PaperTotals = z.infer<typeof PaperTotalsSchema>;

/** The sum of a country breakdown (0 when there is none). */
export function sumOf(countries: Record<string, number> | null | undefined): number {
  return Object.values(countries ?? {}).reduce((sum, n) => sum + n, 0);
}

/** Sum paper counts: totals, sheets, and per country (the unrecorded rest under ''), largest first. */
export function paperTotals(counts: readonly PaperCount[]): PaperTotals {
  const byCountry = new Map<string, number>();
  const add = (country: string, n: number) => n > 0 && byCountry.set(country, (byCountry.get(country) ?? 0) + n);
  for (const p of counts) {
    for (const [country, n] of Object.entries(p.countries ?? {})) add(country, n);
    add('', p.signatures - sumOf(p.countries));
  }
  return {
    total: counts.reduce((s, p) => s + p.signatures, 0),
    sheets: counts.reduce((s, p) => s + p.sheets, 0),
    entries: counts.length,
    byCountry: [...byCountry].map(([country, count]) => ({ country, count })).sort((a, b) => b.count - a.count || a.country.localeCompare(b.country)),
  };
}
