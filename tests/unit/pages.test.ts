/**
 * Every page the server hands out (the kiosk, the console, the public counter) says what it
 * is to a browser and to a search engine's audit: a language, a title and a description.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/app-process.ts';

describe('page heads', () => {
  for (const page of ['index.html', 'console.html', 'counter.html']) {
    it(`${page} has a language, a title and a meta description`, () => {
      const html = readFileSync(join(ROOT, page), 'utf8');
      expect(html).toMatch(/<html lang="en"/);
      expect(/<title>([^<]+)<\/title>/.exec(html)?.[1].trim()).toBeTruthy();
      const description = /<meta name="description" content="([^"]*)"/.exec(html)?.[1] ?? '';
      expect(description.length, page).toBeGreaterThanOrEqual(15);
      expect(description.length, page).toBeLessThanOrEqual(160);
    });
  }
});
