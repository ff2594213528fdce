#!/usr/bin/env bash
# Writes the query data of every sqlx::query! into .sqlx, checked against a freshly
# migrated database, so builds need no database (SQLX_OFFLINE=true).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
use_database roster_prepare
trap '[ -n "$PRIVATE_PG" ] && scripts/pg.sh stop' EXIT
url=$(db_url_named "$DATABASE_URL" roster_prepare)
ensure_database "$url" roster_prepare
# Each file in one transaction, as sqlx applies it.
for f in migrations/*.sql; do psql -q -1 -v ON_ERROR_STOP=1 "$url" -f "$f" >/dev/null; done
rm -rf .sqlx && mkdir .sqlx
# Touch the crate roots so the query macros run again for every query.
touch app/src/lib.rs server/src/lib.rs server/src/main.rs server/tests/integration/*.rs 2>/dev/null || true
SQLX_OFFLINE=false SQLX_OFFLINE_DIR="$PWD/.sqlx" DATABASE_URL="$url" \
  cargo check -p app --features ssr --lib --tests
SQLX_OFFLINE=false SQLX_OFFLINE_DIR="$PWD/.sqlx" DATABASE_URL="$url" \
  cargo check -p server --all-targets
echo "Wrote $(ls .sqlx | wc -l) query files to .sqlx"
