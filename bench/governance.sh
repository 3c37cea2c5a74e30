#!/usr/bin/env bash
# Governance overhead: the same non-streaming chat through the gateway with a plain key and with a governed key —
# a key budget and a team budget (each reserving the worst case and settling to the actual cost), and requests- and
# tokens-per-minute limits on the key and on the team (the tokens one counting the prompt with the tokenizer) — set
# high enough never to refuse. The gateway's own time per request (overheadMs in each request event: total minus the
# upstream call, before the durable commit) is compared between the two keys. Run it with ./gateway bench governance.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
J='content-type: application/json'
A="Authorization: Bearer $ADMIN"
G="http://127.0.0.1:$GW_PORT"

team=$(curl -sf "$G/admin/teams" -H "$A" -H "$J" -d '{"name":"governed"}' | sed 's/.*"id":"\([^"]*\)".*/\1/')
issued=$(curl -sf "$G/admin/keys" -H "$A" -H "$J" -d "{\"teamId\":\"$team\",\"name\":\"governed\",\"requestsPerMinute\":100000000,\"tokensPerMinute\":2000000000}")
GOV_KEY=$(echo "$issued" | sed 's/.*"key":"\([^"]*\)".*/\1/')
GOV_ID=$(echo "$issued" | sed 's/.*"id":"\([^"]*\)".*/\1/')
curl -sf -o /dev/null -X PUT "$G/admin/teams/$team/scope" -H "$A" -H "$J" -d '{"requestsPerMinute":100000000,"tokensPerMinute":2000000000}'
curl -sf -o /dev/null "$G/admin/budgets" -H "$A" -H "$J" -d "{\"scope\":\"key\",\"scopeId\":\"$GOV_ID\",\"limitUsd\":1000000,\"period\":\"monthly\"}"
curl -sf -o /dev/null "$G/admin/budgets" -H "$A" -H "$J" -d "{\"scope\":\"team\",\"scopeId\":\"$team\",\"limitUsd\":1000000,\"period\":\"daily\"}"
PLAIN_ID=$(curl -sf "$G/admin/keys" -H "$A" | tr '{' '\n' | grep '"name":"demo key"' | sed 's/.*"id":"\([^"]*\)".*/\1/' | head -1)

wrk_run() { # key concurrency seconds
  local threads=$(( $2 < 2 ? 1 : 2 ))
  BENCH_MODEL=mock/gpt-4o-mini BENCH_KEY="$1" wrk -t"$threads" -c"$2" -d"$3s" --latency -s "$ROOT/bench/chat.lua" "$G/v1/chat/completions" | grep '^BENCH'
}
wrk_run "$KEY" 16 "${BENCH_WARMUP_SECONDS:-20}" >/dev/null
wrk_run "$GOV_KEY" 16 10 >/dev/null
from=$(date -u +%FT%T.%NZ)
: >"$OUT/governance.txt"
for c in 1 16; do
  for round in 1 2; do
    echo "plain c=$c $(wrk_run "$KEY" "$c" "$SECONDS_PER_RUN")" >>"$OUT/governance.txt"
    echo "governed c=$c $(wrk_run "$GOV_KEY" "$c" "$SECONDS_PER_RUN")" >>"$OUT/governance.txt"
  done
done

echo
echo "Gateway's own time per request (overheadMs: total minus the upstream call, before the durable commit), from the request events:"
printf '%-10s %9s %12s %12s %12s\n' key events own_p50 own_p90 own_p99
for k in "plain $PLAIN_ID" "governed $GOV_ID"; do
  set -- $k
  pg -c "select '$1', count(*),
      round((percentile_cont(0.5) within group (order by (data->>'overheadMs')::float) * 1000)::numeric, 1) || ' µs',
      round((percentile_cont(0.9) within group (order by (data->>'overheadMs')::float) * 1000)::numeric, 1) || ' µs',
      round((percentile_cont(0.99) within group (order by (data->>'overheadMs')::float) * 1000)::numeric, 1) || ' µs'
    from gateway.mt_events where type = 'request_completed' and data->>'keyId' = '$2' and (data->>'startedAt')::timestamptz >= '$from'" \
    | awk '{ printf "%-10s %9s %12s %12s %12s\n", $1, $2, $3" "$4, $5" "$6, $7" "$8 }'
done
echo
echo "Client side (wrk), per row:"
awk '{ split($0, p, " "); for (i = 3; i <= length(p); i++) { split(p[i], kv, "="); v[kv[1]] = kv[2] }
       printf "%-9s %-5s %8.0f rps  p50 %6.2f ms  p99 %6.2f ms  non2xx %d\n", p[1], p[2], v["rps"], v["p50_us"] / 1000, v["p99_us"] / 1000, v["non2xx"] }' "$OUT/governance.txt"
