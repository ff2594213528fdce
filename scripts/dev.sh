#!/usr/bin/env bash
# `make dev`: the development loop. cargo-leptos watches the sources, rebuilds what changed
# (debug build, incremental) and restarts the server; the page reloads itself.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
scripts/setup.sh run
use_database roster
trap '[ -n "$PRIVATE_PG" ] && scripts/pg.sh stop' EXIT

export ROSTER_ENV=development
say "Watching the sources; serving http://${LEPTOS_SITE_ADDR:-127.0.0.1:3000} (Ctrl-C stops it)"
echo "  Sign in as admin@northwind.example / northwind-demo (the demo organization)."
cargo leptos watch --split
