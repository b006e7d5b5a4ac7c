/**
 * A session's browser, named for its sessions list ("Chrome 156 on Linux") from the
 * User-Agent it signed in with. The name is made only of the words below and a version
 * number, so whatever a client puts in its header never reaches the console's screen.
 */

/** Browsers by their User-Agent token, the more specific first (Edge and Opera also say "Chrome"). */
const BROWSERS: Array<[name: string, token: RegExp]> = [
  ['Edge', /\bEdg(?:e|A|iOS)?\/(\d{1,4})/],
  ['Opera', /\b(?:OPR|OPT)\/(\d{1,4})/],
  ['Samsung Internet', /\bSamsungBrowser\/(\d{1,4})/],
  ['Firefox', /\b(?:Firefox|FxiOS)\/(\d{1,4})/],
  ['Chrome', /(?:Chrome|CriOS)\/(\d{1,4})/],
  // Safari's version is its Version/ token; its Safari/ token is the WebKit build.
  ['Safari', /\bVersion\/(\d{1,4})(?:\.\d+)*(?: Mobile\/\w+)? Safari\//],
];

/** Systems by their User-Agent token; iOS first, since it says "like Mac OS X". */
const SYSTEMS: Array<[name: string, token: RegExp]> = [
  ['iOS', /\b(?:iPhone|iPad|iPod)\b/],
  ['Android', /\bAndroid\b/],
  ['Windows', /\bWindows\b/],
  ['ChromeOS', /\bCrOS\b/],
  ['macOS', /\bMacintosh\b|\bMac OS X\b/],
  ['Linux', /\bLinux\b/],
];

/** "Chrome 156 on Linux", "Safari 17 on iOS", "Firefox 128", or "Unknown browser". */
export function browserName(userAgent: string): string {
  const text = userAgent.slice(0, 300);
  const browser = BROWSERS.map(([name, token]) => [name, token.exec(text)?.[1]] as const).find(([, version]) => version !== undefined);
  const system = SYSTEMS.find(([, token]) => token.test(text))?.[0];
  if (!browser) return system ? `Unknown browser on ${system}` : 'Unknown browser';
  const named = `${browser[0]} ${Number(browser[1])}`;
  return system ? `${named} on ${system}` : named;
}
