#!/usr/bin/env bash
# Runs Mirc.Bench against a local cluster shaped like the shipped deployments — infra/local/start-cluster.sh: Azurite
# (blobs, grain state, membership and reminder tables), PostgreSQL (query index, change feed, audit trail) and N silos
# (default 2) — through silo 1's DICOM and HTTP ports, and writes the figures under bench/results/<timestamp>-cluster/.
# Grains are placed on every silo, so a store or a retrieve crosses silos as in production. Azurite and a PostgreSQL
# without fsync stand in for Azure Storage and a managed server on loopback: the figures say what the silos cost and
# how the cluster paths compare with the embedded default (bench/compare.sh), not what Azure's latency would give.
#
# usage: bench/cluster.sh [--silos N] [--no-build] [--keep] [Mirc.Bench options, e.g. --ct-slices 100 --only dimse]
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
silos=2 build=1 keep=0 bench_args=()
while (($#)); do
  case "$1" in
    --silos) silos="$2"; shift ;;
    --no-build) build=0 ;;
    --keep) keep=1 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) bench_args+=("$1") ;;
  esac
  shift
done

stamp="$(date -u +%Y%m%d-%H%M%S)"
results="$repo/bench/results/$stamp-cluster"
work="$(mktemp -d /tmp/mirc-cluster-bench.XXXXXX)"
export MIRC_CLUSTER_DIR="$work/cluster"
mkdir -p "$results"
log() { printf '[cluster %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

cleanup() {
  if ((keep)); then
    "$repo/infra/local/stop-cluster.sh" --keep >/dev/null 2>&1 || true
    log "kept $work"
  else
    "$repo/infra/local/stop-cluster.sh" >/dev/null 2>&1 || true
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# shellcheck source=bench/bench-silo.sh
. "$repo/bench/bench-silo.sh"
# PostgreSQL works in one process per connection: the CPU of the postmaster's children, summed.
postgres_cpu() {
  local total=0 child
  for child in $(pgrep -P "$POSTGRES_PID") "$POSTGRES_PID"; do total="$(awk -v a="$total" -v b="$(cpu_s "$child")" 'BEGIN { printf "%.1f", a + b }')"; done
  echo "$total"
}

calling_ae=MIRCBENCH move_ae=MIRCBENCHRCV
move_port="$(free_port)"
export TCP_NODELAY=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
bench_seed_for "$calling_ae" "$move_ae" "$move_port"

if ((build)); then
  log "building Release (bench and silo)"
  dotnet build "$repo/bench/Mirc.Bench/Mirc.Bench.csproj" -c Release -v q -nologo >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
  dotnet build "$repo/Silo/Mirc.Silo.csproj" -c Release -v q -nologo >>"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
fi

# Every silo gets the benchmark's seed (seeding is idempotent: whichever silo comes first writes the account) and runs
# from the empty work folder, so no appsettings.json merges into it.
log "starting the cluster: $silos silos, Azurite, PostgreSQL (under $MIRC_CLUSTER_DIR)"
(
  cd "$work"
  export DOTNET_ENVIRONMENT=Production Logging__LogLevel__Default=Warning
  for setting in "${bench_seed[@]}"; do export "${setting?}"; done
  "$repo/infra/local/start-cluster.sh" "$silos" --no-build
) >"$results/start-cluster.log" 2>&1 || { tail -30 "$results/start-cluster.log"; exit 1; }
# shellcheck disable=SC1091
. "$MIRC_CLUSTER_DIR/cluster.env"

base="http://127.0.0.1:$SILO_1_HTTP_PORT"
token="$(bench_login "$base" "$MIRC_CLUSTER_DIR/silo-*/data/security/first-start-credentials.txt")" || { log "login failed"; exit 1; }
cpu0=()
for i in $(seq 1 "$SILO_COUNT"); do pid_var="SILO_${i}_PID"; cpu0+=("$(cpu_s "${!pid_var}")"); done
azurite_cpu0="$(cpu_s "$AZURITE_PID")"
postgres_cpu0="$(postgres_cpu)"
log "cluster ready; logged in as bench on silo 1; running the benchmark"
set +e
dotnet "$repo/bench/Mirc.Bench/bin/Release/net10.0/Mirc.Bench.dll" --label "cluster-$SILO_COUNT" \
  --dicom-port "$SILO_1_DICOM_PORT" --called-ae MIRC --calling-ae "$calling_ae" --move-ae "$move_ae" --move-port "$move_port" \
  --bearer "$token" --server-pid "$SILO_1_PID" --dicomweb-url "$base/dicomweb" "${bench_args[@]}" --out "$results/cluster" \
  >"$results/cluster.txt"
rc=$?
set -e
# Each silo's metrics (ingest phases, audit waits, grain calls) for the slow path's where and why.
for i in $(seq 1 "$SILO_COUNT"); do
  port_var="SILO_${i}_HTTP_PORT"
  curl -s "http://127.0.0.1:${!port_var}/metrics" >"$results/silo-$i.metrics" || true
done

{
  echo "- silos: $SILO_COUNT (Azurite blobs + tables, PostgreSQL); requests through silo 1 (its CPU is the table's server CPU)"
  for i in $(seq 1 "$SILO_COUNT"); do
    pid_var="SILO_${i}_PID"
    echo "- silo $i: peak working set $(peak_mb "${!pid_var}") MB, CPU during the benchmark $(awk -v a="${cpu0[$((i - 1))]}" -v b="$(cpu_s "${!pid_var}")" 'BEGIN { printf "%.1f", b - a }') s"
  done
  echo "- Azurite: peak working set $(peak_mb "$AZURITE_PID") MB, CPU $(awk -v a="$azurite_cpu0" -v b="$(cpu_s "$AZURITE_PID")" 'BEGIN { printf "%.1f", b - a }') s; PostgreSQL: CPU $(awk -v a="$postgres_cpu0" -v b="$(postgres_cpu)" 'BEGIN { printf "%.1f", b - a }') s (its connections still open)"
} | tee "$results/processes.md" >&2
cp "$results/cluster/results.md" "$results/summary.md" 2>/dev/null || true
cat "$results/processes.md" >>"$results/summary.md"
# A failed run names its failed operations (the table's last column) where the caller sees them.
((rc == 0)) || awk -F'|' '/^\| (dimse|dicomweb)\./ && $(NF - 1) !~ /^ *0 *$/ { print "failed:" $2 "-" $(NF - 1) }' "$results/cluster.txt" >&2

log "results in $results (bench exit $rc)"
exit "$rc"
