#!/usr/bin/env bash
# Real-browser tests (docs/accessibility.md): journeys with JavaScript on and off, axe-core at
# WCAG 2.2 AA on every page, keyboard-only use of the console queue, screenshots at 320 and
# 1280 px. Needs Debian's chromium (/usr/bin/chromium) and npm; screenshots are kept in
# target/browser-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
work=$(mktemp -d)
server=
trap 'if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null || { echo "browser tests need Chromium: apt-get install chromium" >&2; exit 1; }
cargo build --quiet
(cd tests/browser && npm ci --silent --no-audit --no-fund)
export FRONTDOOR_DATABASE="sqlite://$work/frontdoor.db"
export FRONTDOOR_ADDR="127.0.0.1:${BROWSER_TEST_PORT:-18380}"
export FRONTDOOR_DEV_MAILBOX="$work/mail"
export FRONTDOOR_PUBLIC_URL="http://$FRONTDOOR_ADDR"
export FRONTDOOR_MAP_TILES=""
bin=./target/debug/frontdoor
$bin migrate >/dev/null
echo 'browser test password one' | $bin user add --email wyn.officer@demo-council.example --name "Wyn Officer" --team waste >/dev/null
echo 'browser test password two' | $bin user add --email mo.manager@demo-council.example --name "Mo Manager" --team customer-services --role manager >/dev/null
echo 'browser test password three' | $bin user add --email tal.lead@demo-council.example --name "Tal Lead" --team waste --role team-lead >/dev/null
echo 'browser test password four' | $bin user add --email ada.admin@demo-council.example --name "Ada Admin" --team information-governance --role admin >/dev/null
$bin serve --demo >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 150); do
  curl -sf "http://$FRONTDOOR_ADDR/readyz" >/dev/null && break
  sleep 0.2
done
curl -sf "http://$FRONTDOOR_ADDR/readyz" >/dev/null || { cat "$work/server.log" >&2; exit 1; }
export FRONTDOOR_URL="http://$FRONTDOOR_ADDR"
export BROWSER_ARTIFACTS="$root/target/browser-artifacts"
rm -rf "$BROWSER_ARTIFACTS"
cd tests/browser
node --test --test-concurrency=1 pages.test.mjs journeys.test.mjs keyboard.test.mjs
echo "axe-core (WCAG 2.2 AA): $(wc -l < "$BROWSER_ARTIFACTS/axe-checks.tsv") page checks, no violations"
echo "Screenshots: $(ls "$BROWSER_ARTIFACTS"/*.png | wc -l) in $BROWSER_ARTIFACTS"
