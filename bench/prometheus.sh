#!/usr/bin/env bash
# A real Prometheus scrapes a real gateway: ./gateway bench prometheus.
# Starts the mock and the gateway (its /metrics behind a bearer token), Prometheus on loopback scraping it every second
# with that token, sends non-streaming and streaming traffic to two models for BENCH_SECONDS, then asks Prometheus
# (its HTTP API, PromQL) for p95 latency by model, tokens and cost by model, and requests by status. Fails unless each
# query returns data and the request count Prometheus saw equals what was sent. Everything stops by itself.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SECONDS_OF_TRAFFIC="${BENCH_SECONDS:-20}"
MOCK_PORT="${BENCH_MOCK_PORT:-19390}"
GW_PORT="${BENCH_GATEWAY_PORT:-19380}"
PROM_PORT="${BENCH_PROMETHEUS_PORT:-19300}"
OUT="$ROOT/bench/results"
mkdir -p "$OUT"
: "${GATEWAY_DB:?GATEWAY_DB must be set; run ./gateway bench prometheus}"
WORK=$(mktemp -d)
TOKEN="metrics-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
KEY="sk-gw-prom-$(date +%s)"

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

start_mock "$MOCK_PORT" "$OUT/prometheus-mock.log"
wait_for "http://127.0.0.1:$MOCK_PORT/v1/models"
# stdout and stderr apart: with JSON logs, stdout is log lines only (the demo banner goes to stderr).
env GATEWAY_PORT="$GW_PORT" GATEWAY_DEMO=1 GATEWAY_DEMO_MOCK_URL="http://127.0.0.1:$MOCK_PORT/v1" GATEWAY_DATA="$WORK" \
  GATEWAY_ADMIN_KEY="sk-admin-prom-$(date +%s)" GATEWAY_DEMO_KEY="$KEY" Gateway__Schema="bench_prometheus_$(date +%s)" \
  Gateway__MetricsToken="$TOKEN" Gateway__LogFormat=json \
  dotnet "$API_DLL" >"$OUT/prometheus-gateway.stdout" 2>"$OUT/prometheus-gateway.stderr" &
PIDS+=("$!")
wait_for "http://127.0.0.1:$GW_PORT/readyz"

# The alert rules in deploy/ must be valid rules, and are loaded into this Prometheus.
RULES="$ROOT/deploy/prometheus/gateway-alerts.yml"
DASHBOARD="$ROOT/deploy/grafana/ai-gateway-dashboard.json"
promtool check rules "$RULES" >/dev/null || { echo "FAIL: promtool check rules $RULES"; exit 1; }

# The scrape configuration a platform team would write (docs/observability.md).
printf '%s' "$TOKEN" >"$WORK/metrics-token"
cat >"$WORK/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $RULES
scrape_configs:
  - job_name: ai-gateway
    metrics_path: /metrics
    authorization:
      type: Bearer
      credentials_file: $WORK/metrics-token
    static_configs:
      - targets: ['127.0.0.1:$GW_PORT']
YAML
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$PROM_PORT" --log.level=warn >"$OUT/prometheus.log" 2>&1 &
PIDS+=("$!")
wait_for "http://127.0.0.1:$PROM_PORT/-/ready"

# Traffic: two demo models, non-streaming through wrk, plus a few streamed requests.
sent=0
for model in mock/gpt-4o-mini mock-anthropic/claude-sonnet-4-5; do
  line=$(BENCH_MODEL="$model" BENCH_KEY="$KEY" wrk -t1 -c4 -d"$(( SECONDS_OF_TRAFFIC / 2 ))s" -s "$ROOT/bench/chat.lua" \
    "http://127.0.0.1:$GW_PORT/v1/chat/completions" | grep '^BENCH')
  n=$(echo "$line" | tr ' ' '\n' | grep '^requests=' | cut -d= -f2)
  sent=$(( sent + n ))
done
for i in $(seq 1 20); do
  curl -s -o /dev/null -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d '{"model":"mock/gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"stream please"}]}' \
    "http://127.0.0.1:$GW_PORT/v1/chat/completions"
done
# wrk stops with requests in flight: they still finish and count. Count from the gateway's own ledger view instead.
sleep 3

