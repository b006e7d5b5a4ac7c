/**
 * One signer's visit: read and fill in (form) → check (confirm) → thanks, then a blank
 * flow for the next person. The parent remounts this component after every signer, so
 * none of this signer's state outlives their visit. The form stays mounted (hidden)
 * during the confirm step so "Change something" returns with the strokes intact.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useFocusOnArrival } from './focus.ts';
import { BreakableEmail } from './BreakableEmail.tsx';
import * as z from 'zod/mini';
import { campaignText, kioskTiming, type Campaign } from '../shared/campaign.ts';
import { COUNTRY_CODES } from '../shared/countries.ts';
import { encodeInk, pointCount, type Ink } from '../shared/ink.ts';
import { inkToSvg } from '../shared/ink-svg.ts';
import { SignatureRecordSchema, type SignatureRecord, type Signer } from '../shared/protocol.ts';
import { useI18n } from './i18n/index.ts';
import type { CatalogKey } from './i18n/catalog.ts';
import { Petition } from './Petition.tsx';
import { SignaturePadField, isTooSmall, type SignaturePadHandle } from './SignaturePadField.tsx';
import { EMPTY_FORM, validateSigner, type FieldErrors, type FormValues } from './validate.ts';
import { LanguageSwitcher } from './LanguageSwitcher.tsx';
import { IdleGuard } from './IdleGuard.tsx';

/** Seconds the thank-you screen stays before the flow resets by itself. */
export const THANKS_SECONDS = 6;

