#!/usr/bin/env bash
# Overhead benchmark: the same non-streaming chat load against the mock provider directly and through the
# gateway, at concurrency 1, 16 and 64 for BENCH_SECONDS each. Every gateway request is durably recorded in
# PostgreSQL before its response completes. Run it with ./gateway bench (which provisions PostgreSQL and wrk).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
CONCURRENCY="${BENCH_CONCURRENCY:-1 16 64}"

run_wrk() { # label url model key concurrency
  local threads=$(( $5 < 2 ? 1 : 2 ))
  BENCH_MODEL="$3" BENCH_KEY="$4" wrk -t"$threads" -c"$5" -d"${SECONDS_PER_RUN}s" --latency -s "$ROOT/bench/chat.lua" "$2" \
    | grep '^BENCH' | sed "s/^BENCH/$1/"
}

# Where a row's time went, from its own request events: the upstream call and the gateway's own work
# (both measured in the gateway before the commit), p50 and p99.
breakdown() { # from to
  pg -c "select count(*),
      round(percentile_cont(0.5) within group (order by (data->>'upstreamMs')::float)::numeric, 3),
      round(percentile_cont(0.99) within group (order by (data->>'upstreamMs')::float)::numeric, 3),
      round(percentile_cont(0.5) within group (order by (data->>'overheadMs')::float)::numeric, 4),
      round(percentile_cont(0.99) within group (order by (data->>'overheadMs')::float)::numeric, 4)
    from gateway.mt_events where type = 'request_completed'
      and (data->>'startedAt')::timestamptz >= '$1' and (data->>'startedAt')::timestamptz < '$2'"
}

# The floor: a bare YARP forwarder in front of the same mock (bench/Floor).
FLOOR_PORT="${BENCH_FLOOR_PORT:-19070}"
dotnet "$ROOT/bench/Floor/bin/Release/net10.0/Floor.dll" --upstream "http://127.0.0.1:$MOCK_PORT" --urls "http://127.0.0.1:$FLOOR_PORT" >>"$OUT/floor.log" 2>&1 &
FLOOR_PID=$!
PIDS+=("$FLOOR_PID")
wait_for "http://127.0.0.1:$FLOOR_PORT/v1/models"

# Warm every path before measuring: connection pools, and the JIT, which keeps re-compiling hot methods
# at higher tiers for tens of seconds under load (measured: ~700 methods per 5 s still after 25 s).
BENCH_MODEL=gpt-4o-mini wrk -t1 -c4 -d3s -s "$ROOT/bench/chat.lua" "http://127.0.0.1:$MOCK_PORT/v1/chat/completions" >/dev/null
BENCH_MODEL=gpt-4o-mini wrk -t2 -c16 -d5s -s "$ROOT/bench/chat.lua" "http://127.0.0.1:$FLOOR_PORT/v1/chat/completions" >/dev/null
WARMUP=$(BENCH_MODEL=mock/gpt-4o-mini BENCH_KEY="$KEY" wrk -t2 -c16 -d"${BENCH_WARMUP_SECONDS:-30}s" -s "$ROOT/bench/chat.lua" "http://127.0.0.1:$GW_PORT/v1/chat/completions" \
  | grep '^BENCH' | tr ' ' '\n' | grep '^requests=' | cut -d= -f2)

RESULTS="$OUT/overhead.txt"
: >"$RESULTS"
: >"$OUT/breakdown.txt"

# One row: wrk against a target, with the CPU its process (and the PostgreSQL cluster) used per request over it.
measure() { # label url model key concurrency pid
  local t0 p0 t1 p1 line n
  t0=$(proc_ticks "$6"); p0=$(pg_ticks)
  line=$(run_wrk "$1" "$2" "$3" "$4" "$5")
  t1=$(proc_ticks "$6"); p1=$(pg_ticks)
  n=$(echo "$line" | tr ' ' '\n' | grep '^requests=' | cut -d= -f2)
  echo "$line cpu_us=$(cpu_us_per_request $(( t1 - t0 )) "$n") pg_cpu_us=$(cpu_us_per_request $(( p1 - p0 )) "$n") rss_mb=$(awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/$6/status")" >>"$RESULTS"
}

for c in $CONCURRENCY; do
  measure "direct c=$c" "http://127.0.0.1:$MOCK_PORT/v1/chat/completions" gpt-4o-mini "" "$c" "$MOCK_PID"
  measure "yarp c=$c" "http://127.0.0.1:$FLOOR_PORT/v1/chat/completions" gpt-4o-mini "" "$c" "$FLOOR_PID"
  from=$(date -u +%FT%T.%NZ)
  # BENCH_PROFILE=1: a sampled trace of the gateway's threads over this row (dotnet-trace, a NuGet tool), then its
  # top methods by exclusive and inclusive time into $OUT/profile-c$c.txt.
  if [[ -n ${BENCH_PROFILE:-} ]]; then
    (sleep 2; timeout 30 dotnet-trace collect -p "$GW_PID" --profile dotnet-sampled-thread-time --duration 00:00:00:06 -o "$OUT/profile-c$c.nettrace" >"$OUT/profile-c$c.log" 2>&1) &
    profiler=$!
  fi
  measure "gateway c=$c" "http://127.0.0.1:$GW_PORT/v1/chat/completions" mock/gpt-4o-mini "$KEY" "$c" "$GW_PID"
  echo "$c $(breakdown "$from" "$(date -u +%FT%T.%NZ)")" >>"$OUT/breakdown.txt"
  if [[ -n ${BENCH_PROFILE:-} ]]; then
    wait "$profiler"
    { dotnet-trace report "$OUT/profile-c$c.nettrace" topN -n 40; dotnet-trace report "$OUT/profile-c$c.nettrace" topN -n 60 --inclusive; } \
      >"$OUT/profile-c$c.txt" 2>&1 || true
  fi
