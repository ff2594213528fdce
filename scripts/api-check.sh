#!/usr/bin/env bash
# The REST API and webhooks checked by third-party programs (tools/api/check_api.py):
# the OpenAPI document validated, a client generated from it driving members, and
# webhook receivers verifying signatures with the Standard Webhooks library — the events
# delivered by two Roster instances on one database.
#   scripts/api-check.sh BASE_URL        (DATABASE_URL: that server's database)
# Starts the second instance itself, on another port, and stops it at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:?usage: scripts/api-check.sh BASE_URL}
venv=target/api-venv
if ! "$venv/bin/python" -c 'import openapi_spec_validator, standardwebhooks, httpx' 2>/dev/null \
   || [ ! -x "$venv/bin/openapi-python-client" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r tools/api/requirements.txt
fi
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port_a=$(free_port); port_b=$(free_port); second=$(free_port)
log=target/api-check-second.log
ROSTER_ENV=development SITE_ADDR=127.0.0.1:$second target/debug/roster serve >"$log" 2>&1 &
second_pid=$!
trap 'kill $second_pid 2>/dev/null; wait $second_pid 2>/dev/null || true' EXIT
org="API check $(date +%s%N)"
ROSTER_ENV=development target/debug/roster org create --name "$org" --enable-seats 100 --opportunity-seats 100 \
  --admin-email "admin+$RANDOM@api-check.test" --admin-first-name Api --admin-last-name Check >/dev/null
# Keys and secrets stay in this shell: never printed, never logged.
key=$(ROSTER_ENV=development target/debug/roster org api-key "$org" --name api-check --scope read --scope write)
secret_a=$(ROSTER_ENV=development target/debug/roster org webhook "$org" --url "http://127.0.0.1:$port_a/hook" \
  --event member.invited --event member.deactivated)
secret_b=$(ROSTER_ENV=development target/debug/roster org webhook "$org" --url "http://127.0.0.1:$port_b/hook" \
  --event member.invited --event member.deactivated)
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$second/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done
client_dir=$(mktemp -d)
PATH="$PWD/$venv/bin:$PATH" "$venv/bin/python" tools/api/check_api.py "$base" "$key" \
  "$port_a" "$secret_a" "$port_b" "$secret_b" "$client_dir"
rm -rf "$client_dir"
# Both instances took part in the deliveries.
grep -q "webhook deliveries tried" "$log" || { echo "the second instance delivered nothing" >&2; exit 1; }
echo "The second instance delivered too: $(grep -c 'webhook deliveries tried' "$log") rounds"
