#!/usr/bin/env bash
# Helpers shared by the benchmarks (bench/common.sh) and the fault suite (bench/chaos/): start the mock provider
# and the gateway from their Release builds on loopback ports, wait for them, and read the gateway's events back
# with psql. Sourcing this starts nothing.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MOCK_DLL="$ROOT/tests/MockProvider/bin/Release/net10.0/MockProvider.dll"
API_DLL="$ROOT/Gateway.Api/bin/Release/net10.0/Gateway.Api.dll"
PSQL=$(command -v psql || ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | tail -1)
PIDS=()

wait_for() { # url
  for _ in $(seq 1 120); do curl -s -o /dev/null "$1" && return 0; sleep 0.5; done
  echo "timed out waiting for $1" >&2; return 1
}

start_mock() { # port logfile; sets MOCK_PID
  dotnet "$MOCK_DLL" --urls "http://127.0.0.1:$1" >>"$2" 2>&1 &
  MOCK_PID=$!
  PIDS+=("$MOCK_PID")
}

# The gateway in demo mode against the mock on MOCK_PORT; more settings come as NAME=value arguments after the log file.
start_gateway() { # port logfile [NAME=value...]; sets GW_PID
  local port=$1 log=$2
  shift 2
  env GATEWAY_PORT="$port" GATEWAY_DEMO=1 GATEWAY_DEMO_MOCK_URL="http://127.0.0.1:$MOCK_PORT/v1" "$@" \
    dotnet "$API_DLL" >>"$log" 2>&1 &
  GW_PID=$!
  PIDS+=("$GW_PID")
}

# psql from an Npgsql connection string (GATEWAY_DB unless PG_CONN is set), to read the recorded events back.
pg() {
  local kv pair host=127.0.0.1 port=5432 db=postgres user=postgres pass=""
  IFS=';' read -ra kv <<<"${PG_CONN:-$GATEWAY_DB}"
  for pair in "${kv[@]}"; do
    case "${pair%%=*}" in
      Host) host=${pair#*=} ;; Port) port=${pair#*=} ;; Database) db=${pair#*=} ;;
      Username) user=${pair#*=} ;; Password) pass=${pair#*=} ;;
    esac
  done
  PGPASSWORD="$pass" "$PSQL" -X -h "$host" -p "$port" -U "$user" -d "$db" -At -F ' ' "$@"
}

# CPU time (clock ticks, user + system) a process has used so far.
proc_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# CPU ticks of the whole PostgreSQL cluster behind GATEWAY_DB: the postmaster, its live backends and background
# workers, and what its children that already exited used (the postmaster's cutime + cstime).
pg_ticks() {
  local dir pm total
  dir=$(pg -c "show data_directory" 2>/dev/null) || { echo 0; return; }
  pm=$(head -1 "$dir/postmaster.pid" 2>/dev/null) || { echo 0; return; }
  total=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$pm/stat")
  for child in $(ps -o pid= --ppid "$pm"); do
    [[ -r /proc/$child/stat ]] && total=$(( total + $(proc_ticks "$child" 2>/dev/null || echo 0) ))
  done
  echo "$total"
}

# Microseconds of CPU per request from two tick readings: ticks requests.
cpu_us_per_request() { awk -v t="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN { if (n > 0) printf "%.0f", t * 1e6 / hz / n; else print "-" }'; }
