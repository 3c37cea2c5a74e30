#!/usr/bin/env bash
# Projection rebuild (issue 7): how long `./gateway projections rebuild` takes to replay 1 million events into every
# projection and compare each with the live one. The gateway starts once (schema, demo catalog), stops, then
# BENCH_EVENTS (1,000,000) request events are written into the Marten event table with one SQL statement, and the
# rebuild command runs against them. Run it with ./gateway bench rebuild.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ANALYTICS="dotnet $ROOT/bench/Analytics/bin/Release/net10.0/Analytics.dll"

kill "$GW_PID"; wait "$GW_PID" 2>/dev/null || true
$ANALYTICS generate --pg "$GATEWAY_DB" --events "${BENCH_EVENTS:-1000000}" | tee "$OUT/rebuild.txt"
total=$(pg -Atc "select count(*) from gateway.mt_events")
echo "events in the store: $total" | tee -a "$OUT/rebuild.txt"
# Twice: the gateway was stopped before the events were written, so the first rebuild also finds the live per-key
# usage behind (reported as differences); the second compares a rebuild with live views that are up to date.
for run in first second; do
  echo "== $run rebuild" | tee -a "$OUT/rebuild.txt"
  started=$(date +%s.%N)
  GATEWAY_DATA="$(mktemp -d)" Logging__LogLevel__Default=Warning dotnet "$API_DLL" projections rebuild | head -14 | tee -a "$OUT/rebuild.txt" || true
  ended=$(date +%s.%N)
  awk -v s="$started" -v e="$ended" -v n="$total" 'BEGIN { printf "every projection rebuilt over %d events: %.1f s wall (%.0f events/s), process start included\n", n, e - s, n / (e - s) }' \
    | tee -a "$OUT/rebuild.txt"
done
