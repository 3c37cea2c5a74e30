#!/usr/bin/env bash
# Memory under sustained load: BENCH_RSS_SECONDS (300) of non-streaming chat through the gateway in its default
# configuration (durable ledger, bodies, DuckDB export, chain, projections), at BENCH_RSS_CONCURRENCY (32)
# connections, about 3,000 req/s on 2 cores. Prints the gateway's RSS every 30 s and its peak (VmHWM).
# Run it with ./gateway bench rss.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
RSS_SECONDS="${BENCH_RSS_SECONDS:-300}"
RSS_CONCURRENCY="${BENCH_RSS_CONCURRENCY:-32}"
rss_mb() { awk -v f="$2" '$1 == f {printf "%d", $2 / 1024}' "/proc/$1/status"; }

echo "gateway RSS at start: $(rss_mb "$GW_PID" VmRSS:) MiB"
BENCH_MODEL=mock/gpt-4o-mini BENCH_KEY="$KEY" wrk -t2 -c"$RSS_CONCURRENCY" -d"${RSS_SECONDS}s" --latency -s "$ROOT/bench/chat.lua" \
  "http://127.0.0.1:$GW_PORT/v1/chat/completions" | grep '^BENCH' >"$OUT/rss-wrk.txt" &
WRK=$!
printf '%8s %8s %10s\n' seconds rss_mb exported
for (( t = 30; t <= RSS_SECONDS; t += 30 )); do
  sleep 30
  printf '%8d %8s %10s\n' "$t" "$(rss_mb "$GW_PID" VmRSS:)" \
    "$(curl -s -H "Authorization: Bearer $ADMIN" "http://127.0.0.1:$GW_PORT/admin/analytics/status" | grep -o '"exported":[0-9]*' | cut -d: -f2)"
done
wait "$WRK"
echo "wrk: $(cat "$OUT/rss-wrk.txt")"
echo "gateway RSS after: $(rss_mb "$GW_PID" VmRSS:) MiB, peak: $(rss_mb "$GW_PID" VmHWM:) MiB"
