#!/usr/bin/env bash
# A bare machine's first `make run`, timed (docs/BENCHMARKS.md, issue 20): the build tools
# (cargo-leptos, wasm-bindgen) are moved aside so that setup builds them again, a fresh
# clone of this checkout's HEAD runs `make run`, and the time until the first page answers
# is printed. Crates already downloaded stay (~/.cargo/registry): the figure is the build,
# not the network. Uses port 3000; the moved tools are left in the printed folder (setup has
# installed new ones by then).
#   scripts/bench-first-run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
aside=$(mktemp -d /tmp/roster-tools-aside.XXXX)
for tool in cargo-leptos wasm-bindgen; do
  [ -e "$HOME/.cargo/bin/$tool" ] && mv "$HOME/.cargo/bin/$tool" "$aside/"
done
echo "build tools moved to $aside"
clone=$(mktemp -d /tmp/roster-first-run.XXXX)
git clone -q . "$clone"
log="$clone/first-run.log"
start=$(date +%s)
(cd "$clone" && exec make run >"$log" 2>&1) &
runner=$!
until curl -fsS http://127.0.0.1:3000/livez >/dev/null 2>&1; do
  kill -0 "$runner" 2>/dev/null || { tail -20 "$log"; echo "make run stopped" >&2; exit 1; }
  sleep 2
done
elapsed=$(( $(date +%s) - start ))
status=$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:3000/sign-in)
echo "first make run: ${elapsed} s to the first page (/sign-in answered $status); log: $log"
pkill -f "$clone/target/release/roster" || true
(cd "$clone" && scripts/pg.sh stop) || true
