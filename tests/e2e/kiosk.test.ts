/**
 * The kiosk as signers and volunteers meet it, in real Chromium against the real server
 * (started as the README starts it): four languages with a mirrored Arabic layout, plurals
 * on the status line, nothing of one signer left for the next, the signature canvas (high
 * DPI, resize, undo, clear, too small, touch), the typed-signature alternative done with the
 * keyboard only, a full disk, and the volunteer screen behind its PIN.
 *
 * Each group runs on its own browser context, i.e. its own freshly enrolled tablet.
 * With SCREENSHOTS set, it also saves the screenshots in docs/screenshots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CATALOGS } from '../../src/kiosk/i18n/all.ts';
import { THANKS_SECONDS } from '../../src/kiosk/Thanks.tsx';
import type { Language } from '../../src/shared/campaign.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { decodeInk, pointCount } from '../../src/shared/ink.ts';
import { startApp, type AppProcess } from '../helpers/app-process.ts';
import { drawSignature, launchChromium } from '../helpers/browser.ts';
import { TEST_PIN, closeVolunteer, fillAndDraw, openVolunteer, signOnce } from '../helpers/kiosk.ts';
import {
  definitionOf,
  enrolledKiosk,
  focused,
  inkedPixels,
  installStorageFullSwitch,
  outboxRows,
  previewStrokes,
  previewSvg,
  screenshot,
  seedOutbox,
  serverRecordOf,
  setStorageFull,
  statusLine,
  tabTo,
  touchStroke,
  tr,
  waitingText,
  type Kiosk,
} from '../helpers/kiosk-extra.ts';
import { makeRecord } from '../helpers/records.ts';

const en = CATALOGS.en;
const ar = CATALOGS.ar;
const T = { en: tr('en'), fr: tr('fr'), es: tr('es'), ar: tr('ar') } as const;

let app: AppProcess;
let browser: Browser;

beforeAll(async () => {
  app = await startApp();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

/** The name of country `code` in `lang`, as Intl (and so the kiosk) says it. */
const countryIn = (lang: string, code: string) => new Intl.DisplayNames([lang], { type: 'region' }).of(code)!;

/** Pick `to` in the form's language select, whose label is in the current language `from`. */
async function switchLanguage(page: Page, from: Language, to: Language): Promise<void> {
  await page.getByRole('combobox', { name: T[from]('languageLabel'), exact: true }).selectOption(to);
  await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe(to);
}

/** The petition, the form, its labels and buttons, and the status line all speak `lang`. */
async function expectLanguage(page: Page, lang: Language): Promise<void> {
  const t = T[lang];
  const text = DEFAULT_CAMPAIGN.text[lang]!;
  await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe(text.title);
  expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual([lang, lang === 'ar' ? 'rtl' : 'ltr']);
  expect(await page.getByText(text.call, { exact: true }).count()).toBe(1);
  for (const demand of text.demands) expect(await page.getByRole('listitem').filter({ hasText: demand }).count()).toBe(1);
  expect(await page.getByRole('heading', { level: 2, name: t('formHeading'), exact: true }).count()).toBe(1);
  expect(await page.getByText(t('privacy'), { exact: true }).count()).toBe(1);
  expect(await page.getByRole('combobox', { name: t('languageLabel'), exact: true }).inputValue()).toBe(lang);
  expect(await page.getByRole('textbox', { name: t('nameLabel'), exact: true }).count()).toBe(1);
  expect(await page.getByRole('textbox', { name: t('emailLabel'), exact: true }).count()).toBe(1);
  const country = page.getByRole('combobox', { name: t('countryLabel'), exact: true });
  expect(await country.locator('option[value=""]').innerText()).toBe(t('countryPlaceholder'));
  expect(await country.locator('option[value="DE"]').innerText()).toBe(countryIn(lang, 'DE'));
  expect(await country.locator('option[value="JP"]').innerText()).toBe(countryIn(lang, 'JP'));
  expect(await page.getByRole('checkbox', { name: `${text.optIn} ${t('optionalSuffix')}`, exact: true }).count()).toBe(1);
  expect(await page.getByRole('group', { name: t('signatureLabel'), exact: true }).count()).toBe(1);
  expect(await page.getByRole('img', { name: t('signatureCanvas'), exact: true }).count()).toBe(1);
  for (const key of ['undoStroke', 'clearSignature', 'cannotDraw', 'continue', 'volunteer'] as const) {
    expect(await page.getByRole('button', { name: t(key), exact: true }).count(), key).toBe(1);
  }
  await expect.poll(() => waitingText(page), { timeout: 15_000 }).toBe(t('waiting', { n: 0 }));
}

