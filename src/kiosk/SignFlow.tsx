/**
 * One signer's visit: read and fill in (form) → check (confirm) → thanks, then a blank
 * flow for the next person. The parent remounts this component after every signer, so
 * none of this signer's state outlives their visit. The form stays mounted (hidden)
 * during the confirm step so "Change something" returns with the strokes intact.
 *
 * What the signer entered goes to `capture` as it is (src/db/capture.ts builds, seals and
 * stores the record): the flow knows the form, not the wire format.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { attestationText, type SignerEntries } from '../db/new-record.ts';
import { campaignText, kioskTiming, type Campaign } from '../shared/campaign.ts';
import { pointCount, type Ink } from '../shared/ink.ts';
import { useI18n } from './i18n/index.ts';
import type { CatalogKey } from './i18n/catalog.ts';
import { Petition } from './Petition.tsx';
import { isTooSmall, type SignaturePadHandle } from './SignaturePadField.tsx';
import { EMPTY_FORM, typedNameError, validateSigner, type FieldErrors, type FormValues } from './validate.ts';
import { LanguageSwitcher } from './LanguageSwitcher.tsx';
import { IdleGuard } from './IdleGuard.tsx';
import { ConfirmStep } from './ConfirmStep.tsx';
import { CountrySelect } from './CountrySelect.tsx';
import { DRAWING, SignatureInput, type SignatureChoice, type SignatureError } from './SignatureInput.tsx';
import { Thanks } from './Thanks.tsx';

interface Props {
  /** The petition version this signer sees. */
  campaign: Campaign;
  /** Store what the signer entered, durably; resolves once committed, rejects with a reason if not. */
  capture: (entries: SignerEntries) => Promise<void>;
  /**
   * Called when the flow is done and the next signer should get a blank one: after the
   * thank-you screen, or when a signer walked away mid-form (the idle countdown ran out).
   */
  onDone: () => void;
  /** Switch the kiosk language (the signer's choice). */
  onLanguage: (lang: string) => void;
  /** Whether the signer has begun (entered anything, or reached a later step). */
  onEntered?: (entered: boolean) => void;
}

type Step = 'form' | 'confirm' | 'thanks';

