/** The kiosk's languages: catalogs, the current-language context, and direction. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { RTL_LANGUAGES, type Language } from '../../shared/campaign.ts';
import { translator, type Catalog, type Translate } from './catalog.ts';
import { en } from './en.ts';
import { fr } from './fr.ts';
import { es } from './es.ts';
import { ar } from './ar.ts';

export const CATALOGS: Record<Language, Catalog> = { en, fr, es, ar };

/** What components need to speak the signer's language. */
export interface I18n {
  lang: Language;
  dir: 'ltr' | 'rtl';
  t: Translate;
}

/** The I18n value for `lang`. */
export function i18nFor(lang: Language): I18n {
  return { lang, dir: RTL_LANGUAGES.has(lang) ? 'rtl' : 'ltr', t: translator(CATALOGS[lang], lang) };
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
