#!/usr/bin/env bash
# Fallback benchmark: a route whose primary answers 429 to every second request, with a healthy fallback, under
# wrk at concurrency 16 — against the same load on the healthy model alone. Every client request must succeed;
# the request events tell what the failed attempt added. Run it with ./gateway bench fallback.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
CONC="${BENCH_FALLBACK_CONCURRENCY:-16}"
J='content-type: application/json'
A="Authorization: Bearer $ADMIN"
G="http://127.0.0.1:$GW_PORT"

for m in flaky steady; do
  curl -sf -o /dev/null "$G/admin/models" -H "$A" -H "$J" \
    -d "{\"provider\":\"mock\",\"model\":\"$m\",\"inputPricePerMillion\":1,\"outputPricePerMillion\":2}"
done
curl -sf -o /dev/null -X PUT "http://127.0.0.1:$MOCK_PORT/_mock/models/flaky" -H "$J" -d '{"status":429,"failEvery":2,"retryAfterSeconds":1}'
curl -sf -o /dev/null "$G/admin/routes" -H "$A" -H "$J" -d '{"name":"bench-smart","primary":"mock/flaky","fallbacks":["mock/steady"]}'

run() { # label model
  BENCH_MODEL="$2" BENCH_KEY="$KEY" wrk -t2 -c"$CONC" -d"${SECONDS_PER_RUN}s" --latency -s "$ROOT/bench/chat.lua" "$G/v1/chat/completions" \
    | grep '^BENCH' | sed "s/^BENCH/$1/"
}
# Warm-up (JIT, pools), then the two rows.
BENCH_MODEL=mock/steady BENCH_KEY="$KEY" wrk -t2 -c"$CONC" -d"${BENCH_WARMUP_SECONDS:-20}s" -s "$ROOT/bench/chat.lua" "$G/v1/chat/completions" >/dev/null
from=$(date -u +%FT%T.%NZ)
run "healthy-model" mock/steady >"$OUT/fallback.txt"
run "route-429-half" bench-smart >>"$OUT/fallback.txt"

echo
echo "Non-streaming chat at concurrency $CONC, ${SECONDS_PER_RUN}s per row; the route's primary answers 429 to every second request."
awk '{ split($0, p, " "); for (i = 2; i <= length(p); i++) { split(p[i], kv, "="); v[p[1], kv[1]] = kv[2] } rows[++n] = p[1] }
  END { printf "%-15s %9s %9s %9s %9s %9s\n", "row", "requests", "non2xx", "rps", "p50", "p99"
        for (k = 1; k <= n; k++) { r = rows[k]
          printf "%-15s %9d %9d %9.0f %7.2fms %7.2fms\n", r, v[r, "requests"], v[r, "non2xx"] + v[r, "sockerr"], v[r, "rps"], v[r, "p50_us"] / 1000, v[r, "p99_us"] / 1000 } }' "$OUT/fallback.txt"
echo
echo "From the route's request events (attempt trail):"
pg -c "select 'requests ' || count(*) || ', succeeded ' || count(*) filter (where (data->>'status')::int = 200)
          || ', served by the primary ' || count(*) filter (where jsonb_array_length(data->'attempts') = 1)
          || ', after a 429 on the primary ' || count(*) filter (where jsonb_array_length(data->'attempts') = 2)
        from gateway.mt_events where type = 'request_completed' and data->>'route' = 'bench-smart' and (data->>'startedAt')::timestamptz >= '$from'"
pg -c "select 'failed attempt (429 from the primary): p50 ' || round(percentile_cont(0.5) within group (order by (data->'attempts'->0->>'latencyMs')::float)::numeric, 3)
          || ' ms, p99 ' || round(percentile_cont(0.99) within group (order by (data->'attempts'->0->>'latencyMs')::float)::numeric, 3) || ' ms'
        from gateway.mt_events where type = 'request_completed' and data->>'route' = 'bench-smart'
          and jsonb_array_length(data->'attempts') = 2 and (data->>'startedAt')::timestamptz >= '$from'"
pg -c "select 'in-gateway total (before the commit), one attempt: p50 ' || round(percentile_cont(0.5) within group (order by (data->>'totalMs')::float) filter (where jsonb_array_length(data->'attempts') = 1)::numeric, 3)
          || ' ms; two attempts: p50 ' || round(percentile_cont(0.5) within group (order by (data->>'totalMs')::float) filter (where jsonb_array_length(data->'attempts') = 2)::numeric, 3) || ' ms'
        from gateway.mt_events where type = 'request_completed' and data->>'route' = 'bench-smart' and (data->>'startedAt')::timestamptz >= '$from'"
