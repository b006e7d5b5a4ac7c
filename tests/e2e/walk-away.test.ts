/**
 * What a rally throws at a tablet (issue #8), in real Chromium against the real server
 * started with a campaign whose walk-away time is short (5 s idle, 4 s countdown):
 *
 * - a signer who walks away mid-form: the countdown appears, and if nobody touches it the
 *   form is cleared, leaving no trace in the DOM, the app's state, the JavaScript heap,
 *   the canvas or any storage; a touch (which must not press what lies under the dialog)
 *   or a key keeps it;
 * - a wall clock corrected by an hour mid-form changes neither when the countdown comes nor
 *   that the form is cleared (the walk-away time is monotonic);
 * - the volunteer screen closes itself after the same idle time;
 * - the quick lock: held (finger or keyboard) on the lock button or "Lock now" on the
 *   volunteer screen, it hides everything behind a neutral screen, survives a reload, lets
 *   sync carry on, and opens only with the volunteer PIN; a tap alone never locks.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import type { Campaign } from '../../src/shared/campaign.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { HOLD_MS } from '../../src/kiosk/HoldToLock.tsx';
import { NEUTRAL_COLOR } from '../../src/kiosk/lock.ts';
import { startApp, type AppProcess } from '../helpers/app-process.ts';
import { drawSignature, launchChromium } from '../helpers/browser.ts';
import { seriousAxeViolations } from '../helpers/axe.ts';
import { TEST_PIN, openVolunteer, signOnce } from '../helpers/kiosk.ts';
import { enrolledKiosk, inkedPixels, screenshot, serverRecordOf, tabletStorageText, tr, waitingText, type Kiosk } from '../helpers/kiosk-extra.ts';

const IDLE = 5;
const COUNTDOWN = 4;
const THEME = '#7a1f5c';
const CAMPAIGN: Campaign = { ...DEFAULT_CAMPAIGN, theme: { color: THEME }, kiosk: { idleSeconds: IDLE, countdownSeconds: COUNTDOWN } };
const TITLE = CAMPAIGN.text.en!.title;
const t = tr('en');

let app: AppProcess;
let browser: Browser;

beforeAll(async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'fieldsign-walk-away-')), 'campaign.json');
  writeFileSync(file, JSON.stringify(CAMPAIGN));
  app = await startApp(undefined, ['--campaign', file]);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

// ---------------------------------------------------------------------------------------
// What the tests look at
// ---------------------------------------------------------------------------------------

const countdown = (page: Page) => page.getByRole('alertdialog', { name: t('idleHeading'), exact: true });
const nameField = (page: Page) => page.getByRole('textbox', { name: t('nameLabel'), exact: true });
const emailField = (page: Page) => page.getByRole('textbox', { name: t('emailLabel'), exact: true });
const lockButton = (page: Page) => page.getByRole('button', { name: t('lockHold'), exact: true });
const lockedHeading = (page: Page) => page.getByRole('heading', { name: t('lockedTitle'), exact: true });

/** The countdown's text, for every number of seconds it may show. */
const countdownTexts = (key: 'idleFormBody' | 'idleVolunteerBody') => Array.from({ length: COUNTDOWN }, (_, i) => t(key, { n: i + 1 }));

/** Wait until `locator` is visible; returns how long that took (ms). */
async function appears(locator: Locator, timeoutMs: number): Promise<number> {
  const start = Date.now();
  await locator.waitFor({ state: 'visible', timeout: timeoutMs });
  return Date.now() - start;
}

/**
 * Every string reachable from the UI tree rendered into #app: Preact keeps its virtual
 * tree, component instances and hook state (the form's values) as properties of the DOM
 * nodes, so a walk from them sees the app's state. Returns the needles found.
 */
