#!/usr/bin/env bash
# Starts a real Mirc cluster on loopback, shaped like the shipped deployments (Storage + PostgreSQL only): Azurite
# (blobs; tables for Orleans membership and reminders, Mirc:Cluster:Mode=AzureStorage), a throw-away PostgreSQL
# (query index) and N silos of the built Silo, each on its own HTTP, DICOM, silo and gateway ports.
# PIDs and ports go to $MIRC_CLUSTER_DIR/cluster.env (default /tmp/mirc-local-cluster); stop with stop-cluster.sh.
#
# Usage: infra/local/start-cluster.sh [N=2] [--no-build]
#   MIRC_CLUSTER_DIR  state and data folder (removed by stop-cluster.sh)
#   MIRC_SILO_DLL     silo assembly to run (default: Silo/bin/Release/net10.0/Mirc.Silo.dll, built unless --no-build)
#   MIRC_SILO_READY_TIMEOUT  seconds each silo gets to answer /readyz (default 120)
set -Eeuo pipefail
# shellcheck source=infra/local/cluster-state.sh
. "$(dirname "$0")/cluster-state.sh"

count=2
build=1
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    ''|*[!0-9]*) echo "usage: $0 [N] [--no-build]" >&2; exit 2 ;;
    *) count="$arg" ;;
  esac
done
if [ "$count" -lt 1 ] || [ "$count" -gt 16 ]; then
  echo "N must be between 1 and 16" >&2
  exit 2
fi

if state_load 2>/dev/null && [ -n "${SILO_COUNT:-}" ]; then
  echo "a cluster already runs from $MIRC_CLUSTER_DIR (stop it with infra/local/stop-cluster.sh)" >&2
  exit 1
fi

