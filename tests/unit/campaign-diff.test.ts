/**
 * The console's "what changes" list (src/coordinator/campaign-diff.ts): what a coordinator
 * reads before publishing must name every changed field, in words, and nothing else.
 */
import { describe, expect, it } from 'vitest';
import { campaignDiff, fieldLabel, withConsentVersion } from '../../src/coordinator/campaign-diff.ts';
import { tidyDraft } from '../../src/coordinator/draft-fields.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import type { Campaign } from '../../src/shared/campaign.ts';

const base: Campaign = structuredClone(DEFAULT_CAMPAIGN);

function edit(change: (c: Campaign) => void): Campaign {
  const c = structuredClone(base);
  change(c);
  return c;
}

describe('campaignDiff', () => {
  it('finds nothing between a campaign and its copy under another id and version', () => {
    expect(campaignDiff(base, { ...structuredClone(base), id: 'other', version: 7 })).toEqual([]);
  });

  it('names a changed title and a changed demand, with the text before and after', () => {
    const after = edit((c) => {
      c.text.en!.title = 'A new title';
      c.text.en!.demands[1] = 'A changed second demand';
    });
    expect(campaignDiff(base, after)).toEqual([
      { path: 'text.en.title', label: 'English · Title', before: base.text.en!.title, after: 'A new title' },
      { path: 'text.en.demands.1', label: 'English · Demand 2', before: base.text.en!.demands[1], after: 'A changed second demand' },
    ]);
  });

  it('shows an added demand and a removed paragraph as added and removed', () => {
    const after = edit((c) => {
      c.text.fr!.demands.push('Une demande de plus');
      c.text.fr!.intro = c.text.fr!.intro.slice(0, -1);
    });
    const changes = campaignDiff(base, after);
    const added = changes.find((c) => c.path === `text.fr.demands.${base.text.fr!.demands.length}`);
    expect(added).toEqual({ path: added!.path, label: `French · Demand ${base.text.fr!.demands.length + 1}`, after: 'Une demande de plus' });
    const removed = changes.find((c) => c.path === `text.fr.intro.${base.text.fr!.intro.length - 1}`);
    expect(removed?.after).toBeUndefined();
    expect(removed?.before).toBe(base.text.fr!.intro.at(-1));
  });

  it('names settings in words: languages, fields, colour and timing', () => {
    const after = edit((c) => {
      c.languages = ['en', 'ar'];
      c.fields.phone = { shown: true, required: false };
      c.theme.color = '#2255AA';
      c.kiosk = { idleSeconds: 60, countdownSeconds: 10 };
    });
    const labels = campaignDiff(base, tidyDraft(after)).map((c) => `${c.label}: ${c.before} → ${c.after}`);
    expect(labels).toContain('Languages offered: English, French, Spanish, Arabic → English, Arabic');
    expect(labels).toContain('Field: Phone: hidden → shown, optional');
    expect(labels).toContain(`Theme colour: ${base.theme.color.toLowerCase()} → #2255aa`);
    expect(labels).toContain('Walk-away timing: the default (90 s idle, 15 s countdown) → 60 s idle, then a 10 s countdown');
    // The languages no longer offered leave with their text: the diff says so.
    expect(labels.some((l) => l.startsWith('French · Title:') && l.endsWith('→ undefined'))).toBe(true);
  });
});

describe('withConsentVersion', () => {
  it('gives a new consent version when the opt-in wording changes, and the published one otherwise', () => {
    const reworded = edit((c) => (c.text.es!.optIn = 'Quiero recibir noticias'));
    expect(withConsentVersion(reworded, base).consentVersion).toBe(base.consentVersion + 1);
    const retitled = edit((c) => (c.text.es!.title = 'Otro título'));
    expect(withConsentVersion({ ...retitled, consentVersion: 9 }, base).consentVersion).toBe(base.consentVersion);
  });
});

describe('fieldLabel', () => {
  it('turns the path a server refusal names into words', () => {
    expect(fieldLabel('text.ar.demands.0')).toBe('Arabic · Demand 1');
    expect(fieldLabel('text.fr.title')).toBe('French · Title');
    expect(fieldLabel('fields.email')).toBe('Field: Email');
    expect(fieldLabel('defaultLanguage')).toBe('Default language');
  });
});
