#!/usr/bin/env bash
# Runs the browser tests (tests/browser) in headless Chromium: installs Chromium (Debian) and playwright-core (npm)
# when missing, builds plume and the test harness (cmd/plumetest: the fake model, portal and identity provider,
# and a fresh database per scenario on DATABASE_URL's server), and runs tests/browser/run.mjs.
# Screenshots land in test-output/screenshots/.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
say() { printf 'browser-test.sh: %s\n' "$*" >&2; }

if [ ! -x /usr/bin/chromium ]; then
  say "installation de chromium (apt-get)"
  if [ "$(id -u)" -eq 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi
fi
command -v node >/dev/null 2>&1 || { say "node est introuvable ; installez nodejs et npm (apt-get install nodejs npm)"; exit 1; }
(cd "$root/tests/browser" && npm ci --no-audit --no-fund --silent)

bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
say "compilation de plume et du banc de test plumetest"
(cd "$root" && go build -o "$bin/plume" ./cmd/plume && go build -o "$bin/plumetest" ./cmd/plumetest)
PLUME_BIN="$bin/plume" PLUMETEST_BIN="$bin/plumetest" node "$root/tests/browser/run.mjs"
