#!/usr/bin/env bash
# make demo: a Temporal dev server (UI on :8233), the Zuora/NetSuite sandbox
# with the demo tenant, a worker, and one real sync run followed to its end.
# Everything started here is stopped when the run ends or on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/../.."

BIN=./bin
STATE=${DEMO_STATE:-.state/demo}
TEMPORAL_PORT=${DEMO_TEMPORAL_PORT:-7233}
UI_PORT=${DEMO_UI_PORT:-8233}
KEEP=${DEMO_KEEP:-0} # 1: leave everything running after the sync, until Ctrl-C
# DEMO_TENANT=is: a generated tenant on Invoice Settlement (debit and credit
# memos, payments applied to invoices and debit memos, partly applied,
# unapplied and unassigned, and customer payments entered in NetSuite that the
# NetSuite → Zuora payment phase syncs) instead of the built-in demo tenant.
TENANT=${DEMO_TENANT:-default}
IS_SPEC=${DEMO_IS_SPEC:-seed=16,accounts=5,invoices=30,items=1-4,negative=0,tax=0.3,is=true,debitmemos=8,creditmemos=8,payments=10,nspayments=2}
case "$TENANT" in
  default) SANDBOX_TENANT=(); SETTINGS=docs/demo-settings.json; TENANT_NAME="the demo tenant" ;;
  is) SANDBOX_TENANT=(--generate "$IS_SPEC"); SETTINGS=docs/demo-settings-is.json; TENANT_NAME="a generated Invoice Settlement tenant ($IS_SPEC)" ;;
  *) echo "demo: DEMO_TENANT is default or is, not $TENANT" >&2; exit 2 ;;
esac

mkdir -p "$STATE"
pids=()
cleanup() {
  trap - EXIT INT TERM
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  echo "demo: stopped everything it started (logs and state in $STATE)"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_busy() { (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$TEMPORAL_PORT" "$UI_PORT" 8701 8702 9464; do
  if port_busy "$p"; then
    echo "demo: port $p on 127.0.0.1 is already in use; stop what holds it (or set DEMO_TEMPORAL_PORT / DEMO_UI_PORT)" >&2
    exit 1
  fi
done

wait_for() { # name, command...
  local name=$1; shift
  for _ in $(seq 1 120); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "demo: $name did not come up; see $STATE/*.log" >&2
  exit 1
}

echo "demo: starting the Temporal dev server (file-backed: $STATE/temporal.db, UI http://localhost:$UI_PORT)"
"$BIN/temporal" server start-dev --ip 127.0.0.1 --port "$TEMPORAL_PORT" --ui-port "$UI_PORT" \
  --db-filename "$STATE/temporal.db" --log-level warn \
  --search-attribute ZuoraRecordType=Keyword --search-attribute ZuoraId=Keyword \
  --search-attribute ZuoraNumber=Keyword --search-attribute ZuoraAccountNumber=Keyword \
  --search-attribute SyncOutcome=Keyword >"$STATE/temporal.log" 2>&1 &
pids+=($!)
wait_for "Temporal" "$BIN/temporal" operator cluster health --address "127.0.0.1:$TEMPORAL_PORT"

echo "demo: starting the sandbox (Zuora http://127.0.0.1:8701, NetSuite http://127.0.0.1:8702) with $TENANT_NAME"
"$BIN/sandbox" --data-dir "$STATE/sandbox" --reset "${SANDBOX_TENANT[@]}" >"$STATE/sandbox.log" 2>&1 &
pids+=($!)
wait_for "the sandbox" bash -c 'echo >/dev/tcp/127.0.0.1/8701 && echo >/dev/tcp/127.0.0.1/8702'

echo "demo: starting the worker (metrics http://127.0.0.1:9464/metrics)"
CONNECTOR_TEMPORAL_ADDRESS="127.0.0.1:$TEMPORAL_PORT" "$BIN/worker" >"$STATE/worker.log" 2>&1 &
pids+=($!)
wait_for "the worker" bash -c 'curl -fsS http://127.0.0.1:9464/healthz || (exec 3<>/dev/tcp/127.0.0.1/9464)'

echo "demo: syncing $TENANT_NAME (settings: $SETTINGS)"
CONNECTOR_TEMPORAL_ADDRESS="127.0.0.1:$TEMPORAL_PORT" "$BIN/starter" sync --wait \
  --settings "$SETTINGS" --workflow-id "demo-sync-$(date -u +%Y%m%d-%H%M%S)"

cat <<EOF

demo: done. Where to look:
  Temporal UI       http://localhost:$UI_PORT/namespaces/default/workflows
  one invoice       filter: WorkflowId STARTS_WITH "invoice:"
  the run           filter: WorkflowType = "SyncRunWorkflow"
  temporal CLI      $BIN/temporal workflow list --address 127.0.0.1:$TEMPORAL_PORT
  NetSuite sandbox  curl -s -X POST 'http://127.0.0.1:8702/services/rest/query/v1/suiteql' (see docs/sandbox.md for auth)
EOF
if [ "$KEEP" = 1 ]; then
  echo "demo: DEMO_KEEP=1, everything stays up; Ctrl-C to stop"
  wait
fi
