import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { CampaignSchema, LANGUAGES } from '../../src/shared/campaign.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { NUMBERING, formatLocale, translator } from '../../src/kiosk/i18n/catalog.ts';
import { i18nFor, loadCatalog } from '../../src/kiosk/i18n/index.ts';
import { CATALOGS } from '../../src/kiosk/i18n/all.ts';
import { en } from '../../src/kiosk/i18n/en.ts';
import { EMPTY_FORM, validateSigner } from '../../src/kiosk/validate.ts';
import { isTooSmall } from '../../src/kiosk/SignaturePadField.tsx';
import { PinGuard, hashPin, isValidPin, verifyPin } from '../../src/db/pin.ts';
import { UpdateGate } from '../../src/pwa/update-gate.ts';
import { realisticInk } from '../helpers/records.ts';

const ROOT = resolve(import.meta.dirname, '../..');

describe('UI catalogs', () => {
  it('every language has exactly the English keys, the same placeholders and every plural category', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const lang of LANGUAGES) {
      const catalog = CATALOGS[lang];
      expect(Object.keys(catalog).sort(), lang).toEqual(Object.keys(en).sort());
      const categories = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
      for (const [key, reference] of Object.entries(en)) {
        const entry = catalog[key as keyof typeof en];
        const refText = typeof reference === 'string' ? reference : reference.other;
        if (typeof entry === 'string') {
          expect(typeof reference, `${lang}.${key}`).toBe('string');
          expect(placeholders(entry), `${lang}.${key}`).toEqual(placeholders(refText));
        } else {
          for (const category of categories) expect(entry[category], `${lang}.${key}.${category}`).toBeTruthy();
          for (const text of Object.values(entry)) expect(placeholders(text!), `${lang}.${key}`).toEqual(placeholders(refText));
        }
      }
    }
  });

  it('plurals follow Intl.PluralRules and numbers are localised', () => {
    const tEn = translator(CATALOGS.en, 'en');
    expect(tEn('quarantined', { n: 1 })).toBe('1 needs attention');
    expect(tEn('quarantined', { n: 3 })).toBe('3 need attention');
    const tAr = translator(CATALOGS.ar, 'ar');
    const forms = [0, 1, 2, 3, 11, 100].map((n) => tAr('waiting', { n }));
    expect(new Set(forms).size).toBeGreaterThanOrEqual(4); // Arabic has six plural forms
    expect(tAr('waiting', { n: 3 })).toContain(new Intl.NumberFormat('ar-u-nu-latn').format(3));
  });

  it('each language writes its digits as chosen (Arabic: Latin), not as the engine defaults', async () => {
    expect(NUMBERING).toEqual({ en: 'latn', fr: 'latn', es: 'latn', ar: 'latn' });
    for (const lang of LANGUAGES) {
      await loadCatalog(lang);
      const i18n = i18nFor(lang);
      expect(i18n.locale).toBe(formatLocale(lang));
      expect(new Intl.NumberFormat(i18n.locale).resolvedOptions().numberingSystem, lang).toBe(NUMBERING[lang]);
      expect(new Intl.DateTimeFormat(i18n.locale).resolvedOptions().numberingSystem, lang).toBe(NUMBERING[lang]);
      // Where an engine's data would write Arabic-Indic digits for "ar" (WebKitGTK's ICU does), these stay Latin.
      expect(i18n.t('eraseDone', { n: 1234 }), lang).toMatch(/1.?234/);
      expect(i18n.t('eraseDone', { n: 1234 }), lang).not.toMatch(/[\u0660-\u0669\u06f0-\u06f9]/);
    }
    // The numbering is a real choice: the same text in Arabic-Indic digits when asked for.
    expect(new Intl.NumberFormat('ar-u-nu-arab').format(1234)).toBe('١٬٢٣٤');
  });

  it('no UI text is hard-coded in the kiosk components: every visible string comes from a catalog', () => {
    const dir = join(ROOT, 'src/kiosk');
    const offenders: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.tsx'))) {
      const source = readFileSync(join(dir, file), 'utf8');
      // Text between tags that contains a letter, e.g. <p>Hello</p> (not {expressions}).
      // (Not arrows `=> Promise<…>` nor generics `useState<T>(…)`: no `=` before, no code chars inside.)
      for (const m of source.matchAll(/(?<!=)>([^<>{}();=\n]*\p{L}[^<>{}();=\n]*)</gu)) offenders.push(`${file}: text "${m[1].trim()}"`);
      // Literal user-facing attributes.
      for (const m of source.matchAll(/\b(aria-label|alt|title|placeholder)="([^"]*\p{L}[^"]*)"/gu)) offenders.push(`${file}: ${m[1]}="${m[2]}"`);
    }
    expect(offenders).toEqual([]);
  });
});

