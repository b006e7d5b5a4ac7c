/**
 * Accessibility of every kiosk screen, in real Chromium against the real server started as
 * the README starts it, in English and in Arabic (right to left):
 *
 * 1. axe-core reports no serious or critical violation on: enrollment (also with its PIN
 *    error), the sign form (empty, and with the inline errors shown), the confirm step, the
 *    thank-you screen, the volunteer PIN prompt (also with the wrong-PIN error), the
 *    volunteer screen, enrollment again as reached from the volunteer screen (the only
 *    way to see enrollment in Arabic: the app starts in the campaign's default language
 *    and has no language switch before enrollment), and the quick lock's neutral screen.
 *    (The walk-away countdown is audited in walk-away.test.ts, which has a short idle time.)
 * 2. Every button, link, select, text field and checkbox (with its label) is a touch
 *    target of at least 44×44 CSS px, on a tablet held in landscape and in portrait.
 * 3. At 200% zoom (a 1280×900 screen at 200% = a 640×450 CSS px viewport at 2 device
 *    pixels per CSS px) nothing scrolls sideways, nothing sticks out of the viewport, no
 *    text is clipped by overflow, and a whole drawn signature can still be given.
 * 4. Everything but drawing works with the keyboard alone, the focus is always visible
 *    (an outline or box shadow with 3:1 contrast, not hidden under the status bar) and
 *    lands somewhere sensible after each change of step.
 *
 * The language follows the signer's choice on the sign form; the PIN prompt and the
 * volunteer screen are shown in the language that was current when "Volunteer" was
 * pressed, and "Next person" / "Back to signing" return to the campaign's default.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { translator, type Translate } from '../../src/kiosk/i18n/catalog.ts';
import { en } from '../../src/kiosk/i18n/en.ts';
import { ar } from '../../src/kiosk/i18n/ar.ts';
import { HOLD_MS } from '../../src/kiosk/HoldToLock.tsx';
import { drawSignature, launchChromium } from '../helpers/browser.ts';
import { TEST_PIN, enroll } from '../helpers/kiosk.ts';
import { enrollmentCode, startApp, type AppProcess } from '../helpers/app-process.ts';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

type Lang = 'en' | 'ar';
const T: Record<Lang, Translate> = { en: translator(en, 'en'), ar: translator(ar, 'ar') };
const CAMPAIGN_TEXT = { en: DEFAULT_CAMPAIGN.text.en!, ar: DEFAULT_CAMPAIGN.text.ar! };
const WRONG_PIN = '0000';
/** The smallest touch target, in CSS px (WCAG 2.5.5, and Apple's and Google's guidance). */
const MIN_TARGET = 44;

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

// ---------------------------------------------------------------------------------------
// Finding the screens
// ---------------------------------------------------------------------------------------

function heading(page: Page, name: string): Locator {
  return page.getByRole('heading', { name, exact: true });
}

async function seeHeading(page: Page, name: string): Promise<void> {
  await expect.poll(() => heading(page, name).count(), { message: `heading "${name}"` }).toBe(1);
}

async function switchLanguage(page: Page, from: Lang, to: Lang): Promise<void> {
  await page.getByRole('combobox', { name: T[from]('languageLabel') }).selectOption(to);
  await expect.poll(() => page.evaluate(() => [document.documentElement.lang, document.documentElement.dir].join(' '))).toBe(`${to} ${to === 'ar' ? 'rtl' : 'ltr'}`);
  await seeHeading(page, T[to]('formHeading'));
}

/** A check run on each screen; records problems under the screen's name. */
type Audit = (page: Page, screen: string) => Promise<void>;

/**
 * The enrollment screen of a fresh tablet (English: the campaign's default), also with its
 * PIN error, then enroll it.
 */
async function walkFirstEnrollment(page: Page, audit: Audit): Promise<void> {
  const t = T.en;
  await page.goto(app.url);
  await seeHeading(page, t('enrollHeading'));
  await audit(page, 'enrollment');
  await page.getByRole('button', { name: t('enrollSubmit'), exact: true }).click();
  await expect.poll(() => page.getByText(t('pinTooShort')).count()).toBe(1);
  await audit(page, 'enrollment (PIN error)');
  await enroll(page, enrollmentCode(app.dbPath, 'Accessibility rally'));
  await seeHeading(page, t('formHeading'));
}