/** Where the label's text sits relative to its input, and where the two columns are. */
async function layout(page: Page, lang: Language) {
  const t = T[lang];
  const label = await page.getByRole('textbox', { name: t('nameLabel'), exact: true }).evaluate((input: HTMLInputElement) => {
    const range = document.createRange();
    range.selectNodeContents(input.labels![0]);
    const text = range.getBoundingClientRect();
    const box = input.getBoundingClientRect();
    return { fromLeft: text.left - box.left, fromRight: box.right - text.right };
  });
  const petition = (await page.getByRole('article').boundingBox())!;
  const form = (await page.getByRole('region', { name: t('formHeading'), exact: true }).boundingBox())!;
  return { label, petitionLeftOfForm: petition.x + petition.width <= form.x, petitionRightOfForm: petition.x >= form.x + form.width };
}

describe('languages', () => {
  let k: Kiosk;
  beforeAll(async () => {
    k = await enrolledKiosk(browser, app, 'Languages rally');
  });
  afterAll(() => k?.context.close());

  it('the signer switches to French, Spanish and Arabic (mirrored); an Arabic signature is stored with lang "ar"; the next signer gets English', async () => {
    const { page } = k;
    await expectLanguage(page, 'en');
    expect(await layout(page, 'en')).toMatchObject({ petitionLeftOfForm: true, petitionRightOfForm: false });
    expect((await layout(page, 'en')).label.fromLeft).toBeLessThan(4);
    await screenshot(page, 'sign-form-en.png');

    // What the signer already typed stays when they switch language.
    await page.getByRole('textbox', { name: 'Full name', exact: true }).fill('Marie Curie');
    await switchLanguage(page, 'en', 'fr');
    await expectLanguage(page, 'fr');
    expect(countryIn('fr', 'DE')).toBe('Allemagne');
    expect(await page.getByRole('textbox', { name: T.fr('nameLabel'), exact: true }).inputValue()).toBe('Marie Curie');
    await page.getByRole('textbox', { name: T.fr('nameLabel'), exact: true }).fill('');

    await switchLanguage(page, 'fr', 'es');
    await expectLanguage(page, 'es');

    await switchLanguage(page, 'es', 'ar');
    await expectLanguage(page, 'ar');
    expect(countryIn('ar', 'DE')).toBe('ألمانيا');
    // Mirrored: the petition column is on the right, labels start at the right edge.
    const mirrored = await layout(page, 'ar');
    expect(mirrored).toMatchObject({ petitionLeftOfForm: false, petitionRightOfForm: true });
    expect(mirrored.label.fromRight).toBeLessThan(4);
    expect(mirrored.label.fromLeft).toBeGreaterThan(100);
    await screenshot(page, 'sign-form-ar.png');

    const name = 'ليلى حسن';
    await page.getByRole('textbox', { name: ar.nameLabel as string, exact: true }).fill(name);
    await page.getByRole('textbox', { name: ar.emailLabel as string, exact: true }).fill('layla@example.org');
    await page.getByRole('combobox', { name: ar.countryLabel as string, exact: true }).selectOption('DE');
    await drawSignature(page, ar.signatureCanvas as string, 1);
    await page.getByRole('button', { name: ar.continue as string, exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { name: ar.confirmHeading as string }).count()).toBe(1);
    expect(await definitionOf(page, ar.nameLabel as string)).toBe(name);
    expect(await definitionOf(page, ar.countryLabel as string)).toBe('ألمانيا');
    await page.getByRole('button', { name: ar.confirm as string, exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { name: ar.thanksHeading as string }).count()).toBe(1);
    expect(await page.getByRole('status').filter({ hasText: ar.thanksBody as string }).count()).toBe(1);
    await page.getByRole('button', { name: ar.nextSigner as string, exact: true }).click();

    // The next signer starts in the campaign's default language, left to right.
    expect(DEFAULT_CAMPAIGN.defaultLanguage).toBe('en');
    await expectLanguage(page, 'en');
    expect(await layout(page, 'en')).toMatchObject({ petitionLeftOfForm: true });

    const stored = await serverRecordOf(app, name);
    expect(stored).toMatchObject({ lang: 'ar', consentVersion: 1, campaignVersion: 1, campaignId: DEFAULT_CAMPAIGN.id });
    expect(stored.payload).toMatchObject({ signer: { name, email: 'layla@example.org', country: 'DE', optIn: false } });
  }, 90_000);
});

