/** What a person does on the kiosk, as browser-test steps found by role and label. */
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { drawSignature } from './browser.ts';

export const TEST_PIN = '2468';

/** Enroll the tablet on its enrollment screen with `code` and the test PIN. */
export async function enroll(page: Page, code: string, label = ''): Promise<void> {
  await page.getByLabel('Enrollment code').fill(code);
  if (label) await page.getByLabel('Tablet name (optional)').fill(label);
  await page.getByLabel('Choose a volunteer PIN (4 to 8 digits)').fill(TEST_PIN);
  await page.getByLabel('Type the PIN again').fill(TEST_PIN);
  await page.getByRole('button', { name: 'Enroll' }).click();
}

export interface TestSigner {
  name: string;
  email: string;
  country: string;
  optIn?: boolean;
}

/** Fill the form and draw, then Continue to the confirm step. */
export async function fillAndDraw(page: Page, signer: TestSigner, seed = 1): Promise<void> {
  await page.getByLabel('Full name').fill(signer.name);
  await page.getByLabel('Email').fill(signer.email);
  await page.getByRole('combobox', { name: 'Country' }).selectOption(signer.country);
  if (signer.optIn) await page.getByRole('checkbox', { name: /Keep me informed/ }).check();
  await drawSignature(page, 'Signature area', seed);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect.poll(() => page.getByRole('heading', { name: 'Please check your details' }).count()).toBe(1);
}

/** The whole visit: fill, draw, confirm, see thanks, then hand over to the next person. */
export async function signOnce(page: Page, signer: TestSigner, seed = 1): Promise<void> {
  await fillAndDraw(page, signer, seed);
  await page.getByRole('button', { name: 'Confirm and sign' }).click();
  await expect.poll(() => page.getByRole('heading', { name: 'Thank you!' }).count()).toBe(1);
  await page.getByRole('button', { name: 'Next person' }).click();
  await expect.poll(() => page.getByRole('button', { name: 'Continue' }).count()).toBe(1);
}

/** Open the volunteer screen with the PIN. */
export async function openVolunteer(page: Page, pin = TEST_PIN): Promise<void> {
  await page.getByRole('button', { name: 'Volunteer' }).click();
  await page.getByLabel('Volunteer PIN').fill(pin);
  await page.getByRole('button', { name: 'Open' }).click();
  await expect.poll(() => page.getByRole('heading', { name: 'Volunteer screen' }).count()).toBe(1);
}

/** Leave the volunteer screen for the sign form. */
export async function closeVolunteer(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Back to signing' }).click();
  await expect.poll(() => page.getByRole('button', { name: 'Continue' }).count()).toBe(1);
}