query() { # promql -> JSON result array
  curl -s -G "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1" | jq -c '.data.result'
}
fail=0
check() { # title promql
  local result
  result=$(query "$2")
  printf '%s\n  %s\n' "$1" "$2"
  echo "$result" | jq -r '.[] | "    " + (.metric | to_entries | map(.key + "=" + .value) | join(" ")) + "  " + .value[1]'
  if [[ $(echo "$result" | jq 'length') -eq 0 ]]; then echo "    (no data)"; fail=1; fi
}

echo
echo "Prometheus $(prometheus --version 2>&1 | head -1 | awk '{print $3}') scraping the gateway every second; PromQL answers:"
check "p95 latency by model (s), last 30 s" \
  'histogram_quantile(0.95, sum by (le, gen_ai_request_model) (rate(gen_ai_client_operation_duration_seconds_bucket[30s])))'
check "p50 gateway overhead by model (s), last 30 s" \
  'histogram_quantile(0.5, sum by (le, gen_ai_request_model) (rate(gateway_overhead_seconds_bucket[30s])))'
check "tokens by model and type" \
  'sum by (gen_ai_request_model, gen_ai_token_type) (gen_ai_client_token_usage_sum)'
check "cost by model (USD)" \
  'sum by (gen_ai_request_model) ({__name__=~"gateway_cost_.*total"})'
check "requests by status" \
  'sum by (http_response_status_code) (gateway_requests_total)'
check "time to first chunk p95 (s), all streamed requests" \
  'histogram_quantile(0.95, sum by (le) (gen_ai_server_time_to_first_token_seconds_bucket))'
check "group commit p99 (s)" \
  'histogram_quantile(0.99, sum by (le) (rate(gateway_recorder_commit_duration_seconds_bucket[30s])))'

# The dashboard's every query (Grafana's variables given values) is valid PromQL against this gateway's metrics.
echo
panels=0; with_data=0; empty=()
while IFS=$'\t' read -r title expr; do
  promql=${expr//\$__range/5m}; promql=${promql//\$__rate_interval/30s}; promql=${promql//\$model/.*}
  answer=$(curl -s -G "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$promql")
  panels=$(( panels + 1 ))
  if [[ $(echo "$answer" | jq -r '.status') != success ]]; then echo "FAIL: dashboard query refused: $promql: $(echo "$answer" | jq -r '.error')"; fail=1; fi
  if [[ $(echo "$answer" | jq '.data.result | length') -gt 0 ]]; then with_data=$(( with_data + 1 )); else empty+=("$title"); fi
done < <(jq -r '.panels[] | .title as $t | .targets[] | [$t, .expr] | @tsv' "$DASHBOARD")
echo "dashboard (deploy/grafana): $panels queries valid, $with_data with data; empty in this traffic: $(IFS=,; echo "${empty[*]}")"
rules=$(curl -s "http://127.0.0.1:$PROM_PORT/api/v1/rules")
bad=$(echo "$rules" | jq '[.data.groups[].rules[] | select(.health != "ok")] | length')
count=$(echo "$rules" | jq '[.data.groups[].rules[]] | length')
echo "alert rules (deploy/prometheus): $count loaded, $bad not evaluating cleanly; firing: $(echo "$rules" | jq -r '[.data.groups[].rules[] | select(.state == "firing") | .name] | join(", ")')"
[[ $bad -eq 0 && $count -gt 0 ]] || fail=1

seen=$(query 'sum(gateway_requests_total)' | jq -r '.[0].value[1] // "0"')
echo
echo "requests sent by wrk (completed): $sent, streamed: 20; requests Prometheus counted: $seen"
if (( ${seen%.*} < sent + 20 )); then echo "FAIL: Prometheus counted fewer requests than completed"; fail=1; fi
# JSON logs on stdout: every line an object, none with the key (the demo banner with the key goes to stderr).
if grep -q "$KEY" "$OUT/prometheus-gateway.stdout"; then echo "FAIL: the gateway key appears in the log"; fail=1; fi
if ! jq -e . "$OUT/prometheus-gateway.stdout" >/dev/null; then echo "FAIL: the gateway's stdout is not JSON lines"; fail=1; fi
echo "gateway stdout: $(grep -c . "$OUT/prometheus-gateway.stdout") JSON log lines"
[[ $fail -eq 0 ]] && echo "PASS" || echo "FAIL"
exit "$fail"