function inAppState(page: Page, needles: string[]): Promise<string[]> {
  return page.evaluate((needles) => {
    const found = new Set<string>();
    const seen = new Set<object>();
    const queue: object[] = [];
    const visit = (value: unknown) => {
      if (typeof value === 'string') {
        for (const n of needles) if (value.includes(n)) found.add(n);
      } else if (value && typeof value === 'object' && value !== window && value !== document && !seen.has(value)) {
        seen.add(value);
        queue.push(value);
      }
    };
    const root = document.getElementById('app')!;
    for (const node of [root, ...root.querySelectorAll('*')]) visit(node);
    for (let i = 0; i < queue.length && i < 500_000; i++) {
      const obj = queue[i] as Record<string, unknown>;
      if (ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer) continue;
      // For DOM nodes, Object.keys gives only what scripts attached (Preact's expandos).
      for (const key of Object.keys(obj)) {
        try {
          visit(obj[key]);
        } catch {
          // A getter that throws: nothing stored there.
        }
      }
    }
    return [...found];
  }, needles);
}

/**
 * Which needles are still anywhere in the page's JavaScript heap after a full garbage
 * collection (a DevTools heap snapshot): module-level variables, closures, refs, caches.
 */
async function inJsHeap(page: Page, needles: string[]): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    let snapshot = '';
    cdp.on('HeapProfiler.addHeapSnapshotChunk', (e) => (snapshot += e.chunk));
    await cdp.send('HeapProfiler.enable');
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    const { strings } = JSON.parse(snapshot) as { strings: string[] };
    return needles.filter((n) => strings.some((s) => s.includes(n)));
  } finally {
    await cdp.detach();
  }
}

/** The form, empty: fields, opt-in, canvas, and a single canvas in the page. */
async function expectBlankForm(page: Page): Promise<void> {
  expect(await nameField(page).inputValue()).toBe('');
  expect(await emailField(page).inputValue()).toBe('');
  expect(await page.getByRole('combobox', { name: t('countryLabel'), exact: true }).inputValue()).toBe('');
  expect(await page.getByRole('checkbox', { name: /Keep me informed/ }).isChecked()).toBe(false);
  expect(await page.locator('canvas').count()).toBe(1);
  expect(await inkedPixels(page)).toBe(0);
}

/** axe-core's serious and critical violations on the page as it is now. */
/** Hold a finger on the middle of `target` for `ms`, with real touch events. */
async function touchHold(page: Page, target: Locator, ms: number, during?: () => Promise<void>): Promise<void> {
  const box = (await target.boundingBox())!;
  const point = { x: box.x + box.width / 2, y: box.y + box.height / 2, id: 1 };
  const cdp = await page.context().newCDPSession(page);
  try {
    const start = Date.now();
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [point] });
    await during?.();
    await page.waitForTimeout(Math.max(0, ms - (Date.now() - start)));
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  } finally {
    await cdp.detach();
  }
}

/** What a locked page shows and holds: nothing of the petition, the app, the counts or signers. */
async function expectNeutral(page: Page, secrets: string[]): Promise<void> {
  await expect.poll(() => lockedHeading(page).count()).toBe(1);
  await screenshot(page, 'locked.png');
  const facts = await page.evaluate(() => ({
    title: document.title,
    themeColor: document.querySelector('meta[name="theme-color"]')?.getAttribute('content'),
    app: document.getElementById('app')!.outerHTML,
    text: document.body.innerText,
    footers: document.querySelectorAll('footer').length,
  }));
  expect(facts.title).toBe(t('lockedTitle'));
  expect(facts.themeColor).toBe(NEUTRAL_COLOR);
  expect(facts.footers, 'no status bar').toBe(0);
  for (const secret of [TITLE, 'Fieldsign', t('waiting', { n: 0 }).replace(/^0 /, ''), THEME, ...secrets]) {
    expect(facts.app, `"${secret}" in the locked page`).not.toContain(secret);
    expect(facts.text, `"${secret}" on the locked screen`).not.toContain(secret);
  }
}

/** Give the volunteer PIN on the lock screen. */
async function unlockWith(page: Page, pin: string): Promise<void> {
  await page.getByRole('button', { name: t('unlockScreen'), exact: true }).click();
  await page.getByLabel(t('pinLabel'), { exact: true }).fill(pin);
  await page.getByRole('button', { name: t('unlock'), exact: true }).click();
}

// ---------------------------------------------------------------------------------------
// The walk-away reset
// ---------------------------------------------------------------------------------------

