/** Launches Debian's Chromium through playwright-core, with the flags this environment needs. */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The flags every test's Chromium runs with here (a closed network, no sandbox as root). */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}. Install it with: apt-get install -y chromium`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_FLAGS,
  });
}

/** Draw a signature-like zigzag with real mouse events inside the element's box. */
export async function drawSignature(page: Page, canvasLabel: string, seed = 1): Promise<void> {
  const canvas = page.getByRole('img', { name: canvasLabel });
  await canvas.evaluate((el) => el.scrollIntoView({ block: 'center' }));
  const box = await canvas.boundingBox();
  if (!box) throw new Error('signature canvas is not visible');
  const strokes = 2 + (seed % 2);
  for (let s = 0; s < strokes; s++) {
    const x0 = box.x + box.width * (0.1 + s * 0.28);
    const y0 = box.y + box.height * 0.5;
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    for (let i = 1; i <= 24; i++) {
      await page.mouse.move(x0 + i * box.width * 0.009, y0 + Math.sin((i + seed) / 2.2) * box.height * 0.3, { steps: 2 });
    }
    await page.mouse.up();
  }
}
