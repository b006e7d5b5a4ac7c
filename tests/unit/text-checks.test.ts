/**
 * F10: names that show nothing, and text-direction controls that disguise what a name shows,
 * are refused by the one shared schema (src/shared/text-checks.ts) that both the kiosk and
 * the server use, with a message that says why; real names in every script stay valid, and
 * nothing a signer typed is ever altered.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { CodeRequestSchema } from '../../src/shared/api/devices.ts';
import { EnrollRequestSchema, SignerSchema, TypedSignatureSchema } from '../../src/shared/protocol.ts';
import { labelProblem, nameProblem } from '../../src/shared/text-checks.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { CATALOGS } from '../../src/kiosk/i18n/all.ts';
import { EMPTY_FORM, typedNameError, validateSigner } from '../../src/kiosk/validate.ts';

const signer = { name: 'Amina Diallo', email: 'amina@example.org', country: 'SN', optIn: false };
const nameMessages = (name: string) => {
  const result = z.safeParse(SignerSchema, { ...signer, name });
  return result.success ? [] : result.error.issues.map((i) => i.message);
};

/** Real names the checks must never refuse, and must keep byte for byte. */
const REAL_NAMES = [
  'أمينة ديالو', // Arabic
  'अमिताभ बच्चन', // Devanagari, with virama
  'क्‍षमा', // Devanagari with a ZWJ inside
  'می‌خواهم نوری', // Persian with a ZWNJ inside
  '李小龙', // Han
  'สมชาย ใจดี', // Thai, with vowel signs (combining marks)
  'Zoe\u0308 Nguye\u0302\u0303n', // Latin with combining diaeresis, circumflex, tilde
  'Ngũgĩ wa Thiong’o',
  'Amina \u200f(أمينة)\u200e Diallo', // the lone direction marks belong in mixed text
  'O’Connor-Smith 👩🏾',
  '김민준',
];

/** Names that show nothing: zero-width, Mongolian vowel separator, Hangul fillers, blank Braille, digits only. */
const INVISIBLE_NAMES = ['\u200b', '\u200b\u180e', '\u180e\u180e\u180e', '\u200d \u200c', '\u3164', '\u115f\u1160', '\uffa0', '\u2800\u2800', '\u200b\ufeff\u200b', '\u2060', '123'];

/** Every embedding, override and isolate control, inside an otherwise real name. */
const DIRECTION_CONTROLS = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];

describe('names must show a letter and carry no direction controls (F10)', () => {
  it.each(REAL_NAMES)('keeps the real name %s valid and unaltered', (name) => {
    expect(nameMessages(name)).toEqual([]);
    expect(z.parse(SignerSchema, { ...signer, name }).name).toBe(name);
    expect(z.parse(TypedSignatureSchema, { name, attestation: `I, ${name}, sign.` }).name).toBe(name);
    expect(validateSigner({ ...EMPTY_FORM, name, email: signer.email, country: 'SN' }, DEFAULT_CAMPAIGN).signer?.name).toBe(name);
    expect(typedNameError(name)).toBeUndefined();
  });

  it.each(INVISIBLE_NAMES.map((n) => [JSON.stringify(n), n]))('refuses the invisible name %s, saying a visible letter is needed', (_, name) => {
    expect(nameProblem(name)).toBe('nothingVisible');
    expect(nameMessages(name)).toEqual(['The name must contain at least one visible letter.']);
    expect(z.safeParse(TypedSignatureSchema, { name, attestation: 'I sign.' }).error?.issues.map((i) => i.message)).toEqual([
      'The typed name must contain at least one visible letter.',
    ]);
    expect(validateSigner({ ...EMPTY_FORM, name, email: signer.email, country: 'SN' }, DEFAULT_CAMPAIGN).errors).toEqual({ name: 'nameNoLetter' });
    expect(typedNameError(name)).toBe('typedNoLetter');
  });

  it.each(DIRECTION_CONTROLS.map((c) => [`U+${c.codePointAt(0)!.toString(16).toUpperCase()}`, c]))('refuses %s in a name, typed name, tablet name and event name', (_, control) => {
    const name = `Amina${control}ollaiD`;
    expect(nameProblem(name)).toBe('directionControl');
    expect(nameMessages(name)).toEqual([
      'The name contains a text-direction control (U+202A–U+202E or U+2066–U+2069), which can disguise what it shows. Please type it without one.',
    ]);
    expect(z.safeParse(TypedSignatureSchema, { name, attestation: 'I sign.' }).success).toBe(false);
    expect(validateSigner({ ...EMPTY_FORM, name, email: signer.email, country: 'SN' }, DEFAULT_CAMPAIGN).errors).toEqual({ name: 'nameDirectionControl' });
    expect(typedNameError(name)).toBe('typedDirectionControl');
    expect(z.safeParse(EnrollRequestSchema, { protocol: 1, code: '7K2QD-M9XHP', label: `Tablet${control} 3` }).error?.issues[0].message).toMatch(/^The tablet name contains a text-direction control/);
    expect(z.safeParse(CodeRequestSchema, { event: `Rally${control} Nairobi` }).error?.issues[0].message).toMatch(/^The event name contains a text-direction control/);
  });

  it('a tablet or event name needs one visible character, digits and symbols included', () => {
    for (const label of ['Tablet 3', '2026', '★', 'مسيرة ١']) {
      expect(labelProblem(label)).toBeUndefined();
      expect(z.parse(EnrollRequestSchema, { protocol: 1, code: '7K2QD-M9XHP', label }).label).toBe(label);
      expect(z.parse(CodeRequestSchema, { event: label }).event).toBe(label);
    }
    for (const label of ['\u200b', '\u3164\u180e', '\u2800']) {
      expect(z.safeParse(EnrollRequestSchema, { protocol: 1, code: '7K2QD-M9XHP', label }).error?.issues[0].message).toBe('The tablet name must contain at least one visible character.');
      expect(z.safeParse(CodeRequestSchema, { event: label }).error?.issues[0].message).toBe('The event name must contain at least one visible character.');
    }
  });

  it('control characters keep their own message, and an empty name only the required one', () => {
    expect(nameMessages('Amina\u0000')).toEqual(['The name contains characters that cannot be stored.']);
    expect(nameMessages('   ')).toEqual(['Please enter your full name.']);
  });

  it('the kiosk says each new message in every language', () => {
    for (const [lang, catalog] of Object.entries(CATALOGS)) {
      for (const key of ['nameNoLetter', 'nameDirectionControl', 'typedInvalid', 'typedNoLetter', 'typedDirectionControl'] as const) {
        expect(typeof catalog[key], `${lang}.${key}`).toBe('string');
        if (lang !== 'en') expect(catalog[key], `${lang}.${key} is translated`).not.toBe(CATALOGS.en[key]);
      }
    }
  });
});
