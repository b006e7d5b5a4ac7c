/**
 * The signature part of the sign form: draw on the pad (with undo and clear), or, for a
 * signer who cannot draw, type their name and tick the attestation. Which one, the typed
 * name and the tick are the flow's state (it checks them); this only shows them.
 */
import type { RefObject } from 'preact';
import { useI18n } from './i18n/index.ts';
import { SignaturePadField, type SignaturePadHandle } from './SignaturePadField.tsx';
import type { TypedNameError } from './validate.ts';

/** What is wrong with the signature, as a catalog key. */
export type SignatureError = 'signatureMissing' | 'signatureTooSmall' | TypedNameError | 'attestationRequired';

/** Drawing or typing, and what was typed and ticked. */
export interface SignatureChoice {
  typing: boolean;
  typedName: string;
  attested: boolean;
}

export const DRAWING: SignatureChoice = { typing: false, typedName: '', attested: false };

interface Props {
  pad: RefObject<SignaturePadHandle | null>;
  choice: SignatureChoice;
  /** The signer switched between drawing and typing, typed, or ticked. */
  onChoice: (patch: Partial<SignatureChoice>) => void;
  /** The signer started or finished a stroke. */
  onStroke: () => void;
  /** The attestation to tick, with the typed name in it. */
  attestation: string;
  error?: SignatureError;
}

export function SignatureInput({ pad, choice: { typing, typedName, attested }, onChoice, onStroke, attestation, error }: Props) {
  const { t } = useI18n();
  return (
    <fieldset class="field signature">
      <legend>{t('signatureLabel')}</legend>
      {!typing ? (
        <>
          <p id="signature-hint" class="hint">{t('signatureHint')}</p>
          <div class="signature-box" data-field="signature" tabIndex={-1}>
            <SignaturePadField padRef={pad} label={t('signatureCanvas')} invalid={!!error}
              describedBy={error ? 'signature-error' : 'signature-hint'} onChange={onStroke} />
          </div>
          <div class="row">
            <button type="button" class="secondary" onClick={() => pad.current?.undo()}>{t('undoStroke')}</button>
            <button type="button" class="secondary" onClick={() => pad.current?.clear()}>{t('clearSignature')}</button>
            <button type="button" class="link" onClick={() => onChoice({ typing: true })}>{t('cannotDraw')}</button>
          </div>
        </>
      ) : (
        <>
          <div class="field">
            <label for="typed">{t('typedLabel')}</label>
            <input id="typed" data-field="signature" type="text" autocomplete="off" spellcheck={false} value={typedName} maxLength={200}
              aria-invalid={error?.startsWith('typed') ? 'true' : undefined}
              aria-describedby={error ? 'signature-error' : undefined}
              onInput={(e) => onChoice({ typedName: e.currentTarget.value })} />
          </div>
          <div class="field checkbox">
            <input id="attest" type="checkbox" checked={attested} onChange={(e) => onChoice({ attested: e.currentTarget.checked })} />
            <label for="attest">{attestation}</label>
          </div>
          <button type="button" class="link" onClick={() => onChoice({ typing: false })}>{t('canDraw')}</button>
        </>
      )}
      {error && <p id="signature-error" class="error">{t(error)}</p>}
    </fieldset>
  );
}