describe('a signer who walks away mid-form', () => {
  let k: Kiosk;
  beforeAll(async () => {
    k = await enrolledKiosk(browser, app, 'Walk-away rally');
  });
  afterAll(() => k?.context.close());

  it('a half-filled form left alone shows the countdown, then a blank form: no trace in the DOM, the app’s state, memory, the canvas or storage', async () => {
    const { page } = k;
    const name = 'Wanjiru Kamau-Otieno';
    const email = 'wanjiru.walkaway@example.org';

    // A pristine form needs no countdown: nothing appears after the idle time.
    await page.waitForTimeout((IDLE + 1.5) * 1000);
    expect(await countdown(page).count(), 'countdown on an untouched form').toBe(0);

    // Typed key by key, as a signer does (the whole strings never pass through a script).
    await nameField(page).click();
    await page.keyboard.type(name);
    await emailField(page).click();
    await page.keyboard.type(email);
    await page.getByRole('combobox', { name: t('countryLabel'), exact: true }).selectOption('KE');
    await page.getByRole('checkbox', { name: /Keep me informed/ }).check();
    await drawSignature(page, t('signatureCanvas'), 2);
    const lastActivity = Date.now();
    expect(await inkedPixels(page)).toBeGreaterThan(100);
    // Both probes do see what the form holds (so their empty answers below mean something).
    expect((await inJsHeap(page, [name, email])).sort(), 'in the heap while the form is filled').toEqual([name, email].sort());
    expect((await inAppState(page, [name, email])).sort()).toEqual([name, email].sort());

    // The countdown: after the idle time, not before; an alert dialog with a big button.
    await appears(countdown(page), (IDLE + 3) * 1000);
    expect(Date.now() - lastActivity, 'ms from the last stroke to the countdown').toBeGreaterThan(IDLE * 1000 - 500);
    expect(countdownTexts('idleFormBody')).toContain(await countdown(page).getByRole('paragraph').innerText());
    const stay = countdown(page).getByRole('button', { name: t('idleStay'), exact: true });
    expect(await stay.evaluate((b) => b === document.activeElement), 'focus on "I’m still here"').toBe(true);
    expect(await seriousAxeViolations(page), 'axe-core on the countdown').toEqual([]);
    await screenshot(page, 'idle-countdown.png');

    // Nobody touches it: the form is cleared.
    await countdown(page).waitFor({ state: 'hidden', timeout: (COUNTDOWN + 2) * 1000 });
    await expect.poll(() => nameField(page).inputValue()).toBe('');
    // Not even a fragment left in memory: no module variable, ref, closure or cache keeps it.
    expect(await inJsHeap(page, [name, email, 'Wanjiru', 'walkaway']), 'in the JavaScript heap').toEqual([]);
    await expectBlankForm(page);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(TITLE);

    const html = await page.evaluate(() => document.documentElement.outerHTML);
    const text = await page.evaluate(() => document.body.innerText);
    for (const secret of [name, email, 'Wanjiru', 'walkaway']) {
      expect(html, `"${secret}" in the DOM`).not.toContain(secret);
      expect(text, `"${secret}" on screen`).not.toContain(secret);
    }
    expect(await inAppState(page, [name, email, 'Wanjiru', 'walkaway']), 'in the app’s state').toEqual([]);

    const dump = await tabletStorageText(page, { cache: true });
    expect(dump, 'the dump reads the real stores').toContain('Walk-away rally');
    expect(dump).toContain('idb fieldsign/outbox');
    for (const secret of [name, email, 'Wanjiru', 'walkaway']) expect(dump, `"${secret}" in storage`).not.toContain(secret);
  }, 60_000);

  it('walked away on the confirm step: the summary and the signature preview are gone, nothing was saved', async () => {
    const { page } = k;
    const name = 'Baraka Confirm-Step';
    await nameField(page).fill(name);
    await emailField(page).fill('baraka.confirm@example.org');
    await page.getByRole('combobox', { name: t('countryLabel'), exact: true }).selectOption('TZ');
    await drawSignature(page, t('signatureCanvas'), 3);
    await page.getByRole('button', { name: t('continue'), exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { name: t('confirmHeading') }).count()).toBe(1);
    // Here the signer's details are on screen, in the DOM.
    expect(await page.evaluate(() => document.documentElement.outerHTML)).toContain(name);

    await appears(countdown(page), (IDLE + 3) * 1000);
    await countdown(page).waitFor({ state: 'hidden', timeout: (COUNTDOWN + 2) * 1000 });
    await expect.poll(() => page.getByRole('heading', { name: t('formHeading') }).count()).toBe(1);
    expect(await page.getByRole('heading', { name: t('confirmHeading') }).count()).toBe(0);
    await expectBlankForm(page);
    const html = await page.evaluate(() => document.documentElement.outerHTML);
    expect(html).not.toContain(name);
    expect(html, 'no signature preview left').not.toContain('data:image/svg+xml');
    expect(await inAppState(page, [name, 'baraka.confirm'])).toEqual([]);
    const dump = await tabletStorageText(page, { cache: true });
    expect(dump).not.toContain(name);
    expect(dump).not.toContain('baraka.confirm');
    expect(await waitingText(page)).toBe(t('waiting', { n: 0 }));
  }, 60_000);

  it('a signer switching language and walking away: the next signer gets the default language', async () => {
    const { page } = k;
    await page.getByRole('combobox', { name: t('languageLabel'), exact: true }).selectOption('fr');
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('fr');
    const fr = tr('fr');
    // The countdown speaks the signer's language.
    await appears(page.getByRole('alertdialog', { name: fr('idleHeading'), exact: true }), (IDLE + 3) * 1000);
    await expect.poll(() => page.evaluate(() => document.documentElement.lang), { timeout: (COUNTDOWN + 2) * 1000 }).toBe('en');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(TITLE);
  }, 30_000);
});

