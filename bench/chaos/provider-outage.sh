#!/usr/bin/env bash
# provider-outage: three routes whose primary is out — on a provider at a port nobody listens on (refused), a model
# the mock answers 500 to every time, a model the mock never answers (hang; the route gives an attempt 1 s) — each
# with a healthy fallback, under 20 s of plain and streamed chat and /v1/messages at once (8 clients per route).
# Criterion: 100% of each route's requests served, every served response with a record, none recorded twice.
set -euo pipefail
SCENARIO=provider-outage
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SECONDS_LOAD=20

start_all
dead_port=$(free_port)
admin /admin/providers -d "{\"name\":\"down\",\"kind\":\"openai\",\"baseUrl\":\"http://127.0.0.1:$dead_port/v1\"}" >/dev/null
admin /admin/models -d '{"provider":"down","model":"gpt-4o-mini","inputPricePerMillion":1,"outputPricePerMillion":2}' >/dev/null
for m in failing hanging steady; do
  admin /admin/models -d "{\"provider\":\"mock\",\"model\":\"$m\",\"inputPricePerMillion\":1,\"outputPricePerMillion\":2}" >/dev/null
done
curl -sf -o /dev/null -X PUT "$M/_mock/models/failing" -H "$J" -d '{"status":500}'
curl -sf -o /dev/null -X PUT "$M/_mock/models/hanging" -H "$J" -d '{"hang":true}'
curl -sf -o /dev/null -X PUT "$M/_mock/models/steady" -H "$J" -d '{"latencyMs":10,"chunkDelayMs":3}'
admin /admin/routes -d '{"name":"outage-refused","primary":"down/gpt-4o-mini","fallbacks":["mock/steady"]}' >/dev/null
admin /admin/routes -d '{"name":"outage-500","primary":"mock/failing","fallbacks":["mock/steady"]}' >/dev/null
admin /admin/routes -d '{"name":"outage-hang","primary":"mock/hanging","fallbacks":["mock/steady"],"policy":{"attemptTimeoutMs":1000}}' >/dev/null
say "routes: $(admin /admin/routes | tr -d '\n' | head -c 600)"

routes=(outage-refused outage-500 outage-hang)
clients=()
for r in "${routes[@]}"; do
  $CHAOS load --gateway "$G" --key "$DEMO_KEY" --model "$r" --seconds "$SECONDS_LOAD" --concurrency 8 --canary "$CHAOS_CANARY" \
    --kinds chat,chat-stream,messages,messages-stream --out "$DIR/client-$r.txt" >"$DIR/client-summary-$r.txt" 2>>"$DIR/scenario.log" &
  clients+=($!)
  PIDS+=($!)
done
wait "${clients[@]}"

verdict=PASS
figures=""
for r in "${routes[@]}"; do
  c=$(cat "$DIR/client-summary-$r.txt")
  say "$r: $c"
  sent=$(figure sent "$c") ok=$(figure ok "$c")
  figures+="$r=$(awk -v o="$ok" -v s="$sent" 'BEGIN { printf "%.2f%%", s ? 100 * o / s : 0 }')($ok/$sent) "
  [[ $sent -gt 0 && $ok == "$sent" ]] || verdict=FAIL
done
cat "$DIR"/client-outage-*.txt >"$DIR/client.txt"
load_results "$DIR/client.txt"
records=$(record_figures)
for f in lost duplicates no_id; do
  figures+="$f=$(figure "$f" "$records") "
  [[ $(figure "$f" "$records") == 0 ]] || verdict=FAIL
done
fallbacks=$(pg -c "select count(*) from gateway.mt_events where type = 'request_completed' and data->>'route' like 'outage-%'
                     and jsonb_array_length(data->'attempts') > 1")
summary "$verdict" "${figures}served_by_the_fallback=$fallbacks" "every route 100% served, lost=0 duplicates=0 no_id=0"
