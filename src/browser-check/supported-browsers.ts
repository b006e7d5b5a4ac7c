/**
 * The browsers the kiosk supports, written once. Vite builds for them (build.target), the
 * bundle test checks the built files against them (es-check with browserslist), the browser
 * check names them on its "too old" page, and the README lists them.
 *
 * The floor is what the tablets at rallies really run, in March 2023 terms: iPads from iPadOS
 * 16.4 on (Safari 16.4 brought regular-expression lookbehind, class static blocks and
 * CompressionStream), Android tablets with an updated Chrome or Samsung Internet, and Firefox
 * from ESR 115. An older browser gets the page of src/browser-check/browser-check.js.
 */
export interface SupportedBrowser {
  /** How the README names the family. */
  family: string;
  /** The short name the "too old" page shows with its version, e.g. "Safari 16.4". */
  name: string;
  /** Oldest supported version. */
  min: string;
  /** Vite (esbuild-style) build targets for it. */
  build: readonly string[];
  /** browserslist names for it, checked from `min` on. */
  browserslist: readonly string[];
}

export const SUPPORTED_BROWSERS: readonly SupportedBrowser[] = [
  { family: 'Safari on iPadOS and iOS (and macOS)', name: 'Safari', min: '16.4', build: ['safari16.4', 'ios16.4'], browserslist: ['safari', 'ios_saf'] },
  { family: 'Chrome and Edge (Android, desktop)', name: 'Chrome', min: '111', build: ['chrome111', 'edge111'], browserslist: ['chrome', 'edge', 'and_chr'] },
  { family: 'Samsung Internet (Chromium 111)', name: 'Samsung Internet', min: '22', build: [], browserslist: ['samsung'] },
  { family: 'Firefox (ESR 115 and later, Android)', name: 'Firefox', min: '115', build: ['firefox115'], browserslist: ['firefox', 'and_ff'] },
];

/** Vite's build.target for the kiosk (and the console, built with it). */
export const BUILD_TARGET: string[] = ['es2022', ...SUPPORTED_BROWSERS.flatMap((b) => b.build)];

/** The same floor as a browserslist query, for es-check. */
export const BROWSERSLIST_QUERY: string = SUPPORTED_BROWSERS.flatMap((b) => b.browserslist.map((n) => `${n} >= ${b.min}`)).join(', ');

/** "Safari 16.4, Chrome 111, Samsung Internet 22, Firefox 115": for the "too old" page. */
export const SUPPORTED_SUMMARY: string = SUPPORTED_BROWSERS.map((b) => `${b.name} ${b.min}`).join(', ');