/** One signer in `lang`: empty form, form with errors, confirm, thanks; back to the form. */
async function walkSigner(page: Page, lang: Lang, audit: Audit, seed: number): Promise<void> {
  const t = T[lang];
  if (lang !== 'en') await switchLanguage(page, 'en', lang);
  await seeHeading(page, t('formHeading'));
  await audit(page, 'sign form (empty)');

  await page.getByRole('button', { name: t('continue'), exact: true }).click();
  await expect.poll(() => page.getByText(t('nameRequired')).count()).toBe(1);
  expect(await page.getByText(t('emailRequired')).count()).toBe(1);
  expect(await page.getByText(t('countryRequired')).count()).toBe(1);
  expect(await page.getByText(t('signatureMissing')).count()).toBe(1);
  await audit(page, 'sign form (inline errors)');

  await page.getByLabel(t('nameLabel'), { exact: true }).fill(lang === 'ar' ? 'أمينة ديالو' : 'Amina Diallo');
  await page.getByLabel(t('emailLabel'), { exact: true }).fill('amina@example.org');
  await page.getByRole('combobox', { name: t('countryLabel'), exact: true }).selectOption('SN');
  await page.getByRole('checkbox', { name: CAMPAIGN_TEXT[lang].optIn }).check();
  await drawSignature(page, t('signatureCanvas'), seed);
  await page.getByRole('button', { name: t('continue'), exact: true }).click();
  await seeHeading(page, t('confirmHeading'));
  await audit(page, 'confirm step');

  await page.getByRole('button', { name: t('confirm'), exact: true }).click();
  await seeHeading(page, t('thanksHeading'));
  await audit(page, 'thank-you');
  // The thank-you screen resets itself after a few seconds: the audit must have seen it.
  expect(await heading(page, t('thanksHeading')).count(), 'still on the thank-you screen after the audit').toBe(1);

  await page.getByRole('button', { name: t('nextSigner'), exact: true }).click();
  // The next signer starts in the campaign's default language.
  await seeHeading(page, T.en('formHeading'));
}

/**
 * The volunteer side in `lang`: PIN prompt, wrong PIN, volunteer screen, enrollment again
 * (with its PIN error) and back; then back to signing.
 */
async function walkVolunteer(page: Page, lang: Lang, audit: Audit): Promise<void> {
  const t = T[lang];
  if (lang !== 'en') await switchLanguage(page, 'en', lang);
  await page.getByRole('button', { name: t('volunteer'), exact: true }).click();
  await seeHeading(page, t('pinHeading'));
  await audit(page, 'volunteer PIN prompt');

  await page.getByLabel(t('pinLabel'), { exact: true }).fill(WRONG_PIN);
  await page.getByRole('button', { name: t('unlock'), exact: true }).click();
  await expect.poll(() => page.getByRole('alert').filter({ hasText: t('pinWrong') }).count()).toBe(1);
  await audit(page, 'volunteer PIN prompt (wrong PIN)');

  await page.getByLabel(t('pinLabel'), { exact: true }).fill(TEST_PIN);
  await page.getByRole('button', { name: t('unlock'), exact: true }).click();
  await seeHeading(page, t('volunteerHeading'));
  await expect.poll(() => page.getByText(t('neverSynced')).count(), { timeout: 15_000 }).toBe(0);
  await audit(page, 'volunteer screen');

  await page.getByRole('button', { name: t('reenroll'), exact: true }).click();
  await seeHeading(page, t('enrollHeading'));
  await audit(page, 'enrollment (again, from the volunteer screen)');
  await page.getByRole('button', { name: t('enrollSubmit'), exact: true }).click();
  await expect.poll(() => page.getByText(t('pinTooShort')).count()).toBe(1);
  await audit(page, 'enrollment (again, PIN error)');
  await page.getByRole('button', { name: t('cancel'), exact: true }).click();
  await seeHeading(page, t('volunteerHeading'));

  await page.getByRole('button', { name: t('close'), exact: true }).click();
  await seeHeading(page, T.en('formHeading'));
  if (lang === 'en') await walkLock(page, audit);
}