describe('plurals', () => {
  let k: Kiosk;
  beforeAll(async () => {
    k = await enrolledKiosk(browser, app, 'Plurals rally');
    await k.context.setOffline(true); // so signatures stay waiting
  });
  afterAll(() => k?.context.close());

  it('the status line follows Intl.PluralRules in English and Arabic (1, 2, 3, 11)', async () => {
    const { page } = k;
    const arWaiting = (n: number) => {
      const category = new Intl.PluralRules('ar').select(n);
      const entry = ar.waiting as Record<string, string>;
      return { category, text: T.ar('waiting', { n }) , raw: entry[category] ?? entry.other };
    };
    expect([1, 2, 3, 11].map((n) => arWaiting(n).category)).toEqual(['one', 'two', 'few', 'many']);

    await signOnce(page, { name: 'Plural One', email: 'one@example.org', country: 'IE' }, 1);
    await expect.poll(() => waitingText(page)).toBe('1 waiting to sync');
    expect(T.en('waiting', { n: 1 })).toBe('1 waiting to sync');
    await switchLanguage(page, 'en', 'ar');
    await expect.poll(() => waitingText(page)).toBe(arWaiting(1).text);
    expect(arWaiting(1).text).toBe(arWaiting(1).raw.replace('{n}', new Intl.NumberFormat('ar').format(1)));

    let pending = 1;
    let quarantined = 0;
    for (const [n, q] of [[2, 1], [3, 2], [11, 11]] as const) {
      await seedOutbox(page, Array.from({ length: n - pending }, () => makeRecord()));
      await seedOutbox(page, Array.from({ length: q - quarantined }, () => makeRecord()), 'quarantined');
      [pending, quarantined] = [n, q];
      await page.reload(); // back to English, with the counts re-read
      await expect.poll(() => waitingText(page)).toBe(`${n} waiting to sync`);
      expect(await statusLine(page)).toContain(`· ${q} ${q === 1 ? 'needs' : 'need'} attention`);
      expect(await statusLine(page)).toContain(T.en('quarantined', { n: q }));
      await switchLanguage(page, 'en', 'ar');
      await expect.poll(() => waitingText(page)).toBe(arWaiting(n).text);
      expect(await statusLine(page)).toContain(T.ar('quarantined', { n: q }));
    }
  }, 90_000);
});

/** Everything a person could read or recover of `needles` on the page: markup and field values. */
async function traces(page: Page, needles: string[]): Promise<string[]> {
  const { html, values } = await page.evaluate(() => ({
    html: document.body.innerHTML,
    values: [...document.querySelectorAll('input, select, textarea')].map((el) => (el as HTMLInputElement).value),
  }));
  return needles.filter((n) => html.includes(n) || values.some((v) => v.includes(n)));
}

/** The sign form is blank: empty fields, opt-in unticked, blank canvas, no errors, no confirm step. */
async function expectBlankForm(page: Page): Promise<void> {
  await expect.poll(() => page.getByRole('button', { name: 'Continue', exact: true }).count(), { timeout: 5_000 }).toBe(1);
  for (const field of ['Full name', 'Email']) expect(await page.getByRole('textbox', { name: field, exact: true }).inputValue(), field).toBe('');
  expect(await page.getByRole('combobox', { name: 'Country', exact: true }).inputValue()).toBe('');
  expect(await page.getByRole('checkbox', { name: /Keep me informed/ }).isChecked()).toBe(false);
  expect(await inkedPixels(page)).toBe(0);
  expect(await page.getByRole('heading', { name: 'Please check your details' }).count()).toBe(0);
  expect(await page.getByRole('heading', { name: 'Thank you!' }).count()).toBe(0);
  expect(await page.getByText(/^Please /).count()).toBe(0);
}

/**
 * Forms, and the fields in them, whose autocomplete lets the browser remember or offer what
 * a signer typed. (The language picker sits outside the form and holds nothing personal.)
 */
function rememberedFields(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const bad: string[] = [];
    for (const form of document.querySelectorAll('form')) if (form.getAttribute('autocomplete') !== 'off') bad.push(`form ${form.className}`);
    for (const el of document.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, form select, textarea')) {
      if (el instanceof HTMLInputElement && ['checkbox', 'radio', 'hidden', 'submit', 'button'].includes(el.type)) continue;
      const ac = el.getAttribute('autocomplete');
      const ok = ac === 'off' || (el instanceof HTMLInputElement && el.type === 'password' && ac === 'new-password');
      if (!ok) bad.push(`${el.tagName.toLowerCase()}#${el.id} autocomplete=${ac}`);
    }
    return bad;
  });
}

/** Words a "restore your unsaved form" offer would use. */
const RESTORE_OFFER = /unsaved|restore|draft|recover|continue where|pick up where/i;

