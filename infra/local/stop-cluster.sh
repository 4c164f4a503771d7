#!/usr/bin/env bash
# Stops the local cluster started by start-cluster.sh, by the PIDs in its state file (silos first, gracefully,
# then Azurite and PostgreSQL), and removes its folder unless --keep is given.
# Usage: infra/local/stop-cluster.sh [--keep]
set -uo pipefail
# shellcheck source=infra/local/cluster-state.sh
. "$(dirname "$0")/cluster-state.sh"

keep=0
[ "${1:-}" = "--keep" ] && keep=1

if ! state_load; then
  echo "no local cluster state at $MIRC_STATE_FILE"
  exit 0
fi

# Silos first, all at once: each leaves the cluster on SIGTERM (Orleans graceful shutdown).
for i in $(seq 1 "${SILO_COUNT:-0}"); do
  pid_var="SILO_${i}_PID"
  pid="${!pid_var:-}"
  if pid_matches "$pid" "${SILO_DLL:-Mirc.Silo}"; then
    kill -TERM "$pid" 2>/dev/null || true
  fi
done
for i in $(seq 1 "${SILO_COUNT:-0}"); do
  pid_var="SILO_${i}_PID"
  stop_pid "${!pid_var:-}" "${SILO_DLL:-Mirc.Silo}" 30
  echo "silo $i stopped"
done

if [ -n "${AZURITE_PID:-}" ]; then
  stop_pid "$AZURITE_PID" "azurite" 10
  echo "azurite stopped"
fi

if [ -n "${POSTGRES_PID:-}" ]; then
  if pid_matches "$POSTGRES_PID" "postgres"; then
    as_postgres "${POSTGRES_BIN:-$(postgres_bin_dir)}/pg_ctl" -D "$POSTGRES_DATA" -m fast -w -t 30 stop >/dev/null 2>&1 || true
    stop_pid "$POSTGRES_PID" "postgres" 10
  fi
  echo "postgres stopped"
fi
# PostgreSQL lives in its own temporary folder (see start-cluster.sh).
if [ -n "${POSTGRES_ROOT:-}" ] && [ "$keep" -eq 0 ]; then
  rm -rf "$POSTGRES_ROOT"
fi

if [ "$keep" -eq 1 ]; then
  # The state is spent either way; keep data and logs for a post-mortem.
  mv "$MIRC_STATE_FILE" "$MIRC_STATE_FILE.stopped" 2>/dev/null || true
  echo "kept $MIRC_CLUSTER_DIR"
else
  rm -rf "$MIRC_CLUSTER_DIR"
fi
