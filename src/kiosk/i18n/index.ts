/**
 * The kiosk's languages: the current-language context, direction, and the catalogs.
 * English ships in the main bundle; the others are separate chunks (precached by the
 * service worker, so they work offline) loaded when a signer picks them.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { RTL_LANGUAGES, type Language } from '../../shared/campaign.ts';
import { formatLocale, translator, type Catalog, type Translate } from './catalog.ts';
import { en } from './en.ts';

const loaded: Partial<Record<Language, Catalog>> = { en };
const LOADERS: Record<Exclude<Language, 'en'>, () => Promise<Catalog>> = {
  fr: () => import('./fr.ts').then((m) => m.fr),
  es: () => import('./es.ts').then((m) => m.es),
  ar: () => import('./ar.ts').then((m) => m.ar),
};

/** Make sure `lang`'s catalog is loaded before it is shown. */
export async function loadCatalog(lang: Language): Promise<void> {
  if (!loaded[lang] && lang !== 'en') loaded[lang] = await LOADERS[lang]();
}

/** What components need to speak the signer's language. */
export interface I18n {
  lang: Language;
  /** For Intl and toLocale…(): `lang` with its chosen digits (see NUMBERING in catalog.ts). */
  locale: string;
  dir: 'ltr' | 'rtl';
  t: Translate;
}

/** The I18n value for `lang` (English until its catalog is loaded). */
export function i18nFor(lang: Language): I18n {
  const catalog = loaded[lang];
  const shown = catalog ? lang : 'en';
  return { lang: shown, locale: formatLocale(shown), dir: RTL_LANGUAGES.has(shown) ? 'rtl' : 'ltr', t: translator(catalog ?? en, shown) };
}

export const I18nContext = createContext<I18n>(i18nFor('en'));

/** The current language, direction and lookup function. */
export function useI18n(): I18n {
  return useContext(I18nContext);
}

/** A language's own name for itself, e.g. "français", "العربية". */
export function languageName(lang: string): string {
  const name = new Intl.DisplayNames([lang], { type: 'language' }).of(lang) ?? lang;
  return name.charAt(0).toLocaleUpperCase(lang) + name.slice(1);
}
