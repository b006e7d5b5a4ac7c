#!/usr/bin/env bash
# The tests need two Debian packages: chromium (browser tests drive it; never a downloaded
# browser) and poppler-utils (pdftotext/pdftoppm check the PDF export). Install what is
# missing when we are allowed to (root); otherwise say exactly what to run.
set -euo pipefail
missing=()
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)
command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null || missing+=(poppler-utils)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages for the tests: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
echo "Missing: ${missing[*]}. Install with: sudo apt-get install -y ${missing[*]}" >&2
exit 1
