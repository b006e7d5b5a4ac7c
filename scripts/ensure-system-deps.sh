#!/usr/bin/env bash
# The tests need these Debian packages (never a downloaded browser):
#   chromium           the deep browser suite drives it (playwright-core)
#   firefox-esr        the cross-engine walk in Gecko (puppeteer-core over WebDriver BiDi)
#   webkit2gtk-driver  WebKitWebDriver: the cross-engine walk in WebKit, Safari's engine
#   xvfb               a display for WebKitGTK, which has no headless mode
#   poppler-utils      pdftotext/pdftoppm check the PDF export
#   postgresql-client  pg_dump/pg_restore: the PostgreSQL backup and restore (tests/store/backup.test.ts)
#   caddy              the HTTPS deployment test runs deploy/Caddyfile.local in front of the server
#   libnss3-tools      certutil: that test's Chromium trusts Caddy's local CA in its own NSS database
# Install what is missing when we are allowed to (root); otherwise say exactly what to run.
set -euo pipefail
missing=()
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)
[ -x "${FIREFOX_PATH:-/usr/bin/firefox-esr}" ] || missing+=(firefox-esr)
[ -x "${WEBKIT_DRIVER_PATH:-/usr/bin/WebKitWebDriver}" ] || missing+=(webkit2gtk-driver)
command -v Xvfb >/dev/null || missing+=(xvfb)
command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null || missing+=(poppler-utils)
command -v pg_dump >/dev/null && command -v pg_restore >/dev/null || missing+=(postgresql-client)
command -v caddy >/dev/null || missing+=(caddy)
command -v certutil >/dev/null || missing+=(libnss3-tools)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages for the tests: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
echo "Missing: ${missing[*]}. Install with: sudo apt-get install -y ${missing[*]}" >&2
exit 1
