#!/usr/bin/env bash
# Responses API through the chat translation against chat completions: the same prompt through the same gateway and
# mock, non-streaming, at c=16, in alternating rounds — chat, Responses with store:false (translation only) and
# Responses with store (the default: the conversation kept in stored_responses in the record's transaction), and
# Responses passed through (with store) to a provider registered as serving the Responses API (the same mock, which
# speaks it). wrk's p50 per row, and the gateway's own time per request (overheadMs in each request event, before the
# durable commit) by API. Run it with ./gateway bench responses.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
G="http://127.0.0.1:$GW_PORT"
ROUNDS="${BENCH_ROUNDS:-3}"

A="Authorization: Bearer $ADMIN"
J="content-type: application/json"
curl -sf -o /dev/null "$G/admin/providers" -H "$A" -H "$J" \
  -d "{\"name\":\"mock-responses\",\"kind\":\"openai\",\"baseUrl\":\"http://127.0.0.1:$MOCK_PORT/v1\",\"responsesApi\":true}"
curl -sf -o /dev/null "$G/admin/models" -H "$A" -H "$J" \
  -d '{"provider":"mock-responses","model":"gpt-4o-mini","inputPricePerMillion":0.15,"outputPricePerMillion":0.6}'

wrk_run() { # script path store concurrency seconds [model]
  local threads=$(( $4 < 2 ? 1 : 2 ))
  BENCH_MODEL="${6:-mock/gpt-4o-mini}" BENCH_KEY="$KEY" BENCH_STORE="$3" wrk -t"$threads" -c"$4" -d"$5s" --latency -s "$ROOT/bench/$1" "$G$2" | grep '^BENCH'
}
wrk_run chat.lua /v1/chat/completions true 16 "${BENCH_WARMUP_SECONDS:-20}" >/dev/null
wrk_run responses.lua /v1/responses true 16 10 >/dev/null
wrk_run responses.lua /v1/responses false 16 5 >/dev/null
wrk_run responses.lua /v1/responses true 16 5 mock-responses/gpt-4o-mini >/dev/null
from=$(date -u +%FT%T.%NZ)
: >"$OUT/responses.txt"
row() { # label script path store [model]
  local t0 t1 line n
  t0=$(proc_ticks "$GW_PID")
  line=$(wrk_run "$2" "$3" "$4" 16 "$SECONDS_PER_RUN" "${5:-}")
  t1=$(proc_ticks "$GW_PID")
  n=$(echo "$line" | tr ' ' '\n' | grep '^requests=' | cut -d= -f2)
  echo "$1 $line cpu_us=$(cpu_us_per_request $(( t1 - t0 )) "$n")" >>"$OUT/responses.txt"
}
for round in $(seq 1 "$ROUNDS"); do
  row chat chat.lua /v1/chat/completions true
  row responses-nostore responses.lua /v1/responses false
  row responses-store responses.lua /v1/responses true
  row responses-native responses.lua /v1/responses true mock-responses/gpt-4o-mini
done
to=$(date -u +%FT%T.%NZ)

echo "c=16, ${SECONDS_PER_RUN}s rows, $ROUNDS rounds alternating (wrk p50 per row, µs):"
for label in chat responses-nostore responses-store responses-native; do
  grep "^$label " "$OUT/responses.txt" | awk -v l="$label" '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } p = p sprintf(" %s", v["p50_us"]); r = r sprintf(" %s", v["rps"]); c = c sprintf(" %s", v["cpu_us"]); e += v["non2xx"] + v["sockerr"] }
    END { printf "%-18s p50_us:%s  rps:%s  gateway cpu_us:%s  errors=%d\n", l, p, r, c, e }'
done
echo
echo "Gateway's own time per request (overheadMs), from the request events of the measured rounds:"
pg -c "select coalesce(data->>'clientApi', '?') || case when data->>'clientApi' = 'responses' then
      case when exists (select 1 from gateway.stored_responses s where s.request_id = (data->>'requestId')::uuid) then ' (store)' else ' (store:false)' end
      || case when data->>'modelServed' like 'mock-responses/%' then ' passed through' else '' end else '' end, count(*),
    round(percentile_cont(0.5) within group (order by (data->>'overheadMs')::float)::numeric * 1000, 1) as own_p50_us,
    round(percentile_cont(0.9) within group (order by (data->>'overheadMs')::float)::numeric * 1000, 1) as own_p90_us
  from gateway.mt_events where type = 'request_completed'
    and (data->>'startedAt')::timestamptz >= '$from' and (data->>'startedAt')::timestamptz < '$to'
  group by 1 order by 1" | tee -a "$OUT/responses.txt"
echo "stored responses: $(pg -c "select count(*) from gateway.stored_responses")"
