#!/usr/bin/env bash
# `make test`: unit, database and browser tests, against a real PostgreSQL and Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
scripts/setup.sh all
use_database roster_test
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [ -n "$PRIVATE_PG" ] && scripts/pg.sh stop
  return 0
}
trap cleanup EXIT

say "Unit tests: the rules and the file reading (roster-core), the shared crate as the browser builds it"
cargo test -p roster-core
cargo test -p app --lib

say "Building the site (cargo leptos build)"
cargo leptos build --split

say "Unit and database tests: the server side (each #[sqlx::test] gets its own database)"
(
  leptos_build_env
  cargo test -p app --features ssr --lib
  cargo test -p server
)

say "Browser tests (Playwright, Chromium)"
e2e_url=$(db_url_named "$DATABASE_URL" roster_e2e)
ensure_database "$DATABASE_URL" roster_e2e
# A free port, so a running `make run` or another checkout's tests never answer instead.
port=${E2E_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
log=target/e2e-server.log
# Domain proofs come from this file (the tests publish TXT records in it), not from DNS.
dns_file=$PWD/target/e2e-dns.json
echo '{}' >"$dns_file"
DATABASE_URL=$e2e_url ROSTER_ENV=development SITE_ADDR=127.0.0.1:$port ROSTER_DNS_TXT_FILE=$dns_file \
  target/debug/roster serve >"$log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$log"; echo "the server did not start" >&2; exit 1; }
  sleep 0.5
done
(cd end2end && BASE_URL="http://127.0.0.1:$port" ROSTER_BIN="$PWD/../target/debug/roster" \
  DATABASE_URL="$e2e_url" DNS_TXT_FILE="$dns_file" npx playwright test)

say "SCIM: the third-party scim2-tester and scim2-client against /scim/v2"
DATABASE_URL="$e2e_url" scripts/scim-check.sh "http://127.0.0.1:$port"

say "REST API and webhooks: a validated OpenAPI document, a generated client, Standard Webhooks receivers, two instances"
DATABASE_URL="$e2e_url" scripts/api-check.sh "http://127.0.0.1:$port"

say "The browser tests' server log holds no token, API key or password"
# Tokens are 64 hex digits (sessions, invitations, resets; API keys after rst_); the
# passwords are the demo's and the ones the browser tests type.
if grep -En '[0-9a-f]{64}|rst_[0-9a-f]{8}|whsec_|northwind-demo|a long passphrase|a brand new passphrase' "$log" target/api-check-second.log; then
  echo "secrets in the server logs (lines above)" >&2
  exit 1
fi
say "All tests passed"
