#!/usr/bin/env bash
# Installs what building, running and testing Roster need, when it is missing:
# the wasm target, cargo-leptos, wasm-bindgen-cli at exactly the Cargo.lock version,
# binaryen's wasm-opt, the end-to-end npm packages, Debian's Chromium and PostgreSQL. Safe to run again.
#   scripts/setup.sh          everything
#   scripts/setup.sh run      what `make run` needs (no browser)
#   scripts/setup.sh load     what `scripts/bench.sh load` needs besides: wrk and nginx
#   scripts/setup.sh workbook  what `scripts/bench.sh workbook` needs besides: LibreOffice Calc
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root to run: $*" >&2; return 1; fi
}
apt_updated=
apt_install() {
  [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@"
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "Adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The build tools are built once, with a lighter release profile than their own (theirs is
# fat LTO with one codegen unit: 18 of a cold make run's 32 minutes on 2 cores). cargo-leptos
# orchestrates: its own code is built without optimization, and only the crates that do
# its heavy work (compression, the JS and CSS minifiers, the wasm splitter) at opt-level 2 —
# it then builds the site as fast as with its own profile (55 s against 51 s for a release
# build here) in 382 s instead of about 18 minutes. wasm-bindgen-cli, which reads the whole
# wasm, keeps opt-level 1. The two share one target directory.
tools_build_env() {
  export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=64 \
    CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_DEBUG=false \
    CARGO_PROFILE_RELEASE_INCREMENTAL=false CARGO_TARGET_DIR="${ROSTER_TOOLS_TARGET:-$HOME/.cache/roster-tools-target}"
}
hot_crates=(brotli brotli-decompressor miniz_oxide flate2 crc32fast adler2 lightningcss
  swc_ecma_minifier swc_ecma_parser swc_ecma_codegen swc_ecma_transforms_base
  swc_ecma_transforms_optimization swc_ecma_utils swc_ecma_visit swc_ecma_ast swc_common
  wasm_split_cli_support walrus wasmparser md-5 seahash)
hot_config=()
for crate in "${hot_crates[@]}"; do
  hot_config+=(--config "profile.release.package.$crate.opt-level=2")
done

# cargo-leptos's locked dependencies want a newer rustc than stable here: nightly builds
# it, and wasm-bindgen-cli too, so that the two share what they have in common.
toolchain=
rustup toolchain list | grep -q '^nightly' && toolchain=+nightly

leptos_version=0.3.11
if ! cargo leptos --version 2>/dev/null | grep -q "$leptos_version"; then
  say "Installing cargo-leptos $leptos_version (takes a while, once)"
  # no_downloads: cargo-leptos uses the wasm-bindgen installed below, never fetches one.
  locked=; [ -n "$toolchain" ] && locked=--locked
  (tools_build_env; cargo $toolchain install $locked cargo-leptos --version "$leptos_version" \
    --features no_downloads "${hot_config[@]}")
fi

bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " $bindgen_version\$"; then
  say "Installing wasm-bindgen-cli $bindgen_version (the Cargo.lock version)"
  (tools_build_env; export CARGO_PROFILE_RELEASE_OPT_LEVEL=1
   cargo $toolchain install wasm-bindgen-cli --version "$bindgen_version" --force)
fi
# The tools' build directory is only needed while they build.
if [ -d "${ROSTER_TOOLS_TARGET:-$HOME/.cache/roster-tools-target}" ]; then
  rm -rf "${ROSTER_TOOLS_TARGET:-$HOME/.cache/roster-tools-target}"
fi

# wasm-opt for release builds: npm's binaryen (Debian's is too old for current Rust output).
if [ ! -f tools/node_modules/.package-lock.json ] ||
   [ tools/package-lock.json -nt tools/node_modules/.package-lock.json ]; then
  say "Installing the build tools from npm (binaryen's wasm-opt)"
  (cd tools && npm ci --no-audit --no-fund)
fi

if [ -z "${DATABASE_URL:-}" ] && ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  say "Installing PostgreSQL"
  apt_install postgresql
fi

if [ "$what" = all ]; then
  # The TLS test starts a PostgreSQL of its own, whatever DATABASE_URL says, with a
  # certificate openssl makes.
  if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
    say "Installing PostgreSQL (the database TLS test runs its own server)"
    apt_install postgresql
  fi
  if ! command -v openssl >/dev/null; then
    say "Installing openssl (the database TLS test makes its certificates with it)"
    apt_install openssl
  fi
  if ! command -v chromium >/dev/null; then
    say "Installing Debian's Chromium (for the browser tests)"
    apt_install chromium
  fi
  if ! python3 -c 'import aiosmtpd' 2>/dev/null; then
    say "Installing aiosmtpd (the real SMTP server the mail tests talk to)"
    python3 -m pip install --quiet --disable-pip-version-check aiosmtpd==1.4.6
  fi
  # Again whenever package-lock.json changed since the last install.
  if [ ! -f end2end/node_modules/.package-lock.json ] ||
     [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "Installing the end-to-end test packages"
    (cd end2end && npm ci --no-audit --no-fund)
  fi
fi

if [ "$what" = load ]; then
  if ! command -v wrk >/dev/null; then
    say "Installing Debian's wrk (the load benchmark's 50 clients)"
    apt_install wrk
  fi
fi

if [ "$what" = workbook ]; then
  if ! command -v soffice >/dev/null; then
    say "Installing Debian's LibreOffice Calc (the workbook benchmark's .xlsx is saved by it)"
    apt_install libreoffice-calc-nogui
  fi
fi

# The proxy test and the load benchmark put nginx in front of two instances.
if [ "$what" = all ] || [ "$what" = load ]; then
  if [ ! -x /usr/sbin/nginx ] && ! command -v nginx >/dev/null; then
    say "Installing Debian's nginx (the proxy test and the load benchmark run two instances behind it)"
    apt_install nginx
  fi
fi
