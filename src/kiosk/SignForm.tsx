/**
 * The sign form: name, email, country, an unticked opt-in, and the signature canvas.
 * Validated with the shared zod schemas; errors appear inline next to their field.
 * On success the record is committed to IndexedDB, then the whole form is remounted blank
 * so nothing of this signer stays in memory or on screen.
 */
import { useMemo, useRef, useState } from 'preact/hooks';
import * as z from 'zod/mini';
import { COUNTRY_CODES } from '../shared/countries.ts';
import { encodeInk, pointCount } from '../shared/ink.ts';
import { SignerSchema, SignatureRecordSchema, type SignatureRecord } from '../shared/protocol.ts';
import type { Campaign } from '../shared/default-campaign.ts';
import { SignaturePadField, type SignaturePadHandle } from './SignaturePadField.tsx';
import { STRINGS as t } from './strings.ts';

type Field = 'name' | 'email' | 'country' | 'signature';
type Errors = Partial<Record<Field, string>>;

interface Props {
  campaign: Campaign;
  deviceId: string;
  /** Store the record durably; resolves once committed, rejects with a reason if not. */
  save: (record: SignatureRecord) => Promise<void>;
  /** Called after a successful save, once the form is blank again. */
  onSaved: () => void;
}

/** Wrapper that remounts the form after every signer, dropping all of its state. */
export function SignForm(props: Props) {
  const [generation, setGeneration] = useState(0);
  const [announcement, setAnnouncement] = useState('');
  return (
    <section class="card" aria-labelledby="form-heading">
      <h2 id="form-heading">{t.formHeading}</h2>
      <p class="hint">{t.privacy}</p>
      <SignFormBody
        key={generation}
        {...props}
        onSaved={() => {
          setGeneration((g) => g + 1);
          setAnnouncement(t.thanks);
          props.onSaved();
        }}
        onEdit={() => setAnnouncement('')}
      />
      <p class="announcement" role="status" aria-live="polite">
        {announcement}
      </p>
    </section>
  );
}

function SignFormBody({ campaign, deviceId, save, onSaved, onEdit }: Props & { onEdit: () => void }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [country, setCountry] = useState('');
  const [optIn, setOptIn] = useState(false);
  const [errors, setErrors] = useState<Errors>({});
  const [saveError, setSaveError] = useState('');
  const [busy, setBusy] = useState(false);
  const pad = useRef<SignaturePadHandle | null>(null);
  const formRef = useRef<HTMLFormElement | null>(null);
  const countries = useCountryOptions();

  async function submit(event: Event) {
    event.preventDefault();
    if (busy) return;
    const found: Errors = {};
    const signer = z.safeParse(SignerSchema, { name, email, country, optIn });
    if (!signer.success) {
      for (const issue of signer.error.issues) {
        const field = issue.path[0] as Field;
        found[field] ??= issue.message;
      }
    }
    const ink = pad.current?.toInk();
    if (!ink || pointCount(ink) === 0) found.signature = t.signatureMissing;
    setErrors(found);
    if (!signer.success || found.signature) {
      const first = (['name', 'email', 'country', 'signature'] as Field[]).find((f) => found[f]);
      formRef.current?.querySelector<HTMLElement>(`[data-field="${first}"]`)?.focus();
      return;
    }

    const record = z.parse(SignatureRecordSchema, {
      id: crypto.randomUUID(),
      v: 1,
      deviceId,
      campaignId: campaign.id,
      campaignVersion: campaign.version,
      capturedAt: new Date().toISOString(),
      payload: { kind: 'plain', signer: signer.data, ink: encodeInk(ink!) },
    });
    setBusy(true);
    try {
      await save(record);
    } catch (error) {
      setBusy(false);
      setSaveError(t.notSaved + ((error as Error).message || String(error)));
      return;
    }
    onSaved();
  }

  const described = (f: Field) => (errors[f] ? `${f}-error` : undefined);
  const edited = () => {
    if (saveError) setSaveError('');
    onEdit();
  };

  return (
    <form ref={formRef} onSubmit={submit} noValidate autocomplete="off" class="sign-form">
      <div class="field">
        <label for="name">{t.nameLabel}</label>
        <input
          id="name" data-field="name" type="text" autocomplete="off" autocapitalize="words" spellcheck={false}
          value={name} maxLength={200}
          aria-invalid={errors.name ? 'true' : undefined} aria-describedby={described('name')}
          onInput={(e) => { setName(e.currentTarget.value); edited(); }}
        />
        {errors.name && <p id="name-error" class="error">{errors.name}</p>}
      </div>
      <div class="field">
        <label for="email">{t.emailLabel}</label>
        <input
          id="email" data-field="email" type="email" inputMode="email" autocomplete="off" autocapitalize="off" spellcheck={false}
          value={email} maxLength={254}
          aria-invalid={errors.email ? 'true' : undefined} aria-describedby={described('email')}
          onInput={(e) => { setEmail(e.currentTarget.value); edited(); }}
        />
        {errors.email && <p id="email-error" class="error">{errors.email}</p>}
      </div>
      <div class="field">
        <label for="country">{t.countryLabel}</label>
        <select
          id="country" data-field="country" autocomplete="off" value={country}
          aria-invalid={errors.country ? 'true' : undefined} aria-describedby={described('country')}
          onChange={(e) => { setCountry(e.currentTarget.value); edited(); }}
        >
          <option value="">{t.countryPlaceholder}</option>
          {countries.map(([code, label]) => (
            <option key={code} value={code}>{label}</option>
          ))}
        </select>
        {errors.country && <p id="country-error" class="error">{errors.country}</p>}
      </div>
      <div class="field checkbox">
        <input id="optin" type="checkbox" checked={optIn} onChange={(e) => setOptIn(e.currentTarget.checked)} />
        <label for="optin">{campaign.optInLabel}</label>
      </div>
      <fieldset class="field signature" aria-describedby="signature-hint">
        <legend>{t.signatureLabel}</legend>
        <p id="signature-hint" class="hint">{t.signatureHint}</p>
        <div class="signature-box" data-field="signature" tabIndex={-1}>
          <SignaturePadField
            padRef={pad}
            label={t.signatureCanvas}
            invalid={!!errors.signature}
            describedBy={described('signature')}
            onChange={edited}
          />
        </div>
        {errors.signature && <p id="signature-error" class="error">{errors.signature}</p>}
        <button type="button" class="secondary" onClick={() => pad.current?.clear()}>{t.clearSignature}</button>
      </fieldset>
      {saveError && <p class="error banner" role="alert">{saveError}</p>}
      <button type="submit" class="primary" disabled={busy}>{busy ? t.saving : t.submit}</button>
    </form>
  );
}

/** Country options sorted by their name in the page's language. */
function useCountryOptions(): Array<[string, string]> {
  return useMemo(() => {
    const lang = document.documentElement.lang || 'en';
    const names = new Intl.DisplayNames([lang], { type: 'region' });
    const collator = new Intl.Collator(lang);
    return COUNTRY_CODES.map((code): [string, string] => [code, names.of(code) ?? code]).sort((a, b) => collator.compare(a[1], b[1]));
  }, []);
}
