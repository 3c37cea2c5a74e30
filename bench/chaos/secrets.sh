#!/usr/bin/env bash
# secrets: known canaries through the gateway, then a search for them wherever they must not be. A provider is
# registered with a canary API key; a key allowed to bring its own provider key sends another canary in
# X-Provider-Api-Key; every prompt of the run (this scenario's and the others') carries the prompt canary. For 25 s
# two clients send plain and streamed chat, embeddings and /v1/messages, 30% of them giving up at a random moment,
# while PostgreSQL is restarted (-m immediate, then -m fast) so that commits fail. Then, over every scenario of
# this run: pg_dump of each database (key secrets: whole dump; prompt canary: without the request_bodies table,
# the one place prompts belong), the gateway, mock and PostgreSQL logs, and the DuckDB files (their bytes, and their
# text cells read through DuckDB). Criterion: 0 found.
set -euo pipefail
SCENARIO=secrets
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start_all
admin /admin/providers -d "{\"name\":\"canary\",\"kind\":\"openai\",\"baseUrl\":\"$M/v1\",\"apiKey\":\"$CHAOS_PROVIDER_KEY\"}" >/dev/null
admin /admin/models -d '{"provider":"canary","model":"gpt-4o-mini","inputPricePerMillion":1,"outputPricePerMillion":2}' >/dev/null
team=$(admin /admin/teams -d '{"name":"chaos-secrets"}' | field id)
key=$(admin /admin/keys -d "{\"teamId\":\"$team\",\"name\":\"chaos-secrets\",\"allowsRequestProviderKey\":true}" | field key)
[[ -n $key ]] || { summary FAIL "setup failed (see $DIR/scenario.log)" "0 found"; exit 1; }
echo "issued-gateway-key $key" >>"$CHAOS_RUN/secrets.list"
curl -sf -o /dev/null -X PUT "$M/_mock/default" -H "$J" -d '{"latencyMs":20,"chunkDelayMs":5}'

T0=$(date +%s)
$CHAOS load --gateway "$G" --key "$key" --model canary/gpt-4o-mini --seconds 25 --concurrency 12 --abort-share 0.3 \
  --canary "$CHAOS_CANARY" --out "$DIR/client.txt" >"$DIR/client-summary.txt" 2>>"$DIR/scenario.log" &
a=$!
$CHAOS load --gateway "$G" --key "$key" --model mock/gpt-4o-mini --seconds 25 --concurrency 4 --abort-share 0.3 \
  --provider-key "$CHAOS_BYOK_KEY" --canary "$CHAOS_CANARY" --out "$DIR/client-byok.txt" >"$DIR/client-summary-byok.txt" 2>>"$DIR/scenario.log" &
b=$!
PIDS+=("$a" "$b")
sleep_until 8
pg_restart immediate
sleep_until 16
pg_restart fast
wait "$a" "$b"
say "client: $(cat "$DIR/client-summary.txt"); byok: $(cat "$DIR/client-summary-byok.txt")"
sleep 3   # one more continuous export into DuckDB
stop_gateway
kill "$MOCK_PID" 2>/dev/null || true
wait "$MOCK_PID" 2>/dev/null || true

# Every database of the run, dumped twice.
mkdir -p "$DIR/dumps"
for db in $(PG_CONN=$(conn postgres) pg -c "select datname from pg_database where datname like 'chaos\\_%' order by 1"); do
  PGPASSWORD=$CHAOS_PG_PASSWORD "$CHAOS_PG_BIN/pg_dump" -h 127.0.0.1 -p "$CHAOS_PG_PORT" -U postgres -d "$db" -f "$DIR/dumps/$db.sql"
  PGPASSWORD=$CHAOS_PG_PASSWORD "$CHAOS_PG_BIN/pg_dump" -h 127.0.0.1 -p "$CHAOS_PG_PORT" -U postgres -d "$db" \
    --exclude-table-data=gateway.request_bodies -f "$DIR/dumps/$db.without-bodies.sql"
done

needles="$DIR/needles.txt"
cp "$CHAOS_RUN/secrets.list" "$needles"
echo "prompt $CHAOS_CANARY" >>"$needles"
declare -A found=()
hits=""
count() { # location label file...
  local location=$1 label=$2 n where=""
  shift 2
  [[ $# -eq 1 && $1 == "$CHAOS_RUN"/*/*.log ]] && where=$(basename "$(dirname "$1")")
  n=$(cat "$@" 2>/dev/null | grep -a -F -c -- "$(sed -n "s/^$label //p" "$needles" | head -1)" || true)
  found[$location]=$(( ${found[$location]:-0} + n ))
  (( n == 0 )) || hits+="$label@$location${where:+($where)}:$n "
}
shopt -s nullglob
logs=("$CHAOS_RUN"/*/gateway.log)
mocks=("$CHAOS_RUN"/*/mock.log)
full=() bodiless=()
for f in "$DIR"/dumps/*.sql; do
  if [[ $f == *.without-bodies.sql ]]; then bodiless+=("$f"); else full+=("$f"); fi
done
duck=("$CHAOS_RUN"/*/data/*.duckdb*)
while read -r label _; do
  # Per scenario, so a hit says which fault put it there.
  for f in "${logs[@]}"; do count gateway-logs "$label" "$f"; done
  for f in "${mocks[@]}"; do count mock-logs "$label" "$f"; done
  count postgres-log "$label" "$CHAOS_PG_LOG"
  if [[ $label == prompt ]]; then count pg-dump "$label" "${bodiless[@]}"; else count pg-dump "$label" "${full[@]}"; fi
  (( ${#duck[@]} == 0 )) || count duckdb-bytes "$label" "${duck[@]}"
done <"$needles"
for f in "$CHAOS_RUN"/*/data/*.duckdb; do
  while read -r label n; do
    found[duckdb-cells]=$(( ${found[duckdb-cells]:-0} + n ))
    (( n == 0 )) || hits+="$label@duckdb-cells:$n "
  done < <($CHAOS duckdb-scan --file "$f" --needles "$needles" 2>>"$DIR/scenario.log" || echo "scan-error 1")
done
# The prompt canary must be in the bodies table (or the search looks in the wrong place).
in_bodies=$(grep -a -F -c -- "$CHAOS_CANARY" "$DIR/dumps/$DB.sql" || true)

total=0
figures=""
for loc in gateway-logs mock-logs postgres-log pg-dump duckdb-bytes duckdb-cells; do
  figures+="$loc=${found[$loc]:-0} "
  total=$(( total + ${found[$loc]:-0} ))
done
figures="found=$total ${figures}searched: $(( $(wc -l <"$needles") )) needles in ${#logs[@]} gateway logs, ${#mocks[@]} mock logs, ${#full[@]} databases, ${#duck[@]} DuckDB files; prompt lines in request_bodies=$in_bodies"
verdict=PASS
[[ $total == 0 && $in_bodies -gt 0 ]] || verdict=FAIL
summary "$verdict" "$figures${hits:+ hits: $hits}" "found=0 (and the prompt canary present in request_bodies)"
