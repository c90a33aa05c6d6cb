#!/usr/bin/env bash
# make cluster / make cluster-stop: the production shape on one machine,
# without Docker. PostgreSQL in a data directory of the project's, the
# Temporal server (not the dev server) on it, the Temporal Web UI, the
# sandbox standing in for Zuora and NetSuite, and N workers on separate
# state directories sharing one PostgreSQL credential store and NetSuite
# limiter. Every process's pid is recorded under $STATE/pids and stopped
# by that pid. docs/operations.md ("The production shape") explains it.
#
#   internal/deploy/cluster.sh up          start what is not running
#   internal/deploy/cluster.sh down        stop everything it started
#   internal/deploy/cluster.sh temporal    start the Temporal server alone (after a crash)
#   internal/deploy/cluster.sh ensure-postgres   install PostgreSQL if missing (root: apt-get)
#   internal/deploy/cluster.sh ensure-chromium   install chromium if missing (make test's browser check)
#
# Settings: internal/deploy/cluster.env (the same as docker-compose.yml's);
# ports and sizes can be overridden with the CLUSTER_* variables below.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
# shellcheck source=cluster.env
. internal/deploy/cluster.env

# Tests override a few settings (a password of their own, no workers).
CLUSTER_PG_PASSWORD=${CLUSTER_PG_PASSWORD_OVERRIDE:-$CLUSTER_PG_PASSWORD}
BIN=${CLUSTER_BIN:-$ROOT/bin}                    # temporal-server, temporal-sql-tool, temporal-ui-server
CONNECTOR_BIN=${CLUSTER_CONNECTOR_BIN:-$BIN}    # worker, starter, sandbox
TEMPORAL_CLI=${CLUSTER_TEMPORAL_CLI:-$BIN/temporal}
WITH_UI=${CLUSTER_UI:-1}
STATE=${CLUSTER_STATE:-$ROOT/.state/cluster}
PG_PORT=${CLUSTER_PG_PORT:-15432}
TEMPORAL_PORT=${CLUSTER_TEMPORAL_PORT:-7233} # frontend gRPC; the other services use the next 8 ports (all < 32768:
                                              # the server keeps membership ports in a SQL smallint)
UI_PORT=${CLUSTER_UI_PORT:-8080}
ZUORA_PORT=${CLUSTER_ZUORA_PORT:-8701}
NETSUITE_PORT=${CLUSTER_NETSUITE_PORT:-8702}
WORKER_HTTP_BASE=${CLUSTER_WORKER_HTTP_BASE:-9464} # worker i serves /healthz and /metrics on base+i
WORKERS=${CLUSTER_WORKERS_OVERRIDE:-$CLUSTER_WORKERS}
WITH_SANDBOX=${CLUSTER_SANDBOX:-1}
UI_CODEC_ENDPOINT=${CLUSTER_UI_CODEC_ENDPOINT:-}
TEMPORAL_ADDR=127.0.0.1:$TEMPORAL_PORT
PIDS=$STATE/pids

log() { echo "cluster: $*"; }
die() { echo "cluster: $*" >&2; exit 1; }

alive() { [ -f "$PIDS/$1.pid" ] && kill -0 "$(cat "$PIDS/$1.pid")" 2>/dev/null; }

wait_for() { # what, seconds, command...
  local what=$1 secs=$2; shift 2
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || die "$what did not come up within ${secs}s (logs: $STATE/*.log)"
    sleep 0.5
  done
}

# PostgreSQL refuses to run as root: as root (CI) it runs as the postgres
# user the Debian package creates; otherwise as the caller.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$d" ] || [ ! -x "$d/initdb" ]; then
    [ "$(id -u)" = 0 ] || die "PostgreSQL is not installed: apt-get install postgresql (as root), or point the workers at an existing one (docs/operations.md)"
    log "installing PostgreSQL (apt-get)..." >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) >&2 || die "apt-get install postgresql failed"
    d=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  fi
  echo "$d"
}