describe('campaign document', () => {
  it('the default campaign is valid, in four languages, with the defenders petition', () => {
    const campaign = z.parse(CampaignSchema, DEFAULT_CAMPAIGN);
    expect(campaign.languages).toEqual(['en', 'fr', 'es', 'ar']);
    for (const lang of campaign.languages) {
      const text = campaign.text[lang]!;
      expect(text.demands).toHaveLength(2);
      expect(text.attestation).toContain('{name}');
    }
    expect(campaign.text.en!.title).toBe('Join the global call to protect human rights defenders everywhere');
    expect(campaign.fields.email).toEqual({ shown: true, required: true });
  });

  it('refuses a campaign whose offered language has no text, a hidden required field, or no name', () => {
    const issues = (c: unknown) => (z.safeParse(CampaignSchema, c).error?.issues ?? []).map((i) => i.message);
    expect(issues({ ...DEFAULT_CAMPAIGN, text: { en: DEFAULT_CAMPAIGN.text.en } })).toContain('Every offered language needs its text.');
    expect(issues({ ...DEFAULT_CAMPAIGN, fields: { ...DEFAULT_CAMPAIGN.fields, phone: { shown: false, required: true } } })).toContain('A hidden field cannot be required.');
    expect(issues({ ...DEFAULT_CAMPAIGN, fields: { ...DEFAULT_CAMPAIGN.fields, name: { shown: false, required: false } } })).toContain('A petition always asks for the signer’s name.');
    expect(issues({ ...DEFAULT_CAMPAIGN, theme: { color: 'red' } })).toContain('Use a colour like #1a1a2e.');
    expect(issues({ ...DEFAULT_CAMPAIGN, logo: 'javascript:alert(1)' })).toContain('Use a path like /logo.svg or a data:image URL.');
  });
});

describe('sign form validation', () => {
  const fields = (shown: Partial<Record<'postcode' | 'phone' | 'email', { shown: boolean; required: boolean }>>) => ({
    ...DEFAULT_CAMPAIGN,
    fields: { ...DEFAULT_CAMPAIGN.fields, ...shown },
  });

  it('names each missing required field by its catalog key', () => {
    expect(validateSigner(EMPTY_FORM, DEFAULT_CAMPAIGN).errors).toEqual({ name: 'nameRequired', email: 'emailRequired', country: 'countryRequired' });
    expect(validateSigner({ ...EMPTY_FORM, name: 'Ana', email: 'ana@', country: 'ES' }, DEFAULT_CAMPAIGN).errors).toEqual({ email: 'emailInvalid' });
  });

  it('follows the campaign: optional fields may stay empty, hidden ones are never stored', () => {
    const campaign = fields({ email: { shown: true, required: false }, postcode: { shown: true, required: true }, phone: { shown: false, required: false } });
    const result = validateSigner({ ...EMPTY_FORM, name: ' Ana ', country: 'ES', postcode: '28001', phone: '+34 600 000 000' }, campaign);
    expect(result.signer).toEqual({ name: 'Ana', country: 'ES', postcode: '28001', optIn: false });
    expect(validateSigner({ ...EMPTY_FORM, name: 'Ana', country: 'ES', postcode: '!!' }, campaign).errors).toEqual({ postcode: 'postcodeInvalid' });
  });
});

describe('signature size check', () => {
  it('accepts a real signature and refuses a dot or a tiny scribble', () => {
    expect(isTooSmall(realisticInk(1))).toBe(false);
    expect(isTooSmall({ width: 600, height: 200, strokes: [[{ x: 10, y: 10, t: 0 }]] })).toBe(true);
    const tiny = Array.from({ length: 20 }, (_, i) => ({ x: 100 + (i % 5), y: 100 + (i % 3), t: i * 16 }));
    expect(isTooSmall({ width: 600, height: 200, strokes: [tiny] })).toBe(true);
  });
});

describe('volunteer PIN', () => {
  it('stores only a salted hash and verifies the right PIN only', async () => {
    expect(isValidPin('2468')).toBe(true);
    expect(isValidPin('12')).toBe(false);
    expect(isValidPin('12ab')).toBe(false);
    const a = await hashPin('2468');
    const b = await hashPin('2468');
    expect(a.hash).not.toBe(b.hash); // fresh salt each time
    expect(JSON.stringify(a)).not.toContain('2468');
    expect(await verifyPin('2468', a)).toBe(true);
    expect(await verifyPin('2469', a)).toBe(false);
  });

  it('locks the prompt after five wrong PINs, longer each time', () => {
    const guard = new PinGuard();
    for (let i = 0; i < 4; i++) guard.miss(0);
    expect(guard.waitMs(0)).toBe(0);
    guard.miss(0);
    expect(guard.waitMs(0)).toBe(30_000);
    guard.miss(0);
    expect(guard.waitMs(0)).toBe(60_000);
    guard.reset();
    expect(guard.waitMs(0)).toBe(0);
  });

  it('keeps the lock-out across a reload when given storage', () => {
    const saved = new Map<string, string>();
    const storage = { getItem: (k: string) => saved.get(k) ?? null, setItem: (k: string, v: string) => void saved.set(k, v) };
    const first = new PinGuard(storage);
    for (let i = 0; i < 5; i++) first.miss(1_000);
    expect(new PinGuard(storage).waitMs(1_000)).toBe(30_000);
  });
});

describe('updates mid-rally', () => {
  it('a downloaded update is applied only between signers, once', () => {
    let applied = 0;
    const gate = new UpdateGate(() => applied++);
    expect(gate.betweenSigners()).toBe(false); // nothing waiting
    gate.updateReady(); // a signer may be mid-form right now: nothing happens
    expect(applied).toBe(0);
    expect(gate.betweenSigners()).toBe(true);
    expect(applied).toBe(1);
    expect(gate.betweenSigners()).toBe(false);
    expect(applied).toBe(1);
  });
});
