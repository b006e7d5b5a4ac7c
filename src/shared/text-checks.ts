/**
 * What a piece of text a person typed must be to be stored and shown: one set of checks for
 * signer names, typed signatures, tablet names and event names, used by the kiosk (to say
 * what is wrong, in the signer's language) and by the server (which re-checks every record).
 * Text is refused, never altered: what a signer typed is kept exactly or not at all (F10).
 */
import * as z from 'zod/mini';

/**
 * A control character (C0, DEL, C1) or a lone surrogate: never storable. A low surrogate is
 * lone at the start or after anything but a high one; written without a lookbehind, which
 * Safari parses only from 16.4 (an older one could not load the kiosk).
 */
const CONTROL_OR_BROKEN = /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?:^|[^\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The bidirectional embedding, override and isolate controls (LRE, RLE, PDF, LRO, RLO, LRI,
 * RLI, FSI, PDI): they reorder the text after them, so "‮gnp.exe" shows as "exe.png" and a
 * name can pose as another in a list or the PDF. The lone marks (U+200E, U+200F, U+061C)
 * reorder nothing around them and do belong in mixed Arabic and Latin text: they are allowed.
 */
const DIRECTION_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;

/**
 * The letters that draw nothing: Hangul fillers are letters by category (Lo) but invisible,
 * and the blank Braille pattern is a symbol that shows as a space.
 */
const BLANK_LOOKALIKE = '\\u115f\\u1160\\u3164\\uffa0\\u2800';

/** A letter that shows, in any script (Arabic, Devanagari, Thai, Han, Latin with or without combining marks…). */
const VISIBLE_LETTER = new RegExp(`(?![${BLANK_LOOKALIKE}])\\p{L}`, 'u');

/** A character that shows: a letter, digit, punctuation or symbol ("Tablet 3", "2026", "★"). */
const VISIBLE_CHARACTER = new RegExp(`(?![${BLANK_LOOKALIKE}])[\\p{L}\\p{N}\\p{P}\\p{S}]`, 'u');

/** Why a name or label cannot be stored, for the kiosk to name in the signer's language. */
export type TextProblem = 'broken' | 'directionControl' | 'nothingVisible';

/** What is wrong with a person's name (signer or typed signature), or undefined: it must hold a visible letter. */
export function nameProblem(name: string): TextProblem | undefined {
  return textProblem(name, VISIBLE_LETTER);
}

/** What is wrong with a tablet or event name, or undefined: it must hold a visible character. */
export function labelProblem(label: string): TextProblem | undefined {
  return textProblem(label, VISIBLE_CHARACTER);
}

function textProblem(text: string, visible: RegExp): TextProblem | undefined {
  if (CONTROL_OR_BROKEN.test(text)) return 'broken';
  if (DIRECTION_CONTROL.test(text)) return 'directionControl';
  if (!visible.test(text)) return 'nothingVisible';
  return undefined;
}

/** The English message of each problem, for `subject` ("The name", "The tablet name"…). */
function problemMessage(problem: TextProblem, subject: string, visible: string): string {
  switch (problem) {
    case 'broken':
      return `${subject} contains characters that cannot be stored.`;
    case 'directionControl':
      return `${subject} contains a text-direction control (U+202A–U+202E or U+2066–U+2069), which can disguise what it shows. Please type it without one.`;
    case 'nothingVisible':
      return `${subject} must contain at least one visible ${visible}.`;
  }
}

/** The zod check of a person's name: one issue naming its problem, if any. */
export function nameCheck(subject: string) {
  return problemCheck(nameProblem, subject, 'letter');
}

/** The zod check of a tablet or event name: one issue naming its problem, if any. */
export function labelCheck(subject: string) {
  return problemCheck(labelProblem, subject, 'character');
}

/** Only the storability check (control characters, lone surrogates), for text that is not a name. */
export function storableCheck(subject: string) {
  return z.refine<string>((s) => !CONTROL_OR_BROKEN.test(s), problemMessage('broken', subject, ''));
}

function problemCheck(problemOf: (text: string) => TextProblem | undefined, subject: string, visible: string) {
  return z.superRefine((text: string, ctx) => {
    // An empty text is the length check's to refuse, with its own message.
    const problem = text === '' ? undefined : problemOf(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problemMessage(problem, subject, visible), input: text });
  });
}
