#!/usr/bin/env bash
# Runs a benchmark and prints its figures (see docs/BENCHMARKS.md):
#   scripts/bench.sh member_list   the member list of a 100,000-member organization
#   scripts/bench.sh reports       the report of a 100,000-member organization with enrollments
#   scripts/bench.sh import        importing 99,999 CSV rows, against a raw COPY
#   scripts/bench.sh csv           the browser's CSV check against papaparse (release build)
#   scripts/bench.sh page          the Import CSV page itself with a 1,000,000-row file
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
use_database roster_bench
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  [ -n "$PRIVATE_PG" ] && scripts/pg.sh stop
  return 0
}
trap cleanup EXIT
case "${1:?which benchmark: member_list, reports, import, csv or page}" in
  member_list|import|reports)
    cargo bench -p server --bench "$1" ;;
  csv|page)
    scripts/setup.sh all
    (cd end2end/bench && npm ci --no-audit --no-fund >/dev/null)
    cargo leptos build --release --precompress --split
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    site_db=$DATABASE_URL
    if [ "$1" = page ]; then
      # The page needs someone to sign in: a fresh database gets the demo organization.
      site_db=$(db_url_named "$DATABASE_URL" roster_bench_page)
      ensure_database "$DATABASE_URL" roster_bench_page
    fi
    DATABASE_URL=$site_db ROSTER_ENV=development SITE_ADDR=127.0.0.1:$port \
      target/release/roster serve >target/bench-server.log 2>&1 &
    server_pid=$!
    for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
    wc -c target/site/pkg/roster.*.wasm.br | awk '{ printf "shipped wasm: %.0f KB brotli\n", $1 / 1024 }'
    script=csv-check.mjs
    [ "$1" = page ] && script=import-page.mjs
    (cd end2end && BASE_URL="http://127.0.0.1:$port" node "bench/$script") ;;
  *) echo "unknown benchmark $1" >&2; exit 2 ;;
esac
