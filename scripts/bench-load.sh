#!/usr/bin/env bash
# `scripts/bench.sh load`: My Organization (the server-rendered page) and its member-list
# server function for a 100,000-member organization under 50 concurrent clients (Debian's
# wrk, on loopback, keep-alive): first one release instance, then two behind Debian's nginx
# (the committed deploy/nginx/roster-proxy.conf) on the same database. Before each, one
# client alone, for the latency without waiting.
#   scripts/bench-load.sh DATABASE_URL     (bench.sh builds the release first)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
base=$1
bin=target/release/roster
clients=${LOAD_CLIENTS:-50}
seconds=${LOAD_SECONDS:-15}
work=$(mktemp -d)
pids=()
cleanup() {
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# A fresh database: the first instance, in development, makes the demo organization on it.
ensure_database "$base" roster_bench_load
url=$(db_url_named "$base" roster_bench_load)
proxy_port=$(free_port)
ports=("$(free_port)" "$(free_port)")
public=http://127.0.0.1:$proxy_port
serve() {
  DATABASE_URL=$url ROSTER_ENV=development PUBLIC_URL=$public TRUSTED_PROXIES=127.0.0.1 \
    SITE_ADDR=127.0.0.1:$1 RUST_LOG=warn $bin serve >>"$work/server-$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return; sleep 0.5; done
  echo "the instance on port $1 did not start:" >&2; cat "$work/server-$1.log" >&2; exit 1
}
serve "${ports[0]}"

# 100,000 members in the demo organization, in every status, with seats and teams, as the
# member-list benchmark seeds them (server/benches/support).
started=$(date +%s.%N)
psql "$url" -q -v ON_ERROR_STOP=1 <<'SQL'
CREATE TEMP TABLE org AS SELECT organization_id AS id FROM members WHERE email = 'admin@northwind.example';
UPDATE organizations SET enable_seats = 200000, opportunity_seats = 200000 WHERE id = (SELECT id FROM org);
INSERT INTO members (organization_id, first_name, last_name, email, permission, status, password_hash,
                     enable_seat, opportunity_seat, team_id, created_at)
SELECT (SELECT id FROM org),
       (ARRAY['Ana','Ben','Chloé','Dev','Eli','Fay','Gus','Hana','Ivo','Jun'])[n % 10 + 1] || n,
       (ARRAY['Zimmermann','Adams','Baker','O''Neil','Nguyen','Schmidt','Rossi','Kowalski'])[n % 8 + 1],
       'load' || n || '@bench.example',
       'member',
       (ARRAY['active','active','invited','deactivated'])[n % 4 + 1],
       CASE WHEN n % 4 = 2 THEN NULL ELSE 'x' END,
       n % 3 = 0, n % 7 = 0,
       (SELECT id FROM teams WHERE organization_id = (SELECT id FROM org) ORDER BY id OFFSET (n % 5) LIMIT 1),
       now() - n * interval '1 second'
  FROM generate_series(1, 100000 - (SELECT count(*) FROM members WHERE organization_id = (SELECT id FROM org))) n;
VACUUM ANALYZE members;
SQL
awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "seeded 100,000 members in %.1f s\n", e - s }'

# Signed in as the administrator, through the sign-in form as a browser posts it.
origin=$public
sign_in=$(curl -fsS "http://127.0.0.1:${ports[0]}/sign-in" | grep -o 'action="/api/sign_in[^"]*"' | head -1 | cut -d'"' -f2)
curl -fsS -o /dev/null -c "$work/cookies" -H "Origin: $origin" \
  --data-urlencode email=admin@northwind.example --data-urlencode password=northwind-demo \
  "http://127.0.0.1:${ports[0]}$sign_in"
