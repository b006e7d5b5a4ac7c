/** Lets the signer switch the language of the petition and the form. */
import { languageName, useI18n } from './i18n/index.ts';

export function LanguageSwitcher({ languages, onChange }: { languages: readonly string[]; onChange: (lang: string) => void }) {
  const { t, lang } = useI18n();
  if (languages.length < 2) return null;
  return (
    <div class="language">
      <label for="language">{t('languageLabel')}</label>
      <select id="language" value={lang} onChange={(e) => onChange(e.currentTarget.value)}>
        {languages.map((code) => (
          <option key={code} value={code} lang={code}>{languageName(code)}</option>
        ))}
      </select>
    </div>
  );
}
