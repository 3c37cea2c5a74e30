#!/usr/bin/env bash
# The LLM-shaped row on its own (bench/stream_row.sh): ./gateway bench streams. bench/run.sh runs it too.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$ROOT/bench/stream_row.sh"
stream_row "$GW_PORT" "$KEY" "$GW_PID" "$ADMIN" | tee "$OUT/streams.txt"
