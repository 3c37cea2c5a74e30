#!/usr/bin/env bash
# Analytics benchmarks (issue 6): queries over 10 million DuckDB rows, the continuous export's lag under a
# 1,000 req/s load, and the export throughput from the Marten event table to DuckDB.
# Run it with ./gateway bench analytics.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
BENCH="dotnet $ROOT/bench/Analytics/bin/Release/net10.0/Analytics.dll"

echo "== queries over ${BENCH_ROWS:-10000000} rows"
$BENCH queries --rows "${BENCH_ROWS:-10000000}" | tee "$OUT/analytics-queries.txt"

echo
echo "== export lag under load (the gateway exports continuously, every second)"
$BENCH lag --gateway "http://127.0.0.1:$GW_PORT" --key "$KEY" --admin "$ADMIN" --rate "${BENCH_RATE:-1000}" --seconds "${BENCH_LAG_SECONDS:-20}" \
  | tee "$OUT/analytics-lag.txt"

echo
echo "== export throughput (the gateway stopped, so its own exporter does not compete)"
kill "$GW_PID"; wait "$GW_PID" 2>/dev/null || true
$BENCH export --pg "$GATEWAY_DB" --events "${BENCH_EVENTS:-500000}" | tee "$OUT/analytics-export.txt"
