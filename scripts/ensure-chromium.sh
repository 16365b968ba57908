#!/usr/bin/env bash
# Runs before `npm test`: the browser tests drive Debian's Chromium, which no npm package can install,
# so a fresh machine gets it here and `npm ci && npm test` needs no other set-up step.
set -euo pipefail
CHROMIUM=/usr/bin/chromium
[ -x "$CHROMIUM" ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "The browser tests need Chromium at $CHROMIUM. Install Debian's package first: sudo apt-get install -y chromium" >&2
  exit 1
fi
echo "Installing Debian's chromium for the browser tests (once per machine)..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
"$CHROMIUM" --version
