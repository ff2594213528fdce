#!/usr/bin/env bash
# The activity log exported through the REST API (release build), at 10,000, 100,000 and
# 1,000,000 entries: time, size, and the server's memory (resident set sampled every 20 ms
# during the download) — beside a raw `COPY … TO STDOUT` of the same rows by psql.
#   scripts/bench-activity.sh DATABASE_URL
set -euo pipefail
cd "$(dirname "$0")/.."
url=${1:?usage: scripts/bench-activity.sh DATABASE_URL}
bin=target/release/roster
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
org="Activity bench $(date +%s)"
DATABASE_URL=$url ROSTER_ENV=development $bin org create --name "$org" --enable-seats 10 --opportunity-seats 10 \
  --admin-email "admin+$RANDOM@bench.test" --admin-first-name Bench --admin-last-name Mark >/dev/null
org_id=$(psql -Atq "$url" -c "SELECT id FROM organizations WHERE name = '$org'")
key=$(DATABASE_URL=$url ROSTER_ENV=development $bin org api-key "$org" --name bench --scope activity)
DATABASE_URL=$url ROSTER_ENV=development SITE_ADDR=127.0.0.1:$port $bin serve >target/bench-activity.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
rss() { awk '/VmRSS/ { print $2 }' /proc/$pid/status; }
have=0
printf '%-10s %-7s %10s %10s %12s %14s %14s %12s\n' entries format seconds MB lines "RSS before KB" "RSS peak KB" "COPY s"
for n in 10000 100000 1000000; do
  psql -q "$url" -c "INSERT INTO audit_log (organization_id, actor_label, action, details, created_at)
    SELECT $org_id, 'admin@bench.test', 'member.invited',
           jsonb_build_object('email', 'person' || g || '@example.com', 'permission', 'member'),
           now() - make_interval(secs => g)
      FROM generate_series($have + 1, $n) g"
  have=$n
  for format in csv jsonl; do
    before=$(rss)
    peak=$before
    start=$(date +%s.%N)
    curl -fsS -H "Authorization: Bearer $key" "http://127.0.0.1:$port/api/v1/activity/export?format=$format" \
      -o /tmp/roster-activity-export &
    curl_pid=$!
    while kill -0 $curl_pid 2>/dev/null; do
      now=$(rss); [ "$now" -gt "$peak" ] && peak=$now
      sleep 0.02
    done
    wait $curl_pid
    end=$(date +%s.%N)
    bytes=$(stat -c %s /tmp/roster-activity-export)
    lines=$(wc -l </tmp/roster-activity-export)
    copy_start=$(date +%s.%N)
    psql -q "$url" -c "\\copy (SELECT a.id, a.created_at, a.actor_label, a.action, a.subject_member_id, a.details
        FROM audit_log a WHERE a.organization_id = $org_id ORDER BY a.id DESC) TO '/tmp/roster-activity-copy' CSV"
    copy_end=$(date +%s.%N)
    calc() { awk "BEGIN { print $1 }"; }
    printf '%-10s %-7s %10.2f %10.1f %12s %14s %14s %12.2f\n' "$n" "$format" "$(calc "$end - $start")" \
      "$(calc "$bytes / 1000000")" "$lines" "$before" "$peak" "$(calc "$copy_end - $copy_start")"
  done
done