export function SignFlow({ campaign, capture, onDone, onLanguage, onEntered }: Props) {
  const { t, lang } = useI18n();
  const text = campaignText(campaign, lang);
  const [step, setStep] = useState<Step>('form');
  const [values, setValues] = useState<FormValues>(EMPTY_FORM);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [signatureError, setSignatureError] = useState<SignatureError | undefined>();
  const [signature, setSignature] = useState<SignatureChoice>(DRAWING);
  const { typing, typedName, attested } = signature;
  const [pending, setPending] = useState<Pick<SignerEntries, 'signer' | 'ink'> | undefined>();
  const [saveError, setSaveError] = useState('');
  const [busy, setBusy] = useState(false);
  const [inked, setInked] = useState(false);
  const pad = useRef<SignaturePadHandle | null>(null);
  const formRef = useRef<HTMLFormElement | null>(null);
  const headingRef = useRef<HTMLHeadingElement | null>(null);
  const petitionTitle = useRef<HTMLHeadingElement | null>(null);
  const arrived = useRef(false);

  const attestation = attestationText(campaign, lang, typedName);
  const set = (field: keyof FormValues) => (e: Event) => {
    const el = e.currentTarget as HTMLInputElement;
    setValues((v) => ({ ...v, [field]: el.type === 'checkbox' ? el.checked : el.value }));
    if (saveError) setSaveError('');
  };
  const changeSignature = (patch: Partial<SignatureChoice>) => {
    setSignature((s) => ({ ...s, ...patch }));
    setSignatureError(undefined);
  };

  // A new signer starts at the top, on the petition's title: reading comes before the form
  // (on a phone the form is a screen or two further down). Each later step gets its heading.
  useLayoutEffect(() => {
    if (arrived.current) return headingRef.current?.focus();
    arrived.current = true;
    petitionTitle.current?.focus({ preventScroll: true });
    scrollTo(0, 0);
  }, [step]);
  // Drawing ⇄ typing replaces the button just pressed: move focus to what replaced it.
  const typingChanged = useRef(false);
  useLayoutEffect(() => {
    if (typingChanged.current) formRef.current?.querySelector<HTMLElement>('[data-field="signature"]')?.focus();
    typingChanged.current = true;
  }, [typing]);

  function review(event: Event) {
    event.preventDefault();
    const result = validateSigner(values, campaign);
    let sigError: SignatureError | undefined;
    let ink: Ink | undefined;
    if (typing) {
      sigError = typedNameError(typedName) ?? (attested ? undefined : 'attestationRequired');
    } else {
      ink = pad.current?.toInk();
      if (!ink || pointCount(ink) === 0) sigError = 'signatureMissing';
      else if (isTooSmall(ink)) sigError = 'signatureTooSmall';
    }
    setErrors(result.errors ?? {});
    setSignatureError(sigError);
    if (!result.signer || sigError) {
      const first = (['name', 'email', 'country', 'postcode', 'phone'] as const).find((f) => result.errors?.[f]) ?? 'signature';
      formRef.current?.querySelector<HTMLElement>(`[data-field="${first}"]`)?.focus();
      return;
    }
    setPending({ signer: result.signer, ink });
    setStep('confirm');
  }

  async function confirm() {
    if (!pending || busy) return;
    setBusy(true);
    try {
      await capture({ ...pending, lang, ...(!pending.ink && { typedName }) });
    } catch (error) {
      setBusy(false);
      setSaveError(describeSaveError(error, t));
      return;
    }
    setPending(undefined);
    setStep('thanks');
  }

  const described = (f: keyof FieldErrors) => (errors[f] ? `${f}-error` : undefined);
  const fieldError = (f: keyof FieldErrors) =>
    errors[f] && (
      <p id={`${f}-error`} class="error">
        {t(errors[f] as CatalogKey)}
      </p>
    );
  const label = (f: 'email' | 'country' | 'postcode' | 'phone', key: CatalogKey) =>
    campaign.fields[f].required ? t(key) : `${t(key)} ${t('optionalSuffix')}`;

  // The walk-away clock runs once the signer has left any trace on the form (a pristine
  // form needs no countdown), and never while their signature is being stored.
  const entered =
    step !== 'form' || inked || typing || typedName !== '' || attested || lang !== campaign.defaultLanguage ||
    !!signatureError || Object.keys(errors).length > 0 || (Object.keys(EMPTY_FORM) as Array<keyof FormValues>).some((f) => values[f] !== EMPTY_FORM[f]);
  useEffect(() => onEntered?.(entered), [entered]);

  if (step === 'thanks') return <Thanks onDone={onDone} />;

  return (
    <>
      <div hidden={step !== 'form'} class="flow-form">
        <Petition campaign={campaign} titleRef={petitionTitle} />
        <section class="card" aria-labelledby="form-heading">
          <div class="card-head">
            <h2 id="form-heading" tabIndex={-1} ref={step === 'form' ? headingRef : undefined}>{t('formHeading')}</h2>
            <LanguageSwitcher languages={campaign.languages} onChange={onLanguage} />
          </div>
          <p class="hint">{t(campaign.sealing ? 'privacySealed' : 'privacy')}</p>
          <form ref={formRef} onSubmit={review} noValidate autocomplete="off" class="sign-form">
            <div class="field">
              <label for="name">{t('nameLabel')}</label>
              <input id="name" data-field="name" type="text" autocomplete="off" autocapitalize="words" spellcheck={false}
                value={values.name} maxLength={200} aria-invalid={errors.name ? 'true' : undefined} aria-describedby={described('name')}
                onInput={set('name')} />
              {fieldError('name')}
            </div>
            {campaign.fields.email.shown && (
              <div class="field">
                <label for="email">{label('email', 'emailLabel')}</label>
                <input id="email" data-field="email" type="email" inputMode="email" autocomplete="off" autocapitalize="off" spellcheck={false}
                  dir="ltr" value={values.email} maxLength={254} aria-invalid={errors.email ? 'true' : undefined} aria-describedby={described('email')}
                  onInput={set('email')} />
                {fieldError('email')}
              </div>
            )}
            {campaign.fields.country.shown && (
              <div class="field">
                <label for="country">{label('country', 'countryLabel')}</label>
                <CountrySelect value={values.country} invalid={!!errors.country} describedBy={described('country')} onChange={set('country')} />
                {fieldError('country')}
              </div>
            )}
            {campaign.fields.postcode.shown && (
              <div class="field">
                <label for="postcode">{label('postcode', 'postcodeLabel')}</label>
                <input id="postcode" data-field="postcode" type="text" autocomplete="off" spellcheck={false} value={values.postcode} maxLength={16}
                  aria-invalid={errors.postcode ? 'true' : undefined} aria-describedby={described('postcode')} onInput={set('postcode')} />
                {fieldError('postcode')}
              </div>
            )}
            {campaign.fields.phone.shown && (
              <div class="field">
                <label for="phone">{label('phone', 'phoneLabel')}</label>
                <input id="phone" data-field="phone" type="tel" inputMode="tel" autocomplete="off" dir="ltr" value={values.phone} maxLength={24}
                  aria-invalid={errors.phone ? 'true' : undefined} aria-describedby={described('phone')} onInput={set('phone')} />
                {fieldError('phone')}
              </div>
            )}
            <div class="field checkbox">
              <input id="optin" type="checkbox" checked={values.optIn} onChange={set('optIn')} />
              <label for="optin">{text.optIn} {t('optionalSuffix')}</label>
            </div>
            <SignatureInput pad={pad} choice={signature} onChoice={changeSignature} attestation={attestation} error={signatureError}
              onStroke={() => { setSignatureError(undefined); setInked(!(pad.current?.isEmpty() ?? true)); }} />
            <button type="submit" class="primary">{t('continue')}</button>
          </form>
        </section>
      </div>
      {step === 'confirm' && pending && (
        <ConfirmStep entries={pending} typedName={typedName} attestation={attestation} headingRef={headingRef} saveError={saveError} busy={busy}
          onEdit={() => setStep('form')} onConfirm={() => void confirm()} />
      )}
      <IdleGuard active={entered && !busy} timing={kioskTiming(campaign)} bodyKey="idleFormBody" onExpire={onDone} />
    </>
  );
}

/** The reason a signature was not stored, in the signer's language: a full disk says so. */
function describeSaveError(error: unknown, t: ReturnType<typeof useI18n>['t']): string {
  const name = (error as { name?: string })?.name ?? '';
  const inner = (error as { inner?: { name?: string } })?.inner?.name ?? '';
  if (name === 'StorageFullError' || name === 'QuotaExceededError' || inner === 'QuotaExceededError') return t('storageFull');
  return t('notSaved', { reason: (error as Error)?.message || String(error) });
}
