#!/usr/bin/env bash
# Where the gateway's CPU goes, job by job: the same non-streaming load (c=1 and c=16) against the gateway started
# with all its background jobs on (the default), then with one of them off at a time, then with all of them off.
# Each configuration gets a fresh schema, so no job starts with a backlog. Figures on this machine move by ±25 % from
# one gateway to the next, so the configurations run in BENCH_ROUNDS rounds (default 3), alternating, and the table
# gives each one's median and range. Run it with ./gateway bench jobs [configuration name...] (default: all).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SECONDS_PER_RUN="${BENCH_SECONDS:-8}"
MOCK_PORT="${BENCH_MOCK_PORT:-19090}"
GW_PORT="${BENCH_GATEWAY_PORT:-19080}"
OUT="$ROOT/bench/results"
mkdir -p "$OUT"
: "${GATEWAY_DB:?GATEWAY_DB must be set; run ./gateway bench jobs}"
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
start_mock "$MOCK_PORT" "$OUT/mock.log"
wait_for "http://127.0.0.1:$MOCK_PORT/v1/models"

OFF_EXPORT="Gateway__AnalyticsExport=false"
# The export and the chain read only up to the daemon's high-water mark: with the daemon off they stop too, so
# "daemon off" is all three readers of the event table off, not the daemon alone.
OFF_DAEMON="Gateway__ProjectionDaemon=false"
OFF_CHAIN="Gateway__AuditChainInterval=1.00:00:00"
OFF_BODIES="Gateway__StoreBodies=false"
# The first gateway of a run is slower on every measure (a cold PostgreSQL cluster and page cache): a warm-up
# configuration takes that, and its rows are not figures.
configs=(
  "(warm-up)|"
  "default|"
  "export off|$OFF_EXPORT"
  "daemon off|$OFF_DAEMON"
  "chain off|$OFF_CHAIN"
  "bodies off|$OFF_BODIES"
  "all four off|$OFF_EXPORT $OFF_DAEMON $OFF_CHAIN $OFF_BODIES"
  # Telemetry (./gateway bench telemetry): the default has metrics on (Prometheus) and tracing off (no OTLP endpoint).
  "telemetry off|Gateway__Metrics=false"
  "tracing on|Gateway__Tracing=true"
)
# Experiments: BENCH_EXTRA='name|NAME=value ...;name2|...' adds configurations (runtime knobs, settings) to compare.
if [[ -n ${BENCH_EXTRA:-} ]]; then
  IFS=';' read -ra extra <<<"$BENCH_EXTRA"
  configs+=("${extra[@]}")
fi

row() { # key concurrency -> "rps cpu_us pg_cpu_us p50_ms"
  local t0 p0 t1 p1 line n
  t0=$(proc_ticks "$GW_PID"); p0=$(pg_ticks)
  line=$(BENCH_MODEL=mock/gpt-4o-mini BENCH_KEY="$1" wrk -t$(( $2 < 2 ? 1 : 2 )) -c"$2" -d"${SECONDS_PER_RUN}s" --latency -s "$ROOT/bench/chat.lua" \
    "http://127.0.0.1:$GW_PORT/v1/chat/completions" | grep '^BENCH')
  t1=$(proc_ticks "$GW_PID"); p1=$(pg_ticks)
  n=$(echo "$line" | tr ' ' '\n' | grep '^requests=' | cut -d= -f2)
  echo "$(echo "$line" | tr ' ' '\n' | grep '^rps=' | cut -d= -f2) $(cpu_us_per_request $(( t1 - t0 )) "$n") $(cpu_us_per_request $(( p1 - p0 )) "$n") $(echo "$line" | tr ' ' '\n' | grep '^p50_us=' | cut -d= -f2)"
}

# The configurations asked for (by name), else all of them.
if [[ $# -gt 0 ]]; then
  chosen=("${configs[0]}")
  for config in "${configs[@]:1}"; do
    for wanted in "$@"; do [[ ${config%%|*} == "$wanted" ]] && chosen+=("$config"); done
  done
  configs=("${chosen[@]}")
fi

RAW="$OUT/jobs-raw.txt"
: >"$RAW"
i=0
for round in $(seq 1 "${BENCH_ROUNDS:-3}"); do
  for config in "${configs[@]}"; do
    name=${config%%|*}; settings=${config#*|}
    [[ $round -gt 1 && $name == "(warm-up)" ]] && continue
    i=$(( i + 1 ))
    key="sk-gw-jobs-$i-$(date +%s)"
    # shellcheck disable=SC2086
    start_gateway "$GW_PORT" "$OUT/gateway-jobs.log" GATEWAY_DATA="$(mktemp -d)" GATEWAY_ADMIN_KEY="sk-admin-jobs-$i-$(date +%s)" \
      GATEWAY_DEMO_KEY="$key" Gateway__Schema="bench_jobs_$i" Logging__LogLevel__Default=Warning $settings
    wait_for "http://127.0.0.1:$GW_PORT/health"
    BENCH_MODEL=mock/gpt-4o-mini BENCH_KEY="$key" wrk -t2 -c16 -d"${BENCH_WARMUP_SECONDS:-30}s" -s "$ROOT/bench/chat.lua" "http://127.0.0.1:$GW_PORT/v1/chat/completions" >/dev/null
    for c in 1 16; do
      read -r rps cpu pgcpu p50 <<<"$(row "$key" "$c")"
      echo "$name|$c|$rps|$cpu|$pgcpu|$p50" | tee -a "$RAW" >&2
    done
    kill "$GW_PID"; wait "$GW_PID" 2>/dev/null || true
  done
done

# Per configuration and concurrency: the median of the rounds, and [min–max] of the CPU figures.
{
  printf '%-14s %-5s %6s %8s %14s %8s %14s %8s\n' config conc rounds rps cpu_us "(range)" pg_cpu_us "(range)"
  for config in "${configs[@]}"; do
    name=${config%%|*}
    [[ $name == "(warm-up)" ]] && continue
    for c in 1 16; do
      awk -F'|' -v n="$name" -v c="$c" '$1 == n && $2 == c { r[++k] = $3; g[k] = $4; p[k] = $5 }
        function median(a, m,   i, j, t) { for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                                            return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
        END { if (k == 0) exit; mr = median(r, k); mg = median(g, k); gl = g[1]; gh = g[k]; mp = median(p, k); pl = p[1]; ph = p[k]
              printf "%-14s %-5s %6d %8.0f %8.0f %5s %8.0f %5s\n", n, c, k, mr, mg, "[" gl "–" gh "]", mp, "[" pl "–" ph "]" }' "$RAW"
    done
  done
} | tee "$OUT/jobs.txt"