cookie=$(awk '!/^#/ || /^#HttpOnly_/ { if (NF >= 7) printf "%s=%s", $6, $7 }' "$work/cookies")
[ -n "$cookie" ] || { echo "signing in gave no session cookie" >&2; exit 1; }
# The member-list function's address is in the page's wasm, as the browser calls it.
list=$(grep -aoh '/api/list_members[0-9]*' target/site/pkg/*.wasm | head -1)
[ -n "$list" ] || { echo "no list_members address in target/site/pkg" >&2; exit 1; }
cat >"$work/list.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"filter":{},"after":null,"before":null}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
wrk.headers["Origin"] = "$origin"
wrk.headers["Cookie"] = "$cookie"
LUA
check() { # the answer is the signed-in page / a page of members, not a redirect or refusal
  local code
  code=$(curl -s -o "$work/answer" -w '%{http_code}' "$@")
  if [ "$code" != 200 ]; then echo "expected 200, got $code from $*" >&2; head -c 400 "$work/answer" >&2; exit 1; fi
}

# $1: where (label), $2: base address
run() {
  check -H "Cookie: $cookie" "$2/organization"
  grep -q '100,000\|100000' "$work/answer" || { echo "My Organization does not show 100,000 members" >&2; exit 1; }
  check -X POST -H "Cookie: $cookie" -H "Origin: $origin" -H 'Content-Type: application/json' \
    -H 'Accept: application/json' -d '{"filter":{},"after":null,"before":null}' "$2$list"
  for what in page "page, brotli" function; do
    case $what in
      page) target=("$2/organization" -H "Cookie: $cookie") ;;
      # As a browser asks for it: compressed on the fly (brotli, server/src/assets.rs).
      "page, brotli") target=("$2/organization" -H "Cookie: $cookie" -H "Accept-Encoding: br, gzip") ;;
      function) target=(-s "$work/list.lua" "$2$list") ;;
    esac
    for c in 1 "$clients"; do
      # wrk's threads: as many as the two cores, never more than the connections.
      wrk -t"$(( c < 2 ? 1 : 2 ))" -c"$c" -d"${seconds}s" --latency "${target[@]}" >"$work/wrk" 2>&1 \
        || { cat "$work/wrk" >&2; exit 1; }
      awk -v where="$1" -v what="$what" -v c="$c" '
        /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 } /Requests\/sec/ { rps = $2 }
        /Non-2xx/ { bad = $NF } /Socket errors/ { errors = $0 }
        END { printf "%-22s %-22s %3d clients  %8.1f requests/s  p50 %8s  p99 %8s%s%s\n",
              where, what, c, rps, p50, p99, bad ? "  NON-2XX " bad : "", errors ? "  " errors : "" }' "$work/wrk"
    done
  done
}

echo "My Organization and the member list, 100,000 members, ${seconds} s per run, wrk (loopback)"
curl -s -o /dev/null -w 'My Organization: %{size_download} bytes as it is, ' -H "Cookie: $cookie" "http://127.0.0.1:${ports[0]}/organization"
curl -s -o /dev/null -w '%{size_download} bytes brotli\n' -H "Cookie: $cookie" -H 'Accept-Encoding: br' "http://127.0.0.1:${ports[0]}/organization"
run "one instance" "http://127.0.0.1:${ports[0]}"

# Two instances behind nginx, one database.
serve "${ports[1]}"
mkdir -p "$work/tmp"
cat >"$work/nginx.conf" <<CONF
daemon on;
pid $work/nginx.pid;
error_log $work/error.log warn;
worker_processes ${NGINX_WORKERS:-1};
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/tmp/body; proxy_temp_path $work/tmp/proxy;
  fastcgi_temp_path $work/tmp/fastcgi; uwsgi_temp_path $work/tmp/uwsgi; scgi_temp_path $work/tmp/scgi;
  upstream roster { server 127.0.0.1:${ports[0]}; server 127.0.0.1:${ports[1]}; keepalive 64; }
  server { listen 127.0.0.1:$proxy_port; include $PWD/deploy/nginx/roster-proxy.conf; }
}
CONF
nginx=$(command -v nginx || echo /usr/sbin/nginx)
$nginx -p "$work" -c "$work/nginx.conf"
for _ in $(seq 1 40); do curl -fsS "$public/healthz" >/dev/null 2>&1 && break; sleep 0.25; done
run "two behind nginx" "$public"
# Responses larger than nginx's memory buffers go through a file on disk, once each.
spilled=$(grep -c "buffered to a temporary file" "$work/error.log" || true)
echo "nginx: $spilled responses buffered to a temporary file"
