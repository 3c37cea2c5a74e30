#!/usr/bin/env bash
# Dashboard benchmarks (issue 14): what a browser downloads on the first load of /ui (signed in, Overview open),
# as sent (gzip, as a browser asks) and uncompressed, and how long the Overview and Costs pages' API calls take on a
# live gateway. The query times over 10 million rows are in ./gateway bench analytics (bench/README.md).
# Run it with ./gateway bench dashboard.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
BASE="http://127.0.0.1:$GW_PORT"

# Some traffic, so the pages have something to show.
for _ in $(seq 1 50); do
  curl -s -o /dev/null "$BASE/v1/chat/completions" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d '{"model":"mock/gpt-4o-mini","messages":[{"role":"user","content":"Hello there"}]}'
done

jar=$(mktemp)
curl -s -c "$jar" -o /dev/null "$BASE/ui/session" -X POST -H 'Content-Type: application/json' -d "{\"key\":\"$ADMIN\"}"

# The first load: the page, its styles and scripts (index.html names them; app.js imports lib.js; Overview is the
# first page), and the two API answers Overview needs.
files=(/ui/ /ui/vendor/uPlot.min.css /ui/app.css /ui/vendor/uPlot.iife.min.js /ui/app.js /ui/lib.js /ui/pages/overview.js)
api=(/ui/session "/admin/analytics/overview?bucket=hour&by=none")
sent=0 raw=0
{
  printf '%-48s %10s %10s\n' "resource" "sent (B)" "raw (B)"
  for path in "${files[@]}" "${api[@]}"; do
    s=$(curl -s -b "$jar" -H 'Accept-Encoding: gzip' -o /dev/null -w '%{size_download}' "$BASE$path")
    r=$(curl -s -b "$jar" -o /dev/null -w '%{size_download}' "$BASE$path")
    printf '%-48s %10s %10s\n' "$path" "$s" "$r"
    sent=$((sent + s)) raw=$((raw + r))
  done
  printf '%-48s %10s %10s\n' "first load, total" "$sent" "$raw"
  printf 'first load: %.1f KB sent (gzip), %.1f KB uncompressed, %d requests\n' "$(awk "BEGIN{print $sent/1024}")" "$(awk "BEGIN{print $raw/1024}")" $(( ${#files[@]} + ${#api[@]} ))
} | tee "$OUT/dashboard-weight.txt"

echo
echo "== API calls of Overview and Costs on this gateway (50 requests recorded; median of 20)"
for path in "/admin/analytics/overview?bucket=hour&by=model" "/admin/analytics/cost?by=key" "/admin/analytics/top-keys?n=10" "/admin/budgets" "/admin/keys"; do
  times=$(for _ in $(seq 1 20); do curl -s -b "$jar" -o /dev/null -w '%{time_total}\n' "$BASE$path"; done | sort -n)
  printf '%-48s median %.1f ms, max %.1f ms\n' "$path" "$(awk "BEGIN{print $(echo "$times" | sed -n 10p) * 1000}")" "$(awk "BEGIN{print $(echo "$times" | tail -1) * 1000}")"
done | tee "$OUT/dashboard-api.txt"
rm -f "$jar"
