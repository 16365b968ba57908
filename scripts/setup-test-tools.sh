#!/usr/bin/env bash
# Runs before `npm test`: the browser tests drive Debian's Chromium and the CLI tests Debian's AWS CLI, which no
# npm package can install, so a fresh machine gets them here and `npm ci && npm test` needs no other set-up step.
set -euo pipefail
declare -A NEEDED=([chromium]=/usr/bin/chromium [awscli]=/usr/bin/aws)
missing=()
for package in "${!NEEDED[@]}"; do
  [ -x "${NEEDED[$package]}" ] || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "The tests need Debian's ${missing[*]} (browser tests: chromium at /usr/bin/chromium; CLI tests: awscli at /usr/bin/aws)." >&2
  echo "Install them first: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing Debian's ${missing[*]} for the tests (once per machine)..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
for package in "${missing[@]}"; do "${NEEDED[$package]}" --version; done
