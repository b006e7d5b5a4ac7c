/**
 * Where the kiosk runs, for enrollment. iOS keeps a Home Screen web app's storage apart from
 * Safari's: a tablet enrolled in a Safari tab and then added to the Home Screen opens as an
 * unenrolled app, its one-time code spent and its signatures left behind in Safari. So on an
 * iPad or iPhone the tablet must be enrolled inside the Home Screen app.
 */

/** 'ios-tab': iPad/iPhone browser tab (enrolling here would be lost); 'installed': a Home Screen or installed app; 'browser': anything else. */
export type InstallContext = 'ios-tab' | 'installed' | 'browser';

/** Where this page runs now. */
export function installContext(nav: Navigator = navigator, media: (query: string) => MediaQueryList = matchMedia): InstallContext {
  // iPadOS 13+ Safari says "Macintosh" by default; only the touch screen tells it from a Mac.
  const ios = /\b(iPad|iPhone|iPod)\b/.test(nav.userAgent) || (/\bMacintosh\b/.test(nav.userAgent) && nav.maxTouchPoints > 1);
  const standalone = (nav as Navigator & { standalone?: boolean }).standalone === true || media('(display-mode: standalone)').matches;
  if (standalone) return 'installed';
  return ios ? 'ios-tab' : 'browser';
}
