/**
 * UI text lookup. Catalogs are plain objects, one per language, all with the keys of the
 * English one; plurals follow Intl.PluralRules, numbers Intl.NumberFormat.
 */

/** A plural entry: text per Intl.PluralRules category. */
export type Plural = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

import type { en } from './en.ts';

/** The keys of the English catalog, which every other catalog must have. */
export type CatalogKey = keyof typeof en;

/** A complete catalog for one language. */
export type Catalog = Record<CatalogKey, string | Plural>;

/** Translate `key` with `{name}` placeholders filled; `n` picks the plural form. */
export type Translate = (key: CatalogKey, vars?: Record<string, string | number>) => string;

/** Make the lookup function for one language. */
export function translator(catalog: Catalog, lang: string): Translate {
  const plurals = new Intl.PluralRules(lang);
  const numbers = new Intl.NumberFormat(lang);
  return (key, vars = {}) => {
    const entry = catalog[key];
    const text = typeof entry === 'string' ? entry : (entry[plurals.select(Number(vars.n ?? 0))] ?? entry.other);
    return text.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = vars[name];
      return typeof value === 'number' ? numbers.format(value) : String(value ?? `{${name}}`);
    });
  };
}