describe('a signer who is still there', () => {
  let k: Kiosk;
  beforeAll(async () => {
    k = await enrolledKiosk(browser, app, 'Still-here rally', { hasTouch: true });
  });
  afterAll(() => k?.context.close());

  it('typing and drawing keep the form; a touch on the countdown (not on what lies under it) or a key dismisses it', async () => {
    const { page } = k;
    await nameField(page).fill('Amani');
    await drawSignature(page, t('signatureCanvas'), 1);
    const inked = await inkedPixels(page);
    expect(inked).toBeGreaterThan(100);

    // Activity every 2 s for longer than the idle time: no countdown.
    const pad = page.getByRole('img', { name: t('signatureCanvas') });
    for (let i = 0; i < 4; i++) {
      await page.waitForTimeout(2000);
      expect(await countdown(page).count(), `countdown after ${2 * (i + 1)} s of a busy signer`).toBe(0);
      if (i % 2 === 0) {
        await nameField(page).press('End');
        await page.keyboard.type(i === 0 ? ' W' : 'a');
      } else {
        await pad.evaluate((el) => el.scrollIntoView({ block: 'center' }));
        const canvas = (await pad.boundingBox())!;
        await page.mouse.move(canvas.x + canvas.width * 0.8, canvas.y + canvas.height * 0.3);
        await page.mouse.down();
        await page.mouse.move(canvas.x + canvas.width * 0.9, canvas.y + canvas.height * 0.7, { steps: 6 });
        await page.mouse.up();
      }
    }
    const inkedMore = await inkedPixels(page);
    expect(inkedMore).toBeGreaterThan(inked);

    // Left alone, the countdown comes; a finger on it where the "Clear" button lies
    // underneath dismisses it and does not clear the signature.
    await appears(countdown(page), (IDLE + 3) * 1000);
    const clear = (await page.getByRole('button', { name: t('clearSignature'), exact: true }).boundingBox())!;
    await page.touchscreen.tap(clear.x + clear.width / 2, clear.y + clear.height / 2);
    await countdown(page).waitFor({ state: 'hidden', timeout: 2000 });
    expect(await nameField(page).inputValue()).toBe('Amani Wa');
    expect(await inkedPixels(page)).toBe(inkedMore);

    // The clock starts again from that touch; this time a key on the dialog keeps the form.
    const again = await appears(countdown(page), (IDLE + 3) * 1000);
    expect(again).toBeGreaterThan((IDLE - 1) * 1000);
    await page.keyboard.press('Enter');
    await countdown(page).waitFor({ state: 'hidden', timeout: 2000 });
    await page.waitForTimeout(COUNTDOWN * 1000);
    expect(await nameField(page).inputValue()).toBe('Amani Wa');
    expect(await inkedPixels(page)).toBe(inkedMore);
    // Leave a clean form for whoever comes next.
    await page.getByRole('button', { name: t('clearSignature'), exact: true }).click();
    await nameField(page).fill('');
  }, 60_000);
});

