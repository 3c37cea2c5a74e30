#!/usr/bin/env bash
# Response cache: a cache hit against a miss and against the mock itself, non-streaming chat at c=16, in alternating
# rounds: "direct" (the mock), "miss" (the demo key, no cache: every request upstream), "hit" (a key whose answers are
# cached: the same request every time, so all but the first are hits). Added p50 = gateway p50 − direct p50. Every
# gateway request, hit or not, is recorded before its answer completes; the rows are run with the durable ledger
# (default) and again with the async ledger (Gateway__Ledger=async), which takes the commit off the answer's path.
# Run it with ./gateway bench cache.
set -euo pipefail

# BENCH_PROFILE=perf samples CPU with perf instead (the JIT's symbols from its perf map).
[[ ${BENCH_PROFILE:-} == perf ]] && export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
export PATH="$PATH:$HOME/.dotnet/tools" # dotnet-trace, for BENCH_PROFILE
J='content-type: application/json'
G="http://127.0.0.1:$GW_PORT"
ROUNDS="${BENCH_ROUNDS:-3}"
CONCURRENCY="${BENCH_CONCURRENCY:-1 16}"
: >"$OUT/cache.txt"

wrk_run() { # url model key concurrency seconds
  local threads=$(( $4 < 2 ? 1 : 2 ))
  BENCH_MODEL="$2" BENCH_KEY="$3" wrk -t"$threads" -c"$4" -d"$5s" --latency -s "$ROOT/bench/chat.lua" "$1" | grep '^BENCH'
}

phase() { # label
  local A="Authorization: Bearer $ADMIN" team issued cache_key cache_id
  team=$(curl -sf "$G/admin/teams" -H "$A" -H "$J" -d "{\"name\":\"cached-$1\"}" | sed 's/.*"id":"\([^"]*\)".*/\1/')
  issued=$(curl -sf "$G/admin/keys" -H "$A" -H "$J" -d "{\"teamId\":\"$team\",\"name\":\"cached\"}")
  cache_key=$(echo "$issued" | sed 's/.*"key":"\([^"]*\)".*/\1/')
  cache_id=$(echo "$issued" | sed 's/.*"id":"\([^"]*\)".*/\1/')
  curl -sf -o /dev/null -X PUT "$G/admin/keys/$cache_id/cache" -H "$A" -H "$J" -d '{"ttlSeconds":3600}'
  wrk_run "http://127.0.0.1:$MOCK_PORT/v1/chat/completions" gpt-4o-mini "" 16 5 >/dev/null
  wrk_run "$G/v1/chat/completions" mock/gpt-4o-mini "$KEY" 16 "${BENCH_WARMUP_SECONDS:-20}" >/dev/null
  wrk_run "$G/v1/chat/completions" mock/gpt-4o-mini "$cache_key" 16 10 >/dev/null
  local t0 t1 n c
  for round in $(seq 1 "$ROUNDS"); do
    for c in $CONCURRENCY; do
      echo "$1 c=$c direct $(wrk_run "http://127.0.0.1:$MOCK_PORT/v1/chat/completions" gpt-4o-mini "" "$c" "$SECONDS_PER_RUN")" >>"$OUT/cache.txt"
      t0=$(proc_ticks "$GW_PID")
      line=$(wrk_run "$G/v1/chat/completions" mock/gpt-4o-mini "$KEY" "$c" "$SECONDS_PER_RUN"); t1=$(proc_ticks "$GW_PID")
      n=$(echo "$line" | tr ' ' '\n' | grep '^requests=' | cut -d= -f2)
      echo "$1 c=$c miss $line cpu_us=$(cpu_us_per_request $(( t1 - t0 )) "$n")" >>"$OUT/cache.txt"
      # BENCH_PROFILE=1: a sampled trace of the gateway over the first hit row at the highest concurrency, its top
      # methods by exclusive and inclusive time into $OUT/profile-cache-<ledger>.txt.
      local profiler=""
      if [[ -n ${BENCH_PROFILE:-} && $round == 1 && $c == "${CONCURRENCY##* }" ]]; then
        if [[ $BENCH_PROFILE == perf ]]; then
          (sleep 2; timeout 30 perf record -F 999 -g -p "$GW_PID" -o "$OUT/profile-cache-$1.perf" -- sleep 6 >"$OUT/profile-cache-$1.log" 2>&1) &
        else
          (sleep 2; timeout 30 dotnet-trace collect -p "$GW_PID" --profile dotnet-sampled-thread-time --duration 00:00:00:06 \
            -o "$OUT/profile-cache-$1.nettrace" >"$OUT/profile-cache-$1.log" 2>&1) &
        fi
        profiler=$!
      fi
      t0=$(proc_ticks "$GW_PID")
      line=$(wrk_run "$G/v1/chat/completions" mock/gpt-4o-mini "$cache_key" "$c" "$SECONDS_PER_RUN"); t1=$(proc_ticks "$GW_PID")
      if [[ -n $profiler ]]; then
        wait "$profiler" || true
        if [[ $BENCH_PROFILE == perf ]]; then
          { perf report -i "$OUT/profile-cache-$1.perf" --no-children --sort dso,symbol --stdio 2>/dev/null | grep -v '^$' | grep -v '^#' | grep '%' | head -80
            perf report -i "$OUT/profile-cache-$1.perf" --children --sort symbol --stdio -g none 2>/dev/null | grep '%' | head -120; } >"$OUT/profile-cache-$1.txt" 2>&1 || true
        else
          { dotnet-trace report "$OUT/profile-cache-$1.nettrace" topN -n 40; dotnet-trace report "$OUT/profile-cache-$1.nettrace" topN -n 80 --inclusive; } \
            >"$OUT/profile-cache-$1.txt" 2>&1 || true
        fi
      fi
      n=$(echo "$line" | tr ' ' '\n' | grep '^requests=' | cut -d= -f2)
      echo "$1 c=$c hit $line cpu_us=$(cpu_us_per_request $(( t1 - t0 )) "$n")" >>"$OUT/cache.txt"
    done
  done
  echo "$1: hits recorded $(pg -c "select count(*) from gateway.mt_events where type = 'request_completed' and (data->>'cacheHit')::boolean and data->>'keyId' = '$cache_id'")," \
    "upstream calls for the cached key $(pg -c "select count(*) from gateway.mt_events where type = 'request_completed' and not coalesce((data->>'cacheHit')::boolean, false) and data->>'keyId' = '$cache_id'")" | tee -a "$OUT/cache.txt"
}

