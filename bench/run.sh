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

# Warm both paths before measuring: connection pools, and the JIT, which keeps re-compiling hot methods
# at higher tiers for tens of seconds under load (measured: ~700 methods per 5 s still after 25 s).
BENCH_MODEL=gpt-4o-mini wrk -t1 -c4 -d3s -s "$ROOT/bench/chat.lua" "http://127.0.0.1:$MOCK_PORT/v1/chat/completions" >/dev/null
WARMUP=$(BENCH_MODEL=mock/gpt-4o-mini BENCH_KEY="$KEY" wrk -t2 -c16 -d"${BENCH_WARMUP_SECONDS:-30}s" -s "$ROOT/bench/chat.lua" "http://127.0.0.1:$GW_PORT/v1/chat/completions" \
  | grep '^BENCH' | tr ' ' '\n' | grep '^requests=' | cut -d= -f2)

RESULTS="$OUT/overhead.txt"
: >"$RESULTS"
: >"$OUT/breakdown.txt"
: >"$OUT/cpu.txt"
for c in $CONCURRENCY; do
  run_wrk "direct c=$c" "http://127.0.0.1:$MOCK_PORT/v1/chat/completions" gpt-4o-mini "" "$c" >>"$RESULTS"
  from=$(date -u +%FT%T.%NZ)
  gw0=$(proc_ticks "$GW_PID"); pg0=$(pg_ticks)
  # BENCH_PROFILE=1: a CPU-sampling trace of the gateway over this row (dotnet-trace, a NuGet tool), then its top
  # methods by exclusive and inclusive time into $OUT/profile-c$c.txt.
  if [[ -n ${BENCH_PROFILE:-} ]]; then
    (sleep 2; timeout 30 dotnet-trace collect -p "$GW_PID" --profile dotnet-sampled-thread-time --duration 00:00:00:06 -o "$OUT/profile-c$c.nettrace" >"$OUT/profile-c$c.log" 2>&1) &
    profiler=$!
  fi
  run_wrk "gateway c=$c" "http://127.0.0.1:$GW_PORT/v1/chat/completions" mock/gpt-4o-mini "$KEY" "$c" >>"$RESULTS"
  gw1=$(proc_ticks "$GW_PID"); pg1=$(pg_ticks)
  n=$(tail -1 "$RESULTS" | tr ' ' '\n' | grep '^requests=' | cut -d= -f2)
  echo "$c $n $(cpu_us_per_request $(( gw1 - gw0 )) "$n") $(cpu_us_per_request $(( pg1 - pg0 )) "$n")" >>"$OUT/cpu.txt"
  echo "$c $(breakdown "$from" "$(date -u +%FT%T.%NZ)")" >>"$OUT/breakdown.txt"
  if [[ -n ${BENCH_PROFILE:-} ]]; then
    wait "$profiler"
    { dotnet-trace report "$OUT/profile-c$c.nettrace" topN -n 40; dotnet-trace report "$OUT/profile-c$c.nettrace" topN -n 60 --inclusive; } \
      >"$OUT/profile-c$c.txt" 2>&1 || true
  fi
done
PEAK_RSS_KB=$(awk '/VmHWM/ {print $2}' "/proc/$GW_PID/status")

echo
echo "Non-streaming chat, ${SECONDS_PER_RUN}s per row, $(nproc) cores; every gateway request durably recorded before it completes."
awk -v conc="$CONCURRENCY" '
  { split($0, parts, " "); label = parts[1]; c = parts[2]; sub("c=", "", c)
    for (i = 3; i <= length(parts); i++) { split(parts[i], kv, "="); v[label, c, kv[1]] = kv[2] } }
  END {
    printf "%-5s %11s %11s %10s %10s %10s %10s %10s %10s %7s\n", "conc", "direct_rps", "gw_rps", "direct_p50", "gw_p50", "added_p50", "direct_p99", "gw_p99", "added_p99", "errors"
    n = split(conc, cs, " ")
    for (k = 1; k <= n; k++) { c = cs[k]
      printf "%-5s %11.0f %11.0f %8.2fms %8.2fms %8.2fms %8.2fms %8.2fms %8.2fms %7d\n", c,
        v["direct", c, "rps"], v["gateway", c, "rps"],
        v["direct", c, "p50_us"] / 1000, v["gateway", c, "p50_us"] / 1000, (v["gateway", c, "p50_us"] - v["direct", c, "p50_us"]) / 1000,
        v["direct", c, "p99_us"] / 1000, v["gateway", c, "p99_us"] / 1000, (v["gateway", c, "p99_us"] - v["direct", c, "p99_us"]) / 1000,
        v["gateway", c, "non2xx"] + v["gateway", c, "sockerr"] }
  }' "$RESULTS"
echo "gateway peak RSS: $(( PEAK_RSS_KB / 1024 )) MiB"
echo
echo "CPU per request over each gateway row (from /proc: the gateway process; the whole PostgreSQL cluster):"
printf '%-5s %9s %14s %14s\n' conc requests gateway_cpu_us postgres_cpu_us
while read -r c n g p; do printf '%-5s %9s %14s %14s\n' "$c" "$n" "$g" "$p"; done <"$OUT/cpu.txt"
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
