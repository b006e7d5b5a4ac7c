/**
 * F10 on the kiosk, in real Chromium: a name that shows nothing (zero-width characters) or
 * that carries a text-direction control is refused on the sign form with a message under the
 * name field, in every language, and nothing is stored on the tablet; the name is left as typed.
 * With SCREENSHOTS set, saves docs/screenshots/kiosk-name-invisible.png.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { LANGUAGES, type Language } from '../../src/shared/campaign.ts';
import { appAndChromium } from '../helpers/fixtures.ts';
import { enrolledKiosk, outboxRows, screenshot, tr } from '../helpers/kiosk-extra.ts';

const fixture = appAndChromium();

/** Pick `to` in the form's language select, whose label is in the current language `from`. */
async function switchLanguage(page: Page, from: Language, to: Language): Promise<void> {
  await page.getByRole('combobox', { name: tr(from)('languageLabel'), exact: true }).selectOption(to);
  await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe(to);
}

/** Type `name` in the name field of the form in `lang` and press Continue; returns the name field. */
async function submitName(page: Page, lang: Language, name: string) {
  const field = page.getByRole('textbox', { name: tr(lang)('nameLabel'), exact: true });
  await field.fill(name);
  await page.getByRole('button', { name: tr(lang)('continue'), exact: true }).click();
  return field;
}

/** The text of the error the name field is described by. */
async function nameError(page: Page): Promise<string> {
  const field = page.locator('[data-field="name"]');
  await expect.poll(() => field.getAttribute('aria-invalid')).toBe('true');
  const id = await field.getAttribute('aria-describedby');
  return page.locator(`[id="${id}"]`).innerText();
}

describe('the sign form refuses invisible and direction-controlled names (F10)', () => {
  it('says so under the name field in every language, focuses the field, keeps what was typed and stores nothing', async () => {
    const { context, page } = await enrolledKiosk(fixture.browser, fixture.app, 'Invisible names rally');
    let current: Language = 'en';
    for (const lang of LANGUAGES) {
      if (lang !== current) await switchLanguage(page, current, lang);
      current = lang;
      const invisible = await submitName(page, lang, '\u200b\u180e\u200b');
      expect(await nameError(page), lang).toBe(tr(lang)('nameNoLetter'));
      expect(await invisible.inputValue()).toBe('\u200b\u180e\u200b');
      expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.field)).toBe('name');
      await submitName(page, lang, 'Amina \u202eollaiD');
      expect(await nameError(page), lang).toBe(tr(lang)('nameDirectionControl'));
    }
    await switchLanguage(page, current, 'en');
    // The picture shows the name's error alone: the other fields are filled in.
    await page.getByRole('textbox', { name: tr('en')('emailLabel'), exact: true }).fill('amina@example.org');
    await page.getByRole('combobox', { name: tr('en')('countryLabel'), exact: true }).selectOption('SN');
    await submitName(page, 'en', '\u200b\u180e\u200b');
    expect(await nameError(page)).toBe(tr('en')('nameNoLetter'));
    await screenshot(page, 'kiosk-name-invisible.png');
    expect(await outboxRows(page)).toEqual([]);
    await context.close();
  });
});
