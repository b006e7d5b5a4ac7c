/**
 * Lets the signer switch the language of the petition and the form. The page re-flows in the
 * new language (and direction), which moves everything; the switcher is kept where it was on
 * the screen, so the signer is not thrown to another part of the page.
 */
import { useLayoutEffect, useRef } from 'preact/hooks';
import { languageName, useI18n } from './i18n/index.ts';

export function LanguageSwitcher({ languages, onChange }: { languages: readonly string[]; onChange: (lang: string) => void }) {
  const { t, lang } = useI18n();
  const box = useRef<HTMLDivElement | null>(null);
  /** Where the switcher was on the screen when the signer chose another language. */
  const topBefore = useRef<number | undefined>(undefined);
  useLayoutEffect(() => {
    const before = topBefore.current;
    topBefore.current = undefined;
    if (before !== undefined && box.current) scrollBy(0, box.current.getBoundingClientRect().top - before);
  }, [lang]);
  if (languages.length < 2) return null;
  return (
    <div class="language" ref={box}>
      <label for="language">{t('languageLabel')}</label>
      <select
        id="language"
        value={lang}
        onChange={(e) => {
          topBefore.current = box.current?.getBoundingClientRect().top;
          onChange(e.currentTarget.value);
        }}
      >
        {languages.map((code) => (
          <option key={code} value={code} lang={code}>{languageName(code)}</option>
        ))}
      </select>
    </div>
  );
}
