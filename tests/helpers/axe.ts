/** axe-core in the page under test: the serious and critical violations, one line each. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** `"<rule id> at <targets>"` for each serious or critical axe-core violation on the page. */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  // evaluate() is not subject to the page's Content-Security-Policy; a script tag would be.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(`${AXE_SOURCE}\n;true`);
  return page.evaluate(async () => {
    type Result = { id: string; impact?: string | null; nodes: { target: unknown[] }[] };
    const axe = (window as unknown as { axe: { run(ctx: Document, options: object): Promise<{ violations: Result[] }> } }).axe;
    const { violations } = await axe.run(document, { resultTypes: ['violations'] });
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} at ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  });
}