# --- prerequisites -----------------------------------------------------------------------------------------------
need_apt=()
postgres_bin_dir >/dev/null 2>&1 || need_apt+=(postgresql)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing ${need_apt[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
pg_bin="$(postgres_bin_dir)"

tools_dir="${MIRC_TOOLS_DIR:-$MIRC_REPO_ROOT/.tools}"
# The script and its --disableTelemetry travel together: no outbound connection may leave this machine.
# azurite.js serves blobs (instances, grain state) and tables (membership, reminders) from one process.
azurite_launch=("$tools_dir/node_modules/azurite/dist/src/azurite.js" --disableTelemetry)
if [ ! -f "${azurite_launch[0]}" ]; then
  echo "installing Azurite into $tools_dir"
  mkdir -p "$tools_dir"
  cp "$MIRC_REPO_ROOT/tools/package.json" "$tools_dir/package.json"
  [ -f "$MIRC_REPO_ROOT/tools/package-lock.json" ] && cp "$MIRC_REPO_ROOT/tools/package-lock.json" "$tools_dir/"
  (cd "$tools_dir" && npm install --no-audit --no-fund --loglevel=error)
fi

silo_dll="${MIRC_SILO_DLL:-$MIRC_REPO_ROOT/Silo/bin/Release/net10.0/Mirc.Silo.dll}"
if [ "$build" -eq 1 ] && [ -z "${MIRC_SILO_DLL:-}" ]; then
  echo "building Silo (Release)"
  dotnet build "$MIRC_REPO_ROOT/Silo/Mirc.Silo.csproj" -c Release --nologo -v quiet
fi
[ -f "$silo_dll" ] || { echo "silo assembly not found: $silo_dll" >&2; exit 1; }

# --- state -------------------------------------------------------------------------------------------------------
rm -rf "$MIRC_CLUSTER_DIR"
mkdir -p "$MIRC_CLUSTER_DIR"
chmod 700 "$MIRC_CLUSTER_DIR"
: >"$MIRC_STATE_FILE"
state_set MIRC_CLUSTER_DIR "$MIRC_CLUSTER_DIR"

# Whatever fails half-way, leave nothing running.
on_error() {
  echo "start failed; stopping what was started (logs under $MIRC_CLUSTER_DIR are kept)" >&2
  "$(dirname "$0")/stop-cluster.sh" --keep >&2 || true
}
trap on_error ERR

# --- Azurite (launched first: node takes a few seconds to listen, meanwhile PostgreSQL starts) ---------------------
# Every service on its own free loopback port (the queue service too: azurite.js starts it whether used or not).
azurite_port="$(free_port)"; azurite_table_port="$(free_port)"; azurite_queue_port="$(free_port)"
mkdir -p "$MIRC_CLUSTER_DIR/azurite"
nohup node "${azurite_launch[@]}" --blobHost 127.0.0.1 --blobPort "$azurite_port" \
  --tableHost 127.0.0.1 --tablePort "$azurite_table_port" --queueHost 127.0.0.1 --queuePort "$azurite_queue_port" \
  --location "$MIRC_CLUSTER_DIR/azurite" --skipApiVersionCheck --loose \
  >"$MIRC_CLUSTER_DIR/azurite/azurite.log" 2>&1 &
state_set AZURITE_PID "$!"
state_set AZURITE_PORT "$azurite_port"
state_set AZURITE_TABLE_PORT "$azurite_table_port"
state_set AZURITE_QUEUE_PORT "$azurite_queue_port"

# --- PostgreSQL --------------------------------------------------------------------------------------------------
pg_port="$(free_port)"
# Its own temporary folder: as root the server runs as the postgres user, who may not be able to enter
# MIRC_CLUSTER_DIR's parents (e.g. a 0700 temp folder).
pg_root="$(mktemp -d "${TMPDIR:-/tmp}/mirc-postgres-XXXXXX")"
state_set POSTGRES_ROOT "$pg_root"
pg_data="$pg_root/data"
pg_socket="$pg_root/socket"
pg_password="mirc-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
mkdir -p "$pg_data" "$pg_socket"
printf '%s\n' "$pg_password" >"$pg_root/pwfile"
chmod 600 "$pg_root/pwfile"
if [ "$(id -u)" -eq 0 ]; then
  chown -R postgres:postgres "$pg_root"
fi
as_postgres "$pg_bin/initdb" -D "$pg_data" -U mirc --pwfile="$pg_root/pwfile" \
  --auth-host=scram-sha-256 --auth-local=peer -E UTF8 --locale=C.UTF-8 >"$pg_root/initdb.log" 2>&1
rm -f "$pg_root/pwfile"
state_set POSTGRES_DATA "$pg_data"
state_set POSTGRES_BIN "$pg_bin"
as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_root/postgres.log" -w -t 60 \
  -o "-p $pg_port -c listen_addresses=127.0.0.1 -k $pg_socket -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
state_set POSTGRES_PORT "$pg_port"
state_set POSTGRES_PID "$(head -n1 "$pg_data/postmaster.pid")"
PGPASSWORD="$pg_password" "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U mirc -d postgres -q -v ON_ERROR_STOP=1 \
  -c "CREATE DATABASE mirc" >/dev/null
index_connection="Host=127.0.0.1;Port=$pg_port;Database=mirc;Username=mirc;Password=$pg_password"
state_set INDEX_CONNECTION_STRING "$index_connection"
echo "postgres   127.0.0.1:$pg_port (database mirc, user mirc; fsync off: throw-away)"

# --- Azurite ready -----------------------------------------------------------------------------------------------
wait_port "$azurite_port" 30
wait_port "$azurite_table_port" 30
# Azurite's documented development account (a public, well-known key, not a secret).
storage_connection="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$azurite_port/devstoreaccount1;TableEndpoint=http://127.0.0.1:$azurite_table_port/devstoreaccount1;"
state_set STORAGE_CONNECTION_STRING "$storage_connection"
echo "azurite    blob 127.0.0.1:$azurite_port  table 127.0.0.1:$azurite_table_port (membership, reminders)"

# --- Data Protection key ring wrapping ----------------------------------------------------------------------------
# The silos share one key ring in Azurite; a cluster refuses to keep it unwrapped. A throw-away RSA certificate stands
# for the Key Vault one of a real deployment (Mirc__DataProtection__KeyVaultUri / CertificateName).
dp_key="$MIRC_CLUSTER_DIR/data-protection.key"
dp_cert="$MIRC_CLUSTER_DIR/data-protection.crt"
(umask 077 && openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dp_key" -out "$dp_cert" -days 30 \
  -subj "/CN=Mirc local cluster data protection" >/dev/null 2>&1)

# --- silos -------------------------------------------------------------------------------------------------------
cluster_id="mirc-local"
state_set SILO_DLL "$silo_dll"
pids=()
for i in $(seq 1 "$count"); do
  http_port="$(free_port)"; dicom_port="$(free_port)"; silo_port="$(free_port)"; gateway_port="$(free_port)"
  silo_dir="$MIRC_CLUSTER_DIR/silo-$i"
  mkdir -p "$silo_dir/data"
  # Mirc__Cluster__AdvertisedAddress stays unset: the silo then advertises and listens on loopback only.
  env ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Production}" \
    DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    Mirc__HttpUrl="http://127.0.0.1:$http_port" \
    Mirc__DataPath="$silo_dir/data" \
    Mirc__Dicom__Port="$dicom_port" \
    Mirc__SiloPort="$silo_port" \
    Mirc__GatewayPort="$gateway_port" \
    Mirc__ClusterId="$cluster_id" \
    Mirc__ServiceId="$cluster_id" \
    Mirc__Cluster__Mode=AzureStorage \
    Mirc__Storage__Provider=Azure \
    Mirc__Storage__ConnectionString="$storage_connection" \
    Mirc__DataProtection__CertificatePath="$dp_cert" \
    Mirc__DataProtection__KeyPath="$dp_key" \
    Mirc__Index__Provider=Postgres \
    Mirc__Index__ConnectionString="$index_connection" \
    nohup dotnet "$silo_dll" >"$silo_dir/silo.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  state_set "SILO_${i}_PID" "$pid"
  state_set "SILO_${i}_HTTP_PORT" "$http_port"
  state_set "SILO_${i}_DICOM_PORT" "$dicom_port"
  state_set "SILO_${i}_SILO_PORT" "$silo_port"
  state_set "SILO_${i}_GATEWAY_PORT" "$gateway_port"
  state_set SILO_COUNT "$i"
done

ready_timeout="${MIRC_SILO_READY_TIMEOUT:-120}"
for i in $(seq 1 "$count"); do
  state_load
  http_var="SILO_${i}_HTTP_PORT"; pid_var="SILO_${i}_PID"
  if ! wait_http_ok "http://127.0.0.1:${!http_var}/readyz" "$ready_timeout" "${!pid_var}"; then
    echo "silo $i did not become ready; last log lines:" >&2
    tail -n 30 "$MIRC_CLUSTER_DIR/silo-$i/silo.log" >&2 || true
    false
  fi
  dicom_var="SILO_${i}_DICOM_PORT"; silo_var="SILO_${i}_SILO_PORT"; gw_var="SILO_${i}_GATEWAY_PORT"
  echo "silo $i     http://127.0.0.1:${!http_var}  dicom 127.0.0.1:${!dicom_var}  silo ${!silo_var}  gateway ${!gw_var}  pid ${!pid_var}"
done
trap - ERR
echo "cluster of $count silo(s) ready; state in $MIRC_STATE_FILE"
