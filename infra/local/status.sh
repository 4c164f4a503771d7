#!/usr/bin/env bash
# Shows the local cluster started by start-cluster.sh: each process, its port, and each silo's /readyz.
# Exit code 0 when everything runs and every silo is ready, 1 otherwise.
# Usage: infra/local/status.sh
set -uo pipefail
# shellcheck source=infra/local/cluster-state.sh
. "$(dirname "$0")/cluster-state.sh"

if ! state_load; then
  echo "no local cluster at $MIRC_CLUSTER_DIR"
  exit 1
fi

healthy=0
line() {
  # name, pid, expected command fragment, endpoint
  local state="down"
  if pid_matches "$2" "$3"; then state="up"; else healthy=1; fi
  printf '%-10s %-5s pid %-8s %s\n' "$1" "$state" "${2:--}" "$4"
}

line postgres "${POSTGRES_PID:-}" postgres "127.0.0.1:${POSTGRES_PORT:-?}"
line azurite "${AZURITE_PID:-}" azurite "blob 127.0.0.1:${AZURITE_PORT:-?}  table 127.0.0.1:${AZURITE_TABLE_PORT:-?}"
for i in $(seq 1 "${SILO_COUNT:-0}"); do
  pid_var="SILO_${i}_PID"; http_var="SILO_${i}_HTTP_PORT"; dicom_var="SILO_${i}_DICOM_PORT"
  silo_var="SILO_${i}_SILO_PORT"; gw_var="SILO_${i}_GATEWAY_PORT"
  ready="$(http_status "http://127.0.0.1:${!http_var}/readyz")"
  [ "$ready" = "200" ] || healthy=1
  line "silo-$i" "${!pid_var}" "${SILO_DLL:-Mirc.Silo}" \
    "http://127.0.0.1:${!http_var} (readyz $ready)  dicom ${!dicom_var}  silo ${!silo_var}  gateway ${!gw_var}"
done
exit "$healthy"
