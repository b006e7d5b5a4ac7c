/**
 * The draft of a campaign, as a form: the languages offered and the default one, each
 * language's words (title, introduction, call, demands, closing, opt-in and attestation
 * wording), the signer fields shown and required, the colour and the walk-away timing. It
 * edits a copy held by the campaign page, which previews, compares and saves it.
 */
import { useEffect, useState } from 'preact/hooks';
import { DEFAULT_KIOSK_TIMING, LANGUAGES, RTL_LANGUAGES, SIGNER_FIELDS, type Campaign, type CampaignText, type Language } from '../shared/campaign.ts';
import { FIELD_NAMES, LANGUAGE_NAMES } from './campaign-diff.ts';
import { fieldId, offerLanguage } from './draft-fields.ts';
import { TextList } from './TextList.tsx';

interface Props {
  draft: Campaign;
  onChange: (draft: Campaign) => void;
  /** The field the server refused (`text.fr.title`), and the id of the message saying why. */
  errorPath?: string;
  errorId: string;
}

export function DraftEditor({ draft, onChange, errorPath, errorId }: Props) {
  const [editing, setEditing] = useState<Language>(draft.defaultLanguage);
  const lang = draft.languages.includes(editing) ? editing : draft.defaultLanguage;
  // A refusal about another language's words opens that language.
  useEffect(() => {
    const m = /^text\.(\w+)/.exec(errorPath ?? '');
    if (m && (LANGUAGES as readonly string[]).includes(m[1])) setEditing(m[1] as Language);
  }, [errorPath]);

  const text = draft.text[lang]!;
  const setText = (patch: Partial<CampaignText>) => onChange({ ...draft, text: { ...draft.text, [lang]: { ...text, ...patch } } });
  // The words are typed in their own language and direction; the labels stay English.
  const own = { lang, dir: RTL_LANGUAGES.has(lang) ? ('rtl' as const) : ('ltr' as const) };
  const invalid = (path: string) => (errorPath === path ? { 'aria-invalid': 'true' as const, 'aria-describedby': errorId } : {});
  const timing = draft.kiosk ?? DEFAULT_KIOSK_TIMING;
  const setTiming = (patch: Partial<typeof timing>) => onChange({ ...draft, kiosk: { ...timing, ...patch } });

  const textField = (key: 'title' | 'call' | 'closing' | 'optIn' | 'attestation', label: string, hint?: string, rows = 2) => {
    const path = `text.${lang}.${key}`;
    return (
      <div class="field">
        <label for={fieldId(path)}>{label}</label>
        {hint && <p class="hint" id={`${fieldId(path)}-hint`}>{hint}</p>}
        {key === 'title' ? (
          <input id={fieldId(path)} type="text" maxLength={300} value={text.title} {...own} {...invalid(path)} onInput={(e) => setText({ title: e.currentTarget.value })} />
        ) : (
          <textarea id={fieldId(path)} rows={rows} maxLength={2000} value={text[key] ?? ''} {...own} {...invalid(path)}
            aria-describedby={errorPath === path ? errorId : hint ? `${fieldId(path)}-hint` : undefined}
            onInput={(e) => setText({ [key]: e.currentTarget.value })} />
        )}
      </div>
    );
  };

  return (
    <div class="draft-editor">
      <fieldset class="card">
        <legend>Languages</legend>
        <div class="check-row">
          {LANGUAGES.map((l) => (
            <label key={l} class="check-inline">
              <input type="checkbox" checked={draft.languages.includes(l)} disabled={draft.languages.length === 1 && draft.languages.includes(l)}
                onChange={(e) => onChange(offerLanguage(draft, l, e.currentTarget.checked))} />
              {LANGUAGE_NAMES[l]}
            </label>
          ))}
        </div>
        <p class="hint">A newly offered language starts as a copy of the default language’s words: translate them before publishing.</p>
        <div class="field narrow">
          <label for={fieldId('defaultLanguage')}>Default language</label>
          <select id={fieldId('defaultLanguage')} value={draft.defaultLanguage} {...invalid('defaultLanguage')}
            onChange={(e) => onChange({ ...draft, defaultLanguage: e.currentTarget.value as Language })}>
            {draft.languages.map((l) => <option key={l} value={l}>{LANGUAGE_NAMES[l]}</option>)}
          </select>
        </div>
      </fieldset>

      <fieldset class="card">
        <legend>{`Words in ${LANGUAGE_NAMES[lang]}`}</legend>
        <div class="segmented" role="group" aria-label="Language to edit">
          {draft.languages.map((l) => (
            <button key={l} type="button" class="secondary small" aria-pressed={l === lang ? 'true' : 'false'} onClick={() => setEditing(l)}>
              {`Edit ${LANGUAGE_NAMES[l]}`}
            </button>
          ))}
        </div>
        <div class="stack">
          {textField('title', 'Title')}
          <TextList path={`text.${lang}.intro`} legend="Introduction" item="Paragraph" values={text.intro} max={20} own={own} errorPath={errorPath} errorId={errorId}
            onChange={(intro) => setText({ intro })} />
          {textField('call', 'Call to sign', 'The sentence in bold just before the demands.')}
          <TextList path={`text.${lang}.demands`} legend="Demands" item="Demand" values={text.demands} min={1} max={20} own={own} errorPath={errorPath} errorId={errorId}
            onChange={(demands) => setText({ demands })} />
          {textField('closing', 'Closing (optional)', undefined, 3)}
          {textField('optIn', 'Opt-in wording', 'Beside the unticked box for hearing more. Changing it gives the draft a new consent version.')}
          {textField('attestation', 'Attestation wording', 'What a signer who types instead of drawing confirms; {name} becomes their typed name.')}
        </div>
      </fieldset>

      <fieldset class="card">
        <legend>Signer fields</legend>
        <table class="data compact fields-table">
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Shown</th>
              <th scope="col">Required</th>
            </tr>
          </thead>
          <tbody>
            {SIGNER_FIELDS.map((f) => {
              const rule = draft.fields[f];
              const set = (patch: Partial<typeof rule>) => {
                const next = { ...rule, ...patch };
                onChange({ ...draft, fields: { ...draft.fields, [f]: { shown: next.shown, required: next.shown && next.required } } });
              };
              return (
                <tr key={f} {...(errorPath === `fields.${f}` && { class: 'invalid-row' })}>
                  <th scope="row">{FIELD_NAMES[f]}</th>
                  <td>
                    <input type="checkbox" aria-label={`Show ${FIELD_NAMES[f]}`} checked={rule.shown} disabled={f === 'name'} onChange={(e) => set({ shown: e.currentTarget.checked })} />
                  </td>
                  <td>
                    <input type="checkbox" aria-label={`Require ${FIELD_NAMES[f]}`} checked={rule.required} disabled={f === 'name' || !rule.shown}
                      onChange={(e) => set({ required: e.currentTarget.checked })} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <p class="hint">The name is always asked for. A hidden field cannot be required.</p>
      </fieldset>

      <fieldset class="card">
        <legend>Look and walk-away timing</legend>
        <div class="settings-row">
          <div class="field narrow">
            <label for={fieldId('theme.color')}>Theme colour</label>
            <input id={fieldId('theme.color')} type="color" value={draft.theme.color} {...invalid('theme.color')}
              onInput={(e) => onChange({ ...draft, theme: { color: e.currentTarget.value } })} />
          </div>
          <div class="field narrow">
            <label for={fieldId('kiosk.idleSeconds')}>Idle before the countdown (s)</label>
            <input id={fieldId('kiosk.idleSeconds')} type="number" min={5} max={3600} step={1} value={timing.idleSeconds} {...invalid('kiosk.idleSeconds')}
              onInput={(e) => setTiming({ idleSeconds: e.currentTarget.valueAsNumber })} />
          </div>
          <div class="field narrow">
            <label for={fieldId('kiosk.countdownSeconds')}>Countdown (s)</label>
            <input id={fieldId('kiosk.countdownSeconds')} type="number" min={3} max={120} step={1} value={timing.countdownSeconds} {...invalid('kiosk.countdownSeconds')}
              onInput={(e) => setTiming({ countdownSeconds: e.currentTarget.valueAsNumber })} />
          </div>
        </div>
        <p class="hint">A signer’s unfinished form is cleared after this long untouched (5–3600 s), following a countdown of 3–120 s.</p>
      </fieldset>
    </div>
  );
}
