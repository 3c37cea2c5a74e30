#!/usr/bin/env bash
# Shared by the benchmarks: starts the mock provider and the gateway (Release builds, demo seed, logging at
# Warning) on loopback ports, stops them on exit, and reads the gateway's events back with psql (bench/lib.sh).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SECONDS_PER_RUN="${BENCH_SECONDS:-10}"
MOCK_PORT="${BENCH_MOCK_PORT:-19090}"
GW_PORT="${BENCH_GATEWAY_PORT:-19080}"
KEY="sk-gw-bench-$(date +%s)"
ADMIN="sk-admin-bench-$(date +%s)"
OUT="$ROOT/bench/results"
mkdir -p "$OUT"
: "${GATEWAY_DB:?GATEWAY_DB must be set; run ./gateway bench}"
command -v wrk >/dev/null || { echo "wrk is not installed; run ./gateway bench" >&2; exit 1; }

cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

: >"$OUT/mock.log"
: >"$OUT/gateway.log"
start_mock "$MOCK_PORT" "$OUT/mock.log"
start_gateway "$GW_PORT" "$OUT/gateway.log" GATEWAY_DATA="$(mktemp -d)" GATEWAY_ADMIN_KEY="$ADMIN" GATEWAY_DEMO_KEY="$KEY" \
  Logging__LogLevel__Default=Warning
wait_for "http://127.0.0.1:$MOCK_PORT/v1/models"
wait_for "http://127.0.0.1:$GW_PORT/health"