start_postgres() {
  local pgbin data=$STATE/pg
  if alive postgres; then log "PostgreSQL already running (pid $(cat "$PIDS/postgres.pid"))"; return; fi
  pgbin=$(pg_bin)
  mkdir -p "$STATE/pglog"
  [ "$(id -u)" = 0 ] && chown postgres: "$STATE/pglog"
  if [ ! -f "$data/PG_VERSION" ]; then
    log "initialising PostgreSQL in $data"
    mkdir -p "$data"
    [ "$(id -u)" = 0 ] && chown postgres: "$data"
    chmod 700 "$data"
    local pw=$STATE/pglog/.pw
    printf '%s\n' "$CLUSTER_PG_PASSWORD" >"$pw"
    [ "$(id -u)" = 0 ] && chown postgres: "$pw"
    as_pg "$pgbin/initdb" -D "$data" -U "$CLUSTER_PG_USER" --pwfile="$pw" \
      --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 >"$STATE/pg-init.log" 2>&1 ||
      { rm -f "$pw"; die "initdb failed: $(tail -5 "$STATE/pg-init.log")"; }
    rm -f "$pw"
  fi
  log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  # TCP on loopback only, no Unix socket (the data dir may be anywhere).
  as_pg "$pgbin/pg_ctl" -D "$data" -l "$STATE/pglog/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories='' -c max_connections=200" start >/dev/null ||
    die "PostgreSQL did not start: $(tail -5 "$STATE/pglog/postgres.log")"
  head -1 "$data/postmaster.pid" >"$PIDS/postgres.pid"
}

sqltool() { # database, args...
  local db=$1; shift
  SQL_PASSWORD=$CLUSTER_PG_PASSWORD "$BIN/temporal-sql-tool" --plugin "$CLUSTER_DB_PLUGIN" --ep 127.0.0.1 -p "$PG_PORT" \
    -u "$CLUSTER_PG_USER" --db "$db" "$@"
}

# The schema ships inside the server module (the same version as the binary).
schema_dir() {
  local dir
  dir=$(cd /tmp && go mod download -json "go.temporal.io/server@v$CLUSTER_TEMPORAL_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$dir/schema/postgresql/v12" ] || die "no schema in go.temporal.io/server@v$CLUSTER_TEMPORAL_VERSION (go mod download failed?)"
  echo "$dir/schema/postgresql/v12"
}

setup_schema() {
  local schema
  schema=$(schema_dir)
  for db in "$CLUSTER_TEMPORAL_DB" "$CLUSTER_VISIBILITY_DB" "$CLUSTER_CONNECTOR_DB"; do
    if [ ! -f "$STATE/.db-$db" ]; then
      sqltool "$db" create-database >>"$STATE/schema.log" 2>&1 || grep -q "already exists" "$STATE/schema.log" ||
        die "creating database $db failed: $(tail -5 "$STATE/schema.log")"
      touch "$STATE/.db-$db"
    fi
  done
  if [ ! -f "$STATE/.schema-setup" ]; then
    sqltool "$CLUSTER_TEMPORAL_DB" setup-schema -v 0.0 >>"$STATE/schema.log" 2>&1 || die "setup-schema failed: $(tail -5 "$STATE/schema.log")"
    sqltool "$CLUSTER_VISIBILITY_DB" setup-schema -v 0.0 >>"$STATE/schema.log" 2>&1 || die "setup-schema (visibility) failed: $(tail -5 "$STATE/schema.log")"
    touch "$STATE/.schema-setup"
  fi
  # Every start: brings an existing database up to the binary's version.
  sqltool "$CLUSTER_TEMPORAL_DB" update-schema -d "$schema/temporal/versioned" >>"$STATE/schema.log" 2>&1 ||
    die "update-schema failed: $(tail -5 "$STATE/schema.log")"
  sqltool "$CLUSTER_VISIBILITY_DB" update-schema -d "$schema/visibility/versioned" >>"$STATE/schema.log" 2>&1 ||
    die "update-schema (visibility) failed: $(tail -5 "$STATE/schema.log")"
  log "schema set up and upgraded to the server's version ($CLUSTER_TEMPORAL_VERSION)"
}

