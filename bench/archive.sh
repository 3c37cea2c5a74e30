#!/usr/bin/env bash
# Request archive (issue 17): how fast old request streams leave the hot partition of the event table, and what that
# partition holds before and after. The gateway starts once (schema, demo catalog), stops; BENCH_EVENTS (500,000)
# request events 40 days old are written straight into the Marten tables; the gateway starts again with archiving
# off until the audit chain has linked them all, then with the default 30-day archive, polled every half second until
# the hot partition holds no old request. Run it with ./gateway bench archive.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ANALYTICS="dotnet $ROOT/bench/Analytics/bin/Release/net10.0/Analytics.dll"
EVENTS="${BENCH_EVENTS:-500000}"
report() { tee -a "$OUT/archive.txt"; }
: >"$OUT/archive.txt"

kill "$GW_PID"; wait "$GW_PID" 2>/dev/null || true
$ANALYTICS generate --pg "$GATEWAY_DB" --events "$EVENTS" | report
pg -c "update gateway.mt_streams set timestamp = timestamp - interval '40 days' where type is null" >/dev/null
pg -c "update gateway.mt_events set timestamp = timestamp - interval '40 days' where type = 'request_completed'" >/dev/null
pg -c "vacuum (analyze) gateway.mt_streams" >/dev/null
pg -c "vacuum (analyze) gateway.mt_events" >/dev/null

sizes() { # label
  pg -c "select '$1: ' || string_agg(format('%s %s rows %s', c.relname, c.reltuples::bigint, pg_size_pretty(pg_total_relation_size(c.oid))), ', ' order by c.relname)
         from pg_inherits i join pg_class c on c.oid = i.inhrelid
         where i.inhparent in ('gateway.mt_events'::regclass, 'gateway.mt_streams'::regclass)" | report
}
old_hot() { pg -c "select count(*) from gateway.mt_streams where is_archived = false and type is null and timestamp < now() - interval '30 days'"; }

# Archiving off while the chain links the generated events (the archive waits for the chain; this is its catch-up).
start_gateway "$GW_PORT" "$OUT/gateway.log" GATEWAY_DATA="$(mktemp -d)" GATEWAY_ADMIN_KEY="$ADMIN" Gateway__ArchiveRequestsAfter=3650.00:00:00 \
  Logging__LogLevel__Default=Warning
wait_for "http://127.0.0.1:$GW_PORT/health"
started=$(date +%s.%N)
until [[ $(pg -c "select (select coalesce(max(seq_id), 0) from gateway.event_chain) >= (select max(seq_id) from gateway.mt_events where type = 'request_completed')") == t ]]; do
  sleep 1
  awk -v s="$started" -v n="$(date +%s.%N)" 'BEGIN { exit !(n - s > 1800) }' && { echo "the chain did not catch up in 30 min" | report; exit 1; }
done
awk -v s="$started" -v e="$(date +%s.%N)" -v n="$EVENTS" 'BEGIN { printf "audit chain linked %d generated events in %.1f s\n", n, e - s }' | report
kill "$GW_PID"; wait "$GW_PID" 2>/dev/null || true
vacuum() { pg -c "vacuum (analyze) gateway.mt_events" >/dev/null; pg -c "vacuum (analyze) gateway.mt_streams" >/dev/null; }
vacuum
sizes "before"
echo "old request streams in the hot partition: $(old_hot)" | report

# The default archive (30 days), one round every 2 s.
start_gateway "$GW_PORT" "$OUT/gateway.log" GATEWAY_DATA="$(mktemp -d)" GATEWAY_ADMIN_KEY="$ADMIN" Gateway__ArchiveInterval=00:00:02 \
  Logging__LogLevel__Default=Warning
wait_for "http://127.0.0.1:$GW_PORT/health"
started=$(date +%s.%N)
before_pg=$(pg_ticks); before_gw=$(proc_ticks "$GW_PID")
until [[ $(old_hot) == 0 ]]; do
  sleep 0.5
  awk -v s="$started" -v n="$(date +%s.%N)" 'BEGIN { exit !(n - s > 1800) }' && { echo "not archived in 30 min" | report; exit 1; }
done
ended=$(date +%s.%N)
pg_cpu=$(( $(pg_ticks) - before_pg )); gw_cpu=$(( $(proc_ticks "$GW_PID") - before_gw ))
awk -v s="$started" -v e="$ended" -v n="$EVENTS" -v p="$pg_cpu" -v g="$gw_cpu" -v hz="$(getconf CLK_TCK)" \
  'BEGIN { printf "archived %d request streams in %.1f s from the gateway'"'"'s start (%.0f streams/s); PostgreSQL CPU %.1f s, gateway CPU %.1f s\n", n, e - s, n / (e - s), p / hz, g / hz }' | report
kill "$GW_PID"; wait "$GW_PID" 2>/dev/null || true
vacuum
sizes "after"
echo "request events still read through the whole table: $(pg -c "select count(*) from gateway.mt_events where type = 'request_completed'")" | report
