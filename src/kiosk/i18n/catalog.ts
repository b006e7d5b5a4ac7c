/**
 * UI text lookup. Catalogs are plain objects, one per language, all with the keys of the
 * English one; plurals follow Intl.PluralRules, numbers Intl.NumberFormat in each language's
 * chosen digits (NUMBERING).
 */

/** A plural entry: text per Intl.PluralRules category. */
export type Plural = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

import type { Language } from '../../shared/campaign.ts';
import type { en } from './en.ts';

/** The keys of the English catalog, which every other catalog must have. */
export type CatalogKey = keyof typeof en;

/** A complete catalog for one language. */
export type Catalog = Record<CatalogKey, string | Plural>;

/** Translate `key` with `{name}` placeholders filled; `n` picks the plural form. */
export type Translate = (key: CatalogKey, vars?: Record<string, string | number>) => string;

/**
 * The digits each language writes its numbers (and dates) with, chosen here on purpose rather
 * than left to the engine: for Arabic, WebKit's default is Arabic-Indic digits (١٢٣) and
 * Chromium's and Firefox's is Latin (123), so the same tablet text differed by browser.
 * Arabic takes Latin digits: the ones its form fields take (phone, postcode, PIN), the ones
 * the volunteer screen's counts are written in, and read throughout the Arabic-speaking world.
 */
export const NUMBERING: Readonly<Record<Language, 'latn' | 'arab'>> = { en: 'latn', fr: 'latn', es: 'latn', ar: 'latn' };

/** The locale to give Intl and toLocale…(): the language with its numbering, e.g. "ar-u-nu-latn". */
export function formatLocale(lang: string): string {
  const numbering = (NUMBERING as Record<string, string | undefined>)[lang];
  return numbering ? `${lang}-u-nu-${numbering}` : lang;
}

/** Make the lookup function for one language. */
export function translator(catalog: Catalog, lang: string): Translate {
  const plurals = new Intl.PluralRules(lang);
  const numbers = new Intl.NumberFormat(formatLocale(lang));
  return (key, vars = {}) => {
    const entry = catalog[key];
    const text = typeof entry === 'string' ? entry : (entry[plurals.select(Number(vars.n ?? 0))] ?? entry.other);
    return text.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = vars[name];
      return typeof value === 'number' ? numbers.format(value) : String(value ?? `{${name}}`);
    });
  };
}