/**
 * The quick lock (in the campaign's default language, which locking returns to): the
 * lock button held with Enter, the neutral screen, and back with the PIN.
 */
async function walkLock(page: Page, audit: Audit): Promise<void> {
  const t = T.en;
  await page.getByRole('button', { name: t('lockHold'), exact: true }).focus();
  await page.keyboard.down('Enter');
  await page.waitForTimeout(HOLD_MS + 300);
  await page.keyboard.up('Enter');
  await seeHeading(page, t('lockedTitle'));
  await audit(page, 'lock screen');
  await page.getByRole('button', { name: t('unlockScreen'), exact: true }).click();
  await page.getByLabel(t('pinLabel'), { exact: true }).fill(TEST_PIN);
  await page.getByRole('button', { name: t('unlock'), exact: true }).click();
  await seeHeading(page, t('formHeading'));
}

// ---------------------------------------------------------------------------------------
// The checks
// ---------------------------------------------------------------------------------------

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string; summary: string }[];
}

/** axe-core's violations on the page as it is now (axe is injected once per page). */
async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // evaluate() is not subject to the page's Content-Security-Policy, a script tag would be.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(`${AXE_SOURCE}\n;true`);
  return page.evaluate(async () => {
    type Result = { id: string; impact?: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] };
    const axe = (window as unknown as { axe: { run(ctx: Document, options: object): Promise<{ violations: Result[] }> } }).axe;
    const results = await axe.run(document, { resultTypes: ['violations'] });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: JSON.stringify(n.target), summary: (n.failureSummary ?? '').replace(/\s+/g, ' ') })),
    }));
  });
}

/**
 * Interactive elements smaller than 44×44 CSS px, by accessible name.
 *
 * Rule for checkboxes (and radios): the clickable area is the box plus its <label>, since
 * a tap on either toggles it. They pass when the union of the two boxes is at least 44 px
 * high and 44 px wide, and the box itself is at least 24×24 (WCAG 2.5.8's minimum, so
 * the box stays a recognisable, easily hit control on its own).
 */
async function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate((min) => {
    const name = (el: HTMLElement): string => {
      const labelled = el.getAttribute('aria-labelledby');
      const text =
        el.getAttribute('aria-label') ??
        ((labelled ? labelled.split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' ') : '') ||
          [...((el as HTMLInputElement).labels ?? [])].map((l) => l.textContent).join(' ') ||
          el.textContent ||
          '');
      return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${text.replace(/\s+/g, ' ').trim().slice(0, 60)}"`;
    };
    const size = (r: { width: number; height: number }) => `${Math.round(r.width)}×${Math.round(r.height)}`;
    const offenders: string[] = [];
    const candidates = document.querySelectorAll<HTMLElement>('button, a[href], select, input:not([type="hidden"]), textarea, [role="button"], [role="link"]');
    for (const el of candidates) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || !el.checkVisibility({ visibilityProperty: true })) continue;
      const type = (el as HTMLInputElement).type;
      if (el.tagName === 'INPUT' && (type === 'checkbox' || type === 'radio')) {
        const rects = [box, ...[...((el as HTMLInputElement).labels ?? [])].map((l) => l.getBoundingClientRect())];
        const union = {
          width: Math.max(...rects.map((r) => r.right)) - Math.min(...rects.map((r) => r.left)),
          height: Math.max(...rects.map((r) => r.bottom)) - Math.min(...rects.map((r) => r.top)),
        };
        if (box.width < 24 || box.height < 24 || union.width < min || union.height < min) {
          offenders.push(`${name(el)}: box ${size(box)}, with label ${size(union)}`);
        }
      } else if (box.width < min - 0.5 || box.height < min - 0.5) {
        offenders.push(`${name(el)}: ${size(box)}`);
      }
    }
    return offenders;
  }, MIN_TARGET);
}

/**
 * What breaks reflow at 200% zoom: sideways scrolling, elements sticking out of the
 * viewport (in right-to-left pages, overflow on the left cannot even be scrolled to), and
 * text clipped by overflow: hidden/clip or an ellipsis.
 */
