/**
 * The check before storing: everything the signer entered, read back in their language,
 * with "Change something" (back to the form, strokes intact) and "Confirm".
 */
import type { Ref } from 'preact';
import type { SignerEntries } from '../db/new-record.ts';
import { inkToSvg } from '../shared/ink-svg.ts';
import { BreakableEmail } from './BreakableEmail.tsx';
import { countryName } from './CountrySelect.tsx';
import { useI18n } from './i18n/index.ts';

interface Props {
  /** What is about to be stored; `typedName` stands for the signature when there is no ink. */
  entries: Pick<SignerEntries, 'signer' | 'ink'>;
  typedName: string;
  /** The attestation the typing signer ticked, with their name in it. */
  attestation: string;
  headingRef: Ref<HTMLHeadingElement>;
  /** Why the last try to store failed, in the signer's language ('' when it did not). */
  saveError: string;
  /** Storing is under way: both buttons wait. */
  busy: boolean;
  onEdit: () => void;
  onConfirm: () => void;
}

export function ConfirmStep({ entries: { signer, ink }, typedName, attestation, headingRef, saveError, busy, onEdit, onConfirm }: Props) {
  const { t, lang } = useI18n();
  return (
    <section class="card confirm" aria-labelledby="confirm-heading">
      <h2 id="confirm-heading" tabIndex={-1} ref={headingRef}>{t('confirmHeading')}</h2>
      <p class="hint">{t('confirmHint')}</p>
      <dl class="summary">
        <dt>{t('nameLabel')}</dt>
        <dd>{signer.name}</dd>
        {signer.email && (<><dt>{t('emailLabel')}</dt><dd dir="ltr"><BreakableEmail address={signer.email} /></dd></>)}
        {signer.country && (<><dt>{t('countryLabel')}</dt><dd>{countryName(signer.country, lang)}</dd></>)}
        {signer.postcode && (<><dt>{t('postcodeLabel')}</dt><dd>{signer.postcode}</dd></>)}
        {signer.phone && (<><dt>{t('phoneLabel')}</dt><dd dir="ltr">{signer.phone}</dd></>)}
        <dt>{t('confirmOptIn')}</dt>
        <dd>{signer.optIn ? t('yes') : t('no')}</dd>
        <dt>{t('signatureLabel')}</dt>
        <dd>
          {ink ? (
            <img class="signature-preview" alt={t('signatureLabel')} src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(inkToSvg(ink))}`} />
          ) : (
            <>
              <span class="typed-signature">{typedName.trim()}</span>
              <p class="hint">{t('typedSignatureNote')} {attestation}</p>
            </>
          )}
        </dd>
      </dl>
      {saveError && <p class="error banner" role="alert">{saveError}</p>}
      <div class="row">
        <button type="button" class="secondary" onClick={onEdit} disabled={busy}>{t('edit')}</button>
        <button type="button" class="primary" onClick={onConfirm} disabled={busy}>{busy ? t('saving') : t('confirm')}</button>
      </div>
    </section>
  );
}
