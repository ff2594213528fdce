#!/usr/bin/env bash
# SCIM conformance by a third party: PyPI's scim2-tester (every check of discovery, CRUD
# and PATCH it knows) and scim2-client, against a running Roster.
#   scripts/scim-check.sh BASE_URL            (DATABASE_URL: that server's database)
# Makes an organization and a provisioning token with the server's own command line.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:?usage: scripts/scim-check.sh BASE_URL}
venv=target/scim-venv
if ! "$venv/bin/python" -c 'import scim2_tester, scim2_client, httpx2' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r tools/scim/requirements.txt
fi
org="SCIM check $(date +%s%N)"
target/debug/roster org create --name "$org" --enable-seats 100 --opportunity-seats 100 \
  --admin-email "admin+$RANDOM@scim-check.test" --admin-first-name Scim --admin-last-name Check >/dev/null
# The token stays in this shell: never printed, never logged.
token=$(target/debug/roster org provisioning-token "$org" --name scim2-tester)
"$venv/bin/python" tools/scim/check_server.py "$base/scim/v2" "$token"
