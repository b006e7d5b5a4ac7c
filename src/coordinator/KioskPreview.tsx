/**
 * The campaign as a signer will see it on the tablet, one language at a time: the kiosk's
 * own petition rendering (src/kiosk/Petition.tsx) in the kiosk's own words for that language
 * (its catalogs), right to left for Arabic, in the campaign's colour. The form beside it is a
 * picture of the kiosk's form (which fields, which wording), not a form: nothing here can be
 * typed into, so the page has no second set of signer inputs.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Campaign, Language } from '../shared/campaign.ts';
import { campaignText, kioskTiming, SIGNER_FIELDS } from '../shared/campaign.ts';
import { I18nContext, i18nFor, loadCatalog } from '../kiosk/i18n/index.ts';
import type { CatalogKey } from '../kiosk/i18n/catalog.ts';
import { Petition } from '../kiosk/Petition.tsx';
import { contrastText } from '../kiosk/contrast.ts';
import { LANGUAGE_NAMES } from './campaign-diff.ts';

const FIELD_LABELS: Record<(typeof SIGNER_FIELDS)[number], CatalogKey> = {
  name: 'nameLabel',
  email: 'emailLabel',
  country: 'countryLabel',
  postcode: 'postcodeLabel',
  phone: 'phoneLabel',
};

interface Props {
  campaign: Campaign;
  /** What the preview shows, e.g. "the draft" or "version 2". */
  of: string;
  /** Tells this preview's ids apart from another's on the same page. */
  idPrefix: string;
}

export function KioskPreview({ campaign, of, idPrefix }: Props) {
  const offered = campaign.languages.filter((l) => campaign.text[l]);
  const [chosen, setChosen] = useState<Language>(campaign.defaultLanguage);
  const lang = offered.includes(chosen) ? chosen : (offered[0] ?? campaign.defaultLanguage);
  const [loaded, setLoaded] = useState<Language | undefined>();
  useEffect(() => {
    let current = true;
    loadCatalog(lang).then(() => current && setLoaded(lang), () => current && setLoaded(lang));
    return () => {
      current = false;
    };
  }, [lang]);
  const i18n = i18nFor(loaded === lang ? lang : 'en');
  const { t } = i18n;
  const text = campaignText(campaign, lang);
  const color = campaign.theme.color;
  const timing = kioskTiming(campaign);

  return (
    <section class="card preview" aria-labelledby={`${idPrefix}-heading`}>
      <div class="card-head">
        <h2 id={`${idPrefix}-heading`}>{`Preview on the tablet: ${of}`}</h2>
        <div class="segmented" role="group" aria-label="Preview language">
          {offered.map((l) => (
            <button key={l} type="button" class="secondary small" aria-pressed={l === lang ? 'true' : 'false'} onClick={() => setChosen(l)}>
              {LANGUAGE_NAMES[l]}
            </button>
          ))}
        </div>
      </div>
      <p class="hint">
        {`The kiosk’s own rendering, as the ${LANGUAGE_NAMES[lang]} signer sees it. An unattended form is cleared after ${timing.idleSeconds} s and a ${timing.countdownSeconds} s countdown.`}
      </p>
      <I18nContext.Provider value={i18n}>
        <div class="kiosk-preview" lang={lang} dir={i18n.dir} data-testid="kiosk-preview" style={{ '--brand': color, '--on-brand': contrastText(color) }}>
          <Petition campaign={campaign} titleId={`${idPrefix}-title`} />
          <div class="kp-form">
            <p class="kp-heading">{t('formHeading')}</p>
            <p class="kp-hint">{t(campaign.sealing ? 'privacySealed' : 'privacy')}</p>
            {SIGNER_FIELDS.filter((f) => campaign.fields[f].shown).map((f) => (
              <div key={f} class="kp-field">
                <span class="kp-label">{f === 'name' || campaign.fields[f].required ? t(FIELD_LABELS[f]) : `${t(FIELD_LABELS[f])} ${t('optionalSuffix')}`}</span>
                <span class="kp-input" />
              </div>
            ))}
            <div class="kp-check">
              <span class="kp-box" />
              <span>{`${text.optIn} ${t('optionalSuffix')}`}</span>
            </div>
            <p class="kp-label">{t('signatureLabel')}</p>
            <p class="kp-hint">{t('signatureHint')}</p>
            <span class="kp-pad" />
            <p class="kp-hint">
              <span class="kp-link">{t('cannotDraw')}</span>
              {' → '}
              {text.attestation.replace('{name}', '…')}
            </p>
            <span class="kp-button">{t('continue')}</span>
          </div>
        </div>
      </I18nContext.Provider>
    </section>
  );
}