write_temporal_config() {
  local p=$TEMPORAL_PORT cfg=$STATE/temporal/config
  [ $((p + 8)) -lt 32768 ] || die "CLUSTER_TEMPORAL_PORT $p: the server's ports ($p-$((p + 8))) must be under 32768"
  mkdir -p "$cfg"
  local store
  store() { cat <<EOF
      sql:
        pluginName: "$CLUSTER_DB_PLUGIN"
        databaseName: "$1"
        connectAddr: "127.0.0.1:$PG_PORT"
        connectProtocol: "tcp"
        user: "$CLUSTER_PG_USER"
        password: "$CLUSTER_PG_PASSWORD"
        maxConns: $2
        maxIdleConns: $2
        maxConnLifetime: "1h"
EOF
  }
  service() { cat <<EOF
  $1:
    rpc:
      grpcPort: $2
      membershipPort: $3
      bindOnIP: "127.0.0.1"
EOF
  }
  {
    cat <<EOF
# Generated by internal/deploy/cluster.sh from internal/deploy/cluster.env.
log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: $CLUSTER_HISTORY_SHARDS
  datastores:
    default:
EOF
    store "$CLUSTER_TEMPORAL_DB" 20
    echo "    visibility:"
    store "$CLUSTER_VISIBILITY_DB" 5
    cat <<EOF
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
services:
EOF
    service frontend "$p" $((p + 5))
    echo "      httpPort: $((p + 4))"
    service history $((p + 1)) $((p + 6))
    service matching $((p + 2)) $((p + 7))
    service worker $((p + 3)) $((p + 8))
    cat <<EOF
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:$p"
dcRedirectionPolicy:
  policy: "noop"
dynamicConfigClient:
  filepath: "$ROOT/internal/deploy/dynamicconfig/docker.yaml"
  pollInterval: "10s"
EOF
  } >"$cfg/development.yaml"
}

start_temporal() {
  if alive temporal; then log "Temporal server already running (pid $(cat "$PIDS/temporal.pid"))"; return; fi
  [ -x "$BIN/temporal-server" ] || die "no $BIN/temporal-server (make cluster installs it)"
  write_temporal_config
  log "starting the Temporal server $CLUSTER_TEMPORAL_VERSION on $TEMPORAL_ADDR (PostgreSQL)"
  "$BIN/temporal-server" --root "$STATE/temporal" --config config --env development --allow-no-auth start \
    >>"$STATE/temporal.log" 2>&1 &
  echo $! >"$PIDS/temporal.pid"
  # Up when the frontend answers; a server that exited fails at once.
  local end=$((SECONDS + 120))
  until "$TEMPORAL_CLI" operator cluster health --address "$TEMPORAL_ADDR" >/dev/null 2>&1; do
    alive temporal || die "the Temporal server exited: $(tail -c 1500 "$STATE/temporal.log")"
    [ $SECONDS -lt $end ] || die "the Temporal server did not come up within 120s (log: $STATE/temporal.log)"
    sleep 0.5
  done
}

