# Shared by run.sh and test.sh: PATH, and a database when DATABASE_URL is not given.
# tools/node_modules/.bin: wasm-opt (npm binaryen), which release builds run.
export PATH="$HOME/.cargo/bin:$PWD/tools/node_modules/.bin:$PATH"
# Builds use the committed query data in .sqlx, never a live database (see README).
export SQLX_OFFLINE=true
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# The URL of database $2 on the server of URL $1 (same user, host and options).
db_url_named() {
  python3 - "$1" "$2" <<'PY'
import sys, urllib.parse as u
url = u.urlsplit(sys.argv[1])
print(u.urlunsplit(url._replace(path="/" + sys.argv[2])))
PY
}

# (Re)creates database $2 on the server of URL $1; with "keep" as $3 an existing one stays.
ensure_database() {
  local admin; admin=$(db_url_named "$1" postgres)
  if [ "${3:-}" = keep ]; then
    psql -qAt "$admin" -c "SELECT 1 FROM pg_database WHERE datname = '$2'" | grep -q 1 \
      || psql -q "$admin" -c "CREATE DATABASE \"$2\"" >/dev/null
  else
    psql -q "$admin" -c "DROP DATABASE IF EXISTS \"$2\" WITH (FORCE)" -c "CREATE DATABASE \"$2\"" >/dev/null
  fi
}

# Sets DATABASE_URL: the given one, or a private PostgreSQL started for this checkout
# (PRIVATE_PG=1 then, so the caller can stop it).
use_database() {
  PRIVATE_PG=
  if [ -n "${DATABASE_URL:-}" ]; then
    # A given URL whose database does not exist yet: create it (or say why not).
    local name
    name=$(python3 -c 'import sys, urllib.parse as u; print(u.urlsplit(sys.argv[1]).path.lstrip("/"))' "$DATABASE_URL")
    [ -n "$name" ] || { echo "DATABASE_URL names no database: end it with /<database>" >&2; exit 1; }
    if ! psql -qAt "$(db_url_named "$DATABASE_URL" postgres)" -c 'SELECT 1' >/dev/null 2>&1; then
      echo "DATABASE_URL: cannot reach the PostgreSQL server of $DATABASE_URL (is it running, and may this user connect?)" >&2
      exit 1
    fi
    ensure_database "$DATABASE_URL" "$name" keep
  fi
  if [ -z "${DATABASE_URL:-}" ]; then
    say "Starting a private PostgreSQL (data in .data/pg)"
    scripts/pg.sh start
    PRIVATE_PG=1
    DATABASE_URL=$(scripts/pg.sh url "$1")
    ensure_database "$DATABASE_URL" "$1" keep
    export DATABASE_URL
  fi
}

# The environment cargo-leptos builds with. Tests of the server-side crates use it too,
# so they reuse the artifacts of `cargo leptos build` instead of compiling everything again.
leptos_build_env() {
  export LEPTOS_OUTPUT_NAME=roster LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_SITE_ADDR=127.0.0.1:3000 LEPTOS_RELOAD_PORT=3001 LEPTOS_LIB_DIR=frontend \
    LEPTOS_BIN_DIR=server LEPTOS_JS_MINIFY=false LEPTOS_HASH_FILES=true LEPTOS_HASH_FILE_NAME=hash.txt \
    RUSTFLAGS="--cfg erase_components"
}
