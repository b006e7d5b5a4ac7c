/** The country select, with names in the signer's language, sorted for that language. */
import { useMemo } from 'preact/hooks';
import { COUNTRY_CODES } from '../shared/countries.ts';
import { useI18n } from './i18n/index.ts';

interface Props {
  value: string;
  invalid: boolean;
  describedBy?: string;
  onChange: (e: Event) => void;
}

export function CountrySelect({ value, invalid, describedBy, onChange }: Props) {
  const { t, lang } = useI18n();
  const options = useMemo(() => {
    const collator = new Intl.Collator(lang);
    return COUNTRY_CODES.map((code): [string, string] => [code, countryName(code, lang)]).sort((a, b) => collator.compare(a[1], b[1]));
  }, [lang]);
  return (
    <select id="country" data-field="country" autocomplete="off" value={value} aria-invalid={invalid ? 'true' : undefined} aria-describedby={describedBy} onChange={onChange}>
      <option value="">{t('countryPlaceholder')}</option>
      {options.map(([code, name]) => (
        <option key={code} value={code}>{name}</option>
      ))}
    </select>
  );
}

/** A country's name in `lang` (its code when the browser has none). */
export function countryName(code: string, lang: string): string {
  return new Intl.DisplayNames([lang], { type: 'region' }).of(code) ?? code;
}
