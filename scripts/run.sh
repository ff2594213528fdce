#!/usr/bin/env bash
# `make run`: build the release, migrate, seed the demo organization and serve
# http://127.0.0.1:3000.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
scripts/setup.sh run
use_database roster
trap '[ -n "$PRIVATE_PG" ] && scripts/pg.sh stop' EXIT

# The release build, as users get it: the wasm optimized for size (wasm-opt), its files
# content-hashed and precompressed (brotli, gzip), the server optimized (Cargo.toml's
# release profile). `make dev` is the quick-rebuild loop for changing the code.
say "Building the release (cargo leptos build --release --precompress --split)"
cargo leptos build --release --precompress --split

export ROSTER_ENV=${ROSTER_ENV:-development}
export SITE_ADDR=${SITE_ADDR:-${LEPTOS_SITE_ADDR:-127.0.0.1:3000}}
say "Serving at http://$SITE_ADDR (Ctrl-C stops it)"
if [ "$ROSTER_ENV" = development ]; then
  echo "  Sign in at http://$SITE_ADDR/sign-in with the demo organization (made on an empty database):"
  echo "    administrator: admin@northwind.example       / northwind-demo"
  echo "    member:        ava.hughes@northwind.example  / northwind-demo"
fi
target/release/roster serve
