/**
 * The built app against the supported browsers (src/browser-check/supported-browsers.ts):
 * es-check parses every built script and fails on syntax, or a built-in such as
 * Promise.withResolvers, that one of those browsers lacks; the browser check itself must
 * be ES5, since it has to run in any browser. Each check is shown to fail on purpose on a
 * file that is newer than its target. Runs on `dist/` (npm test builds it first).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BROWSERSLIST_QUERY } from '../../src/browser-check/supported-browsers.ts';
import { BROWSER_CHECK_FILE } from '../../src/browser-check/vite-plugin.ts';
import { DIST } from '../helpers/app-process.ts';

interface EsCheckConfig {
  files: string[];
  module?: boolean;
  ecmaVersion?: string;
  checkBrowser?: boolean;
  checkFeatures?: boolean;
  browserslistQuery?: string;
  noCache?: boolean;
}
interface EsCheckResult {
  success: boolean;
  errors: Array<{ file: string; err: Error }>;
}
const { runChecks } = createRequire(import.meta.url)('es-check') as {
  runChecks(configs: EsCheckConfig[], options: { logger: null }): Promise<EsCheckResult> | EsCheckResult;
};

/** es-check's verdict on `files`: `[]` when they pass, else one "file: reason" line each. */
async function problems(files: string[], target: 'supported-browsers' | 'es5', module = true): Promise<string[]> {
  const config: EsCheckConfig =
    target === 'es5'
      ? { files, module: false, ecmaVersion: 'es5', noCache: true }
      : { files, module, checkBrowser: true, checkFeatures: true, browserslistQuery: BROWSERSLIST_QUERY, noCache: true };
  const result = await runChecks([config], { logger: null });
  return result.errors.map((e) => `${e.file}: ${e.err.message}`);
}

/** Write `source` into a fresh temporary file and return its path. */
function fixture(name: string, source: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'fieldsign-escheck-')), name);
  writeFileSync(file, source);
  return file;
}

describe('the built app runs in every supported browser', () => {
  it('builds first (npm test runs vite build before the tests)', () => {
    expect(existsSync(join(DIST, 'index.html')), 'dist/ is missing: run npm run build').toBe(true);
  });

  it('the kiosk, console and counter modules use nothing newer than the supported browsers', async () => {
    expect(await problems([join(DIST, 'assets/*.js')], 'supported-browsers')).toEqual([]);
  });

  it('the service worker uses nothing newer than the supported browsers', async () => {
    expect(await problems([join(DIST, 'sw.js'), join(DIST, 'workbox-*.js')], 'supported-browsers', false)).toEqual([]);
  });

  it('the browser check is plain ES5, loaded as a classic script before the kiosk module runs', async () => {
    const file = join(DIST, BROWSER_CHECK_FILE);
    expect(await problems([file], 'es5')).toEqual([]);
    const source = readFileSync(file, 'utf8');
    expect(source).not.toContain('__FIELDSIGN_MESSAGES__');
    expect(source).toMatch(/^[\x09\x0a\x0d\x20-\x7e]*$/); // ASCII only: no old parser trips on a character
    // At the end of the body, after #app; the module (deferred) runs after the whole page is parsed.
    const html = readFileSync(join(DIST, 'index.html'), 'utf8');
    expect(html).toMatch(new RegExp(`<div id="app"></div>[\\s\\S]*<script src="/${BROWSER_CHECK_FILE}"></script>\\s*</body>`));
    expect(html).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js"><\/script>/);
  });
});

describe('the bundle check fails on purpose on what is newer than its target', () => {
  it('passes ES2022 that Safari 16.4 runs (class static blocks, private fields)', async () => {
    const ok = fixture('es2022.js', 'export class Counter { static #n = 1; static { Counter.start = Counter.#n; } }\n');
    expect(await problems([ok], 'supported-browsers')).toEqual([]);
  });

  it('fails on regular-expression syntax of ES2024 (the v flag, Safari 17)', async () => {
    const bad = fixture('regexp-v.js', 'export const letters = /[\\p{L}--[a-z]]/v;\n');
    expect(await problems([bad], 'supported-browsers')).toEqual([expect.stringContaining('regexp-v.js')]);
  });

  it('fails on a built-in the oldest supported browsers lack (Promise.withResolvers, Safari 17.4)', async () => {
    const bad = fixture('with-resolvers.js', 'export const { promise, resolve } = Promise.withResolvers();\n');
    const found = await problems([bad], 'supported-browsers');
    expect(found).toEqual([expect.stringMatching(/PromiseWithResolvers \(.*safari 16\.4 requires 17\.4/)]);
  });

  it('fails on ES2015 syntax in the browser check (an arrow function)', async () => {
    const bad = fixture('check.js', 'window.addEventListener("error", (event) => event.preventDefault());\n');
    expect(await problems([bad], 'es5')).toEqual([expect.stringContaining('check.js')]);
  });
});
