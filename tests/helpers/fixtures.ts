/** Per-file fixtures of the browser tests, started in beforeAll and stopped in afterAll. */
import { afterAll, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { startApp, type AppProcess } from './app-process.ts';
import { launchChromium } from './browser.ts';

export interface AppAndChromium {
  app: AppProcess;
  browser: Browser;
}

/** The server (as `npm start` runs it, with `args`) and Chromium, for the tests of one file. */
export function appAndChromium(args: string[] = []): AppAndChromium {
  const fixture = {} as AppAndChromium;
  beforeAll(async () => {
    fixture.app = await startApp(undefined, args);
    fixture.browser = await launchChromium();
  });
  afterAll(async () => {
    await fixture.browser?.close();
    await fixture.app?.stop();
  });
  return fixture;
}
