#!/usr/bin/env bash
# pg-restart-fast / pg-restart-immediate: PostgreSQL restarted twice (pg_ctl restart -m fast, or -m immediate: a
# crash, no shutdown checkpoint) under the same mixed load as kill9. The gateway stays up; its records wait in
# memory while the database is away. Criterion: 0 lost, 0 duplicates, no record refused, no request a client saw
# fail recorded (and billed) as a 200, and every response either a success or an error in the endpoint's shape
# carrying x-request-id: an error status without that shape, a stream cut without an error event, or a dropped
# connection counts as a failure ("bad").
set -euo pipefail
MODE=${1:?fast or immediate}
SCENARIO=pg-restart-$MODE
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start_all
curl -sf -o /dev/null -X PUT "$M/_mock/default" -H "$J" -d '{"latencyMs":10,"chunkDelayMs":3}'
start_load --gateway "$G" --key "$DEMO_KEY" --model mock/gpt-4o-mini --seconds 40 --concurrency 24 --canary "$CHAOS_CANARY"
restarts=0
for at in 10 25; do
  sleep_until "$at"
  pg_restart "$MODE"
  restarts=$((restarts + 1))
done
wait "$CLIENT"
client=$(cat "$DIR/client-summary.txt")
say "client: $client"

load_results "$DIR/client.txt"
bad=$(( $(figure unshaped "$client") + $(figure cut "$client") + $(figure transport "$client") ))
figures="restarts=$restarts $(record_figures) sent=$(figure sent "$client") shaped_errors=$(figure shaped "$client") bad=$bad"
figures+=" ($(figure unshaped "$client") unshaped, $(figure cut "$client") cut, $(figure transport "$client") dropped)"
verdict=PASS
for f in lost duplicates no_id refused billed_failures bad; do [[ $(figure "$f" "$figures") == 0 ]] || verdict=FAIL; done
[[ $(figure completed "$figures") -gt 0 ]] || verdict=FAIL
summary "$verdict" "$figures" "lost=0 duplicates=0 no_id=0 refused=0 billed_failures=0 bad=0"
