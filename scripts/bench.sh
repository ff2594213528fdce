#!/usr/bin/env bash
# Runs a benchmark and prints its figures (see docs/BENCHMARKS.md):
#   scripts/bench.sh member_list   the member list of a 100,000-member organization
#   scripts/bench.sh member_list_million   the same with 1,000,000 members
#   scripts/bench.sh million       1,000,000 members: the organization report, the Licenses page as of a past date, SCIM userName look-ups (p99)
#   scripts/bench.sh reports       the report of a 100,000-member organization with enrollments
#   scripts/bench.sh licenses      the license ledger of a 100,000-member organization, a year of history
#   scripts/bench.sh scim          an identity provider's initial sync of 10,000 users over SCIM, against a raw COPY
#   scripts/bench.sh import        importing 99,999 CSV rows, against a raw COPY
#   scripts/bench.sh csv           the browser's CSV check against papaparse (release build)
#   scripts/bench.sh check_profile where that check spends its time, by Rust function
#   scripts/bench.sh page          the Import CSV page itself: 100,000 rows three times, then 1,000,000 (ROWS=n for one size)
#   scripts/bench.sh import_page   Import clicked on the page for 100,000 new rows (ROWS=n), against a raw COPY of the member rows in the same database
#   scripts/bench.sh first         the first page: bytes before interactive and the time to it (sign-in, My Organization, Import CSV)
#   scripts/bench.sh plan          a 100,000-row roster file planned in the browser (release)
#   scripts/bench.sh workbook      a 100,000-row .xlsx (LibreOffice) read in the browser (release)
#   scripts/bench.sh apply         100,000 changes applied by `roster csv apply` (release binary)
#   scripts/bench.sh load          My Organization and its member list under 50 clients (wrk), one instance and two behind nginx
#   scripts/bench.sh activity      the activity log exported (10,000 to 1,000,000 entries), memory sampled, against COPY
# Issue 25's targets, one command each (the benchmarks above that measure it, one after another;
# see "where each target stands" in docs/BENCHMARKS.md):
#   scripts/bench.sh target1       first
#   scripts/bench.sh target2       import, import_page, apply
#   scripts/bench.sh target3       csv, page, workbook
#   scripts/bench.sh target4       member_list_million, million
#   scripts/bench.sh target5       load
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  target1) exec scripts/bench.sh first ;;
  target2|target3|target4)
    case "$1" in
      target2) set -- import import_page apply ;;
      target3) set -- csv page workbook ;;
      target4) set -- member_list_million million ;;
    esac
    for benchmark in "$@"; do
      echo "== scripts/bench.sh $benchmark"
      scripts/bench.sh "$benchmark"
    done
    exit 0 ;;
  target5) exec scripts/bench.sh load ;;
