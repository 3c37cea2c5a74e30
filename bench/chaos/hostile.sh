#!/usr/bin/env bash
# hostile: the corpus in bench/Chaos/HostileCorpus.cs (over 250 requests written byte by byte: malformed JSON,
# invalid UTF-8, lone surrogate escapes in model/role/content/type, huge numbers, deep nesting, wrong types,
# oversized, stalled and never-ending chunked bodies, bad headers, unknown paths, wrong methods) against
# /v1/chat/completions, /v1/embeddings, /v1/messages, /v1/models/* and /admin/*, 16 at a time, each on its own
# connection. Criterion: no 5xx at all, no success with an empty body (a request never really read), a 408 for every
# body that stalls, a 400 for broken chunk framing, and the gateway still healthy afterwards.
set -euo pipefail
SCENARIO=hostile
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start_all
$CHAOS hostile --gateway "$G" --key "$DEMO_KEY" --admin "$CHAOS_ADMIN_KEY" --out "$DIR/cases.txt" >"$DIR/client-summary.txt" 2>>"$DIR/scenario.log"
c=$(cat "$DIR/client-summary.txt")
say "client: $c"
healthy=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$G/health" || true)
failing=$( { grep '^FAIL' "$DIR/cases.txt" || true; } | awk '{ print $3 "=" $2 }' | head -12 | tr '\n' ' ')
verdict=PASS
[[ $(figure failures "$c") == 0 && $(figure cases "$c") -ge 150 && $healthy == 200 ]] || verdict=FAIL
summary "$verdict" "$c health_after=$healthy${failing:+ first_failures: $failing}" "failures=0: no 5xx, no empty 2xx, 408 for stalled bodies, 400 for broken chunk framing"