describe('a tablet whose clock is corrected mid-form', () => {
  let k: Kiosk;
  beforeAll(async () => {
    k = await enrolledKiosk(browser, app, 'Clock-jump rally');
  });
  afterAll(() => k?.context.close());

  /** Move the page's wall clock (Date.now) by `ms` from the real time, as NTP or a volunteer would. */
  const setWallClock = (page: Page, ms: number) =>
    page.evaluate((shift) => {
      const w = window as unknown as { realNow?: () => number };
      const real = (w.realNow ??= Date.now.bind(Date));
      Date.now = () => real() + shift;
    }, ms);

  it('forward an hour: the signer still gets the countdown; back an hour: the form is still cleared on time', async () => {
    const { page } = k;
    await nameField(page).click();
    await page.keyboard.type('Jabari Clockwise');
    await setWallClock(page, 3_600_000);
    // Read as wall-clock time, the hour would wipe the form at once, with no countdown.
    await appears(countdown(page), (IDLE + 3) * 1000);
    expect(await nameField(page).inputValue()).toBe('Jabari Clockwise');
    await page.keyboard.press('Enter');
    await countdown(page).waitFor({ state: 'hidden', timeout: 2000 });

    // Read as wall-clock time, the hour back would leave the form for the next person for an hour.
    await setWallClock(page, -3_600_000);
    const waited = await appears(countdown(page), (IDLE + 3) * 1000);
    expect(waited).toBeGreaterThan((IDLE - 1) * 1000);
    await countdown(page).waitFor({ state: 'hidden', timeout: (COUNTDOWN + 2) * 1000 });
    await expect.poll(() => nameField(page).inputValue()).toBe('');
    await setWallClock(page, 0);
  }, 60_000);
});

// ---------------------------------------------------------------------------------------
// The volunteer screen and the quick lock
// ---------------------------------------------------------------------------------------

