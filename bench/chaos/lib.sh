#!/usr/bin/env bash
# Sourced by every scenario of the fault suite (after it sets SCENARIO). Gives the scenario its own database in the
# suite's throwaway cluster, its own folder under the run ($CHAOS_RUN/$SCENARIO: logs, client results, data),
# loopback ports, the mock and the gateway (bench/lib.sh), and the faults: kill -9 of the gateway and PostgreSQL
# restarts. Everything it started stops when the scenario exits. Progress goes to $DIR/scenario.log; stdout
# carries the scenario's one summary line (see summary below).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
: "${SCENARIO:?}" "${CHAOS_RUN:?run bench/chaos/run.sh (./gateway chaos)}" "${CHAOS_PG_PORT:?}" "${CHAOS_PG_PASSWORD:?}"
: "${CHAOS_ADMIN_KEY:?}" "${CHAOS_MASTER_KEY:?}" "${CHAOS_CANARY:?}"

export PGOPTIONS='-c client_min_messages=warning'
DIR="$CHAOS_RUN/$SCENARIO"
rm -rf -- "$DIR"
mkdir -p "$DIR/data"
CHAOS="dotnet $ROOT/bench/Chaos/bin/Release/net10.0/Chaos.dll"
DB="chaos_${SCENARIO//-/_}"
DEMO_KEY="sk-gw-chaos-demo-$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')"
J='Content-Type: application/json'
A="Authorization: Bearer $CHAOS_ADMIN_KEY"

say() { printf '[%s] %s\n' "$(date +%T)" "$*" >>"$DIR/scenario.log"; }

conn() { printf 'Host=127.0.0.1;Port=%s;Database=%s;Username=postgres;Password=%s' "$CHAOS_PG_PORT" "$1" "$CHAOS_PG_PASSWORD"; }
export GATEWAY_DB; GATEWAY_DB=$(conn "$DB")
PG_CONN=$(conn postgres) pg -q -c "drop database if exists $DB" -c "create database $DB" >/dev/null

free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
  done
  return 1
}
MOCK_PORT=$(free_port)
GW_PORT=$(free_port)
while [[ $GW_PORT == "$MOCK_PORT" ]]; do GW_PORT=$(free_port); done
G="http://127.0.0.1:$GW_PORT"
M="http://127.0.0.1:$MOCK_PORT"

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap "exit 143" TERM
trap "exit 130" INT

# The gateway as a user runs it: demo seed, default log levels, its data (DuckDB file, master key) in $DIR/data.
gateway_up() {
  start_gateway "$GW_PORT" "$DIR/gateway.log" GATEWAY_DATA="$DIR/data" GATEWAY_ADMIN_KEY="$CHAOS_ADMIN_KEY" \
    GATEWAY_MASTER_KEY="$CHAOS_MASTER_KEY" GATEWAY_DEMO_KEY="$DEMO_KEY"
  wait_for "$G/health" || { say "gateway did not come up"; return 1; }
  say "gateway up (pid $GW_PID) on $GW_PORT"
}

# Seconds from the start of the load (T0, set by start_load), for faults at fixed moments.
sleep_until() { # second
  local left=$(( T0 + $1 - $(date +%s) ))
  (( left <= 0 )) || sleep "$left"
}

# The load client in the background, its summary in $DIR/client-summary.txt; CLIENT is its pid.
start_load() { # Chaos load arguments (--out is added)
  T0=$(date +%s)
  $CHAOS load "$@" --out "$DIR/client.txt" >"$DIR/client-summary.txt" 2>>"$DIR/scenario.log" &
  CLIENT=$!
  PIDS+=("$CLIENT")
}

start_all() {
  start_mock "$MOCK_PORT" "$DIR/mock.log"
  wait_for "$M/_mock/health"
  gateway_up
}

kill9_gateway() {
  say "kill -9 gateway (pid $GW_PID)"
  kill -KILL "$GW_PID" 2>/dev/null || true
  wait "$GW_PID" 2>/dev/null || true
}

stop_gateway() {
  kill -TERM "$GW_PID" 2>/dev/null || true
  wait "$GW_PID" 2>/dev/null || true
}

# pg_ctl as the cluster's owner (postgres when we are root); -l keeps the server's output in its log, not our pipe.
pg_restart() { # fast|immediate
  say "pg_ctl restart -m $1"
  local cmd=("$CHAOS_PG_BIN/pg_ctl" -D "$CHAOS_PGDATA" -l "$CHAOS_PG_LOG" -m "$1" -w -t 60 restart)
  if [[ $(id -u) -eq 0 ]]; then (cd / && runuser -u postgres -- "${cmd[@]}"); else "${cmd[@]}"; fi >>"$DIR/scenario.log" 2>&1
  say "PostgreSQL back"
}

admin() { # curl arguments after the URL path; prints the body
  local path=$1
  shift
  curl -sS --max-time 30 "$G$path" -H "$A" -H "$J" "$@"
}
field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" | head -1; }

# The client's result file (request-id status kind outcome max-tokens) as table chaos_client in the scenario's database, and
# the request records by id from the event store (chaos_records): what every response is checked against.
load_results() { # file
  pg -q -c "drop table if exists chaos_client" -c "create table chaos_client (id text, status int, kind text, outcome text, max_tokens int)" \
    -c "\\copy chaos_client from '$1' with (delimiter ' ')" \
    -c "alter table chaos_client add column rid uuid" \
    -c "update chaos_client set rid = id::uuid where id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\$'" \
    -c "create index on chaos_client (rid)" \
    -c "drop table if exists chaos_records" \
    -c "create table chaos_records as select stream_id as rid, count(*) as n, max((data->>'status')::int) as status,
          max((data->>'completionTokens')::int) as completion_tokens
          from gateway.mt_events where type = 'request_completed' group by stream_id" \
    -c "create index on chaos_records (rid)" -c "analyze chaos_client" -c "analyze chaos_records" >/dev/null
}

# Figures every record-keeping criterion uses, as name=value words:
#   completed  2xx responses received whole                       lost   of those, ids with no record
#   duplicates ids with more than one record, plus ids handed to two clients    no_id  2xx without x-request-id
#   billed_failures  requests a client saw fail whose record says 200      refused  "could not be recorded" in the log
record_figures() {
  printf '%s refused=%s' "$(pg -c "select 'completed=' || (select count(*) from chaos_client where outcome = 'ok')
           || ' lost=' || (select count(*) from chaos_client c where outcome = 'ok' and rid is not null
                           and not exists (select 1 from chaos_records r where r.rid = c.rid))
           || ' duplicates=' || ((select count(*) from chaos_records where n > 1)
                + (select count(*) from (select rid from chaos_client where rid is not null group by rid having count(*) > 1) d))
           || ' no_id=' || (select count(*) from chaos_client where outcome = 'ok' and rid is null)
           || ' billed_failures=' || (select count(*) from chaos_client c join chaos_records r using (rid)
                                      where c.outcome in ('shaped', 'unshaped', 'cut') and r.status = 200)")" \
    "$(grep -c 'could not be recorded' "$DIR/gateway.log" || true)"
}

# figure NAME "words": the value of NAME=… in a list of name=value words.
figure() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p" | head -1; }

# The one line a scenario prints, and its exit code: summary PASS|FAIL "figures" "criterion".
summary() {
  printf '%-22s %s  %s  [want %s]\n' "$SCENARIO" "$1" "$2" "$3"
  say "summary: $1 $2"
  [[ $1 == PASS ]]
}
