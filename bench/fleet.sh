#!/usr/bin/env bash
# Fleet throughput: the same non-streaming chat through haproxy to one gateway node, then to three nodes of the same
# build on the same PostgreSQL (all on this one machine: 2 cores shared by the nodes, haproxy, PostgreSQL, the mock
# and wrk). Then the cost of the fleet's shared quotas per request, on three nodes: a key with a budget and a
# requests-per-minute limit set too high to refuse, so every request reserves from its node's lease and takes a
# permit from its node's slice of the rate window. CPU per request is read from /proc over each timed run for every
# process of the system under test (gateway nodes, haproxy, PostgreSQL). Run it with ./gateway bench fleet.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${GATEWAY_DB:?GATEWAY_DB must be set; run ./gateway bench fleet}"
SECONDS_PER_RUN="${BENCH_SECONDS:-15}"
CONCURRENCY="${BENCH_CONCURRENCY:-32}"
OUT="$ROOT/bench/results"
mkdir -p "$OUT"
KEY="sk-gw-fleet-$(date +%s)"
ADMIN="sk-admin-fleet-$(date +%s)"
MASTER=$(head -c 32 /dev/urandom | base64)
MOCK_PORT=19190
PORTS=(19181 19182 19183)
LB_PORT=19180
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

: >"$OUT/fleet-mock.log"
start_mock "$MOCK_PORT" "$OUT/fleet-mock.log"
NODE_PIDS=()
for i in 0 1 2; do
  : >"$OUT/fleet-node$((i + 1)).log"
  start_gateway "${PORTS[$i]}" "$OUT/fleet-node$((i + 1)).log" GATEWAY_DATA="$(mktemp -d)" GATEWAY_ADMIN_KEY="$ADMIN" \
    GATEWAY_MASTER_KEY="$MASTER" GATEWAY_DEMO_KEY="$KEY" Logging__LogLevel__Default=Warning
  NODE_PIDS+=("$GW_PID")
done
wait_for "http://127.0.0.1:$MOCK_PORT/v1/models"
for p in "${PORTS[@]}"; do wait_for "http://127.0.0.1:$p/health"; done

balancer() { # number of nodes; restarts haproxy in front of the first N
  [[ -z ${LB_PID:-} ]] || { kill "$LB_PID" 2>/dev/null || true; wait "$LB_PID" 2>/dev/null || true; }
  {
    printf 'global\n  maxconn 4096\ndefaults\n  mode http\n  timeout connect 2s\n  timeout client 60s\n  timeout server 60s\n'
    printf 'frontend gateway\n  bind 127.0.0.1:%s\n  default_backend nodes\nbackend nodes\n  balance roundrobin\n' "$LB_PORT"
    for ((i = 0; i < $1; i++)); do printf '  server node%d 127.0.0.1:%s\n' "$((i + 1))" "${PORTS[$i]}"; done
  } >"$OUT/fleet-haproxy.cfg"
  haproxy -db -f "$OUT/fleet-haproxy.cfg" >>"$OUT/fleet-haproxy.log" 2>&1 &
  LB_PID=$!
  PIDS+=("$LB_PID")
  wait_for "http://127.0.0.1:$LB_PORT/health"
}

ticks_of() { local t=0 p; for p in "$@"; do t=$(( t + $(proc_ticks "$p") )); done; echo "$t"; }

run() { # label nodes key
  local label=$1 nodes=$2 key=$3 before_gw before_lb before_pg line requests pids=("${NODE_PIDS[@]:0:$2}")
  balancer "$nodes"
  BENCH_MODEL=mock/gpt-4o-mini BENCH_KEY="$key" wrk -t2 -c"$CONCURRENCY" -d5s -s "$ROOT/bench/chat.lua" "http://127.0.0.1:$LB_PORT/v1/chat/completions" >/dev/null
  before_gw=$(ticks_of "${pids[@]}"); before_lb=$(proc_ticks "$LB_PID"); before_pg=$(pg_ticks)
  line=$(BENCH_MODEL=mock/gpt-4o-mini BENCH_KEY="$key" wrk -t2 -c"$CONCURRENCY" -d"${SECONDS_PER_RUN}s" --latency -s "$ROOT/bench/chat.lua" \
    "http://127.0.0.1:$LB_PORT/v1/chat/completions" | grep '^BENCH')
  requests=$(sed 's/.*requests=\([0-9]*\).*/\1/' <<<"$line")
  printf '%-28s %s gateway_us=%s haproxy_us=%s postgres_us=%s\n' "$label" "$line" \
    "$(cpu_us_per_request $(( $(ticks_of "${pids[@]}") - before_gw )) "$requests")" \
    "$(cpu_us_per_request $(( $(proc_ticks "$LB_PID") - before_lb )) "$requests")" \
    "$(cpu_us_per_request $(( $(pg_ticks) - before_pg )) "$requests")" | tee -a "$OUT/fleet.txt"
}

# The governed key: a key budget and a requests-per-minute limit, both far from refusing.
J='content-type: application/json'
A="Authorization: Bearer $ADMIN"
G="http://127.0.0.1:${PORTS[0]}"
team=$(curl -sf "$G/admin/teams" -H "$A" -H "$J" -d '{"name":"fleet-governed"}' | sed 's/.*"id":"\([^"]*\)".*/\1/')
issued=$(curl -sf "$G/admin/keys" -H "$A" -H "$J" -d "{\"teamId\":\"$team\",\"name\":\"fleet-governed\",\"requestsPerMinute\":100000000}")
GOV_KEY=$(sed 's/.*"key":"\([^"]*\)".*/\1/' <<<"$issued")
GOV_ID=$(sed 's/.*"id":"\([^"]*\)".*/\1/' <<<"$issued")
curl -sf -o /dev/null "$G/admin/budgets" -H "$A" -H "$J" -d "{\"scope\":\"key\",\"scopeId\":\"$GOV_ID\",\"limitUsd\":1000000,\"period\":\"monthly\"}"
sleep 1

: >"$OUT/fleet.txt"
echo "c=$CONCURRENCY, ${SECONDS_PER_RUN} s per run, CPU per request in µs (all nodes together):"
for round in 1 2; do
  run "1 node" 1 "$KEY"
  run "3 nodes" 3 "$KEY"
  run "3 nodes, budget + rpm key" 3 "$GOV_KEY"
done
grants=$(pg -c "select count(*) from gateway.mt_events where type = 'budget_lease_granted'")
windows=$(pg -c "select count(*), coalesce(sum(used), 0) from gateway.rate_windows")
served=$(pg -c "select count(*) from gateway.mt_events where type = 'request_completed' and data->>'keyId' = '$GOV_ID'")
echo "governed key: $served requests, $grants lease grants, rate-window rows and permits handed out: $windows"
