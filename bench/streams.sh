#!/usr/bin/env bash
# The LLM-shaped row on its own (bench/stream_row.sh): ./gateway bench streams. bench/run.sh runs it too.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$ROOT/bench/stream_row.sh"
FLOOR_PORT="${BENCH_FLOOR_PORT:-19070}"
dotnet "$ROOT/bench/Floor/bin/Release/net10.0/Floor.dll" --upstream "http://127.0.0.1:$MOCK_PORT" --urls "http://127.0.0.1:$FLOOR_PORT" >>"$OUT/floor.log" 2>&1 &
FLOOR_PID=$!
PIDS+=("$FLOOR_PID")
wait_for "http://127.0.0.1:$FLOOR_PORT/v1/models"
stream_row "$GW_PORT" "$KEY" "$GW_PID" "$ADMIN" "$FLOOR_PORT" "$FLOOR_PID" | tee "$OUT/streams.txt"
