#!/usr/bin/env bash
# Runs the third-party Open311 client (georeport, from PyPI) against a real Front Door:
# a fresh demo database, a partner key from `frontdoor open311 key`, both JSON and XML.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet georeport==0.3.1
cargo build --quiet
export FRONTDOOR_DATABASE="sqlite://$work/frontdoor.db"
export FRONTDOOR_ADDR="127.0.0.1:${OPEN311_TEST_PORT:-18311}"
./target/debug/frontdoor migrate >/dev/null
key=$(./target/debug/frontdoor open311 key --name "georeport test")
./target/debug/frontdoor serve --demo >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -sf "http://$FRONTDOOR_ADDR/readyz" >/dev/null && break
  sleep 0.2
done
"$work/venv/bin/python" tests/open311/georeport_client.py "http://$FRONTDOOR_ADDR/open311/v2" "$key"
