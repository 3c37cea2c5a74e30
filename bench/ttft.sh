#!/usr/bin/env bash
# Streaming benchmark: time to first token through the gateway against the mock's own, for each upstream wire
# format (OpenAI, Anthropic, Gemini). The mock streams with a first-token delay and a pause between chunks, like
# a real model; bench/Ttft sends the same streamed chat directly and through the gateway, interleaved.
# Run it with ./gateway bench ttft.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
TTFT_MS="${BENCH_TTFT_MS:-20}"
CHUNK_MS="${BENCH_CHUNK_MS:-2}"
REQUESTS="${BENCH_REQUESTS:-2000}"
TTFT_CONCURRENCY="${BENCH_TTFT_CONCURRENCY:-8}"

J='content-type: application/json'
A="Authorization: Bearer $ADMIN"
for kind in openai anthropic gemini; do
  case $kind in
    openai) base="http://127.0.0.1:$MOCK_PORT/v1" ;;
    anthropic) base="http://127.0.0.1:$MOCK_PORT/v1" ;;
    gemini) base="http://127.0.0.1:$MOCK_PORT/v1beta" ;;
  esac
  curl -sf -o /dev/null "http://127.0.0.1:$GW_PORT/admin/providers" -H "$A" -H "$J" \
    -d "{\"name\":\"ttft-$kind\",\"kind\":\"$kind\",\"baseUrl\":\"$base\"}"
  curl -sf -o /dev/null "http://127.0.0.1:$GW_PORT/admin/models" -H "$A" -H "$J" \
    -d "{\"provider\":\"ttft-$kind\",\"model\":\"ttft-$kind\",\"inputPricePerMillion\":1,\"outputPricePerMillion\":2}"
  curl -sf -o /dev/null -X PUT "http://127.0.0.1:$MOCK_PORT/_mock/models/ttft-$kind" -H "$J" \
    -d "{\"ttftMs\":$TTFT_MS,\"chunkDelayMs\":$CHUNK_MS}"
done

dotnet "$ROOT/bench/Ttft/bin/Release/net10.0/Ttft.dll" --gateway "http://127.0.0.1:$GW_PORT" --mock "http://127.0.0.1:$MOCK_PORT" \
  --key "$KEY" --requests "$REQUESTS" --warmup "${BENCH_WARMUP_REQUESTS:-1500}" --concurrency "$TTFT_CONCURRENCY" --mock-ttft-ms "$TTFT_MS" \
  | tee "$OUT/ttft.txt"