describe('a tablet about to be taken', () => {
  let k: Kiosk;
  beforeAll(async () => {
    k = await enrolledKiosk(browser, app, 'Quick-lock rally', { hasTouch: true });
  });
  afterAll(() => k?.context.close());

  it('a tap, a click or a short hold on the lock button does not lock; held 1.5 s it hides everything at once, survives a reload, and only the PIN opens it; sync carries on meanwhile', async () => {
    const { page, context } = k;
    // A signature waits (offline), and a signer is half-way through the form.
    await context.setOffline(true);
    await signOnce(page, { name: 'Neema Lockwood', email: 'neema.lock@example.org', country: 'UG' }, 1);
    await expect.poll(() => waitingText(page)).toBe(t('waiting', { n: 1 }));
    await nameField(page).fill('Half Typed');

    // Accidents: a tap, a click, a hold too short. Each says how the button works.
    await page.touchscreen.tap(...(await centre(lockButton(page))));
    await expect.poll(() => page.getByText(t('lockHint'), { exact: true }).count()).toBe(1);
    await lockButton(page).click();
    await touchHold(page, lockButton(page), HOLD_MS / 2);
    await page.waitForTimeout(HOLD_MS);
    expect(await lockedHeading(page).count(), 'locked by an accident').toBe(0);
    expect(await nameField(page).inputValue()).toBe('Half Typed');

    // The deliberate gesture: the button fills up while held, then the screen locks.
    let midway = '';
    await touchHold(page, lockButton(page), HOLD_MS + 300, async () => {
      await page.waitForTimeout(HOLD_MS / 2);
      midway = await page.locator('.hold-lock-fill').evaluate((el) => getComputedStyle(el).transform);
    });
    const scale = Number(/matrix\(([^)]+)\)/.exec(midway)?.[1].split(',')[3]);
    expect(scale, `progress fill half-way through the hold (${midway})`).toBeGreaterThan(0.1);
    expect(scale).toBeLessThan(0.95);
    await expectNeutral(page, ['Half Typed', 'Neema', 'Quick-lock rally']);
    expect(await seriousAxeViolations(page), 'axe-core on the lock screen').toEqual([]);

    // Sync keeps running while locked: the waiting signature reaches the server.
    await context.setOffline(false);
    await serverRecordOf(app, 'Neema Lockwood', 60_000);
    await expectNeutral(page, ['Half Typed', 'Neema']);

    // A reload keeps the lock.
    await page.reload();
    await expectNeutral(page, ['Half Typed', 'Neema']);

    // A wrong PIN keeps it locked; Cancel returns to the neutral screen.
    await unlockWith(page, '0000');
    await expect.poll(() => page.getByRole('alert').filter({ hasText: t('pinWrong') }).count()).toBe(1);
    expect(await page.evaluate(() => document.getElementById('app')!.outerHTML)).not.toContain(TITLE);
    expect(await page.locator('footer').count()).toBe(0);
    await page.getByRole('button', { name: t('cancel'), exact: true }).click();
    await expectNeutral(page, []);

    // The right PIN: the signing screen again, with its colours and title, and a blank form.
    await unlockWith(page, TEST_PIN);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe(TITLE);
    expect(await page.evaluate(() => [document.title, document.querySelector('meta[name="theme-color"]')?.getAttribute('content')])).toEqual(['Fieldsign', THEME]);
    expect(await nameField(page).inputValue(), 'the form in progress was discarded').toBe('');
    await expect.poll(() => waitingText(page)).toBe(t('waiting', { n: 0 }));
    expect(await page.evaluate(() => Object.keys(localStorage).filter((key) => /lock/.test(key))), 'the lock flag is gone').toEqual([]);
  }, 120_000);

  it('from the keyboard: Enter held on the lock button locks, a short press does not; unlock with the PIN by keyboard', async () => {
    const { page } = k;
    await lockButton(page).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Space');
    await page.waitForTimeout(HOLD_MS + 300);
    expect(await lockedHeading(page).count(), 'locked by a key press').toBe(0);
    await expect.poll(() => page.getByText(t('lockHint'), { exact: true }).count()).toBe(1);

    await page.keyboard.down('Enter');
    await page.waitForTimeout(HOLD_MS + 300);
    await page.keyboard.up('Enter');
    await expectNeutral(page, []);
    // Focus is on the neutral screen's heading; the Unlock button is the next stop.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const pinField = page.getByLabel(t('pinLabel'), { exact: true });
    await expect.poll(() => pinField.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.type(TEST_PIN);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe(TITLE);
  }, 30_000);

  it('"Lock now" on the volunteer screen locks at once; the volunteer screen left alone closes itself', async () => {
    const { page } = k;
    await openVolunteer(page);
    await page.getByRole('button', { name: t('lockNow'), exact: true }).click();
    await expectNeutral(page, ['Quick-lock rally']);
    await unlockWith(page, TEST_PIN);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe(TITLE);

    await openVolunteer(page);
    const shownAfter = await appears(countdown(page), (IDLE + 3) * 1000);
    expect(shownAfter).toBeGreaterThan((IDLE - 2) * 1000);
    expect(countdownTexts('idleVolunteerBody')).toContain(await countdown(page).getByRole('paragraph').innerText());
    await countdown(page).waitFor({ state: 'hidden', timeout: (COUNTDOWN + 2) * 1000 });
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe(TITLE);
    expect(await page.getByRole('heading', { name: t('volunteerHeading') }).count()).toBe(0);
  }, 40_000);
});

/** The middle of a locator's box, as [x, y]. */
async function centre(locator: Locator): Promise<[number, number]> {
  const box = (await locator.boundingBox())!;
  return [box.x + box.width / 2, box.y + box.height / 2];
}
