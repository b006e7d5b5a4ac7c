/**
 * The draft editor's plumbing: each control's id from the field's path as the server names it
 * (so a 400 naming `text.fr.demands.1` finds its text box), and the tidying before a save.
 */
import { LANGUAGES, type Campaign, type CampaignText, type Language } from '../shared/campaign.ts';

/** The id of the control editing `path`, e.g. `text.fr.title` → `draft-text-fr-title`. */
export const fieldId = (path: string) => `draft-${path.replace(/\./g, '-')}`;

/**
 * The draft as it is sent: only the offered languages' text (an unticked language keeps its
 * text in the editor until then, in case it was unticked by mistake), empty paragraphs and
 * demands dropped, an empty closing left out.
 */
export function tidyDraft(draft: Campaign): Campaign {
  const text: Campaign['text'] = {};
  for (const lang of draft.languages) {
    const t = draft.text[lang];
    if (!t) continue;
    const { closing, ...rest } = t;
    text[lang] = {
      ...rest,
      intro: t.intro.filter((p) => p.trim()),
      demands: t.demands.filter((d) => d.trim()),
      ...(closing?.trim() && { closing }),
    };
  }
  return { ...draft, text };
}

/** Offer `lang` too: its text starts as a copy of the default language's, to translate. */
export function offerLanguage(draft: Campaign, lang: Language, offered: boolean): Campaign {
  if (!offered) {
    const languages = draft.languages.filter((l) => l !== lang);
    if (languages.length === 0) return draft;
    return { ...draft, languages, defaultLanguage: languages.includes(draft.defaultLanguage) ? draft.defaultLanguage : languages[0] };
  }
  const text: CampaignText = draft.text[lang] ?? structuredClone(draft.text[draft.defaultLanguage]!);
  return { ...draft, languages: LANGUAGES.filter((l) => l === lang || draft.languages.includes(l)), text: { ...draft.text, [lang]: text } };
}
