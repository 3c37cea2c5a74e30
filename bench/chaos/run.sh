#!/usr/bin/env bash
# The fault suite: ./gateway chaos [scenario...] (which builds, provisions a throwaway PostgreSQL cluster and sets
# CHAOS_PG_*). Runs every scenario, or those named, each bounded in time, each printing one summary line; exits
# non-zero when any scenario fails its criterion (or breaks). A run's logs, client results and data are kept in
# bench/chaos/results/<time>/ (results/latest points at the last run; the last three are kept). See docs/reliability.md.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ALL=(kill9 pg-restart-fast pg-restart-immediate aborts-under-budget provider-outage hostile secrets)
: "${CHAOS_PG_PORT:?run ./gateway chaos}"

scenarios=("$@")
(( ${#scenarios[@]} )) || scenarios=("${ALL[@]}")
for s in "${scenarios[@]}"; do
  [[ " ${ALL[*]} " == *" $s "* ]] || { echo "unknown scenario '$s'; known: ${ALL[*]}" >&2; exit 2; }
done

hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }
export CHAOS_RUN="$HERE/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$CHAOS_RUN"
ln -sfn "$CHAOS_RUN" "$HERE/results/latest"
# A run keeps dumps and logs (a few hundred MB): keep the last three.
ls -1d "$HERE"/results/2*/ 2>/dev/null | head -n -3 | xargs -r rm -rf --
# Secrets and a prompt canary fresh for this run; the secrets scenario looks for each wherever it must not be.
export CHAOS_ADMIN_KEY="sk-admin-chaos-$(hex 16)"
export CHAOS_MASTER_KEY; CHAOS_MASTER_KEY=$(head -c 32 /dev/urandom | base64)
export CHAOS_CANARY="chaos-prompt-canary-$(hex 8)"
export CHAOS_PROVIDER_KEY="sk-provider-canary-$(hex 16)"
export CHAOS_BYOK_KEY="sk-byok-canary-$(hex 16)"
{
  echo "admin-key $CHAOS_ADMIN_KEY"
  echo "master-key $CHAOS_MASTER_KEY"
  echo "provider-key $CHAOS_PROVIDER_KEY"
  echo "request-provider-key $CHAOS_BYOK_KEY"
  echo "demo-provider-key demo-provider-key"
} >"$CHAOS_RUN/secrets.list"

echo "chaos run: $CHAOS_RUN" >&2
failed=0
started=$(date +%s)
for s in "${scenarios[@]}"; do
  script="$HERE/$s.sh" args=()
  case $s in pg-restart-fast) script="$HERE/pg-restart.sh" args=(fast) ;; pg-restart-immediate) script="$HERE/pg-restart.sh" args=(immediate) ;; esac
  rc=0
  # A scenario that hangs is stopped: each is meant to take a minute or two.
  line=$(timeout -k 10 "${CHAOS_SCENARIO_TIMEOUT:-240}" bash "$script" "${args[@]}") || rc=$?
  if [[ -n $line ]]; then echo "$line"; else printf '%-22s %s  %s\n' "$s" ERROR "exit $rc, no summary (see $CHAOS_RUN/$s/scenario.log)"; fi
  (( rc == 0 )) || failed=$((failed + 1))
done
echo "chaos: ${#scenarios[@]} scenarios, $failed failed, $(( $(date +%s) - started )) s" >&2
(( failed == 0 ))
