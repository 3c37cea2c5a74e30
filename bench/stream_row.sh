#!/usr/bin/env bash
# The LLM-shaped row, sourced by bench/run.sh and bench/streams.sh once the mock and the gateway run: BENCH_STREAMS
# streams (2,000) held open at once for BENCH_STREAM_SECONDS, each a 500 ms first token then 50 chunks 20 ms apart,
# directly against the mock, through the YARP floor (bench/Floor) when given, and through the gateway (bench/Streams),
# with the RSS growth per stream of the floor and the gateway.
stream_row() { # gateway_port gateway_key gateway_pid admin_key [floor_port floor_pid]
  local reply
  reply=$(for i in $(seq 1 50); do printf 'word%d ' "$i"; done)
  curl -sf -o /dev/null "http://127.0.0.1:$1/admin/models" -H "Authorization: Bearer $4" -H 'content-type: application/json' \
    -d '{"provider":"mock","model":"llm-stream","inputPricePerMillion":1,"outputPricePerMillion":2}'
  curl -sf -o /dev/null -X PUT "http://127.0.0.1:$MOCK_PORT/_mock/models/llm-stream" -H 'content-type: application/json' \
    -d "{\"ttftMs\":500,\"chunkDelayMs\":20,\"reply\":\"${reply% }\"}"
  local floor=()
  [[ -n ${5:-} ]] && floor=(--floor "http://127.0.0.1:$5" --floor-pid "$6")
  dotnet "$ROOT/bench/Streams/bin/Release/net10.0/Streams.dll" "${floor[@]}" --gateway "http://127.0.0.1:$1" --mock "http://127.0.0.1:$MOCK_PORT" \
    --key "$2" --gateway-pid "$3" --model llm-stream --streams "${BENCH_STREAMS:-2000}" --seconds "${BENCH_STREAM_SECONDS:-20}" \
    --mock-ttft-ms 500 --chunk-ms 20 --chunks 50
}
