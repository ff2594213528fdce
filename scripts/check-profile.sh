#!/usr/bin/env bash
# `scripts/bench.sh check_profile`: where the browser's CSV check spends its time, by Rust
# function (end2end/bench/check-profile.mjs). The served module has no function names
# (wasm-opt drops them), so this takes the release build's module before that step
# (`cargo leptos build --release --split` leaves it in target/front), runs wasm-bindgen on
# it keeping the names, and serves it on its own with a page that loads it.
set -euo pipefail
dir=$(mktemp -d)
trap 'kill "${server:-}" 2>/dev/null || true; rm -rf "$dir"' EXIT
wasm-bindgen --target web --keep-debug --out-dir "$dir" --out-name roster \
  target/front/wasm32-unknown-unknown/wasm-release/frontend_split.wasm
# The module imports the split modules' loader under a name cargo-leptos fills in.
loader=$(sed -n 's/^import \* as [a-z0-9]* from "\.\/\(__wasm_split\.[^"]*\)".*/\1/p' "$dir/roster.js" | head -1)
sed 's|from "\./roster\.[^"]*\.js"|from "./roster.js"|' target/site/pkg/__wasm_split.*.js > "$dir/$loader"
cat > "$dir/index.html" <<'HTML'
<!doctype html><html><body><script type="module">
import init, * as mod from './roster.js';
await init({ module_or_path: './roster_bg.wasm' });
window.mod = mod;
document.body.dataset.ready = '1';
</script></body></html>
HTML
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$dir" >/dev/null 2>&1 &
server=$!
for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$port/index.html" >/dev/null 2>&1 && break; sleep 0.1; done
(cd end2end && BASE_URL="http://127.0.0.1:$port" node bench/check-profile.mjs)
