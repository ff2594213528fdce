#!/usr/bin/env bash
# Runs a benchmark against the private PostgreSQL (or DATABASE_URL):
#   scripts/bench.sh member_list
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
use_database roster
trap '[ -n "$PRIVATE_PG" ] && scripts/pg.sh stop' EXIT
cargo bench -p server --bench "${1:?which benchmark: member_list or import}"
