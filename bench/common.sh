#!/usr/bin/env bash
# Shared by the benchmarks: starts the mock provider and the gateway (Release builds, demo seed, logging at
# Warning) on loopback ports, stops them on exit, and reads the gateway's events back with psql.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_PER_RUN="${BENCH_SECONDS:-10}"
MOCK_PORT="${BENCH_MOCK_PORT:-19090}"
GW_PORT="${BENCH_GATEWAY_PORT:-19080}"
KEY="sk-gw-bench-$(date +%s)"
ADMIN="sk-admin-bench-$(date +%s)"
OUT="$ROOT/bench/results"
mkdir -p "$OUT"
: "${GATEWAY_DB:?GATEWAY_DB must be set; run ./gateway bench}"
command -v wrk >/dev/null || { echo "wrk is not installed; run ./gateway bench" >&2; exit 1; }
PSQL=$(command -v psql || ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | tail -1)

MOCK_DLL="$ROOT/tests/MockProvider/bin/Release/net10.0/MockProvider.dll"
API_DLL="$ROOT/Gateway.Api/bin/Release/net10.0/Gateway.Api.dll"
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

wait_for() { # url
  for _ in $(seq 1 120); do curl -s -o /dev/null "$1" && return 0; sleep 0.5; done
  echo "timed out waiting for $1" >&2; return 1
}

dotnet "$MOCK_DLL" --urls "http://127.0.0.1:$MOCK_PORT" >"$OUT/mock.log" 2>&1 &
PIDS+=($!)
GATEWAY_DATA="$(mktemp -d)" GATEWAY_PORT="$GW_PORT" GATEWAY_ADMIN_KEY="$ADMIN" GATEWAY_DEMO=1 GATEWAY_DEMO_KEY="$KEY" \
  GATEWAY_DEMO_MOCK_URL="http://127.0.0.1:$MOCK_PORT/v1" Logging__LogLevel__Default=Warning \
  dotnet "$API_DLL" >"$OUT/gateway.log" 2>&1 &
GW_PID=$!
PIDS+=($GW_PID)
wait_for "http://127.0.0.1:$MOCK_PORT/v1/models"
wait_for "http://127.0.0.1:$GW_PORT/health"

# psql from the Npgsql connection string, to read the recorded events back.
pg() {
  local kv host=127.0.0.1 port=5432 db=postgres user=postgres pass=""
  IFS=';' read -ra kv <<<"$GATEWAY_DB"
  for pair in "${kv[@]}"; do
    case "${pair%%=*}" in
      Host) host=${pair#*=} ;; Port) port=${pair#*=} ;; Database) db=${pair#*=} ;;
      Username) user=${pair#*=} ;; Password) pass=${pair#*=} ;;
    esac
  done
  PGPASSWORD="$pass" "$PSQL" -X -h "$host" -p "$port" -U "$user" -d "$db" -At -F ' ' "$@"
}

