#!/usr/bin/env bash
# aborts-under-budget: a key with a lifetime budget whose limit is raised from $0.10 to $0.50 in five steps 8 s apart,
# so the run meets the limit five times with requests in flight; 32 clients send plain and streamed requests (chat and
# /v1/messages, max_tokens 10-40) to a model the mock answers in ~100 ms (streams: 100 ms to the first token, then a
# word every 15 ms), and 70% of them give up at a random moment; meanwhile the budget's live balance is read every
# 50 ms. Criterion: spent + reserved <= limit at every sample; at the end reserved back to 0, spent <= limit, and
# spent = the sum of the key's RequestCompleted costs = the sum of the budget's BudgetDebited amounts; no request
# billed for more completion tokens than its max_tokens (what its reservation assumed), none recorded twice and no
# record refused.
set -euo pipefail
SCENARIO=aborts-under-budget
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
STEP=0.10
LIMIT=0.50

start_all
team=$(admin /admin/teams -d '{"name":"chaos-budget"}' | field id)
issued=$(admin /admin/keys -d "{\"teamId\":\"$team\",\"name\":\"chaos-budget\"}")
key_id=$(field id <<<"$issued")
key=$(field key <<<"$issued")
echo "issued-gateway-key $key" >>"$CHAOS_RUN/secrets.list"
# ~$0.0004 reserved by a request at max_tokens 25: each $0.10 step is spent within seconds, then the clients wait at
# the limit (429) until the next step.
admin /admin/models -d '{"provider":"mock","model":"chaos-priced","inputPricePerMillion":1,"outputPricePerMillion":16}' >/dev/null
reply="Gateways keep provider keys in one place, route each call to a healthy model, record what every request cost, and stop a team before it spends more than its budget allows; they also retry, fall back, and measure latency, tokens, errors and spend per key, per team and per model, so nobody has to guess."
curl -sf -o /dev/null -X PUT "$M/_mock/models/chaos-priced" -H "$J" -d "{\"latencyMs\":100,\"ttftMs\":100,\"chunkDelayMs\":15,\"reply\":\"$reply\"}"
set_budget() { # limit
  printf '{"scope":"key","scopeId":"%s","limitUsd":%s,"period":"lifetime"}' "$key_id" "$1"
}
budget=$(admin /admin/budgets -d "$(set_budget $STEP)" | field id)
say "team $team key $key_id budget $budget"
[[ -n $budget && -n $key ]] || { summary FAIL "setup failed (see $DIR/scenario.log)" "a budget to test"; exit 1; }

T0=$(date +%s)
$CHAOS aborts --gateway "$G" --key "$key" --admin "$CHAOS_ADMIN_KEY" --budget "$budget" --model mock/chaos-priced \
  --seconds 40 --concurrency 32 --canary "$CHAOS_CANARY" --out "$DIR/client.txt" \
  >"$DIR/client-summary.txt" 2>>"$DIR/scenario.log" &
CLIENT=$!
PIDS+=("$CLIENT")
for step in 2 3 4 5; do
  sleep_until $(( (step - 1) * 8 ))
  limit=$(awk -v s=$STEP -v n=$step 'BEGIN { printf "%.2f", s * n }')
  admin "/admin/budgets/$budget" -X PUT -d "$(set_budget "$limit")" >/dev/null
  say "budget limit raised to $limit"
done
wait "$CLIENT"
client=$(cat "$DIR/client-summary.txt")
say "client: $client"

load_results "$DIR/client.txt"
records=$(record_figures)
ledger=$(pg -c "select 'costs=' || coalesce(sum((data->>'cost')::numeric), 0) from gateway.mt_events
                  where type = 'request_completed' and data->>'keyId' = '$key_id'")
debits=$(pg -c "select 'debits=' || coalesce(sum((data->>'amount')::numeric), 0) from gateway.mt_events
                  where type = 'budget_debited' and data->'budgets' @> '[{\"budgetId\":\"$budget\"}]'")
spent=$(figure final_spent "$client")
reserved=$(figure final_reserved "$client")
costs=$(figure costs "$ledger")
debits=$(figure debits "$debits")
# numeric comparisons in PostgreSQL: decimals, exactly
checks=$(pg -c "select 'spent_matches_costs=' || ($spent::numeric = $costs::numeric) || ' spent_matches_debits=' || ($spent::numeric = $debits::numeric)
                  || ' within_limit=' || ($spent::numeric <= $LIMIT::numeric)" 2>/dev/null || echo "spent_matches_costs=? spent_matches_debits=? within_limit=?")
over_max=$(pg -c "select count(*) from chaos_client c join chaos_records r using (rid) where r.completion_tokens > c.max_tokens")
statuses=$(awk '{ s[$2]++ } END { for (k in s) printf "%s%s:%d", (n++ ? "," : ""), k, s[k] }' "$DIR/client.txt")

figures="limit=$LIMIT spent=$spent reserved=$reserved costs=$costs debits=$debits max_spent_plus_reserved=$(figure max_spent_plus_reserved "$client")"
figures+=" over_limit_samples=$(figure over_limit_samples "$client")/$(figure samples "$client") worst_sample=$(figure worst_sample "$client") $checks"
figures+=" billed_beyond_max_tokens=$over_max duplicates=$(figure duplicates "$records") refused=$(figure refused "$records") sent=$(figure sent "$client") aborted=$(figure aborted "$client") statuses=$statuses"
verdict=PASS
[[ $(figure over_limit_samples "$client") == 0 && $(figure samples "$client") -gt 0 ]] || verdict=FAIL
[[ $reserved =~ ^0(\.0*)?$ ]] || verdict=FAIL
[[ $checks == "spent_matches_costs=true spent_matches_debits=true within_limit=true" ]] || verdict=FAIL
for f in duplicates refused; do [[ $(figure "$f" "$records") == 0 ]] || verdict=FAIL; done
[[ $over_max == 0 ]] || verdict=FAIL
summary "$verdict" "$figures" "over_limit_samples=0 reserved=0 spent<=limit spent=costs=debits billed_beyond_max_tokens=0 duplicates=0 refused=0"