phase durable
kill "$GW_PID"; wait "$GW_PID" 2>/dev/null || true
start_gateway "$GW_PORT" "$OUT/gateway.log" GATEWAY_DATA="$(mktemp -d)" GATEWAY_ADMIN_KEY="$ADMIN" GATEWAY_DEMO_KEY="$KEY" \
  Gateway__Ledger=async Logging__LogLevel__Default=Warning
wait_for "$G/health"
phase async

echo "${SECONDS_PER_RUN}s rows, $ROUNDS rounds alternating; medians of the rounds (µs):"
printf '%-8s %-5s %-7s %8s %8s %9s %9s %8s\n' ledger conc row rps p50 added_p50 p99 cpu_us
for ledger in durable async; do
  for c in $CONCURRENCY; do
    direct=$(grep "^$ledger c=$c direct " "$OUT/cache.txt" | sed 's/.*p50_us=\([0-9]*\).*/\1/' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    for row in direct miss hit; do
      grep "^$ledger c=$c $row " "$OUT/cache.txt" | awk -v l="$ledger" -v c="$c" -v r="$row" -v d="$direct" '
        { for (i = 4; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } n++; rps[n] = v["rps"]; p50[n] = v["p50_us"]; p99[n] = v["p99_us"]; cpu[n] = v["cpu_us"] }
        function med(a,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }; return a[int((n + 1) / 2)] }
        END { m = med(p50); printf "%-8s %-5s %-7s %8.0f %8d %9s %9d %8s\n", l, c, r, med(rps), m, (r == "direct" ? "-" : m - d), med(p99), (r == "direct" ? "-" : med(cpu)) }'
    done
  done
done | tee -a "$OUT/cache.txt"
