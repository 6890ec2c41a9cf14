#!/usr/bin/env bash
# Browser tests drive Debian's Chromium through Playwright; no browser is downloaded.
# Installs the distribution's `chromium` package when it is missing, and `poppler-utils`
# (pdftoppm, pdftotext: the economics brief's PDF pages are checked as images and text).
# Safe to run any number of times, and silent when both are already there.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
PACKAGES=()
[ -x "$CHROMIUM" ] || PACKAGES+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || PACKAGES+=(poppler-utils)
if [ "${#PACKAGES[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo)
else
  echo "Tests need Debian's packages: sudo apt-get install ${PACKAGES[*]}" >&2
  exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
apt_install() {
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq -o Dpkg::Use-Pty=0 "${PACKAGES[@]}" >>"$log" 2>&1
}

echo "Installing Debian's ${PACKAGES[*]} for the tests..."
# Fresh machines often have no package lists yet: fetch them only when the install needs them.
if ! apt_install; then
  "${as_root[@]}" apt-get update -qq >>"$log" 2>&1 && apt_install || {
    cat "$log" >&2
    echo "Could not install ${PACKAGES[*]} with apt-get (output above)." >&2
    exit 1
  }
fi
# Debian's launcher script prints shell warnings on some machines; only the version matters.
if [[ " ${PACKAGES[*]} " == *" chromium "* ]]; then
  "$CHROMIUM" --version 2>/dev/null
fi
