/**
 * The hand-in package card on the Exports page: one signed zip in the chosen profile, and the
 * organisation's public key with its fingerprint, to publish so that whoever receives a
 * package can check it (`npm run cli -- verify-handin FILE --public-key FILE`).
 */
import { useEffect, useState } from 'preact/hooks';
import { LANGUAGES, type Language } from '../shared/campaign.ts';
import type { HandinKey, HandinProfile } from '../shared/api/handin.ts';
import { EXPORTS, scoped, type ConsoleApi } from './api.ts';
import { LANGUAGE_NAMES } from './campaign-diff.ts';

const PROFILES: Array<{ value: HandinProfile; label: string; text: string }> = [
  { value: 'informal', label: 'Informal', text: 'The hand-in PDF and CSV, for a petition handed in as one.' },
  { value: 'per-country', label: 'Per country', text: 'One PDF and CSV per signer country (as the EU citizens’ initiative asks), those without a country apart.' },
  { value: 'paper', label: 'Paper sheets', text: 'Blank collection sheets to print, in one language or each of the campaign’s.' },
];

/** The package's download link for a profile (and language). */
function packageHref(campaignId: string, profile: HandinProfile, lang: Language | ''): string {
  const params = new URLSearchParams({ profile });
  if (profile === 'paper' && lang) params.set('lang', lang);
  return scoped(`${EXPORTS.handinPackage}?${params}`, campaignId);
}

export function HandinPackage({ api }: { api: ConsoleApi }) {
  const [profile, setProfile] = useState<HandinProfile>('informal');
  const [lang, setLang] = useState<Language | ''>('');
  const [key, setKey] = useState<HandinKey | null>(null);
  const [keyError, setKeyError] = useState<string | null>(null);
  useEffect(() => {
    api.handinKey().then(setKey, (error: Error) => setKeyError(error.message));
  }, [api]);
  const keyFile = key && `data:application/json;charset=utf-8,${encodeURIComponent(`${JSON.stringify(key, null, 2)}\n`)}`;
  return (
    <section class="card export-card handin-package" aria-labelledby="handin-package-title">
      <h2 id="handin-package-title">Hand-in package (signed ZIP)</h2>
      <p>Everything to hand in, in one zip with a manifest of every file, count and tablet chain, signed with the organisation’s key.</p>
      <fieldset class="campaign-picks">
        <legend>Profile</legend>
        {PROFILES.map((p) => (
          <label key={p.value} class="handin-profile">
            <input type="radio" name="handin-profile" value={p.value} checked={profile === p.value} onChange={() => setProfile(p.value)} />
            <span>
              <strong>{p.label}</strong>: {p.text}
            </span>
          </label>
        ))}
      </fieldset>
      {profile === 'paper' && (
        <label>
          Language of the sheets{' '}
          <select value={lang} onChange={(e) => setLang((e.currentTarget as HTMLSelectElement).value as Language | '')}>
            <option value="">Every campaign language</option>
            {LANGUAGES.map((l) => <option key={l} value={l}>{LANGUAGE_NAMES[l]}</option>)}
          </select>
        </label>
      )}
      <a class="button primary" href={packageHref(api.campaignId, profile, lang)} download>Download hand-in package</a>
      <h3>Organisation key</h3>
      {key && keyFile ? (
        <>
          <p>
            Publish this fingerprint (website, covering letter) so that recipients can check a package with <code>verify-handin --public-key</code>:
          </p>
          <p class="fingerprint">
            <code aria-label="Key fingerprint">{key.fingerprint}</code>
          </p>
          <a class="button" href={keyFile} download="handin-public-key.json">Download public key</a>
        </>
      ) : (
        <p>{keyError ?? 'Loading the key…'}</p>
      )}
    </section>
  );
}