async function reflowProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const vw = window.innerWidth;
    const scrollWidth = document.documentElement.scrollWidth;
    if (scrollWidth > vw + 1) problems.push(`scrolls sideways: scrollWidth ${scrollWidth} > innerWidth ${vw}`);
    const describe = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.classList.length ? `.${[...el.classList].join('.')}` : ''} "${(el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 40)}"`;
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if ((r.width === 0 && r.height === 0) || !el.checkVisibility({ visibilityProperty: true })) continue;
      if (el.tagName === 'OPTION') continue;
      if (r.left < -1 || r.right > vw + 1) {
        // Report the outermost offender only.
        const parent = el.parentElement?.getBoundingClientRect();
        if (!parent || (parent.left >= -1 && parent.right <= vw + 1)) {
          problems.push(`${describe(el)} sticks out of the viewport (${Math.round(r.left)}…${Math.round(r.right)} of 0…${vw})`);
        }
      }
      if (['INPUT', 'SELECT', 'TEXTAREA', 'CANVAS', 'IMG', 'svg'].includes(el.tagName)) continue;
      const cs = getComputedStyle(el);
      const clips = /hidden|clip/.test(`${cs.overflowX} ${cs.overflowY}`) || cs.textOverflow === 'ellipsis';
      if (clips && (el.textContent ?? '').trim() && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)) {
        problems.push(`${describe(el)} clips its text (content ${el.scrollWidth}×${el.scrollHeight} in ${el.clientWidth}×${el.clientHeight})`);
      }
    }
    return problems;
  });
}

/** Per screen (and language), the problems found; asserted empty at the end of each test. */
type Findings = Map<string, string[]>;

function expectNoFindings(findings: Findings, what: string): void {
  const failing = [...findings].filter(([, problems]) => problems.length > 0);
  if (failing.length) {
    console.log(`${what}:\n${failing.map(([screen, problems]) => `  ${screen}:\n${problems.map((p) => `    - ${p}`).join('\n')}`).join('\n')}`);
  }
  for (const [screen, problems] of findings) expect.soft(problems, `${what} on ${screen}`).toEqual([]);
}

// ---------------------------------------------------------------------------------------
// 1 and 2: axe-core and touch targets, on a tablet (landscape; targets also in portrait)
// ---------------------------------------------------------------------------------------

const LANDSCAPE = { width: 1280, height: 800 };
const PORTRAIT = { width: 800, height: 1280 };

describe('axe-core and touch targets on every screen (tablet, 1280×800 and 800×1280)', () => {
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    context = await browser.newContext({ viewport: LANDSCAPE });
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
  });

  function auditor(lang: Lang, violations: Findings, targets: Findings): Audit {
    return async (p, screen) => {
      const key = `${screen} [${lang}]`;
      const found = await axeViolations(p);
      const minor = found.filter((v) => v.impact !== 'serious' && v.impact !== 'critical');
      // Moderate and minor findings are printed for information only.
      if (minor.length) console.log(`axe-core, ${key}, not failing: ${minor.map((v) => `${v.impact} ${v.id} ×${v.nodes.length}`).join(', ')}`);
      violations.set(
        key,
        found
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .flatMap((v) => v.nodes.map((n) => `${v.impact} ${v.id} (${v.help}) at ${n.target}: ${n.summary}`)),
      );
      // Targets in landscape, then in portrait, where the form is one wide column and
      // labels wrap less.
      const landscape = await smallTargets(p);
      await p.setViewportSize(PORTRAIT);
      const portrait = await smallTargets(p);
      await p.setViewportSize(LANDSCAPE);
      targets.set(key, [...landscape.map((o) => `${o} (landscape)`), ...portrait.map((o) => `${o} (portrait)`)]);
    };
  }

  for (const [lang, seed] of [['en', 1], ['ar', 2]] as const) {
    it(`${lang === 'en' ? 'English' : 'Arabic'}: enrollment, sign form, errors, confirm, thanks, PIN, wrong PIN, volunteer`, async () => {
      const violations: Findings = new Map();
      const targets: Findings = new Map();
      const audit = auditor(lang, violations, targets);
      if (lang === 'en') await walkFirstEnrollment(page, audit);
      await walkSigner(page, lang, audit, seed);
      await walkVolunteer(page, lang, audit);
      expect(violations.size).toBeGreaterThanOrEqual(9);
      expectNoFindings(violations, 'serious/critical axe-core violations');
      expectNoFindings(targets, `touch targets under ${MIN_TARGET}×${MIN_TARGET} CSS px`);
    }, 60_000);
  }
});

// ---------------------------------------------------------------------------------------
// 3: 200% zoom
// ---------------------------------------------------------------------------------------

describe('200% zoom: a 1280×900 screen at 200% (640×450 CSS px, 2 device px per CSS px)', () => {
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    context = await browser.newContext({ viewport: { width: 640, height: 450 }, deviceScaleFactor: 2 });
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
  });

  for (const [lang, seed] of [['en', 3], ['ar', 4]] as const) {
    it(`${lang === 'en' ? 'English' : 'Arabic'}: every screen reflows, and a drawn signature can be given`, async () => {
      const findings: Findings = new Map();
      const audit: Audit = async (p, screen) => {
        findings.set(`${screen} [${lang}]`, await reflowProblems(p));
      };
      if (lang === 'en') await walkFirstEnrollment(page, audit);
      // Drawing, continuing, confirming and reaching the thank-you screen is part of the walk.
      await walkSigner(page, lang, audit, seed);
      await walkVolunteer(page, lang, audit);
      expect(await page.evaluate(() => [window.innerWidth, window.devicePixelRatio])).toEqual([640, 2]);
      expectNoFindings(findings, 'reflow problems at 200% zoom');
    }, 60_000);
  }
});

// ---------------------------------------------------------------------------------------
// 4: the keyboard alone
// ---------------------------------------------------------------------------------------

interface FocusState {
  desc: string;
  isBody: boolean;
  problems: string[];
}

/** The focused element, and whether its focus indicator can be seen. */
async function focusState(page: Page): Promise<FocusState> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body || el === document.documentElement) return { desc: 'nothing (the page body)', isBody: true, problems: [] };
    const text = (el.getAttribute('aria-label') ?? ([...((el as HTMLInputElement).labels ?? [])].map((l) => l.textContent).join(' ') || el.textContent || '')).replace(/\s+/g, ' ').trim();
    const desc = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${text.slice(0, 50)}"`;
    const problems: string[] = [];
    const cs = getComputedStyle(el);
    const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 1;
    const shadow = cs.boxShadow !== 'none';
    if (!outline && !shadow) problems.push('no visible focus indicator (outline and box-shadow are none)');

    // WCAG 1.4.11: an outline needs 3:1 against what it is drawn on (the parent's background).
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r, g, b]: number[]) => {
      const lin = (v: number) => ((v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    if (outline) {
      let bg = [255, 255, 255];
      for (let a: HTMLElement | null = el.parentElement; a; a = a.parentElement) {
        const c = rgb(getComputedStyle(a).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] > 0)) {
          bg = c.slice(0, 3);
          break;
        }
      }
      const [l1, l2] = [luminance(rgb(cs.outlineColor)), luminance(bg)].sort((a, b) => b - a);
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      if (ratio < 3) problems.push(`focus outline ${cs.outlineColor} on background rgb(${bg.join(', ')}) has contrast ${ratio.toFixed(2)}:1 < 3:1`);
    }

    // WCAG 2.4.11: the focused element is not hidden (e.g. under the fixed status bar).
    const r = el.getBoundingClientRect();
    const [cx, cy] = [r.left + r.width / 2, r.top + Math.min(r.height / 2, 20)];
    if (cx < 0 || cy < 0 || cx > window.innerWidth || cy > window.innerHeight) problems.push('focused element is outside the viewport');
    else {
      const hit = document.elementFromPoint(cx, cy);
      const labels = [...((el as HTMLInputElement).labels ?? [])];
      if (hit && hit !== el && !el.contains(hit) && !labels.some((l) => l.contains(hit))) {
        problems.push(`focused element is covered by ${hit.tagName.toLowerCase()}${hit.className ? `.${String(hit.className).split(' ').join('.')}` : ''}`);
      }
    }
    return { desc, isBody: false, problems };
  });
}

