/**
 * Build-time only (runs in Node inside vite): writes the browser check (browser-check.js,
 * with the "too old" texts of every kiosk catalog filled in) as /browser-check.js, and puts
 * it at the end of the kiosk page's body. The service worker precaches it with the rest.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Plugin } from 'vite';
import { RTL_LANGUAGES } from '../shared/campaign.ts';
import { CATALOGS } from '../kiosk/i18n/all.ts';
import { translator } from '../kiosk/i18n/catalog.ts';
import { SUPPORTED_SUMMARY } from './supported-browsers.ts';

/** Where the built page loads it from. */
export const BROWSER_CHECK_FILE = 'browser-check.js';
const PLACEHOLDER = '__FIELDSIGN_MESSAGES__';

/** The texts the check shows, per kiosk language. */
export function browserCheckMessages(): Record<string, Record<string, string>> {
  return Object.fromEntries(
    Object.entries(CATALOGS).map(([lang, catalog]) => {
      const t = translator(catalog, lang);
      return [
        lang,
        {
          dir: RTL_LANGUAGES.has(lang) ? 'rtl' : 'ltr',
          title: t('browserTooOldTitle'),
          body: t('browserTooOldBody', { browsers: SUPPORTED_SUMMARY }),
          missing: t('browserMissing'),
          insecureTitle: t('browserInsecureTitle'),
          insecureBody: t('browserInsecureBody'),
        },
      ];
    }),
  );
}

/** The check script as shipped: ASCII only (escapes), so that no old parser trips on a character. */
export function browserCheckScript(): string {
  const template = readFileSync(resolve(import.meta.dirname, 'browser-check.js'), 'utf8');
  if (template.split(PLACEHOLDER).length !== 2) throw new Error(`browser-check.js must hold its ${PLACEHOLDER} placeholder exactly once`);
  const messages = JSON.stringify(browserCheckMessages()).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return template.replace(PLACEHOLDER, messages);
}

/** The vite plugin: emit the script, and load it from the kiosk page (index.html) only. */
export function browserCheck(): Plugin {
  return {
    name: 'fieldsign:browser-check',
    apply: 'build',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: BROWSER_CHECK_FILE, source: browserCheckScript() });
    },
    transformIndexHtml: {
      order: 'post',
      handler(_html, context) {
        if (!context.filename.endsWith('index.html')) return;
        return [{ tag: 'script', attrs: { src: `/${BROWSER_CHECK_FILE}` }, injectTo: 'body' }];
      },
    },
  };
}
