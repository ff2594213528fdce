#!/usr/bin/env bash
# `scripts/bench.sh apply`: 100,000 changes applied as one file. A scratch organization
# of 100,000 members (SQL), exported by `roster members export`, every job title changed,
# then `roster csv diff` and `roster csv apply` timed (release binary), against a raw
# UPDATE of the same 100,000 rows from a temporary table as the reference.
#   scripts/bench-apply.sh DATABASE_URL
# On a fresh database of its own (roster_bench_apply on the server of DATABASE_URL), as
# the import and load benchmarks: on a shared one, earlier runs' organisations and dead
# rows moved the ratio by a third between days (1.05-1.19x here against 1.40-1.49x on the
# test database, the same code, 2026-12-05).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
ensure_database "$1" roster_bench_apply
url=$(db_url_named "$1" roster_bench_apply)
bin=target/release/roster
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
name="Bench $(date +%s)"
DATABASE_URL=$url PUBLIC_URL=http://127.0.0.1 $bin org create --name "$name" --enable-seats 200000 \
  --opportunity-seats 200000 --admin-email "admin@bench.example" --admin-first-name Ada --admin-last-name Admin >/dev/null
org="(SELECT id FROM organizations WHERE name = '$name')"
psql "$url" -q -v ON_ERROR_STOP=1 <<SQL
INSERT INTO members (organization_id, external_id, first_name, last_name, email, job_title, permission, status, password_hash, enable_seat)
SELECT $org, CASE WHEN n < 100000 THEN 'EXT' || lpad(n::text, 5, '0') END, 'Zoë' || n, 'Müller', 'person' || n || '@bench.example',
       'Account Executive', 'member', 'active', 'x', n % 2 = 0
  FROM generate_series(1, 100000) n;
ANALYZE members;
SQL
DATABASE_URL=$url $bin members export --org "$name" --output "$dir/roster.csv" 2>/dev/null
sed 's/,Account Executive,/,Sales Manager,/' "$dir/roster.csv" > "$dir/changed.csv"
echo "rows in the file: $(($(wc -l < "$dir/changed.csv") - 1))"
# Each run takes turns with its reference — this machine's UPDATE of 100,000 members varies
# by a factor of three between minutes (checkpoints, the table's growth) — a raw UPDATE of
# the same 100,000 job titles from a temporary table (psql's \timing), which also puts the
# titles back for the next run.
psql "$url" -q -v ON_ERROR_STOP=1 -c "DROP TABLE IF EXISTS bench_wanted" -c "CREATE TABLE bench_wanted AS SELECT id, job_title FROM members WHERE organization_id = $org"
trap 'psql "$url" -q -c "DROP TABLE IF EXISTS bench_wanted"; rm -rf "$dir"' EXIT
# Each timed write starts from the same state: the previous one's dead rows vacuumed and
# a checkpoint taken (without it each run found the table larger, and the apply and its
# reference both grew by half over three runs).
settle() { psql "$url" -q -v ON_ERROR_STOP=1 -c "VACUUM members" -c "CHECKPOINT"; }
for run in $(seq 1 "${APPLY_RUNS:-3}"); do
  settle
  /usr/bin/time -f %e -o "$dir/diff-s" env DATABASE_URL=$url RUST_LOG=error \
    $bin csv diff "$dir/changed.csv" --org "$name" >/dev/null 2>&1 || true
  /usr/bin/time -f %e -o "$dir/apply-s" env DATABASE_URL=$url RUST_LOG=error \
    $bin csv apply "$dir/changed.csv" --org "$name" >"$dir/out" 2>&1
  settle
  reference=$(psql "$url" -q -v ON_ERROR_STOP=1 <<SQL | awk '/^Time:/ { print $2 / 1000 }'
\\timing on
UPDATE members m SET job_title = w.job_title FROM bench_wanted w WHERE m.id = w.id;
SQL
)
  awk -v run="$run" -v diff="$(cat "$dir/diff-s")" -v apply="$(cat "$dir/apply-s")" -v ref="$reference" -v out="$(tail -1 "$dir/out")" \
    'BEGIN { printf "run %d: csv diff %.2f s, csv apply %.2f s (%s); raw UPDATE right after %.2f s: %.2fx\n", run, diff, apply, out, ref, apply / ref }'
done