describe('everything but drawing works from the keyboard', () => {
  let context: BrowserContext;
  let page: Page;
  /** Focus problems (invisible, low contrast, obscured, lost) by element and step. */
  const focusProblems: string[] = [];
  beforeAll(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
  });

  const isFocused = (locator: Locator) => locator.evaluate((el) => el === document.activeElement, undefined, { timeout: 2000 }).catch(() => false);

  async function checkFocus(step: string): Promise<FocusState> {
    const state = await focusState(page);
    for (const problem of state.problems) {
      const line = `${state.desc}: ${problem}`;
      if (!focusProblems.some((p) => p.startsWith(line))) focusProblems.push(`${line} (first seen: ${step})`);
    }
    return state;
  }

  /** Press Tab (or Shift+Tab) until `target` has focus, checking every element on the way. */
  async function tabTo(target: Locator, step: string, { back = false, max = 30 } = {}): Promise<void> {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
      await checkFocus(step);
      if (await isFocused(target)) return;
    }
    throw new Error(`${step}: ${max} presses of ${back ? 'Shift+Tab' : 'Tab'} never reached ${target}`);
  }

  /** After a change of step, focus must be on `expected` (soft: the walk goes on). */
  async function expectFocusOn(expected: Locator, step: string): Promise<void> {
    let ok = false;
    for (let i = 0; i < 20 && !ok; i++) {
      ok = await isFocused(expected);
      if (!ok) await page.waitForTimeout(100);
    }
    if (!ok) expect.soft(ok, `${step}: focus should move to ${expected}, but is on ${(await focusState(page)).desc}`).toBe(true);
    await checkFocus(step);
  }

  it('signs with a typed name in Arabic, starts the next signer, and runs the volunteer screen', async () => {
    // Enrollment is the coordinator's one-off set-up: fill in, then submit with Enter.
    await page.goto(app.url);
    await page.getByLabel(en.enrollCode, { exact: true }).fill(enrollmentCode(app.dbPath, 'Keyboard rally'));
    await page.getByLabel(en.enrollPin, { exact: true }).fill(TEST_PIN);
    await page.getByLabel(en.enrollPinAgain, { exact: true }).fill(TEST_PIN);
    await page.getByLabel(en.enrollPinAgain, { exact: true }).press('Enter');
    await seeHeading(page, en.formHeading);
    // A new signer starts on the petition's title: reading comes first (the form follows it).
    await expectFocusOn(heading(page, CAMPAIGN_TEXT.en.title), 'sign form opened');

    // Switch language with the arrow keys, one language at a time as a person would
    // (en → fr → es → ar): each press re-renders the page in that language.
    const language = page.getByRole('combobox', { name: en.languageLabel, exact: true });
    await tabTo(language, 'to the language select');
    const pageLang = () => page.evaluate(() => document.documentElement.lang);
    for (const next of DEFAULT_CAMPAIGN.languages.slice(DEFAULT_CAMPAIGN.languages.indexOf('en') + 1, DEFAULT_CAMPAIGN.languages.indexOf('ar') + 1)) {
      await page.keyboard.press('ArrowDown');
      await expect.poll(pageLang).toBe(next);
    }
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    const t = T.ar;
    await seeHeading(page, t('formHeading'));
    const languageAr = page.getByRole('combobox', { name: t('languageLabel'), exact: true });
    expect.soft(await isFocused(languageAr), 'focus stays on the language select after switching').toBe(true);

    await tabTo(page.getByLabel(t('nameLabel'), { exact: true }), 'to the name');
    await page.keyboard.type('أمينة ديالو');
    await tabTo(page.getByLabel(t('emailLabel'), { exact: true }), 'to the email');
    await page.keyboard.type('amina@example.org');
    const country = page.getByRole('combobox', { name: t('countryLabel'), exact: true });
    await tabTo(country, 'to the country');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => country.inputValue()).not.toBe('');
    const optIn = page.getByRole('checkbox', { name: CAMPAIGN_TEXT.ar.optIn });
    await tabTo(optIn, 'to the opt-in');
    await page.keyboard.press('Space');
    await expect.poll(() => optIn.isChecked()).toBe(true);

    await tabTo(page.getByRole('button', { name: t('cannotDraw'), exact: true }), 'to "I can’t draw a signature"');
    await page.keyboard.press('Enter');
    const typed = page.getByLabel(t('typedLabel'), { exact: true });
    await expect.poll(() => typed.count()).toBe(1);
    // The button pressed is gone: focus should go to the field that replaced it.
    await expectFocusOn(typed, 'after choosing to type the name');
    if (!(await isFocused(typed))) await tabTo(typed, 'to the typed name (focus was lost)');
    await page.keyboard.type('أمينة ديالو');
    const attest = page.getByRole('checkbox', { name: /أمينة ديالو/ });
    await tabTo(attest, 'to the attestation');
    await page.keyboard.press('Space');
    await expect.poll(() => attest.isChecked()).toBe(true);
    await tabTo(page.getByRole('button', { name: t('continue'), exact: true }), 'to Continue');
    await page.keyboard.press('Enter');

    await seeHeading(page, t('confirmHeading'));
    await expectFocusOn(heading(page, t('confirmHeading')), 'confirm step opened');
    const confirm = page.getByRole('button', { name: t('confirm'), exact: true });
    await tabTo(confirm, 'to Confirm');
    // Backwards works too: Shift+Tab to "Change something", Tab again to confirm.
    await tabTo(page.getByRole('button', { name: t('edit'), exact: true }), 'Shift+Tab to Change something', { back: true, max: 1 });
    await tabTo(confirm, 'Tab back to Confirm', { max: 1 });
    await page.keyboard.press('Enter');

    await seeHeading(page, t('thanksHeading'));
    await expectFocusOn(heading(page, t('thanksHeading')), 'thank-you screen opened');
    await tabTo(page.getByRole('button', { name: t('nextSigner'), exact: true }), 'to Next person');
    await page.keyboard.press('Enter');

    await seeHeading(page, en.formHeading);
    // A new signer starts on the petition's title: reading comes first (the form follows it).
    await expectFocusOn(heading(page, CAMPAIGN_TEXT.en.title), 'next signer’s form opened');
    expect(await page.getByLabel(en.nameLabel, { exact: true }).inputValue()).toBe('');

    // The volunteer side.
    await tabTo(page.getByRole('button', { name: en.volunteer, exact: true }), 'to Volunteer', { max: 40 });
    await page.keyboard.press('Enter');
    await seeHeading(page, en.pinHeading);
    const pin = page.getByLabel(en.pinLabel, { exact: true });
    await expectFocusOn(pin, 'PIN prompt opened');
    await page.keyboard.type(WRONG_PIN);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('alert').filter({ hasText: en.pinWrong }).count()).toBe(1);
    await expectFocusOn(pin, 'after a wrong PIN');
    await page.keyboard.type(TEST_PIN);
    await page.keyboard.press('Enter');

    await seeHeading(page, en.volunteerHeading);
    await expectFocusOn(heading(page, en.volunteerHeading), 'volunteer screen opened');
    const syncNow = page.getByRole('button', { name: en.syncNow, exact: true });
    await expect.poll(() => syncNow.isEnabled(), { timeout: 15_000 }).toBe(true);
    await tabTo(syncNow, 'to Sync now');
    await page.keyboard.press('Enter');
    // The signature given above reaches the server; the button comes back.
    await expect.poll(() => page.getByText(en.neverSynced).count(), { timeout: 15_000 }).toBe(0);
    await expect.poll(() => page.locator('.counts div').first().locator('dd').textContent(), { timeout: 15_000 }).toBe('0');
    await expect.poll(() => syncNow.isEnabled(), { timeout: 15_000 }).toBe(true);
    // Pressing Sync now must not throw the keyboard user out of the page.
    await expectFocusOn(syncNow, 'after Sync now');
    if (!(await isFocused(syncNow))) await tabTo(syncNow, 'back to Sync now (focus was lost)');

    await tabTo(page.getByRole('button', { name: en.close, exact: true }), 'to Back to signing');
    await page.keyboard.press('Enter');
    await seeHeading(page, en.formHeading);
    // A new signer starts on the petition's title: reading comes first (the form follows it).
    await expectFocusOn(heading(page, CAMPAIGN_TEXT.en.title), 'back to signing');

    if (focusProblems.length) console.log(`focus problems:\n${focusProblems.map((p) => `  - ${p}`).join('\n')}`);
    expect.soft(focusProblems, 'focus must always be visible').toEqual([]);
  }, 60_000);
});