describe('privacy between signers', () => {
  let k: Kiosk;
  beforeAll(async () => {
    k = await enrolledKiosk(browser, app, 'Privacy rally', {
      beforeEnroll: async (page) => expect(await rememberedFields(page)).toEqual([]),
    });
  });
  afterAll(() => k?.context.close());

  const signer = { name: 'Zéphyrine Quackenbush', email: 'zephyrine.q@example.org', country: 'NZ', optIn: true };

  it('the thank-you screen clears itself after its countdown, leaving no trace of the signer', async () => {
    const { page } = k;
    expect(await rememberedFields(page)).toEqual([]);
    await page.getByRole('button', { name: 'I can’t draw a signature' }).click();
    expect(await rememberedFields(page)).toEqual([]); // the typed-signature field too
    await page.getByRole('button', { name: 'Draw my signature instead' }).click();

    const historyBefore = await page.evaluate(() => history.length);
    await fillAndDraw(page, signer, 1);
    await page.getByRole('button', { name: 'Confirm and sign' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Thank you!' }).count()).toBe(1);
    const shownAt = Date.now();
    expect(await page.getByText(/^Clearing the screen in \d+ seconds?\.$/).innerText()).toMatch(
      new RegExp(`^(${T.en('resetCountdown', { n: THANKS_SECONDS })}|${T.en('resetCountdown', { n: THANKS_SECONDS - 1 })})$`.replace(/\./g, '\\.')),
    );
    await screenshot(page, 'thank-you.png');

    // Nobody clicks "Next person": the screen resets by itself after the countdown.
    await expect.poll(() => page.getByRole('button', { name: 'Continue', exact: true }).count(), { timeout: (THANKS_SECONDS + 5) * 1000 }).toBe(1);
    expect(Date.now() - shownAt).toBeGreaterThan((THANKS_SECONDS - 1.5) * 1000);
    await expectBlankForm(page);
    expect(await traces(page, [signer.name, 'Quackenbush', signer.email, 'zephyrine'])).toEqual([]);
    expect(await rememberedFields(page)).toEqual([]);
    expect(await page.getByText(RESTORE_OFFER).count()).toBe(0);

    // The visit left no history entry to step back into.
    expect(await page.evaluate(() => history.length)).toBe(historyBefore);
    await page.goBack().catch(() => null);
    expect(await traces(page, [signer.name, signer.email])).toEqual([]);
    if ((await page.getByRole('button', { name: 'Continue', exact: true }).count()) === 0) await page.goto(app.url);
    await expectBlankForm(page);
    expect(await traces(page, [signer.name, signer.email])).toEqual([]);

    // Once the server has it, the tablet keeps nothing of the signer either.
    await serverRecordOf(app, signer.name);
    await expect.poll(async () => (await outboxRows(page)).map((r) => r.state)).toEqual(['synced']);
    expect((await outboxRows(page))[0].name).toBeUndefined();
  }, 90_000);

  it('a half-filled form is wiped by a reload, by the volunteer screen, and by a cancelled PIN prompt', async () => {
    const { page } = k;
    const half = { name: 'Half Filled Person', email: 'half.filled@example.org' };
    const fillHalf = async () => {
      await page.getByRole('textbox', { name: 'Full name', exact: true }).fill(half.name);
      await page.getByRole('textbox', { name: 'Email', exact: true }).fill(half.email);
      await page.getByRole('combobox', { name: 'Country', exact: true }).selectOption('PT');
      await drawSignature(page, 'Signature area', 2);
    };

    await fillHalf();
    await page.reload();
    await expectBlankForm(page);
    expect(await traces(page, [half.name, half.email])).toEqual([]);
    expect(await page.getByText(RESTORE_OFFER).count()).toBe(0);

    await fillHalf();
    await openVolunteer(page);
    expect(await traces(page, [half.name, half.email])).toEqual([]);
    expect(await rememberedFields(page)).toEqual([]); // the volunteer's own name field
    await closeVolunteer(page);
    await expectBlankForm(page);
    expect(await traces(page, [half.name, half.email])).toEqual([]);

    await fillHalf();
    await page.getByRole('button', { name: 'Volunteer', exact: true }).click();
    expect(await rememberedFields(page)).toEqual([]); // the PIN prompt
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await expectBlankForm(page);
    expect(await traces(page, [half.name, half.email])).toEqual([]);
  }, 90_000);
});

describe('the signature canvas', () => {
  let k: Kiosk;
  beforeAll(async () => {
    k = await enrolledKiosk(browser, app, 'Canvas rally', { deviceScaleFactor: 2, hasTouch: true });
  });
  afterAll(() => k?.context.close());

  const canvas = (page: Page) => page.getByRole('img', { name: 'Signature area' });
  const backing = (page: Page) =>
    canvas(page).evaluate((c: HTMLCanvasElement) => {
      const box = c.getBoundingClientRect();
      return { width: c.width, height: c.height, cssWidth: box.width, cssHeight: box.height };
    });
  /** Continue to the confirm step, count the preview's strokes, and come back to the form. */
  const strokesInPreview = async (page: Page) => {
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Please check your details' }).count()).toBe(1);
    const n = await previewStrokes(page);
    await page.getByRole('button', { name: 'Change something' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Continue', exact: true }).isVisible()).toBe(true);
    return n;
  };

  it('is crisp at 2× and keeps its strokes through a resize and a rotation; Undo, Clear and "too small" work', async () => {
    const { page } = k;
    const crisp = await backing(page);
    expect(crisp.width).toBe(Math.round(crisp.cssWidth * 2));
    expect(crisp.height).toBe(Math.round(crisp.cssHeight * 2));

    await page.getByRole('textbox', { name: 'Full name', exact: true }).fill('Canvas Tester');
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill('canvas@example.org');
    await page.getByRole('combobox', { name: 'Country', exact: true }).selectOption('CA');
    await drawSignature(page, 'Signature area', 1); // three strokes
    expect(await inkedPixels(page)).toBeGreaterThan(500);
    expect(await strokesInPreview(page)).toBe(3);

    for (const viewport of [{ width: 1000, height: 900 }, { width: 700, height: 1000 }]) {
      const before = await backing(page);
      await page.setViewportSize(viewport);
      await expect.poll(async () => Math.round((await backing(page)).cssWidth)).not.toBe(Math.round(before.cssWidth));
      // The backing store follows the new box once the resize handler has run (later under load).
      await expect
        .poll(async () => {
          const after = await backing(page);
          return after.width - Math.round(after.cssWidth * 2);
        }, { message: `backing store at ${viewport.width}px` })
        .toBe(0);
      await expect.poll(() => inkedPixels(page), { message: `ink after resizing to ${viewport.width}×${viewport.height}` }).toBeGreaterThan(500);
      expect(await strokesInPreview(page), `strokes after resizing to ${viewport.width}×${viewport.height}`).toBe(3);
    }
    // The strokes were rescaled to the new box, not cut off or left in a corner: the
    // signature still spans it as drawn (from 10% to ~85% of the width).
    const narrow = await backing(page);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    const svg = await previewSvg(page);
    const [, vbWidth] = /viewBox="0 0 ([\d.]+) /.exec(svg)!;
    const xs = [...svg.matchAll(/[ML]([\d.]+) /g)].map((m) => Number(m[1]));
    expect(Math.abs(Number(vbWidth) - narrow.cssWidth)).toBeLessThan(2);
    expect(Math.max(...xs) / Number(vbWidth)).toBeGreaterThan(0.7);
    expect(Math.min(...xs) / Number(vbWidth)).toBeLessThan(0.15);
    await page.getByRole('button', { name: 'Change something' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Continue', exact: true }).isVisible()).toBe(true);

    // Undo takes the last stroke away.
    const threeStrokes = await inkedPixels(page);
    await page.getByRole('button', { name: 'Undo', exact: true }).click();
    const twoStrokes = await inkedPixels(page);
    expect(twoStrokes).toBeGreaterThan(0);
    expect(twoStrokes).toBeLessThan(threeStrokes);
    expect(await strokesInPreview(page)).toBe(2);

    // Clear empties the box, and Continue then asks for a signature.
    await page.getByRole('button', { name: 'Clear', exact: true }).click();
    expect(await inkedPixels(page)).toBe(0);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await expect.poll(() => page.getByText('Please sign in the box.').count()).toBe(1);
    expect(await canvas(page).getAttribute('aria-invalid')).toBe('true');

    // A tiny scribble is refused, kindly.
    const box = (await canvas(page).boundingBox())!;
    const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    for (const [dx, dy] of [[3, 1], [5, 4], [2, 6], [0, 3], [4, 0], [6, 5], [1, 2], [5, 6], [3, 3]]) await page.mouse.move(cx + dx, cy + dy);
    await page.mouse.up();
    expect(await inkedPixels(page)).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await expect.poll(() => page.getByText(en.signatureTooSmall as string, { exact: true }).count()).toBe(1);
    expect(await page.getByText(/signature looks a little small/).count()).toBe(1);
    expect(await page.getByRole('heading', { name: 'Please check your details' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Clear', exact: true }).click();
  }, 90_000);

  it('takes a signature drawn with a finger (touch input)', async () => {
    const { page } = k;
    await page.setViewportSize({ width: 1100, height: 900 });
    await canvas(page).evaluate((el) => el.scrollIntoView({ block: 'center' }));
    const box = (await canvas(page).boundingBox())!;
    expect(await page.evaluate(() => navigator.maxTouchPoints)).toBeGreaterThan(0);
    await canvas(page).evaluate((el) => {
      const seen: string[] = ((window as unknown as { __pointerTypes: string[] }).__pointerTypes = []);
      el.addEventListener('pointerdown', (e) => seen.push((e as PointerEvent).pointerType));
    });
    for (const s of [0, 1]) {
      const x0 = box.x + box.width * (0.1 + s * 0.4);
      await touchStroke(page, Array.from({ length: 30 }, (_, i) => ({ x: x0 + i * box.width * 0.01, y: box.y + box.height * (0.5 + 0.3 * Math.sin(i / 3)) })));
    }
    expect(await page.evaluate(() => (window as unknown as { __pointerTypes: string[] }).__pointerTypes)).toEqual(['touch', 'touch']);
    expect(await inkedPixels(page)).toBeGreaterThan(300);
    expect(await strokesInPreview(page)).toBe(2);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await page.getByRole('button', { name: 'Confirm and sign' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Thank you!' }).count()).toBe(1);
    await page.getByRole('button', { name: 'Next person' }).click();

    const stored = await serverRecordOf(app, 'Canvas Tester');
    if (stored.payload.kind !== 'plain' || !stored.payload.ink) throw new Error('no ink stored');
    const ink = decodeInk(stored.payload.ink);
    expect(ink.strokes).toHaveLength(2);
    expect(pointCount(ink)).toBeGreaterThan(20);
  }, 60_000);
});

describe('the accessible alternative to drawing', () => {
  let k: Kiosk;
  beforeAll(async () => {
    k = await enrolledKiosk(browser, app, 'Keyboard rally');
  });
  afterAll(() => k?.context.close());

  it('"I can’t draw a signature": type the name and tick the attestation, with the keyboard only', async () => {
    const { page } = k;
    const name = 'Keyboard Only Signer';
    const kb = page.keyboard;
    await page.getByRole('textbox', { name: 'Full name', exact: true }).focus();
    await kb.type(name);
    await tabTo(page, /^input\[email\]: Email$/, 1);
    await kb.type('keyboard@example.org');
    await tabTo(page, /^select.*: Country$/, 1);
    await kb.type('France');
    await expect.poll(() => page.getByRole('combobox', { name: 'Country', exact: true }).inputValue()).toBe('FR');
    await tabTo(page, /^button\[button\]: I can’t draw a signature$/, 6);
    await kb.press('Enter');
    // The button just pressed is gone; focus should move to the new "type your name" field
    // (or at least the next Tab should reach it), not be dropped on the page.
    const typedField = /^input\[text\]: Type your full name as your signature$/;
    // (The app may move focus in an effect after the next paint: give it a moment to settle.)
    let afterSwitch = await focused(page);
    for (let waited = 0; afterSwitch === 'body' && waited < 1_000; waited += 50) {
      await page.waitForTimeout(50);
      afterSwitch = await focused(page);
    }
    const route = typedField.test(afterSwitch) ? [] : await tabTo(page, typedField, 1).catch(() => null);
    expect.soft(route, `focus after choosing to type: ${afterSwitch}; the next Tab does not reach the typed field`).not.toBeNull();
    if (!route) {
      // Carry on as a keyboard user would: back up with Shift+Tab until the field.
      await tabTo(page, typedField, 8, 'Shift+Tab');
    }
    await kb.type(name);
    await tabTo(page, /^input\[checkbox\]: I, Keyboard Only Signer, confirm /, 1);
    await kb.press('Space');
    expect(await page.getByRole('checkbox', { name: /Keyboard Only Signer/ }).isChecked()).toBe(true);
    await tabTo(page, /^button\[submit\]: Continue$/, 3);
    await kb.press('Enter');
    await expect.poll(() => page.getByRole('heading', { name: 'Please check your details' }).count()).toBe(1);
    expect(await page.getByText(name, { exact: true }).count()).toBeGreaterThan(0);
    await tabTo(page, /^button\[button\]: Confirm and sign$/, 3);
    await kb.press('Enter');
    await expect.poll(() => page.getByRole('heading', { name: 'Thank you!' }).count()).toBe(1);
    await expect.poll(() => focused(page)).toMatch(/^h2: Thank you!$/);

    const stored = await serverRecordOf(app, name);
    if (stored.payload.kind !== 'plain') throw new Error('not a plain record');
    expect(stored.payload.typed?.name).toBe(name);
    expect(stored.payload.typed?.attestation).toContain(name);
    expect(stored.payload.typed?.attestation).toBe(DEFAULT_CAMPAIGN.text.en!.attestation.replace('{name}', name));
    expect(stored.payload).not.toHaveProperty('ink');
    expect(stored.payload.signer).toEqual({ name, email: 'keyboard@example.org', country: 'FR', optIn: false });
  }, 60_000);
});

describe('storage full', () => {
  let k: Kiosk;
  beforeAll(async () => {
    k = await enrolledKiosk(browser, app, 'Full disk rally', { setup: installStorageFullSwitch });
    await k.context.setOffline(true); // so the earlier signatures stay on the tablet
  });
  afterAll(() => k?.context.close());

  it('says plainly that the signature was NOT saved, keeps the signer’s data on screen, and loses nothing stored earlier', async () => {
    const { page, context } = k;
    await signOnce(page, { name: 'Earlier Signer', email: 'earlier@example.org', country: 'IT' }, 1);
    await expect.poll(() => waitingText(page)).toBe('1 waiting to sync');

    await setStorageFull(page, true);
    const signer = { name: 'Unlucky Signer', email: 'unlucky@example.org', country: 'GH' };
    await fillAndDraw(page, signer, 1); // three strokes
    await page.getByRole('button', { name: 'Confirm and sign' }).click();
    await expect.poll(() => page.getByRole('alert').count()).toBe(1);
    expect(await page.getByRole('alert').innerText()).toBe(en.storageFull);
    // Still on the confirm step, with everything the signer gave, and no false "thank you".
    expect(await page.getByRole('heading', { name: 'Thank you!' }).count()).toBe(0);
    expect(await definitionOf(page, 'Full name')).toBe(signer.name);
    expect(await definitionOf(page, 'Email')).toBe(signer.email);
    expect(await previewStrokes(page)).toBe(3);
    expect(await page.getByRole('button', { name: 'Confirm and sign' }).isEnabled()).toBe(true);
    // Earlier signatures are untouched.
    expect(await waitingText(page)).toBe('1 waiting to sync');
    expect((await outboxRows(page)).map((r) => r.name)).toEqual(['Earlier Signer']);

    // Space freed: the same signer confirms again, and it is stored.
    await setStorageFull(page, false);
    await page.getByRole('button', { name: 'Confirm and sign' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Thank you!' }).count()).toBe(1);
    await page.getByRole('button', { name: 'Next person' }).click();
    await expect.poll(() => waitingText(page)).toBe('2 waiting to sync');
    expect((await outboxRows(page)).map((r) => r.name)).toEqual(['Earlier Signer', signer.name]);

    await context.setOffline(false);
    await serverRecordOf(app, 'Earlier Signer');
    await serverRecordOf(app, signer.name);
    await expect.poll(() => waitingText(page), { timeout: 20_000 }).toBe('0 waiting to sync');
  }, 90_000);
});

describe('the volunteer screen', () => {
  describe('PIN prompt', () => {
    let k: Kiosk;
    beforeAll(async () => {
      k = await enrolledKiosk(browser, app, 'Lockout rally');
    });
    afterAll(() => k?.context.close());

    /** Type `pin`, press Open, and wait for the answer. */
    async function tryPin(page: Page, pin: string): Promise<void> {
      const field = page.getByLabel('Volunteer PIN');
      await field.fill(pin);
      await page.getByRole('button', { name: 'Open', exact: true }).click();
      await expect.poll(async () => (await page.getByRole('heading', { name: 'Volunteer screen' }).count()) > 0 || (await field.inputValue()) === '', { timeout: 5_000 }).toBe(true);
    }

    it('a wrong PIN is refused; five wrong PINs lock the prompt, even for the right PIN', async () => {
      const { page } = k;
      await page.getByRole('button', { name: 'Volunteer', exact: true }).click();
      expect(await page.getByRole('dialog', { name: 'Volunteer access' }).count()).toBe(1);
      expect(await page.getByLabel('Volunteer PIN').getAttribute('type')).toBe('password');
      for (let i = 1; i <= 4; i++) {
        await tryPin(page, '1357');
        expect(await page.getByRole('alert').innerText(), `try ${i}`).toBe('That PIN is not right.');
      }
      await tryPin(page, '1357');
      expect(await page.getByRole('alert').innerText()).toMatch(/^Too many tries\. Wait (29|30) seconds\.$/);
      await tryPin(page, TEST_PIN);
      expect(await page.getByRole('alert').innerText()).toMatch(/^Too many tries\. Wait \d+ seconds\.$/);
      expect(await page.getByRole('heading', { name: 'Volunteer screen' }).count()).toBe(0);
      await page.getByRole('button', { name: 'Cancel', exact: true }).click();
      await expect.poll(() => page.getByRole('button', { name: 'Continue', exact: true }).count()).toBe(1);
    }, 60_000);

    it('the lock-out survives a page reload (a passer-by cannot reset it by reloading)', async () => {
      const { page } = k;
      await page.reload();
      await page.getByRole('button', { name: 'Volunteer', exact: true }).click();
      await tryPin(page, '1357');
      expect(await page.getByRole('alert').innerText()).toMatch(/^Too many tries\. Wait \d+ seconds?\.$/);
    }, 60_000);
  });

  describe('behind the right PIN', () => {
    const event = 'Harbour Square rally, 24 November';
    let k: Kiosk;
    beforeAll(async () => {
      k = await enrolledKiosk(browser, app, event);
    });
    afterAll(() => k?.context.close());

    it('shows the event, the volunteer on duty, true counts, sync state in plain words, and storage', async () => {
      const { page, context } = k;
      await signOnce(page, { name: 'Volunteer Count One', email: 'count1@example.org', country: 'KE' }, 1);
      await signOnce(page, { name: 'Volunteer Count Two', email: 'count2@example.org', country: 'UG' }, 2);
      await expect.poll(() => waitingText(page), { timeout: 20_000 }).toBe('0 waiting to sync');
      await context.setOffline(true);
      await signOnce(page, { name: 'Volunteer Count Three', email: 'count3@example.org', country: 'TZ' }, 3);
      await expect.poll(() => waitingText(page)).toBe('1 waiting to sync');

      await openVolunteer(page);
      await expect.poll(() => definitionOf(page, 'Event')).toBe(event);
      await expect.poll(() => definitionOf(page, 'Waiting to sync')).toBe('1');
      await expect.poll(() => definitionOf(page, 'Synced today')).toBe('2');
      expect(await definitionOf(page, 'Need attention')).toBe('0');
      const states = (await outboxRows(page)).map((r) => r.state).sort();
      expect(states).toEqual(['pending', 'synced', 'synced']);

      // The last successful sync, as a time.
      const lastSync = await definitionOf(page, 'Last sync');
      expect(lastSync).not.toBe('Not synced yet');
      const plausible = await page.evaluate(() =>
        [0, 1, 2, 3].map((m) => new Date(Date.now() - m * 60_000).toLocaleString('en', { hour: '2-digit', minute: '2-digit', day: 'numeric', month: 'short' })),
      );
      expect(plausible).toContain(lastSync);

      // Offline: "Sync now" explains the problem in plain words.
      await page.getByRole('button', { name: 'Sync now' }).click();
      await expect.poll(() => definitionOf(page, 'Last problem')).toMatch(/^No network connection\./);

      // Storage use and whether the browser may clear it.
      const used = new RegExp(`^${(en.storageUsed as string).replace('{used}', '[\\d.,]+ [kMG]B').replace('{quota}', '[\\d.,]+ [kMG]B')}$`);
      expect(await page.getByText(used).count()).toBe(1);
      const persistence = (await page.getByText(en.storagePersistent as string, { exact: true }).count()) + (await page.getByText(en.storageNotPersistent as string, { exact: true }).count());
      expect(persistence).toBe(1);

      // The volunteer on duty writes their name; it is kept.
      const volunteer = page.getByRole('textbox', { name: 'Volunteer on duty' });
      await volunteer.fill('Sam Okoro');
      await volunteer.press('Tab');
      await screenshot(page, 'volunteer.png', true);

      // Back online, "Sync now" sends the waiting signature and the counts follow.
      await context.setOffline(false);
      await page.getByRole('button', { name: 'Sync now' }).click();
      await expect.poll(() => definitionOf(page, 'Waiting to sync'), { timeout: 20_000 }).toBe('0');
      await expect.poll(() => definitionOf(page, 'Synced today')).toBe('3');
      await expect.poll(() => definitionOf(page, 'Last problem')).toBe('None');
      await serverRecordOf(app, 'Volunteer Count Three');

      await page.reload();
      await openVolunteer(page);
      await expect.poll(() => page.getByRole('textbox', { name: 'Volunteer on duty' }).inputValue()).toBe('Sam Okoro');
      await closeVolunteer(page);
    }, 90_000);
  });
});