register_namespace() {
  local ns=$CLUSTER_NAMESPACE
  if ! "$TEMPORAL_CLI" operator namespace describe --namespace "$ns" --address "$TEMPORAL_ADDR" >/dev/null 2>&1; then
    wait_for "namespace $ns" 60 "$TEMPORAL_CLI" operator namespace create --namespace "$ns" --retention 72h --address "$TEMPORAL_ADDR"
    log "namespace $ns registered"
  fi
  local have args=()
  have=$("$TEMPORAL_CLI" operator search-attribute list --namespace "$ns" --address "$TEMPORAL_ADDR" 2>/dev/null || true)
  for name in $CLUSTER_SEARCH_ATTRIBUTES; do
    grep -qw "$name" <<<"$have" || args+=(--name "$name" --type Keyword)
  done
  if [ ${#args[@]} -gt 0 ]; then
    wait_for "the search attributes" 60 "$TEMPORAL_CLI" operator search-attribute create --namespace "$ns" --address "$TEMPORAL_ADDR" "${args[@]}"
    log "search attributes registered: $CLUSTER_SEARCH_ATTRIBUTES"
  fi
}

start_ui() {
  [ "$WITH_UI" = 1 ] || return 0
  if alive ui; then return; fi
  if [ ! -x "$BIN/temporal-ui-server" ]; then
    log "no $BIN/temporal-ui-server: no Web UI (the CLI works: $TEMPORAL_CLI workflow list --address $TEMPORAL_ADDR)"
    return
  fi
  mkdir -p "$STATE/ui/config"
  cat >"$STATE/ui/config/development.yaml" <<EOF
# Generated by internal/deploy/cluster.sh.
temporalGrpcAddress: $TEMPORAL_ADDR
host: 127.0.0.1
port: $UI_PORT
enableUi: true
defaultNamespace: $CLUSTER_NAMESPACE
cors:
  allowOrigins:
    - http://127.0.0.1:$UI_PORT
    - http://localhost:$UI_PORT
codec:
  endpoint: $UI_CODEC_ENDPOINT
EOF
  "$BIN/temporal-ui-server" --root "$STATE/ui" --config config --env development start >>"$STATE/ui.log" 2>&1 &
  echo $! >"$PIDS/ui.pid"
  wait_for "the Web UI" 60 bash -c "echo >/dev/tcp/127.0.0.1/$UI_PORT"
  log "Web UI http://127.0.0.1:$UI_PORT (codec server: ${UI_CODEC_ENDPOINT:-none})"
}

start_sandbox() {
  [ "$WITH_SANDBOX" = 1 ] || return 0
  alive sandbox && return 0
  "$CONNECTOR_BIN/sandbox" --data-dir "$STATE/sandbox" --zuora-addr "127.0.0.1:$ZUORA_PORT" --netsuite-addr "127.0.0.1:$NETSUITE_PORT" \
    --netsuite-concurrency "$CLUSTER_NETSUITE_CONCURRENCY" >>"$STATE/sandbox.log" 2>&1 &
  echo $! >"$PIDS/sandbox.pid"
  wait_for "the sandbox" 60 bash -c "echo >/dev/tcp/127.0.0.1/$ZUORA_PORT && echo >/dev/tcp/127.0.0.1/$NETSUITE_PORT"
  log "sandbox: Zuora http://127.0.0.1:$ZUORA_PORT, NetSuite http://127.0.0.1:$NETSUITE_PORT (demo tenant)"
}

# The connector's settings, shared by the workers and the starter:
# `set -a; . $STATE/connector.env; set +a` before bin/starter.
write_connector_env() {
  local key=$STATE/encryption.key
  if [ ! -f "$key" ]; then
    (umask 077 && printf 'cluster-%s=%s\n' "$(date -u +%Y%m%d)" "$(head -c 32 /dev/urandom | base64 -w0)" >"$key")
  fi
  (umask 077 && cat >"$STATE/connector.env" <<EOF
CONNECTOR_TEMPORAL_ADDRESS=$TEMPORAL_ADDR
CONNECTOR_NAMESPACE=$CLUSTER_NAMESPACE
CONNECTOR_ENCRYPTION=on
CONNECTOR_ENCRYPTION_KEY_FILE=$key
CONNECTOR_STATE_STORE=postgres://$CLUSTER_PG_USER@127.0.0.1:$PG_PORT/$CLUSTER_CONNECTOR_DB?sslmode=disable
PGPASSWORD=$CLUSTER_PG_PASSWORD
CONNECTOR_NETSUITE_CONCURRENCY=$CLUSTER_NETSUITE_CONCURRENCY
CONNECTOR_ZUORA_URL=http://127.0.0.1:$ZUORA_PORT
CONNECTOR_NETSUITE_URL=http://127.0.0.1:$NETSUITE_PORT/services/rest
EOF
  )
}

start_workers() {
  for i in $(seq 1 "$WORKERS"); do
    alive "worker-$i" && continue
    mkdir -p "$STATE/worker-$i"
    (set -a; . "$STATE/connector.env"; set +a
      exec "$CONNECTOR_BIN/worker" --state-dir "$STATE/worker-$i" --http-addr "127.0.0.1:$((WORKER_HTTP_BASE + i - 1))" \
        --zuora-sandbox-admin-url "http://127.0.0.1:$ZUORA_PORT") >>"$STATE/worker-$i.log" 2>&1 &
    echo $! >"$PIDS/worker-$i.pid"
  done
  for i in $(seq 1 "$WORKERS"); do
    wait_for "worker $i" 60 curl -fsS "http://127.0.0.1:$((WORKER_HTTP_BASE + i - 1))/healthz"
  done
  [ "$WORKERS" -gt 0 ] && log "$WORKERS workers up (state dirs $STATE/worker-*, health http://127.0.0.1:$WORKER_HTTP_BASE/healthz ...)"
  return 0
}

stop_pid() { # name
  local f=$PIDS/$1.pid pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    # PostgreSQL: SIGINT is its "fast" shutdown; everyone else stops on SIGTERM.
    if [ "$1" = postgres ]; then kill -INT "$pid"; else kill -TERM "$pid"; fi
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then log "$1 (pid $pid) did not stop; SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
    log "stopped $1 (pid $pid)"
  fi
  rm -f "$f"
}

up() {
  local t0=$SECONDS
  mkdir -p "$PIDS"
  [ "$(id -u)" = 0 ] && chmod 755 "$STATE"
  for b in "$TEMPORAL_CLI" "$BIN/temporal-server" "$BIN/temporal-sql-tool"; do
    [ -x "$b" ] || die "no $b (run make cluster, which builds it)"
  done
  if [ "$WORKERS" -gt 0 ] || [ "$WITH_SANDBOX" = 1 ]; then
    [ -x "$CONNECTOR_BIN/worker" ] && [ -x "$CONNECTOR_BIN/sandbox" ] || die "no worker or sandbox in $CONNECTOR_BIN (make build)"
  fi
  start_postgres
  setup_schema
  start_temporal
  register_namespace
  start_ui
  start_sandbox
  write_connector_env
  start_workers
  log "up in $((SECONDS - t0))s. Temporal $TEMPORAL_ADDR; state $STATE; stop with make cluster-stop"
  log "sync against it: set -a; . $STATE/connector.env; set +a; $CONNECTOR_BIN/starter sync --wait --settings docs/demo-settings.json"
}

down() {
  [ -d "$PIDS" ] || { log "nothing running ($PIDS absent)"; return; }
  for f in "$PIDS"/worker-*.pid; do [ -e "$f" ] && stop_pid "$(basename "$f" .pid)"; done
  for n in sandbox ui temporal postgres; do stop_pid "$n"; done
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  temporal) mkdir -p "$PIDS"; start_temporal ;;
  ensure-postgres) pg_bin >/dev/null ;; # make test: PostgreSQL for the store and limiter tests
  ensure-chromium) # make test: the browser check of the Web UI
    command -v chromium >/dev/null || {
      [ "$(id -u)" = 0 ] || die "chromium is not installed: apt-get install chromium (as root)"
      log "installing chromium (apt-get)..."
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || die "apt-get install chromium failed"
    } ;;
  *) die "usage: $0 up|down|temporal|ensure-postgres|ensure-chromium" ;;
esac