done
PEAK_RSS_KB=$(awk '/VmHWM/ {print $2}' "/proc/$GW_PID/status")

# The LLM-shaped row (bench/stream_row.sh): 2,000 streams open at once, direct, through the floor, and through the
# durable gateway.
source "$ROOT/bench/stream_row.sh"
stream_row "$GW_PORT" "$KEY" "$GW_PID" "$ADMIN" "$FLOOR_PORT" "$FLOOR_PID" >"$OUT/streams.txt"

# The opt-in async ledger (Gateway:Ledger=async): a second gateway on its own schema, the durable one left idle.
ASYNC_PORT=$(( GW_PORT + 1 ))
ASYNC_KEY="sk-gw-bench-async-$(date +%s)"
start_gateway "$ASYNC_PORT" "$OUT/gateway-async.log" GATEWAY_DATA="$(mktemp -d)" GATEWAY_ADMIN_KEY="$ADMIN-async" GATEWAY_DEMO_KEY="$ASYNC_KEY" \
  Gateway__Schema=bench_async Gateway__Ledger=async Logging__LogLevel__Default=Warning
ASYNC_PID=$GW_PID
wait_for "http://127.0.0.1:$ASYNC_PORT/health"
BENCH_MODEL=mock/gpt-4o-mini BENCH_KEY="$ASYNC_KEY" wrk -t2 -c16 -d"${BENCH_WARMUP_SECONDS:-30}s" -s "$ROOT/bench/chat.lua" "http://127.0.0.1:$ASYNC_PORT/v1/chat/completions" >/dev/null
for c in $CONCURRENCY; do
  measure "async c=$c" "http://127.0.0.1:$ASYNC_PORT/v1/chat/completions" mock/gpt-4o-mini "$ASYNC_KEY" "$c" "$ASYNC_PID"
done

echo
echo "Non-streaming chat, ${SECONDS_PER_RUN}s per row, $(nproc) cores; every gateway request durably recorded before it completes."
echo "gateway = every request durable before its response; async = Gateway:Ledger=async (committed within a window after)."
echo "added = the target's latency minus the mock's own (direct); cpu_us = the target process's CPU per request;"
echo "pg_cpu_us = the PostgreSQL cluster's CPU per request over the same row (only the gateway writes to it)."
awk -v conc="$CONCURRENCY" '
  { split($0, parts, " "); label = parts[1]; c = parts[2]; sub("c=", "", c)
    for (i = 3; i <= length(parts); i++) { split(parts[i], kv, "="); v[label, c, kv[1]] = kv[2] } }
  END {
    printf "%-8s %-5s %9s %9s %9s %10s %10s %7s %8s %10s %7s\n", "target", "conc", "rps", "p50", "p99", "added_p50", "added_p99", "errors", "cpu_us", "pg_cpu_us", "rss_mb"
    n = split(conc, cs, " ")
    for (k = 1; k <= n; k++) { c = cs[k]
      split("direct yarp gateway async", targets, " ")
      for (t = 1; t <= 4; t++) { l = targets[t]
        printf "%-8s %-5s %9.0f %7.2fms %7.2fms %8.2fms %8.2fms %7d %8s %10s %7s\n", l, c, v[l, c, "rps"],
          v[l, c, "p50_us"] / 1000, v[l, c, "p99_us"] / 1000,
          (v[l, c, "p50_us"] - v["direct", c, "p50_us"]) / 1000, (v[l, c, "p99_us"] - v["direct", c, "p99_us"]) / 1000,
          v[l, c, "non2xx"] + v[l, c, "sockerr"], v[l, c, "cpu_us"], (l == "gateway" || l == "async") ? v[l, c, "pg_cpu_us"] : "-", v[l, c, "rss_mb"] } }
  }' "$RESULTS"
echo "gateway peak RSS: $(( PEAK_RSS_KB / 1024 )) MiB (non-streaming rows)"
echo
cat "$OUT/streams.txt"
echo
echo "Inside the gateway, from each row's own request events (before the durable commit):"
printf '%-5s %9s %12s %12s %14s %14s\n' conc events upstream_p50 upstream_p99 own_work_p50 own_work_p99
while read -r c n u50 u99 o50 o99; do
  printf '%-5s %9s %10sms %10sms %12sms %12sms\n' "$c" "$n" "$u50" "$u99" "$o50" "$o99"
done <"$OUT/breakdown.txt"
SENT=$(( WARMUP + $(awk '/^gateway/ {for (i=1;i<=NF;i++) if ($i ~ /^requests=/) {split($i,a,"="); s+=a[2]}} END {print s}' "$RESULTS") ))
RECORDED=$(pg -c "select count(*) from gateway.mt_events where type = 'request_completed'")
echo
echo "requests completed by wrk through the gateway: $SENT; request events committed: $RECORDED"
echo "(wrk stops each row with up to 'conc' requests in flight: those still finish and are recorded, so events >= completed)"
echo "group commit: $(curl -s -H "Authorization: Bearer $ADMIN" "http://127.0.0.1:$GW_PORT/admin/stats/recorder")"
