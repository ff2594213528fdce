#!/usr/bin/env bash
# A private PostgreSQL for this checkout: data in .data/pg, reachable only through a Unix
# socket in .data/pg-run, so two checkouts on one machine never collide on a port.
#   scripts/pg.sh start   initialise if needed, start, print nothing
#   scripts/pg.sh stop    stop it if it runs
#   scripts/pg.sh url DB  print the DATABASE_URL of database DB
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data="$root/.data/pg"
run="$root/.data/pg-run"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "PostgreSQL is not installed: apt-get install -y postgresql" >&2; exit 1; }

# initdb and postgres refuse to run as root: use the postgres account then.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    mkdir -p "$root/.data"
    if [ ! -f "$data/PG_VERSION" ]; then
      mkdir -p "$data" "$run"
      [ "$(id -u)" = 0 ] && chown postgres:postgres "$data" "$run"
      as_owner "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    mkdir -p "$run"; [ "$(id -u)" = 0 ] && chown postgres:postgres "$run"
    if ! as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      as_owner "$bin/pg_ctl" -D "$data" -l "$run/postgres.log" -w -t 60 start \
        -o "-c listen_addresses='' -c unix_socket_directories='$run' -c max_connections=300 -c synchronous_commit=off" >/dev/null
    fi
    ;;
  stop)
    if [ -f "$data/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    fi
    ;;
  url)
    echo "postgres://postgres@localhost/${2:-roster}?host=$run"
    ;;
  *)
    echo "usage: $0 start|stop|url [database]" >&2; exit 2 ;;
esac
