#!/usr/bin/env bash
# kill9: the gateway under load (plain and streamed chat, embeddings, /v1/messages plain and streamed) is killed
# with SIGKILL three times mid-run and restarted each time. Every response a client received whole (2xx, with its
# x-request-id) must have exactly one request record in PostgreSQL: 0 lost, 0 duplicates, no record refused.
set -euo pipefail
SCENARIO=kill9
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SECONDS_LOAD=50

start_all
# A little upstream latency, so that many requests are in flight (and many commits pending) at each kill.
curl -sf -o /dev/null -X PUT "$M/_mock/default" -H "$J" -d '{"latencyMs":10,"chunkDelayMs":3}'

start_load --gateway "$G" --key "$DEMO_KEY" --model mock/gpt-4o-mini --seconds "$SECONDS_LOAD" --concurrency 24 --canary "$CHAOS_CANARY"
kills=0
for at in 10 22 34; do
  sleep_until "$at"
  kill9_gateway
  kills=$((kills + 1))
  sleep 1
  gateway_up
done
wait "$CLIENT"
say "client: $(cat "$DIR/client-summary.txt")"

load_results "$DIR/client.txt"
client_figures=$(cat "$DIR/client-summary.txt")
figures="kills=$kills $(record_figures) sent=$(figure sent "$client_figures") transport_errors=$(figure transport "$client_figures")"
verdict=PASS
for f in lost duplicates no_id refused; do [[ $(figure "$f" "$figures") == 0 ]] || verdict=FAIL; done
[[ $(figure completed "$figures") -gt 0 ]] || verdict=FAIL
summary "$verdict" "$figures" "lost=0 duplicates=0 no_id=0 refused=0"
