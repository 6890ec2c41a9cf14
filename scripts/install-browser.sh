#!/usr/bin/env bash
# Browser tests drive Debian's Chromium through Playwright; no browser is downloaded.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Install Debian's chromium package (sudo apt-get install chromium) to run browser tests." >&2
    exit 1
  fi
fi
chromium --version
