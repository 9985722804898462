#!/usr/bin/env bash
# The browser tests (test/*.browser.test.ts) and scripts/screenshots.ts drive Debian's Chromium
# through playwright-core: no browser is downloaded by npm. Called by scripts/test.sh, not by
# start.sh (running the system needs no browser). CI runs as root; otherwise through sudo.
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  echo "[setup] installing chromium (Debian package, about 25 s)"
  as_root=""
  if [ "$(id -u)" -ne 0 ]; then as_root="sudo"; fi
  $as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
