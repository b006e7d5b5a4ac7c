/**
 * WebKitGTK (Safari's engine), driven by Debian's WebKitWebDriver under Xvfb with
 * selenium-webdriver: the cross-engine walk (kiosk-walk.ts). The page's errors come from
 * the probe described in tests/helpers/webkit.ts.
 */
import { describe, it } from 'vitest';
import { DIST } from '../helpers/app-process.ts';
import { launchWebKit, probedStaticDir } from '../helpers/webkit.ts';
import { walkIn, walkServer } from './kiosk-walk.ts';

const fixture = walkServer(() => probedStaticDir(DIST));

describe('WebKitGTK', () => {
  it('walks the kiosk: enroll, sign two, sync, reload offline from the service worker, sign one, sync after the server returns; no page errors', () => walkIn(() => launchWebKit(), fixture, 'kiosk-webkitgtk.png'), 180_000);
});
