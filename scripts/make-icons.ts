/**
 * Renders public/icons/icon.svg to the PNG icons the web app manifest lists, using the
 * Debian Chromium the browser tests use. Run once after changing the SVG:
 *   node scripts/make-icons.ts
 */
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const svg = readFileSync('public/icons/icon.svg', 'utf8');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage();

async function render(file: string, size: number, maskable: boolean): Promise<void> {
  await page.setViewportSize({ width: size, height: size });
  // A maskable icon is full-bleed: the artwork sits inside the central 80% safe zone.
  const inner = maskable ? `<div style="width:100vw;height:100vh;background:#1a1a2e;display:grid;place-items:center"><div style="width:72%;height:72%">${svg}</div></div>` : svg;
  await page.setContent(`<style>html,body{margin:0;background:transparent}svg{width:100%;height:100%;display:block}</style>${inner}`);
  await page.screenshot({ path: file, omitBackground: true });
}

await render('public/icons/icon-192.png', 192, false);
await render('public/icons/icon-512.png', 512, false);
await render('public/icons/icon-maskable-512.png', 512, true);
await browser.close();