interface Props {
  /** The petition version this signer sees. */
  campaign: Campaign;
  /** Its content hash, when the tablet is sure of it: every record carries it (S26). */
  campaignHash?: string;
  deviceId: string;
  /** Store the record durably; resolves once committed, rejects with a reason if not. */
  save: (record: SignatureRecord, campaign: Campaign) => Promise<void>;
  /** Called once the record is stored. */
  onSaved: () => void;
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
type SignatureError = 'signatureMissing' | 'signatureTooSmall' | 'typedRequired' | 'attestationRequired';

export function SignFlow({ campaign, campaignHash, deviceId, save, onSaved, onDone, onLanguage, onEntered }: Props) {
  const { t, lang } = useI18n();
  const text = campaignText(campaign, lang);
  const [step, setStep] = useState<Step>('form');
  const [values, setValues] = useState<FormValues>(EMPTY_FORM);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [signatureError, setSignatureError] = useState<SignatureError | undefined>();
  const [typing, setTyping] = useState(false);
  const [typedName, setTypedName] = useState('');
  const [attested, setAttested] = useState(false);
  const [pending, setPending] = useState<{ signer: Signer; ink?: Ink } | undefined>();
  const [saveError, setSaveError] = useState('');
  const [busy, setBusy] = useState(false);
  const [inked, setInked] = useState(false);
  const pad = useRef<SignaturePadHandle | null>(null);
  const formRef = useRef<HTMLFormElement | null>(null);
  const headingRef = useRef<HTMLHeadingElement | null>(null);
  const petitionTitle = useRef<HTMLHeadingElement | null>(null);
  const arrived = useRef(false);

  const attestation = text.attestation.replace('{name}', typedName.trim() || '…');
  const set = (field: keyof FormValues) => (e: Event) => {
    const el = e.currentTarget as HTMLInputElement;
    setValues((v) => ({ ...v, [field]: el.type === 'checkbox' ? el.checked : el.value }));
    if (saveError) setSaveError('');
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
      if (!typedName.trim()) sigError = 'typedRequired';
      else if (!attested) sigError = 'attestationRequired';
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
    const record = z.parse(SignatureRecordSchema, {
      id: crypto.randomUUID(),
      v: 1,
      deviceId,
      campaignId: campaign.id,
      campaignVersion: campaign.version,
      ...(campaignHash && { campaignHash }),
      consentVersion: campaign.consentVersion,
      lang,
      capturedAt: new Date().toISOString(),
      payload: {
        kind: 'plain',
        signer: pending.signer,
        ...(pending.ink ? { ink: encodeInk(pending.ink) } : { typed: { name: typedName.trim(), attestation } }),
      },
    });
    setBusy(true);
    try {
      await save(record, campaign);
    } catch (error) {
      setBusy(false);
      setSaveError(describeSaveError(error, t));
      return;
    }
    setPending(undefined);
    setStep('thanks');
    onSaved();
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
            <fieldset class="field signature">
              <legend>{t('signatureLabel')}</legend>
              {!typing ? (
                <>
                  <p id="signature-hint" class="hint">{t('signatureHint')}</p>
                  <div class="signature-box" data-field="signature" tabIndex={-1}>
                    <SignaturePadField padRef={pad} label={t('signatureCanvas')} invalid={!!signatureError}
                      describedBy={signatureError ? 'signature-error' : 'signature-hint'}
                      onChange={() => { setSignatureError(undefined); setInked(!(pad.current?.isEmpty() ?? true)); }} />
                  </div>
                  <div class="row">
                    <button type="button" class="secondary" onClick={() => pad.current?.undo()}>{t('undoStroke')}</button>
                    <button type="button" class="secondary" onClick={() => pad.current?.clear()}>{t('clearSignature')}</button>
                    <button type="button" class="link" onClick={() => { setTyping(true); setSignatureError(undefined); }}>{t('cannotDraw')}</button>
                  </div>
                </>
              ) : (
                <>
                  <div class="field">
                    <label for="typed">{t('typedLabel')}</label>
                    <input id="typed" data-field="signature" type="text" autocomplete="off" spellcheck={false} value={typedName} maxLength={200}
                      aria-invalid={signatureError === 'typedRequired' ? 'true' : undefined}
                      aria-describedby={signatureError ? 'signature-error' : undefined}
                      onInput={(e) => { setTypedName(e.currentTarget.value); setSignatureError(undefined); }} />
                  </div>
                  <div class="field checkbox">
                    <input id="attest" type="checkbox" checked={attested} onChange={(e) => { setAttested(e.currentTarget.checked); setSignatureError(undefined); }} />
                    <label for="attest">{attestation}</label>
                  </div>
                  <button type="button" class="link" onClick={() => { setTyping(false); setSignatureError(undefined); }}>{t('canDraw')}</button>
                </>
              )}
              {signatureError && <p id="signature-error" class="error">{t(signatureError)}</p>}
            </fieldset>
            <button type="submit" class="primary">{t('continue')}</button>
          </form>
        </section>
      </div>
      {step === 'confirm' && pending && (
        <section class="card confirm" aria-labelledby="confirm-heading">
          <h2 id="confirm-heading" tabIndex={-1} ref={headingRef}>{t('confirmHeading')}</h2>
          <p class="hint">{t('confirmHint')}</p>
          <dl class="summary">
            <dt>{t('nameLabel')}</dt>
            <dd>{pending.signer.name}</dd>
            {pending.signer.email && (<><dt>{t('emailLabel')}</dt><dd dir="ltr"><BreakableEmail address={pending.signer.email} /></dd></>)}
            {pending.signer.country && (<><dt>{t('countryLabel')}</dt><dd>{countryName(pending.signer.country, lang)}</dd></>)}
            {pending.signer.postcode && (<><dt>{t('postcodeLabel')}</dt><dd>{pending.signer.postcode}</dd></>)}
            {pending.signer.phone && (<><dt>{t('phoneLabel')}</dt><dd dir="ltr">{pending.signer.phone}</dd></>)}
            <dt>{t('confirmOptIn')}</dt>
            <dd>{pending.signer.optIn ? t('yes') : t('no')}</dd>
            <dt>{t('signatureLabel')}</dt>
            <dd>
              {pending.ink ? (
                <img class="signature-preview" alt={t('signatureLabel')} src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(inkToSvg(pending.ink))}`} />
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
            <button type="button" class="secondary" onClick={() => setStep('form')} disabled={busy}>{t('edit')}</button>
            <button type="button" class="primary" onClick={() => void confirm()} disabled={busy}>{busy ? t('saving') : t('confirm')}</button>
          </div>
        </section>
      )}
      <IdleGuard active={entered && !busy} timing={kioskTiming(campaign)} bodyKey="idleFormBody" onExpire={onDone} />
    </>
  );
}

/** The thank-you screen, with a countdown to the blank form for the next signer. */
function Thanks({ onDone }: { onDone: () => void }) {
  const { t } = useI18n();
  const [left, setLeft] = useState(THANKS_SECONDS);
  const heading = useRef<HTMLHeadingElement | null>(null);
  useFocusOnArrival(heading);
  useEffect(() => {
    if (left <= 0) {
      onDone();
      return;
    }
    const timer = setTimeout(() => setLeft((n) => n - 1), 1000);
    return () => clearTimeout(timer);
  }, [left]);
  return (
    <section class="card thanks" aria-labelledby="thanks-heading">
      <h2 id="thanks-heading" tabIndex={-1} ref={heading}>{t('thanksHeading')}</h2>
      <p role="status">{t('thanksBody')}</p>
      <p class="hint">{t('resetCountdown', { n: left })}</p>
      <button type="button" class="primary" onClick={onDone}>{t('nextSigner')}</button>
    </section>
  );
}

/** The country select, with names in the signer's language, sorted for that language. */
function CountrySelect({ value, invalid, describedBy, onChange }: { value: string; invalid: boolean; describedBy?: string; onChange: (e: Event) => void }) {
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

function countryName(code: string, lang: string): string {
  return new Intl.DisplayNames([lang], { type: 'region' }).of(code) ?? code;
}

function describeSaveError(error: unknown, t: ReturnType<typeof useI18n>['t']): string {
  const name = (error as { name?: string })?.name ?? '';
  const inner = (error as { inner?: { name?: string } })?.inner?.name ?? '';
  if (name === 'StorageFullError' || name === 'QuotaExceededError' || inner === 'QuotaExceededError') return t('storageFull');
  return t('notSaved', { reason: (error as Error)?.message || String(error) });
}