esac
source scripts/common.sh
use_database roster_bench
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  [ -n "$PRIVATE_PG" ] && scripts/pg.sh stop
  return 0
}
trap cleanup EXIT
case "${1:?which benchmark: target1 … target5, member_list, member_list_million, million, reports, licenses, scim, import, csv, check_profile, page, import_page, first, plan, workbook, apply, load or activity}" in
  member_list|import|reports|licenses|scim)
    cargo bench -p server --bench "$1" ;;
  member_list_million)
    BENCH_MEMBERS=1000000 cargo bench -p server --bench member_list ;;
  million)
    BENCH_MEMBERS=1000000 cargo bench -p server --bench million ;;
  apply)
    cargo build --release -p server --bin roster
    scripts/bench-apply.sh "$DATABASE_URL" ;;
  load)
    scripts/setup.sh run
    scripts/setup.sh load
    cargo leptos build --release --precompress --split
    scripts/bench-load.sh "$DATABASE_URL" ;;
  activity)
    cargo build --release -p server --bin roster
    scripts/bench-activity.sh "$DATABASE_URL" ;;
  check_profile)
    scripts/setup.sh all
    (cd end2end/bench && npm ci --no-audit --no-fund >/dev/null)
    cargo leptos build --release --precompress --split
    scripts/check-profile.sh ;;
  csv|page|import_page|plan|workbook|first)
    scripts/setup.sh all
    (cd end2end/bench && npm ci --no-audit --no-fund >/dev/null)
    cargo leptos build --release --precompress --split
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    site_db=$DATABASE_URL
    if [ "$1" = page ] || [ "$1" = import_page ] || [ "$1" = first ]; then
      # The page needs someone to sign in: a fresh database gets the demo organization.
      site_db=$(db_url_named "$DATABASE_URL" roster_bench_page)
      ensure_database "$DATABASE_URL" roster_bench_page
    fi
    DATABASE_URL=$site_db ROSTER_ENV=development SITE_ADDR=127.0.0.1:$port \
      target/release/roster serve >target/bench-server.log 2>&1 &
    server_pid=$!
    for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
    ls -l target/site/pkg/*.wasm.br | awk '{ printf "%s: %.0f KB brotli\n", $NF, $5 / 1024 }'
    case "$1" in
      csv) (cd end2end && BASE_URL="http://127.0.0.1:$port" node bench/csv-check.mjs) ;;
      page)
        # Picked to summary, measured from outside the page; ROWS for a single size.
        for rows in ${ROWS:-100000 100000 100000 1000000}; do
          (cd end2end && ROWS=$rows BASE_URL="http://127.0.0.1:$port" node bench/import-page.mjs)
        done ;;
      import_page)
        rows=${ROWS:-100000}
        (cd end2end && ROWS=$rows IMPORT=1 BASE_URL="http://127.0.0.1:$port" node bench/import-page.mjs)
        # The reference in the same database right after: the same member rows by COPY into
        # an organization of their own (what the import writes first, nothing else).
        copy=/tmp/roster-$rows-rows-new.copy
        org=$(psql -qAt "$site_db" -c "INSERT INTO organizations (name, enable_seats, opportunity_seats) VALUES ('Copy', 0, 0) RETURNING id")
        tail -n +2 "/tmp/roster-$rows-rows-new.csv" | tr -d '\r' \
          | awk -F, -v org="$org" '{ print org "," $1 "," $2 "," $3 "," $4 "," $5 ",member,false,false" }' >"$copy"
        echo "reference: raw COPY of the same $rows member rows into another organization"
        psql -qAt "$site_db" <<SQL
\\timing on
\\copy members (organization_id, external_id, first_name, last_name, email, job_title, permission, enable_seat, opportunity_seat) FROM '$copy' WITH (FORMAT csv)
SQL
        ;;
      first) (cd end2end && BASE_URL="http://127.0.0.1:$port" node bench/first-page.mjs) ;;
      plan) (cd end2end && BASE_URL="http://127.0.0.1:$port" node bench/roster.mjs plan) ;;
      workbook)
        # 100,000 rows written by LibreOffice (Debian's, installed on first use).
        scripts/setup.sh workbook
        xlsx=/tmp/roster-100k-rows.xlsx
        if [ ! -f "$xlsx" ]; then
          python3 - <<'PY'
with open('/tmp/roster-100k-rows.csv', 'w', encoding='utf-8', newline='') as f:
    f.write('user_id,first_name,last_name,email,job_title,mos_enable,mos_opportunity,course_enrollments\r\n')
    for n in range(1, 100001):
        f.write(f'EXT{n % 100000:05d},Zoë{n},Müller,person{n}@example.com,Account Executive,{"TRUE" if n % 2 else "FALSE"},FALSE,\r\n')
PY
          soffice --headless --infilter='CSV:44,34,76,1,,0,false,true,true' --convert-to xlsx --outdir /tmp /tmp/roster-100k-rows.csv >/dev/null
        fi
        (cd end2end && BASE_URL="http://127.0.0.1:$port" FILE=$xlsx node bench/roster.mjs workbook) ;;
    esac ;;
  *) echo "unknown benchmark $1" >&2; exit 2 ;;
esac
